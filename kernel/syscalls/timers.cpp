// Syscalls: process timers — setitimer, getitimer, alarm and the POSIX timer_* calls
// (time/process_timers.h).
#include <linux/time.h>
#include <linux/time_types.h>

#include "mm/user_copy.h"
#include "proc/process.h"
#include "syscalls/syscall.h"
#include "time/clock.h"
#include "time/process_timers.h"

namespace {

using ktime::NSEC_PER_SEC;
using Setting = ProcessTimers::Setting;

Result<ProcessTimers*> timers() { return ProcessTimers::of(*current_process()); }

// Linux's timeval_valid / timespec64_valid: no negative fields, sub-second parts in range.
Result<u64> timeval_ns(const __kernel_old_timeval& tv) {
    if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000) return err(EINVAL);
    u64 ns;
    if (__builtin_mul_overflow(static_cast<u64>(tv.tv_sec), NSEC_PER_SEC, &ns)) return ~u64(0) >> 2;
    return ns + static_cast<u64>(tv.tv_usec) * 1000;
}

Result<u64> timespec_ns(const __kernel_timespec& ts) {
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= static_cast<long long>(NSEC_PER_SEC))
        return err(EINVAL);
    u64 ns;
    if (__builtin_mul_overflow(static_cast<u64>(ts.tv_sec), NSEC_PER_SEC, &ns)) return ~u64(0) >> 2;
    return ns + static_cast<u64>(ts.tv_nsec);
}

__kernel_old_timeval to_timeval(u64 ns) {
    return {static_cast<long>(ns / NSEC_PER_SEC), static_cast<long>(ns % NSEC_PER_SEC / 1000)};
}

__kernel_timespec to_timespec(u64 ns) {
    return {static_cast<long long>(ns / NSEC_PER_SEC), static_cast<long long>(ns % NSEC_PER_SEC)};
}

__kernel_old_itimerval to_itimerval(const Setting& setting) {
    return {to_timeval(setting.interval_ns), to_timeval(setting.value_ns)};
}

__kernel_itimerspec to_itimerspec(const Setting& setting) {
    return {to_timespec(setting.interval_ns), to_timespec(setting.value_ns)};
}

}  // namespace

SyscallResult sys_getitimer(int which, UserPtr<__kernel_old_itimerval> out) {
    if (which < ITIMER_REAL || which > ITIMER_PROF) return err(EINVAL);
    ProcessTimers* process_timers = TRY(timers());
    __kernel_old_itimerval value = to_itimerval(process_timers->get_interval_timer(which));
    TRY(mm::copy_to_user(out, &value));
    return 0;
}

SyscallResult sys_setitimer(int which, UserPtr<const __kernel_old_itimerval> in,
                            UserPtr<__kernel_old_itimerval> out) {
    if (which < ITIMER_REAL || which > ITIMER_PROF) return err(EINVAL);
    Setting setting;
    if (!in.is_null()) {  // Linux 6.1 still treats a null new value as "disarm"
        __kernel_old_itimerval value;
        TRY(mm::copy_from_user(&value, in));
        setting.value_ns = TRY(timeval_ns(value.it_value));
        setting.interval_ns = TRY(timeval_ns(value.it_interval));
    }
    ProcessTimers* process_timers = TRY(timers());
    Setting old = TRY(process_timers->set_interval_timer(which, setting));
    if (!out.is_null()) {
        __kernel_old_itimerval value = to_itimerval(old);
        TRY(mm::copy_to_user(out, &value));
    }
    return 0;
}

SyscallResult sys_alarm(u32 seconds) {
    ProcessTimers* process_timers = TRY(timers());
    Setting old = TRY(process_timers->set_interval_timer(ITIMER_REAL, {seconds * NSEC_PER_SEC, 0}));
    // Linux's alarm_setitimer rounds the time left to the nearest second, never to 0.
    u64 left_seconds = old.value_ns / NSEC_PER_SEC;
    u64 left_fraction = old.value_ns % NSEC_PER_SEC;
    if ((left_seconds == 0 && left_fraction) || left_fraction >= NSEC_PER_SEC / 2) left_seconds++;
    return static_cast<i64>(left_seconds);
}

SyscallResult sys_timer_create(int clock_id, UserPtr<const sigevent> user_event, UserPtr<int> out_id) {
    TimerClock clock = TRY(timer_clock_from_id(clock_id));
    if (clock_id == CLOCK_MONOTONIC_RAW || clock_id == CLOCK_MONOTONIC_COARSE ||
        clock_id == CLOCK_REALTIME_COARSE)
        return err(EOPNOTSUPP);
    sigevent event;
    if (!user_event.is_null()) TRY(mm::copy_from_user(&event, user_event));
    ProcessTimers* process_timers = TRY(timers());
    int id = TRY(process_timers->create(clock, user_event.is_null() ? nullptr : &event));
    if (auto copied = mm::copy_to_user(out_id, &id); copied.is_error()) {
        (void)process_timers->remove(id);
        return copied.error();
    }
    return 0;
}

SyscallResult sys_timer_settime(int id, int flags, UserPtr<const __kernel_itimerspec> in,
                                UserPtr<__kernel_itimerspec> out) {
    if (in.is_null()) return err(EINVAL);
    __kernel_itimerspec value;
    TRY(mm::copy_from_user(&value, in));
    u64 first = TRY(timespec_ns(value.it_value));
    u64 interval = TRY(timespec_ns(value.it_interval));
    ProcessTimers* process_timers = TRY(timers());
    Setting old;
    TRY(process_timers->set(id, flags & TIMER_ABSTIME, first, interval, out.is_null() ? nullptr : &old));
    if (!out.is_null()) {
        __kernel_itimerspec previous = to_itimerspec(old);
        TRY(mm::copy_to_user(out, &previous));
    }
    return 0;
}

SyscallResult sys_timer_gettime(int id, UserPtr<__kernel_itimerspec> out) {
    ProcessTimers* process_timers = TRY(timers());
    __kernel_itimerspec value = to_itimerspec(TRY(process_timers->get(id)));
    TRY(mm::copy_to_user(out, &value));
    return 0;
}

SyscallResult sys_timer_getoverrun(int id) {
    ProcessTimers* process_timers = TRY(timers());
    return TRY(process_timers->overrun(id));
}

SyscallResult sys_timer_delete(int id) {
    ProcessTimers* process_timers = TRY(timers());
    TRY(process_timers->remove(id));
    return 0;
}
