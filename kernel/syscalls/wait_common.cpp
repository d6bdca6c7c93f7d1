// Syscalls: timeouts and temporary signal masks of the waiting calls (see wait_common.h).
#include "syscalls/wait_common.h"

#include "arch/cpu.h"
#include "lib/errno.h"
#include "mm/user_copy.h"
#include "proc/thread.h"
#include "time/clock.h"

using ktime::NSEC_PER_SEC;

namespace {
// Adds without wrapping: an absurd timeout is a deadline far in the future.
u64 deadline_from_now(u64 sec, u64 nsec) {
    u64 total;
    if (__builtin_mul_overflow(sec, NSEC_PER_SEC, &total) || __builtin_add_overflow(total, nsec, &total) ||
        __builtin_add_overflow(total, ktime::monotonic_ns(), &total))
        return ~u64(0) >> 1;
    return total;
}
}  // namespace

WaitDeadline WaitDeadline::after_ns(u64 ns) {
    if (ns == 0) return {Kind::Immediate, 0};
    return {Kind::At, deadline_from_now(0, ns)};
}

WaitDeadline WaitDeadline::from_milliseconds(i64 ms) {
    if (ms < 0) return forever();
    return after_ns(static_cast<u64>(ms) * 1000000);
}

Result<WaitDeadline> WaitDeadline::from_user_timespec(UserPtr<const __kernel_timespec> user) {
    if (user.is_null()) return forever();
    __kernel_timespec ts;
    TRY(mm::copy_from_user(&ts, user));
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= static_cast<long long>(NSEC_PER_SEC))
        return err(EINVAL);
    if (ts.tv_sec == 0 && ts.tv_nsec == 0) return WaitDeadline{Kind::Immediate, 0};
    return WaitDeadline{Kind::At,
                        deadline_from_now(static_cast<u64>(ts.tv_sec), static_cast<u64>(ts.tv_nsec))};
}

Result<WaitDeadline> WaitDeadline::from_user_timeval(UserPtr<const __kernel_old_timeval> user) {
    if (user.is_null()) return forever();
    __kernel_old_timeval tv;
    TRY(mm::copy_from_user(&tv, user));
    // Linux normalises microseconds beyond a second before validating (kern_select).
    i64 sec = tv.tv_sec + tv.tv_usec / 1000000;
    i64 usec = tv.tv_usec % 1000000;
    if (sec < 0 || usec < 0) return err(EINVAL);
    if (sec == 0 && usec == 0) return WaitDeadline{Kind::Immediate, 0};
    return WaitDeadline{Kind::At, deadline_from_now(static_cast<u64>(sec), static_cast<u64>(usec) * 1000)};
}

bool WaitDeadline::expired() const {
    if (kind == Kind::Immediate) return true;
    return kind == Kind::At && ktime::monotonic_ns() >= deadline_ns;
}

u64 WaitDeadline::remaining_ns() const {
    if (kind != Kind::At) return 0;
    u64 now = ktime::monotonic_ns();
    return deadline_ns > now ? deadline_ns - now : 0;
}

namespace {
i64 sticky(i64 result) { return result == -ERESTARTNOHAND ? -EINTR : result; }
}  // namespace

i64 finish_timeout_timeval(const WaitDeadline& deadline, UserPtr<__kernel_old_timeval> user, i64 result) {
    if (user.is_null() || deadline.kind != WaitDeadline::Kind::At) return result;
    u64 left = deadline.remaining_ns();
    __kernel_old_timeval tv{static_cast<long>(left / NSEC_PER_SEC),
                            static_cast<long>(left % NSEC_PER_SEC / 1000)};
    if (mm::copy_to_user(user, &tv).is_error()) return sticky(result);
    return result;
}

i64 finish_timeout_timespec(const WaitDeadline& deadline, UserPtr<__kernel_timespec> user, i64 result) {
    if (user.is_null() || deadline.kind != WaitDeadline::Kind::At) return result;
    u64 left = deadline.remaining_ns();
    __kernel_timespec ts{static_cast<long long>(left / NSEC_PER_SEC),
                         static_cast<long long>(left % NSEC_PER_SEC)};
    if (mm::copy_to_user(user, &ts).is_error()) return sticky(result);
    return result;
}

Result<TemporarySignalMask> TemporarySignalMask::install(UserPtr<const u64> user_mask, usize sigset_size) {
    TemporarySignalMask mask;
    if (user_mask.is_null()) return mask;
    if (sigset_size != sizeof(u64)) return err(EINVAL);
    u64 bits;
    TRY(mm::copy_from_user(&bits, user_mask));
    Thread& thread = *current_thread();
    arch::InterruptGuard guard;
    thread.saved_mask = thread.blocked_signals();
    thread.blocked_signals() = SignalSet(bits) & ~UNBLOCKABLE;
    mask.m_installed = true;
    return mask;
}

i64 TemporarySignalMask::finish(i64 result, i64 interrupted) {
    if (!m_installed || result == interrupted) return result;
    Thread& thread = *current_thread();
    arch::InterruptGuard guard;
    if (thread.saved_mask) {
        thread.blocked_signals() = *thread.saved_mask;
        thread.saved_mask.reset();
    }
    return result;
}

Result<i64> from_raw_result(i64 raw) {
    if (raw < 0) return err(static_cast<int>(-raw));
    return raw;
}
