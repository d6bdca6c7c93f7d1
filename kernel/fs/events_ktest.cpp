// In-kernel tests: the pieces under poll and the timer files — keyed wake functions on
// wait queues, the poll waiter's "woken meanwhile" flag, clock timers' arithmetic,
// and an eventfd watched through a poll table.
#include <linux/poll.h>

#include "arch/cpu.h"
#include "fs/event_files.h"
#include "fs/poll_wait.h"
#include "ktest/ktest.h"
#include "time/clock.h"
#include "time/clock_timer.h"

namespace {
struct Counter {
    WaitQueue::Waiter waiter;
    u32 calls = 0;
    u32 last_key = 0;
};
void count_wake(WaitQueue::Waiter& waiter, u32 key) {
    auto* counter = reinterpret_cast<Counter*>(&waiter);
    counter->calls++;
    counter->last_key = key;
    if (key & POLLFREE) WaitQueue::unlink_during_wake(waiter);
}
}  // namespace

KTEST(wait_queue, wake_functions_get_the_key_and_may_leave) {
    WaitQueue queue;
    Counter first{{nullptr, {}, count_wake}}, second{{nullptr, {}, count_wake}};
    queue.add(first.waiter);
    queue.add(second.waiter);
    queue.wake_all(POLLIN);
    KEXPECT_EQ(first.calls, 1u);
    KEXPECT_EQ(second.last_key, u32(POLLIN));
    queue.wake_one(POLLOUT);
    KEXPECT_EQ(first.calls, 2u);
    KEXPECT_EQ(second.calls, 1u);
    queue.wake_all(POLLFREE);  // both unlink themselves while the queue is walked
    KEXPECT(!queue.has_waiters());
    KEXPECT_EQ(second.calls, 2u);
}

KTEST(poll_wait, a_wake_up_before_sleeping_is_not_lost) {
    RefPtr<File> eventfd;
    {
        auto created = event_files::create_eventfd(0, O_NONBLOCK);
        KASSERT_TRUE(!created.is_error());
        eventfd = created.release_value();
    }
    PollWait wait;
    wait.set_interest(POLLIN);
    KEXPECT_EQ(eventfd->poll(&wait) & POLLIN, 0u);
    u64 one = 1;
    KASSERT_TRUE(!eventfd->write(0, IoBuffer::kernel(&one), sizeof(one)).is_error());
    // The write woke the hooked queue: sleeping returns at once.
    KEXPECT(wait.sleep(0) == PollWait::Outcome::Woken);
    KEXPECT(eventfd->poll(nullptr) & POLLIN);
    // Nothing new since: a deadline in the past times out instead of sleeping.
    KEXPECT(wait.sleep(1) == PollWait::Outcome::TimedOut);
}

namespace {
void never(ClockTimer&, void*) {}
}  // namespace

KTEST(clock_timer, forward_counts_the_periods_passed) {
    ClockTimer timer(TimerClock::Monotonic, nullptr, nullptr, never, nullptr);
    u64 now = ktime::monotonic_ns();
    constexpr u64 PERIOD = 10 * ktime::NSEC_PER_MSEC;
    // First expiry 35 ms ago: four expiries are due (-35, -25, -15, -5 ms).
    timer.start(now - 35 * ktime::NSEC_PER_MSEC, PERIOD, ClockTimer::Drive::OnDemand);
    KEXPECT_EQ(timer.forward(), 4u);
    KEXPECT(timer.next() > ktime::monotonic_ns());
    KEXPECT(timer.remaining() <= PERIOD);
    KEXPECT_EQ(timer.forward(), 0u);  // nothing due any more
    timer.stop();
    KEXPECT(!timer.active());
    KEXPECT_EQ(timer.remaining(), 0u);
}

namespace {
volatile u32 g_expired = 0;
void expired_once(ClockTimer& timer, void*) {
    g_expired++;
    timer.finish();
}
}  // namespace

KTEST(clock_timer, a_deadline_already_passed_expires_at_once) {
    g_expired = 0;
    ClockTimer timer(TimerClock::Monotonic, nullptr, nullptr, expired_once, nullptr);
    timer.start(1, 0);  // 1 ns after boot
    KEXPECT_EQ(g_expired, 1u);
    KEXPECT(!timer.active());
    u64 start = ktime::monotonic_ns();
    timer.start(start + 2 * ktime::NSEC_PER_MSEC, 0);
    while (!g_expired && ktime::monotonic_ns() - start < 2 * ktime::NSEC_PER_SEC) arch::wait_for_interrupt();
    while (g_expired < 2 && ktime::monotonic_ns() - start < 2 * ktime::NSEC_PER_SEC)
        arch::wait_for_interrupt();
    KEXPECT_EQ(g_expired, 2u);
}
