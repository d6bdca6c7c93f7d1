// Processes: thread ids and the table of live threads (see thread_table.h).
#include "proc/thread_table.h"

#include "lib/bitmap.h"
#include "proc/process.h"
#include "proc/thread.h"
#include "sync/spinlock.h"

namespace thread_table {
namespace {

SpinLock g_lock;
u64 g_id_words[Bitmap::words_for(PID_MAX)];
Bitmap g_ids(g_id_words, PID_MAX);
u32 g_last_id = 0;
u64 g_allocated = 0;
IntrusiveList<Thread, &Thread::m_all_node> g_threads;
usize g_count = 0;
bool g_lock_restore = false;

}  // namespace

Result<u32> allocate_id() {
    SpinLockGuard guard(g_lock);
    // Linux hands out ids in increasing order and wraps, skipping those in use.
    for (u32 tried = 0; tried < PID_MAX - 1; tried++) {
        u32 id = g_last_id + 1 + tried;
        if (id >= PID_MAX) id = id - PID_MAX + 1;
        if (!g_ids.get(id)) {
            g_ids.set(id);
            g_last_id = id;
            g_allocated++;
            return id;
        }
    }
    return err(EAGAIN);
}

u32 last_allocated_id() {
    SpinLockGuard guard(g_lock);
    return g_last_id;
}

u64 allocated_count() {
    SpinLockGuard guard(g_lock);
    return g_allocated;
}

void free_id(u32 id) {
    if (id == 0 || id >= PID_MAX) return;
    SpinLockGuard guard(g_lock);
    g_ids.clear(id);
}

void add(Thread& thread) {
    thread.ref();
    SpinLockGuard guard(g_lock);
    g_threads.push_back(thread);
    g_count++;
}

RefPtr<Thread> find(u32 tid) {
    SpinLockGuard guard(g_lock);
    for (Thread& thread : g_threads) {
        if (thread.tid() == tid && thread.state() != ThreadState::Dead) return RefPtr<Thread>(&thread);
    }
    return nullptr;
}

void release_dead(Thread& thread) {
    {
        SpinLockGuard guard(g_lock);
        if (thread.m_all_node.is_linked()) {
            g_threads.remove(thread);
            g_count--;
        }
    }
    bool leads_process = thread.process() && thread.process()->pid() == thread.tid();
    if (!leads_process) free_id(thread.tid());
    thread.release_resources();
    if (thread.unref()) delete &thread;
}

usize count() { return g_count; }
void lock() { g_lock_restore = g_lock.lock(); }
void unlock() { g_lock.unlock(g_lock_restore); }
Thread* first() { return g_threads.first(); }
Thread* next(Thread& thread) { return g_threads.next(thread); }

}  // namespace thread_table
