// Drivers, block layer: the flusher thread (see writeback.h).
#include "drivers/block/writeback.h"

#include "drivers/block/page_cache.h"
#include "log/klog.h"
#include "proc/scheduler.h"
#include "proc/thread.h"
#include "sync/mutex.h"
#include "sync/wait_queue.h"
#include "time/clock.h"

namespace block::writeback {
namespace {

Mutex g_targets_lock;  // held across a pass, so unregistering waits for it
IntrusiveList<WritebackTarget, &WritebackTarget::writeback_node> g_targets;
WaitQueue g_wake;
bool g_woken = false;
bool g_started = false;
kstd::atomic<u64> g_passes{0};

void flusher_main(void*) {
    for (;;) {
        u64 deadline = ktime::monotonic_ns() + INTERVAL_NS;
        (void)g_wake.wait_until([] { return g_woken; }, WaitMode::Uninterruptible, deadline);
        g_woken = false;
        u64 now = ktime::monotonic_ns();
        // Over the background limit everything goes; otherwise what has aged.
        u64 expired_before =
            page_cache::over_background_limit() ? ~u64(0) : (now > EXPIRE_NS ? now - EXPIRE_NS : 0);
        MutexGuard guard(g_targets_lock);
        for (WritebackTarget& target : g_targets) target.write_back_periodic(expired_before);
        g_passes.fetch_add(1, kstd::memory_order_relaxed);
    }
}

}  // namespace

void start() {
    if (g_started) return;
    auto thread = Thread::create_kernel_thread("flush", flusher_main, nullptr);
    if (thread.is_error()) {
        pr_err("writeback: cannot start the flusher thread (error %d); data is written at sync only",
               thread.error().code());
        return;
    }
    g_started = true;
    sched::wake_up(*thread.value());
}

void register_target(WritebackTarget& target) {
    MutexGuard guard(g_targets_lock);
    if (!target.writeback_node.is_linked()) g_targets.push_back(target);
}

void unregister_target(WritebackTarget& target) {
    MutexGuard guard(g_targets_lock);
    if (target.writeback_node.is_linked()) g_targets.remove(target);
}

void wake_flusher() {
    if (g_woken) return;
    g_woken = true;
    g_wake.wake_all();
}

u64 passes() { return g_passes.load(); }

}  // namespace block::writeback
