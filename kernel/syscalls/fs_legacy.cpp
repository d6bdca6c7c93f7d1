// Syscalls: the older forms of path calls that programs still use — utime, utimes,
// futimesat (utimensat with seconds or microseconds), and the file-handle calls, which
// no Strix filesystem supports.
#include <linux/fcntl.h>
#include <linux/time_types.h>
#include <linux/utime.h>

#include "fs/vfs.h"
#include "mm/user_copy.h"
#include "proc/process.h"
#include "syscalls/fs_common.h"
#include "syscalls/syscall.h"

namespace {

Credentials& credentials() { return current_process()->credentials; }

// The file of (dirfd, path), or dirfd itself when path is null (futimesat's form of futimes).
Result<Path> resolve_for_times(int dirfd, UserPtr<const char> user_path) {
    if (user_path.is_null()) {
        RefPtr<File> file = TRY(file_for(dirfd));
        if (!file->path().valid()) return err(EBADF);
        return file->path();
    }
    OwnPtr<UserPath> path = TRY(UserPath::copy(user_path));
    LookupContext context = TRY(lookup_context_for(dirfd, path->view()));
    return resolve_path(context, path->view(), LOOKUP_FOLLOW);
}

// Null times mean "now" (needing only write permission); explicit ones need ownership.
SyscallResult set_times(int dirfd, UserPtr<const char> path, const Timespec* times) {
    Path resolved = TRY(resolve_for_times(dirfd, path));
    if (!times) {
        Timespec now = current_time();
        TRY(vfs::set_times(resolved, &now, &now, credentials(), false));
        return 0;
    }
    TRY(vfs::set_times(resolved, &times[0], &times[1], credentials(), true));
    return 0;
}

Result<bool> read_timevals(UserPtr<const __kernel_old_timeval> user, Timespec* out) {
    if (user.is_null()) return false;
    __kernel_old_timeval values[2];
    TRY(mm::copy_from_user(values, user.cast<const void>(), sizeof(values)));
    for (int i = 0; i < 2; i++) {
        // Linux's do_futimesat: microseconds out of range are EINVAL.
        if (values[i].tv_usec < 0 || values[i].tv_usec >= 1000000) return err(EINVAL);
        out[i] = {values[i].tv_sec, values[i].tv_usec * 1000};
    }
    return true;
}

}  // namespace

SyscallResult sys_utime(UserPtr<const char> path, UserPtr<const utimbuf> times) {
    if (times.is_null()) return set_times(AT_FDCWD, path, nullptr);
    utimbuf value;
    TRY(mm::copy_from_user(&value, times));
    Timespec both[2] = {{value.actime, 0}, {value.modtime, 0}};
    return set_times(AT_FDCWD, path, both);
}

SyscallResult sys_futimesat(int dirfd, UserPtr<const char> path, UserPtr<const __kernel_old_timeval> times) {
    Timespec both[2];
    bool given = TRY(read_timevals(times, both));
    return set_times(dirfd, path, given ? both : nullptr);
}

SyscallResult sys_utimes(UserPtr<const char> path, UserPtr<const __kernel_old_timeval> times) {
    if (path.is_null()) return err(EFAULT);
    return sys_futimesat(AT_FDCWD, path, times);
}

// No filesystem here exports file handles (Linux: no export_operations).
SyscallResult sys_name_to_handle_at(int dirfd, UserPtr<const char> path, UserPtr<void> handle,
                                    UserPtr<int> mount_id, int flags) {
    (void)handle;
    (void)mount_id;
    if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return err(EINVAL);
    TRY(resolve_for_times(dirfd, path));  // ENOENT and friends first, as Linux does
    return err(EOPNOTSUPP);
}

SyscallResult sys_open_by_handle_at(int mount_fd, UserPtr<void> handle, int flags) {
    (void)mount_fd;
    (void)handle;
    (void)flags;
    if (!credentials().is_superuser()) return err(EPERM);  // needs CAP_DAC_READ_SEARCH
    return err(ESTALE);                                    // no handle was ever issued
}
