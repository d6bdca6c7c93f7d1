// Synchronisation: wait queues — where threads sleep until something they wait for
// happens (Linux's wait_queue_head). A thread may wait on several queues at once
// (poll, epoll), each through a Waiter that lives on its stack.
//
// A waiter may carry a wake function instead of a thread (Linux's wait_queue_entry
// func): poll tables and epoll hook their files' queues that way. Wake-ups pass a key,
// the poll events that changed (0: unknown), which those functions may filter on.
#pragma once

#include "lib/errno.h"
#include "lib/list.h"
#include "lib/result.h"
#include "sync/spinlock.h"

class Thread;

enum class WaitMode : u8 {
    Interruptible,    // a signal ends the wait with ERESTARTSYS
    Uninterruptible,  // only the condition (or the deadline) ends it
    Killable,         // only a fatal signal ends it
};

namespace wait_detail {
Thread* current();
// Whether a signal must end the current thread's wait, by mode.
bool interrupted(WaitMode mode);
// Puts the current thread to sleep until woken or until deadline_ns (0: none).
// Called and returns with interrupts disabled.
void block_current(WaitMode mode, u64 deadline_ns);
u64 now_ns();
}  // namespace wait_detail

class WaitQueue {
public:
    struct Waiter;
    // Runs in the waker's context (perhaps an interrupt) with the queue's lock held: it
    // must not sleep, and may unlink only its own waiter (unlink_during_wake).
    using WakeFunction = void (*)(Waiter& waiter, u32 key);
    struct Waiter {
        Thread* thread;
        ListNode node;
        WakeFunction wake = nullptr;  // null: wake `thread`
    };

    WaitQueue() = default;
    WaitQueue(const WaitQueue&) = delete;
    WaitQueue& operator=(const WaitQueue&) = delete;

    // Sleeps until condition() holds (evaluated with the queue's lock held), a signal
    // arrives (by mode) or monotonic time reaches deadline_ns (ETIMEDOUT; 0 = none). An
    // interrupted wait is ERESTARTSYS, which signal delivery turns into EINTR or a restart
    // (SA_RESTART), as Linux's wait_event_interruptible; calls that never restart (epoll_wait)
    // say EINTR themselves.
    template <typename Condition>
    ErrorOr wait_until(Condition&& condition, WaitMode mode = WaitMode::Interruptible, u64 deadline_ns = 0);

    void wake_one(u32 key = 0);
    void wake_all(u32 key = 0);
    bool has_waiters();

    // For waits on several queues (poll): enqueue and dequeue without sleeping.
    void add(Waiter& waiter);
    void remove(Waiter& waiter);
    // For a wake function that must leave a queue being torn down (POLLFREE).
    static void unlink_during_wake(Waiter& waiter);

private:
    SpinLock m_lock;
    IntrusiveList<Waiter, &Waiter::node> m_waiters;
};

template <typename Condition>
ErrorOr WaitQueue::wait_until(Condition&& condition, WaitMode mode, u64 deadline_ns) {
    Waiter waiter{wait_detail::current(), {}};
    bool restore = m_lock.lock();
    ErrorOr result;
    for (;;) {
        if (condition()) break;
        if (wait_detail::interrupted(mode)) {
            // The signal code decides: EINTR, or a restart under SA_RESTART (lib/errno.h).
            result = err(ERESTARTSYS);
            break;
        }
        if (deadline_ns && wait_detail::now_ns() >= deadline_ns) {
            result = err(ETIMEDOUT);
            break;
        }
        if (!waiter.node.is_linked()) m_waiters.push_back(waiter);
        // Drop the lock but keep interrupts off until the thread is asleep, so a wake-up
        // between here and the switch is not lost.
        m_lock.unlock(false);
        wait_detail::block_current(mode, deadline_ns);
        [[maybe_unused]] bool relocked = m_lock.lock();  // interrupts are off already
    }
    if (waiter.node.is_linked()) m_waiters.remove(waiter);
    m_lock.unlock(restore);
    return result;
}
