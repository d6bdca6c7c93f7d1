// Synchronisation: wait queues (see wait_queue.h).
#include "sync/wait_queue.h"

#include "proc/scheduler.h"
#include "proc/signal.h"
#include "time/clock.h"

namespace wait_detail {
Thread* current() { return current_thread(); }

bool interrupted(WaitMode mode) {
    Thread* thread = current_thread();
    if (mode == WaitMode::Uninterruptible || thread->is_kernel_thread()) return false;
    if (mode == WaitMode::Killable) return fatal_signal_pending(*thread);
    return signal_pending(*thread);
}

namespace {
void wake_sleeper(Timer&, void* context) { sched::wake_up(*static_cast<Thread*>(context)); }
}  // namespace

void block_current(WaitMode mode, u64 deadline_ns) {
    Thread* thread = current_thread();
    thread->set_state(mode == WaitMode::Uninterruptible ? ThreadState::Uninterruptible : ThreadState::Interruptible);
    if (deadline_ns) thread->m_sleep_timer.arm(deadline_ns, wake_sleeper, thread);
    sched::schedule();
    if (deadline_ns) thread->m_sleep_timer.cancel();
}

u64 now_ns() { return ktime::monotonic_ns(); }
}  // namespace wait_detail

namespace {
void wake_waiter(WaitQueue::Waiter& waiter, u32 key) {
    if (waiter.wake) waiter.wake(waiter, key);
    else sched::wake_up(*waiter.thread);
}
}  // namespace

void WaitQueue::wake_one(u32 key) {
    SpinLockGuard guard(m_lock);
    if (Waiter* waiter = m_waiters.first()) wake_waiter(*waiter, key);
}

void WaitQueue::wake_all(u32 key) {
    SpinLockGuard guard(m_lock);
    // The next waiter is read first: a wake function may unlink its own.
    for (Waiter* waiter = m_waiters.first(); waiter;) {
        Waiter* next = m_waiters.next(*waiter);
        wake_waiter(*waiter, key);
        waiter = next;
    }
}

void WaitQueue::unlink_during_wake(Waiter& waiter) {
    if (waiter.node.is_linked()) IntrusiveList<Waiter, &Waiter::node>::remove(waiter);
}

bool WaitQueue::has_waiters() {
    SpinLockGuard guard(m_lock);
    return !m_waiters.is_empty();
}

void WaitQueue::add(Waiter& waiter) {
    SpinLockGuard guard(m_lock);
    if (!waiter.node.is_linked()) m_waiters.push_back(waiter);
}

void WaitQueue::remove(Waiter& waiter) {
    SpinLockGuard guard(m_lock);
    if (waiter.node.is_linked()) m_waiters.remove(waiter);
}
