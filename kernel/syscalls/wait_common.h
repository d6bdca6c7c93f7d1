// Syscalls: what the waiting calls share (poll, select, epoll_wait and their signal-mask
// variants): timeouts as monotonic deadlines with Linux's validation and write-back, and
// the temporary signal mask of ppoll/pselect6/epoll_pwait.
#pragma once

#include <linux/time_types.h>

#include "lib/errno.h"
#include "lib/result.h"
#include "mm/user_ptr.h"

// A wait's limit: forever, not at all (a zero timeout), or a monotonic deadline.
struct WaitDeadline {
    enum class Kind : u8 { Forever, Immediate, At } kind = Kind::Forever;
    u64 deadline_ns = 0;

    static WaitDeadline forever() { return {}; }
    static WaitDeadline after_ns(u64 ns);
    // poll/epoll_wait milliseconds: negative waits forever.
    static WaitDeadline from_milliseconds(i64 ms);
    // Linux's poll_select_set_timeout: negative fields are EINVAL; null waits forever.
    static Result<WaitDeadline> from_user_timespec(UserPtr<const __kernel_timespec> user);
    static Result<WaitDeadline> from_user_timeval(UserPtr<const __kernel_old_timeval> user);

    bool expired() const;
    // For PollWait::sleep and wait queues: 0 means no deadline.
    u64 sleep_deadline() const { return kind == Kind::At ? deadline_ns : 0; }
    u64 remaining_ns() const;
};

// select/pselect6/ppoll write the time left back (Linux's poll_select_finish). A
// zero timeout writes nothing; when the write faults an interrupted call stays EINTR
// rather than restarting with a stale timeout.
i64 finish_timeout_timeval(const WaitDeadline& deadline, UserPtr<__kernel_old_timeval> user, i64 result);
i64 finish_timeout_timespec(const WaitDeadline& deadline, UserPtr<__kernel_timespec> user, i64 result);

// ppoll/pselect6/epoll_pwait: the thread's mask is replaced for the call. When the call
// ends with ERESTARTNOHAND the old mask stays saved so the handler runs under the
// temporary one and sigreturn restores it (Linux's restore_saved_sigmask_unless).
class TemporarySignalMask {
public:
    // sigset_size must be 8 (the kernel's sigset on x86_64), else EINVAL; null: no change.
    static Result<TemporarySignalMask> install(UserPtr<const u64> user_mask, usize sigset_size);
    // Restores the mask unless the call was interrupted (`interrupted`: the -errno that
    // means so, ERESTARTNOHAND for poll and select, EINTR for epoll); returns the result.
    i64 finish(i64 result, i64 interrupted = -ERESTARTNOHAND);

private:
    bool m_installed = false;
};

// -errno of a Result, for the finish helpers that work on raw results.
template <typename T>
i64 raw_result(const Result<T>& result) {
    return result.is_error() ? -static_cast<i64>(result.error().code()) : static_cast<i64>(result.value());
}
// And back, for the handler's SyscallResult.
Result<i64> from_raw_result(i64 raw);
