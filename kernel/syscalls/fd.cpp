// Syscalls: file descriptors — open (with O_TMPFILE and openat2's RESOLVE_* flags), close,
// dup, fcntl, ioctl.
#include <asm/ioctls.h>
#include <linux/close_range.h>
#include <linux/fcntl.h>
#include <linux/openat2.h>

#include "fs/fs_context.h"
#include "fs/permission.h"
#include "fs/vfs.h"
#include "lib/format.h"
#include "mm/user_copy.h"
#include "proc/process.h"
#include "syscalls/fs_common.h"
#include "syscalls/syscall.h"

Result<i64> fcntl_locks_and_more(File& file, int command, u64 argument);

namespace {

constexpr u32 VALID_OPEN_FLAGS = O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK |
                                 O_DSYNC | FASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW |
                                 O_NOATIME | O_CLOEXEC | __O_SYNC | O_PATH | __O_TMPFILE;

// Linux's O_TMPFILE: an unnamed regular file in the directory `path` names, which
// linkat(AT_EMPTY_PATH) can name later unless O_EXCL says it never will.
Result<RefPtr<File>> open_tmpfile(const LookupContext& context, kstd::string_view path, u32 flags, u32 mode) {
    Path directory = TRY(resolve_path(context, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY));
    Inode& parent = directory.inode();
    if (vfs::read_only(directory)) return err(EROFS);
    TRY(check_permission(parent, *context.credentials, MAY_WRITE | MAY_EXEC));
    u32 gid = (parent.mode() & S_ISGID) ? parent.attributes().gid : context.credentials->fsgid;
    RefPtr<Inode> inode;
    {
        MutexGuard guard(parent.lock());
        inode = TRY(parent.tmpfile(mode, context.credentials->fsuid, gid));
    }
    inode->linkable = !(flags & O_EXCL);
    // A dentry that no directory lists: cached only for the moment it takes to make
    // it (a name with a '/' could never come from a lookup, but "#ino" is what Linux
    // shows in /proc, so it is retried if a real entry holds it).
    char name[32];
    RefPtr<Dentry> dentry;
    for (u32 attempt = 0;; attempt++) {
        klib::snprintf(name, sizeof(name), attempt ? "#%lu.%u" : "#%lu", inode->ino(), attempt);
        dentry = TRY(directory.dentry->add_child(name, inode));
        if (&dentry->inode() == inode.get()) break;
        if (attempt == 16) return err(EEXIST);
    }
    directory.dentry->drop_child(name);
    dentry->mark_deleted();
    return InodeFile::create(Path{directory.mount, dentry},
                             flags & ~u32(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY));
}

SyscallResult open_common(int dirfd, UserPtr<const char> user_path, u32 flags, u32 mode, u32 resolve) {
    OwnPtr<UserPath> path = TRY(UserPath::copy(user_path));
    // An absolute path ignores dirfd, however bad (Linux's path_init), unless openat2
    // confines the walk to it.
    bool confined = resolve & (LOOKUP_BENEATH | LOOKUP_IN_ROOT);
    LookupContext context = TRY(lookup_context_for(dirfd, confined ? kstd::string_view{} : path->view()));
    context.forced_flags = resolve;
    Process& process = *current_process();
    u32 effective_mode = (flags & (O_CREAT | __O_TMPFILE)) ? (mode & 07777 & ~process.fs->umask) : 0;
    RefPtr<File> file;
    if (flags & __O_TMPFILE) {
        // O_TMPFILE is __O_TMPFILE | O_DIRECTORY, never with O_CREAT, and must write.
        if ((flags & (__O_TMPFILE | O_DIRECTORY | O_CREAT)) != (__O_TMPFILE | O_DIRECTORY))
            return err(EINVAL);
        u32 access = flags & O_ACCMODE;
        if (access != O_WRONLY && access != O_RDWR) return err(EINVAL);
        file = TRY(open_tmpfile(context, path->view(), flags, effective_mode));
    } else {
        file = TRY(vfs::open(context, path->view(), flags, effective_mode));
    }
    return TRY(process.files->allocate(kstd::move(file), flags & O_CLOEXEC, 0, descriptor_limit()));
}

// openat2's RESOLVE_* as the walk's LOOKUP_* flags.
u32 lookup_flags_for(u64 resolve) {
    u32 flags = 0;
    if (resolve & RESOLVE_NO_XDEV) flags |= LOOKUP_NO_XDEV;
    if (resolve & RESOLVE_NO_SYMLINKS) flags |= LOOKUP_NO_SYMLINKS;
    if (resolve & RESOLVE_NO_MAGICLINKS) flags |= LOOKUP_NO_MAGICLINKS;
    if (resolve & RESOLVE_BENEATH) flags |= LOOKUP_BENEATH;
    if (resolve & RESOLVE_IN_ROOT) flags |= LOOKUP_IN_ROOT;
    return flags;
}

}  // namespace

SyscallResult sys_open(UserPtr<const char> path, int flags, u32 mode) {
    return open_common(AT_FDCWD, path, static_cast<u32>(flags) & VALID_OPEN_FLAGS, mode, 0);
}

SyscallResult sys_openat(int dirfd, UserPtr<const char> path, int flags, u32 mode) {
    return open_common(dirfd, path, static_cast<u32>(flags) & VALID_OPEN_FLAGS, mode, 0);
}

