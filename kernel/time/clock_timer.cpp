// Time: timers on any clock (see clock_timer.h).
#include "time/clock_timer.h"

#include <linux/time.h>

#include "arch/cpu.h"
#include "proc/process.h"
#include "time/clock.h"

Result<TimerClock> timer_clock_from_id(int clock_id) {
    switch (clock_id) {
    case CLOCK_MONOTONIC:
    case CLOCK_BOOTTIME:  // no suspend yet: boot time is monotonic time
        return TimerClock::Monotonic;
    case CLOCK_REALTIME:
    case CLOCK_TAI: return TimerClock::Realtime;
    case CLOCK_PROCESS_CPUTIME_ID: return TimerClock::ProcessCpu;
    case CLOCK_THREAD_CPUTIME_ID: return TimerClock::ThreadCpu;
    default: return err(EINVAL);
    }
}

u64 thread_cpu_time_ns(Thread& thread) {
    // The running thread's current slice counts too (it is added at the next switch).
    u64 running = &thread == current_thread() && thread.last_switch_in_ns
                      ? ktime::monotonic_ns() - thread.last_switch_in_ns
                      : 0;
    return thread.cpu_time_ns + running;
}

u64 process_cpu_time_ns(Process& process) {
    u64 total = 0;
    for (Thread& thread : process.threads()) total += thread_cpu_time_ns(thread);
    return total;
}

ClockTimer::ClockTimer(TimerClock clock, Process* process, Thread* thread, Expired expired, void* context)
    : m_clock(clock), m_process(process), m_thread(thread), m_expired(expired), m_context(context) {}

u64 ClockTimer::now() const {
    switch (m_clock) {
    case TimerClock::Monotonic: return ktime::monotonic_ns();
    case TimerClock::Realtime: return ktime::realtime_ns();
    case TimerClock::ProcessCpu: return m_process ? process_cpu_time_ns(*m_process) : 0;
    case TimerClock::ThreadCpu: return m_thread ? thread_cpu_time_ns(*m_thread) : 0;
    }
    return 0;
}

void ClockTimer::start(u64 next, u64 interval, Drive drive) {
    arch::InterruptGuard guard;
    m_timer.cancel();
    m_next = next;
    m_interval = interval;
    m_active = true;
    if (drive != Drive::Timer) return;
    // A deadline already passed expires now, not at the next interrupt: a read right
    // after arming must see it.
    if (now() >= m_next)
        m_expired(*this, m_context);
    else
        program();
}

void ClockTimer::stop() {
    arch::InterruptGuard guard;
    m_active = false;
    m_interval = 0;
    m_timer.cancel();
}

u64 ClockTimer::remaining() const {
    if (!m_active) return 0;
    u64 now_on_clock = now();
    return m_next > now_on_clock ? m_next - now_on_clock : 0;
}

u64 ClockTimer::forward() {
    if (!m_active || !m_interval) return 0;
    u64 now_on_clock = now();
    if (now_on_clock < m_next) return 0;
    u64 periods = 1 + (now_on_clock - m_next) / m_interval;
    u64 advance;
    if (__builtin_mul_overflow(periods, m_interval, &advance) ||
        __builtin_add_overflow(m_next, advance, &m_next))
        m_next = ~u64(0) >> 1;
    return periods;
}

void ClockTimer::program(u64 minimum_gap_ns) {
    if (!m_active) return;
    u64 now_on_clock = now();
    u64 wait = m_next > now_on_clock ? m_next - now_on_clock : 0;
    wait = kstd::max(wait, minimum_gap_ns);
    u64 deadline;
    if (__builtin_add_overflow(ktime::monotonic_ns(), wait, &deadline)) deadline = ~u64(0) >> 1;
    m_timer.arm(kstd::max<u64>(deadline, 1), fired, this);
}

void ClockTimer::fired(Timer&, void* context) {
    auto& self = *static_cast<ClockTimer*>(context);
    if (!self.m_active) return;
    if (self.now() < self.m_next) {
        self.program();  // the clock has not got there yet (CPU time, a clock set back)
        return;
    }
    self.m_expired(self, self.m_context);
}
