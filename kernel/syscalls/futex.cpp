// Syscalls: futex — the operations glibc's and musl's threads use.
#include <linux/futex.h>
#include <linux/time_types.h>

#include "mm/user_copy.h"
#include "proc/futex.h"
#include "syscalls/syscall.h"
#include "time/clock.h"

namespace {
// A FUTEX_WAIT timeout is relative; FUTEX_WAIT_BITSET's is absolute (on CLOCK_MONOTONIC,
// or CLOCK_REALTIME with FUTEX_CLOCK_REALTIME). Returns a monotonic deadline, 0 = none.
Result<u64> deadline_from(UserPtr<const __kernel_timespec> timeout, bool absolute, bool realtime) {
    if (timeout.is_null()) return 0;
    __kernel_timespec ts;
    TRY(mm::copy_from_user(&ts, timeout));
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) return err(EINVAL);
    u64 ns = static_cast<u64>(ts.tv_sec) * 1000000000 + static_cast<u64>(ts.tv_nsec);
    u64 now = ktime::monotonic_ns();
    if (!absolute) return now + ns ? now + ns : 1;
    if (realtime) {
        u64 wall = ktime::realtime_ns();
        return ns > wall ? now + (ns - wall) : 1;
    }
    return ns ? ns : 1;
}
}  // namespace

SyscallResult sys_futex(UserPtr<u32> address, int operation, u32 value, uptr timeout_or_value2, UserPtr<u32> address2,
                        u32 value3) {
    int command = operation & FUTEX_CMD_MASK;
    bool shared = !(operation & FUTEX_PRIVATE_FLAG);
    bool realtime = operation & FUTEX_CLOCK_REALTIME;
    if (realtime && command != FUTEX_WAIT_BITSET && command != FUTEX_WAIT && command != FUTEX_WAIT_REQUEUE_PI &&
        command != FUTEX_LOCK_PI2)
        return err(ENOSYS);
    UserPtr<const __kernel_timespec> timeout(timeout_or_value2);
    switch (command) {
    case FUTEX_WAIT: {
        u64 deadline = TRY(deadline_from(timeout, false, false));
        TRY(futex_wait(address.address(), value, deadline, FUTEX_BITSET_MATCH_ANY, shared));
        return 0;
    }
    case FUTEX_WAIT_BITSET: {
        u64 deadline = TRY(deadline_from(timeout, true, realtime));
        TRY(futex_wait(address.address(), value, deadline, value3, shared));
        return 0;
    }
    case FUTEX_WAKE:
        return futex_wake(address.address(), value, FUTEX_BITSET_MATCH_ANY, shared);
    case FUTEX_WAKE_BITSET:
        return futex_wake(address.address(), value, value3, shared);
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE:
        // Linux refuses negative counts (the values are ints in its ABI).
        if (static_cast<i32>(value) < 0 || static_cast<i32>(timeout_or_value2) < 0) return err(EINVAL);
        if (command == FUTEX_CMP_REQUEUE)
            return futex_requeue(address.address(), value, static_cast<u32>(timeout_or_value2), address2.address(),
                                 &value3, shared);
        return futex_requeue(address.address(), value, static_cast<u32>(timeout_or_value2), address2.address(), nullptr,
                             shared);
    case FUTEX_WAKE_OP:
        return futex_wake_op(address.address(), value, address2.address(), static_cast<u32>(timeout_or_value2), value3,
                             shared);
    default:
        // Priority-inheritance futexes (LOCK_PI, ...) are not implemented.
        return err(ENOSYS);
    }
}