SyscallResult sys_creat(UserPtr<const char> path, u32 mode) {
    return open_common(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode, 0);
}

SyscallResult sys_openat2(int dirfd, UserPtr<const char> path, UserPtr<open_how> how_address, usize size) {
    // Linux's copy_struct_from_user: older (smaller) versions are EINVAL, larger ones
    // are accepted when the part this kernel does not know is zero.
    if (size < sizeof(open_how)) return err(EINVAL);
    if (size > 4096) return err(E2BIG);
    open_how how{};
    TRY(mm::copy_from_user(&how, how_address.cast<const void>(), sizeof(how)));
    for (usize at = sizeof(how); at < size;) {
        u8 tail[64];
        usize chunk = kstd::min(sizeof(tail), size - at);
        TRY(mm::copy_from_user(tail, UserPtr<const void>(how_address.address() + at), chunk));
        for (usize i = 0; i < chunk; i++) {
            if (tail[i]) return err(E2BIG);
        }
        at += chunk;
    }
    // Unlike open, openat2 rejects unknown flags and a mode without O_CREAT.
    if (how.flags & ~u64(VALID_OPEN_FLAGS)) return err(EINVAL);
    if (how.mode & ~u64(07777)) return err(EINVAL);
    if (how.mode && !(how.flags & (O_CREAT | __O_TMPFILE))) return err(EINVAL);
    if (how.resolve & ~u64(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |
                           RESOLVE_IN_ROOT | RESOLVE_CACHED))
        return err(EINVAL);
    if ((how.resolve & RESOLVE_BENEATH) && (how.resolve & RESOLVE_IN_ROOT)) return err(EINVAL);
    // RESOLVE_CACHED promises no I/O: Linux refuses what would create or truncate.
    if ((how.resolve & RESOLVE_CACHED) && (how.flags & (O_TRUNC | O_CREAT | __O_TMPFILE))) return err(EAGAIN);
    return open_common(dirfd, path, static_cast<u32>(how.flags), static_cast<u32>(how.mode),
                       lookup_flags_for(how.resolve));
}

SyscallResult sys_close(int fd) {
    TRY(current_process()->files->close(fd));
    return 0;
}

SyscallResult sys_close_range(u32 first, u32 last, u32 flags) {
    if (flags & ~u32(CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE)) return err(EINVAL);
    if (first > last) return err(EINVAL);
    current_process()->files->close_range(first, last, flags & CLOSE_RANGE_CLOEXEC);
    return 0;
}

SyscallResult sys_dup(int fd) {
    RefPtr<File> file = TRY(file_for(fd));
    return TRY(current_process()->files->allocate(kstd::move(file), false, 0, descriptor_limit()));
}

SyscallResult sys_dup3(int old_fd, int new_fd, int flags) {
    if (flags & ~O_CLOEXEC) return err(EINVAL);
    if (old_fd == new_fd) return err(EINVAL);
    RefPtr<File> file = TRY(file_for(old_fd));
    TRY(current_process()->files->install_at(new_fd, kstd::move(file), flags & O_CLOEXEC, descriptor_limit()));
    return new_fd;
}

SyscallResult sys_dup2(int old_fd, int new_fd) {
    RefPtr<File> file = TRY(file_for(old_fd));
    if (old_fd == new_fd) return new_fd;
    TRY(current_process()->files->install_at(new_fd, kstd::move(file), false, descriptor_limit()));
    return new_fd;
}

SyscallResult sys_fcntl(int fd, int command, u64 argument) {
    FileTable& files = *current_process()->files;
    RefPtr<File> file = TRY(files.get(fd));
    switch (command) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
        if (argument >= descriptor_limit()) return err(EINVAL);
        return TRY(files.allocate(kstd::move(file), command == F_DUPFD_CLOEXEC, static_cast<int>(argument),
                                  descriptor_limit()));
    }
    case F_GETFD: return TRY(files.close_on_exec_flag(fd)) ? FD_CLOEXEC : 0;
    case F_SETFD:
        TRY(files.set_close_on_exec(fd, argument & FD_CLOEXEC));
        return 0;
    // Creation flags act once at open; Linux keeps them out of the file's flags.
    case F_GETFL: return file->flags() & ~u32(O_CLOEXEC | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC);
    case F_SETFL:
        file->set_status_flags(static_cast<u32>(argument));
        return 0;
    default:
        return TRY(fcntl_locks_and_more(*file, command, argument));
    }
}

SyscallResult sys_ioctl(int fd, u32 request, u64 argument) {
    FileTable& files = *current_process()->files;
    RefPtr<File> file = TRY(files.get(fd));
    switch (request) {
    case FIOCLEX: TRY(files.set_close_on_exec(fd, true)); return 0;
    case FIONCLEX: TRY(files.set_close_on_exec(fd, false)); return 0;
    case FIONBIO: {
        int enable;
        TRY(mm::copy_from_user(&enable, UserPtr<const int>(argument)));
        file->set_status_flags(enable ? (file->flags() | O_NONBLOCK) : (file->flags() & ~u32(O_NONBLOCK)));
        return 0;
    }
    default:
        return TRY(file->ioctl(request, argument));
    }
}

