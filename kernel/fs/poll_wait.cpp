// Filesystems: the poll/select waiter (see poll_wait.h).
#include "fs/poll_wait.h"

#include "mm/kmalloc.h"
#include "proc/scheduler.h"
#include "proc/signal.h"
#include "time/clock.h"

// Entries beyond the inline ones come in page-sized chunks: poll over thousands of
// files must not live on a 16 KiB kernel stack.
struct PollWait::Chunk {
    static constexpr usize CAPACITY = (4096 - 2 * sizeof(void*)) / sizeof(Entry);
    Chunk* next;
    usize used;
    Entry entries[CAPACITY];
};

PollWait::PollWait() : PollTable(~0u), m_thread(current_thread()) {}

PollWait::~PollWait() {
    for (usize i = 0; i < m_inline_used; i++) m_inline[i].queue->remove(m_inline[i].waiter);
    while (Chunk* chunk = m_chunks) {
        for (usize i = 0; i < chunk->used; i++) chunk->entries[i].queue->remove(chunk->entries[i].waiter);
        m_chunks = chunk->next;
        kfree(chunk);
    }
}

PollWait::Entry* PollWait::next_entry() {
    if (m_inline_used < INLINE_ENTRIES) return &m_inline[m_inline_used++];
    if (!m_chunks || m_chunks->used == Chunk::CAPACITY) {
        auto* chunk = static_cast<Chunk*>(kmalloc(sizeof(Chunk)));
        if (!chunk) return nullptr;
        chunk->next = m_chunks;
        chunk->used = 0;
        m_chunks = chunk;
    }
    return &m_chunks->entries[m_chunks->used++];
}

void PollWait::add(WaitQueue& queue) {
    Entry* entry = next_entry();
    if (!entry) {
        m_out_of_memory = true;
        return;
    }
    entry->waiter = WaitQueue::Waiter{m_thread, {}, wake};
    entry->queue = &queue;
    entry->owner = this;
    entry->interest = m_interest;
    queue.add(entry->waiter);
}

void PollWait::wake(WaitQueue::Waiter& waiter, u32 key) {
    // Linux's pollwake: a keyed wake-up for events nobody here asked about is ignored.
    auto* entry = reinterpret_cast<Entry*>(&waiter);  // the waiter is the entry's first member
    if (key && !(key & (entry->interest | POLLERR | POLLHUP))) return;
    entry->owner->m_triggered = true;
    sched::wake_up(*entry->owner->m_thread);
}

namespace {
void wake_sleeper(Timer&, void* thread) { sched::wake_up(*static_cast<Thread*>(thread)); }
}  // namespace

PollWait::Outcome PollWait::sleep(u64 deadline_ns) {
    Thread& thread = *m_thread;
    arch::InterruptGuard guard;  // a wake-up between the checks and the switch is not lost
    if (m_triggered) {
        m_triggered = false;
        return Outcome::Woken;
    }
    if (signal_pending(thread)) return Outcome::Interrupted;
    if (deadline_ns && ktime::monotonic_ns() >= deadline_ns) return Outcome::TimedOut;
    thread.set_state(ThreadState::Interruptible);
    if (deadline_ns) thread.m_sleep_timer.arm(deadline_ns, wake_sleeper, &thread);
    sched::schedule();
    if (deadline_ns) thread.m_sleep_timer.cancel();
    m_triggered = false;
    return Outcome::Woken;
}
