// In-kernel tests: clocks and the one-shot timer.
#include "arch/cpu.h"
#include "arch/timer.h"
#include "ktest/ktest.h"
#include "time/clock.h"
#include "time/timer.h"

KTEST(clock, monotonic_advances_and_never_goes_back) {
    u64 previous = ktime::monotonic_ns();
    for (int i = 0; i < 10000; i++) {
        u64 now = ktime::monotonic_ns();
        KASSERT_TRUE(now >= previous);
        previous = now;
    }
    u64 start = ktime::monotonic_ns();
    ktime::busy_wait_ns(2 * ktime::NSEC_PER_MSEC);
    KEXPECT(ktime::monotonic_ns() - start >= 2 * ktime::NSEC_PER_MSEC);
}

KTEST(clock, realtime_comes_from_the_rtc) {
    // 2024-01-01T00:00:00Z: any machine that runs this test is later than that.
    KEXPECT(ktime::realtime_ns() / ktime::NSEC_PER_SEC > 1704067200u);
}

namespace {
volatile u64 g_fired_at = 0;
void on_timer(Timer&, void*) { g_fired_at = ktime::monotonic_ns(); }
}  // namespace

KTEST(timer, one_shot_fires_after_its_deadline) {
    g_fired_at = 0;
    Timer timer;
    u64 start = ktime::monotonic_ns();
    u64 deadline = start + 5 * ktime::NSEC_PER_MSEC;
    timer.arm(deadline, on_timer, nullptr);
    while (!g_fired_at && ktime::monotonic_ns() - start < 2 * ktime::NSEC_PER_SEC) arch::wait_for_interrupt();
    KASSERT_TRUE(g_fired_at != 0);
    // The LAPIC timer is calibrated against the TSC: it may fire a hair early by rounding.
    KEXPECT(g_fired_at + 100 * ktime::NSEC_PER_USEC >= deadline);
    KEXPECT(g_fired_at - deadline < 500 * ktime::NSEC_PER_MSEC);
}
