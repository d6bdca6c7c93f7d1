// Syscalls: time — clocks, sleeping, the wall clock.
#include <asm/unistd_64.h>
#include <linux/time_types.h>
#include <linux/timex.h>
#include <linux/times.h>

#include <linux/time.h>

#include "arch/x86_64/vdso/vdso_data.h"
#include "lib/errno.h"
#include "mm/user_copy.h"
#include "proc/process.h"
#include "proc/scheduler.h"
#include "proc/signal.h"
#include "proc/thread_table.h"
#include "syscalls/syscall.h"
#include "time/clock.h"

namespace {

using ktime::NSEC_PER_SEC;

u64 process_cpu_ns(Process& process) {
    u64 total = 0;
    for (Thread& thread : process.threads()) total += thread.cpu_time();
    return total;
}

// Linux's CPU-time clock ids (include/linux/posix-timers.h): negative, ~pid << 3, bit 2
// for a thread rather than a process, the low bits choosing PROF (0), VIRT (1) or SCHED (2).
Result<u64> cpu_clock_now(int clock) {
    constexpr int PER_THREAD = 4, WHICH_MASK = 3;
    if ((clock & WHICH_MASK) == 3) return err(EINVAL);
    u32 id = static_cast<u32>(~(clock >> 3));
    if (clock & PER_THREAD) {
        RefPtr<Thread> thread = id ? thread_table::find(id) : RefPtr<Thread>(current_thread());
        if (!thread || !thread->process()) return err(EINVAL);
        return thread->cpu_time();
    }
    RefPtr<Process> process = id ? process_table::find(id) : RefPtr<Process>(current_process());
    if (!process || process->state != ProcessState::Alive) return err(EINVAL);
    return process_cpu_ns(*process);
}

Result<u64> clock_now(int clock) {
    if (clock < 0) return cpu_clock_now(clock);
    switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_TAI:
        return ktime::realtime_ns();
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:  // no suspend yet: boot time equals monotonic time
        return ktime::monotonic_ns();
    case CLOCK_PROCESS_CPUTIME_ID:
        return process_cpu_ns(*current_process());
    case CLOCK_THREAD_CPUTIME_ID:
        return current_thread()->cpu_time();
    default:
        return err(EINVAL);
    }
}

__kernel_timespec to_timespec(u64 ns) {
    return {static_cast<__kernel_time64_t>(ns / NSEC_PER_SEC), static_cast<long long>(ns % NSEC_PER_SEC)};
}

Result<u64> from_timespec(UserPtr<const __kernel_timespec> user) {
    __kernel_timespec ts;
    TRY(mm::copy_from_user(&ts, user));
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= static_cast<long long>(NSEC_PER_SEC)) return err(EINVAL);
    u64 ns;
    if (__builtin_mul_overflow(static_cast<u64>(ts.tv_sec), NSEC_PER_SEC, &ns) ||
        __builtin_add_overflow(ns, static_cast<u64>(ts.tv_nsec), &ns))
        return ~u64(0) >> 1;  // far enough in the future
    return ns;
}

void wake_sleeper(Timer&, void* thread) { sched::wake_up(*static_cast<Thread*>(thread)); }

// Sleeps until monotonic `deadline`; ERESTART_RESTARTBLOCK when a signal interrupts.
ErrorOr sleep_until(u64 deadline) {
    Thread& thread = *current_thread();
    while (ktime::monotonic_ns() < deadline) {
        arch::InterruptGuard guard;
        if (signal_pending(thread)) {
            thread.restart_deadline_ns = deadline;
            return err(ERESTART_RESTARTBLOCK);
        }
        thread.set_state(ThreadState::Interruptible);
        thread.m_sleep_timer.arm(deadline, wake_sleeper, &thread);
        sched::schedule();
        thread.m_sleep_timer.cancel();
    }
    return {};
}

}  // namespace

SyscallResult sys_clock_gettime(int clock, UserPtr<__kernel_timespec> out) {
    u64 now = TRY(clock_now(clock));
    __kernel_timespec ts = to_timespec(now);
    TRY(mm::copy_to_user(out, &ts));
    return 0;
}

SyscallResult sys_clock_getres(int clock, UserPtr<__kernel_timespec> out) {
    TRY(clock_now(clock));
    if (out.is_null()) return 0;
    // Coarse clocks report Linux's default tick (HZ=250); the others count TSC ticks,
    // reported as 1 ns as Linux does for high-resolution clocks. The vDSO answers the same.
    __kernel_timespec ts{0, vdso_clock_is_coarse(clock) ? VDSO_COARSE_RESOLUTION_NS : VDSO_HIGH_RESOLUTION_NS};
    TRY(mm::copy_to_user(out, &ts));
    return 0;
}

SyscallResult sys_gettimeofday(UserPtr<__kernel_old_timeval> tv, UserPtr<void> tz) {
    if (!tv.is_null()) {
        u64 now = ktime::realtime_ns();
        __kernel_old_timeval value{static_cast<long>(now / NSEC_PER_SEC), static_cast<long>(now / 1000 % 1000000)};
        TRY(mm::copy_to_user(tv, &value));
    }
    if (!tz.is_null()) {
        struct { int minutes_west, dst_time; } zone{0, 0};  // struct timezone: UTC
        TRY(mm::copy_to_user(tz, &zone, sizeof(zone)));
    }
    return 0;
}

SyscallResult sys_time(UserPtr<long> out) {
    long now = static_cast<long>(ktime::realtime_ns() / NSEC_PER_SEC);
    if (!out.is_null()) TRY(mm::copy_to_user(out, &now));
    return now;
}

SyscallResult sys_settimeofday(UserPtr<const __kernel_old_timeval> tv, UserPtr<const void>) {
    if (!current_process()->credentials.is_superuser()) return err(EPERM);
    if (tv.is_null()) return 0;
    __kernel_old_timeval value;
    TRY(mm::copy_from_user(&value, tv));
    if (value.tv_sec < 0 || value.tv_usec < 0 || value.tv_usec >= 1000000) return err(EINVAL);
    ktime::set_realtime_ns(static_cast<u64>(value.tv_sec) * NSEC_PER_SEC + static_cast<u64>(value.tv_usec) * 1000);
    return 0;
}

SyscallResult sys_clock_settime(int clock, UserPtr<const __kernel_timespec> ts) {
    if (clock != CLOCK_REALTIME) return err(EINVAL);
    if (!current_process()->credentials.is_superuser()) return err(EPERM);
    ktime::set_realtime_ns(TRY(from_timespec(ts)));
    return 0;
}

SyscallResult sys_nanosleep(UserPtr<const __kernel_timespec> request, UserPtr<__kernel_timespec> remaining) {
    u64 duration = TRY(from_timespec(request));
    u64 deadline = ktime::monotonic_ns() + duration;
    auto slept = sleep_until(deadline);
    if (slept.is_error()) {
        if (!remaining.is_null()) {
            u64 now = ktime::monotonic_ns();
            __kernel_timespec left = to_timespec(deadline > now ? deadline - now : 0);
            TRY(mm::copy_to_user(remaining, &left));
        }
        return slept.error();
    }
    return 0;
}

SyscallResult sys_clock_nanosleep(int clock, int flags, UserPtr<const __kernel_timespec> request,
                                  UserPtr<__kernel_timespec> remaining) {
    // Sleeping on one's own thread CPU clock cannot end: Linux refuses it with EOPNOTSUPP.
    if (clock == CLOCK_THREAD_CPUTIME_ID || (clock < 0 && (clock & 4))) return err(EOPNOTSUPP);
    if (clock < 0) return err(EINVAL);
    if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME && clock != CLOCK_TAI &&
        clock != CLOCK_PROCESS_CPUTIME_ID)
        return err(EINVAL);
    u64 value = TRY(from_timespec(request));
    u64 now = TRY(clock_now(clock));
    u64 deadline_on_clock = (flags & TIMER_ABSTIME) ? value : now + value;
    u64 monotonic_now = ktime::monotonic_ns();
    // Convert to a monotonic deadline (a realtime deadline moves if the clock is set;
    // Linux re-arms in that case, here the sleep keeps its first conversion).
    u64 deadline = deadline_on_clock > now ? monotonic_now + (deadline_on_clock - now) : monotonic_now;
    auto slept = sleep_until(deadline);
    if (slept.is_error()) {
        if (flags & TIMER_ABSTIME) return err(ERESTARTNOHAND);  // absolute sleeps restart as they are
        if (!remaining.is_null()) {
            u64 left_ns = deadline > ktime::monotonic_ns() ? deadline - ktime::monotonic_ns() : 0;
            __kernel_timespec left = to_timespec(left_ns);
            TRY(mm::copy_to_user(remaining, &left));
        }
        return slept.error();
    }
    return 0;
}

SyscallResult sys_adjtimex(UserPtr<struct __kernel_timex> buffer) {
    struct __kernel_timex tx;
    TRY(mm::copy_from_user(&tx, buffer));
    // Only queries: Strix's clock is not disciplined (no NTP adjustments yet).
    if (tx.modes != 0) return current_process()->credentials.is_superuser() ? Result<i64>(err(EOPNOTSUPP)) : err(EPERM);
    u64 now = ktime::realtime_ns();
    struct __kernel_timex reply{};
    reply.time.tv_sec = static_cast<__kernel_time64_t>(now / NSEC_PER_SEC);
    reply.time.tv_usec = static_cast<long long>(now / 1000 % 1000000);
    reply.maxerror = 0;
    reply.esterror = 0;
    reply.status = 0x40;  // STA_UNSYNC: no NTP daemon has synchronised the clock
    reply.constant = 2;
    reply.precision = 1;
    reply.tolerance = 32768000;
    reply.tick = 10000;
    TRY(mm::copy_to_user(buffer, &reply));
    return 5;  // TIME_ERROR: the clock is not synchronised, as Linux reports without NTP
}

SyscallResult sys_restart_syscall() {
    Thread& thread = *current_thread();
    u64 deadline = thread.restart_deadline_ns;
    if (!deadline) return err(EINTR);
    thread.restart_deadline_ns = 0;
    TRY(sleep_until(deadline));
    return 0;
}

SyscallResult sys_times(UserPtr<struct tms> out) {
    constexpr u64 NS_PER_TICK = NSEC_PER_SEC / 100;  // USER_HZ
    Process& process = *current_process();
    if (!out.is_null()) {
        struct tms t{};
        t.tms_utime = static_cast<__kernel_clock_t>(process_cpu_ns(process) / NS_PER_TICK);
        t.tms_cutime = static_cast<__kernel_clock_t>(process.children_user_ns / NS_PER_TICK);
        t.tms_cstime = static_cast<__kernel_clock_t>(process.children_system_ns / NS_PER_TICK);
        TRY(mm::copy_to_user(out, &t));
    }
    return static_cast<i64>(ktime::monotonic_ns() / NS_PER_TICK);
}

// glibc's adjtimex and ntp_gettime call this with CLOCK_REALTIME. Other clocks exist but
// cannot be steered (EOPNOTSUPP, as Linux's clocks without clock_adj); unknown ones are EINVAL.
SyscallResult sys_clock_adjtime(int clock, UserPtr<struct __kernel_timex> buffer) {
    if (clock == CLOCK_REALTIME) return sys_adjtimex(buffer);
    TRY(clock_now(clock));
    return err(EOPNOTSUPP);
}
