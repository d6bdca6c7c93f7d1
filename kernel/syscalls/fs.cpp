// Syscalls: paths and attributes — stat family, access, directories, links, renames,
// permissions, owners, times, truncation, the working directory, statfs, sync.
#include <asm/stat.h>
#include <asm/statfs.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include "lib/uapi/stat.h"

#include "drivers/block/device_file.h"
#include "fs/device.h"
#include "fs/fs_context.h"
#include "fs/permission.h"
#include "fs/super_block.h"
#include "fs/vfs.h"
#include "mm/heap_buffer.h"
#include "mm/user_copy.h"
#include "proc/process.h"
#include "syscalls/fs_common.h"
#include "syscalls/syscall.h"

// Linux's include/linux/stat.h (not part of the UAPI): utimensat's special nanoseconds.
constexpr long UTIME_NOW = (1l << 30) - 1l;
constexpr long UTIME_OMIT = (1l << 30) - 2l;
// Linux's include/linux/statfs.h: f_flags is valid (ST_VALID).
constexpr u64 ST_VALID_FLAG = 0x0020;

namespace {

struct stat to_stat(const Inode& inode) {
    const InodeAttributes& a = inode.attributes();
    struct stat st{};
    st.st_dev = inode.super_block().device();
    st.st_ino = a.ino;
    st.st_nlink = a.nlink;
    st.st_mode = a.mode;
    st.st_uid = a.uid;
    st.st_gid = a.gid;
    st.st_rdev = a.rdev;
    st.st_size = static_cast<long>(a.size);
    st.st_blksize = a.block_size;
    st.st_blocks = static_cast<long>(a.blocks);
    st.st_atime = a.atime.seconds;
    st.st_atime_nsec = static_cast<unsigned long>(a.atime.nanoseconds);
    st.st_mtime = a.mtime.seconds;
    st.st_mtime_nsec = static_cast<unsigned long>(a.mtime.nanoseconds);
    st.st_ctime = a.ctime.seconds;
    st.st_ctime_nsec = static_cast<unsigned long>(a.ctime.nanoseconds);
    return st;
}

// A path relative to dirfd, or the dirfd itself with AT_EMPTY_PATH.
Result<Path> resolve_at(int dirfd, UserPtr<const char> user_path, int flags, u32 lookup_flags) {
    OwnPtr<UserPath> path = TRY(UserPath::copy(user_path, flags & AT_EMPTY_PATH));
    if (path->view().empty() && dirfd != AT_FDCWD) {
        RefPtr<File> file = TRY(file_for(dirfd));
        if (file->path().valid()) return file->path();
        return err(EBADF);  // pipes and sockets have no path to stat by this route
    }
    LookupContext context = TRY(lookup_context_for(dirfd, path->view()));
    if (path->view().empty()) lookup_flags |= LOOKUP_EMPTY;
    return resolve_path(context, path->view(), lookup_flags);
}

Credentials& credentials() { return current_process()->credentials; }

// What stat describes: a path, or (fstat, or AT_EMPTY_PATH on a pipe, socket or event
// file) an open file with no path, which Linux describes from its anonymous inode.
struct StatTarget {
    Path path;
    RefPtr<File> pathless;
};

Result<StatTarget> stat_target(int dirfd, UserPtr<const char> user_path, int flags) {
    if (flags & AT_EMPTY_PATH) {
        OwnPtr<UserPath> path = TRY(UserPath::copy(user_path, true));
        if (path->view().empty() && dirfd != AT_FDCWD) {
            RefPtr<File> file = TRY(file_for(dirfd));
            if (!file->path().valid()) return StatTarget{{}, kstd::move(file)};
        }
    }
    return StatTarget{TRY(resolve_at(dirfd, user_path, flags, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW)), {}};
}

// Linux's anon inodes: a type, one link, the opener's ids, a page-sized block.
struct stat pathless_stat(const File& file) {
    struct stat st{};
    st.st_mode = file.stat_mode();
    st.st_nlink = 1;
    st.st_blksize = 4096;
    st.st_uid = credentials().euid;
    st.st_gid = credentials().egid;
    return st;
}

}  // namespace

SyscallResult sys_newfstatat(int dirfd, UserPtr<const char> path, UserPtr<struct stat> out, int flags) {
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT)) return err(EINVAL);
    StatTarget target = TRY(stat_target(dirfd, path, flags));
    struct stat st = target.pathless ? pathless_stat(*target.pathless) : to_stat(target.path.inode());
    TRY(mm::copy_to_user(out, &st));
    return 0;
}

SyscallResult sys_stat(UserPtr<const char> path, UserPtr<struct stat> out) { return sys_newfstatat(AT_FDCWD, path, out, 0); }
SyscallResult sys_lstat(UserPtr<const char> path, UserPtr<struct stat> out) {
    return sys_newfstatat(AT_FDCWD, path, out, AT_SYMLINK_NOFOLLOW);
}

SyscallResult sys_fstat(int fd, UserPtr<struct stat> out) {
    RefPtr<File> file = TRY(file_for(fd));
    struct stat st = file->inode() ? to_stat(*file->inode()) : pathless_stat(*file);
    TRY(mm::copy_to_user(out, &st));
    return 0;
}

SyscallResult sys_statx(int dirfd, UserPtr<const char> path, int flags, u32 mask, UserPtr<struct statx> out) {
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE)) return err(EINVAL);
    if (mask & STATX__RESERVED) return err(EINVAL);
    StatTarget target = TRY(stat_target(dirfd, path, flags));
    if (target.pathless) {
        struct stat st = pathless_stat(*target.pathless);
        struct statx sx{};
        sx.stx_mask = STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_UID | STATX_GID;
        sx.stx_mode = static_cast<u16>(st.st_mode);
        sx.stx_nlink = static_cast<u32>(st.st_nlink);
        sx.stx_uid = st.st_uid;
        sx.stx_gid = st.st_gid;
        sx.stx_blksize = static_cast<u32>(st.st_blksize);
        TRY(mm::copy_to_user(out, &sx));
        return 0;
    }
    const Path& resolved = target.path;
    const Inode& inode = resolved.inode();
    const InodeAttributes& a = inode.attributes();
    struct statx sx{};
    sx.stx_mask = STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID;
    sx.stx_blksize = a.block_size;
    sx.stx_nlink = a.nlink;
    sx.stx_uid = a.uid;
    sx.stx_gid = a.gid;
    sx.stx_mode = static_cast<u16>(a.mode);
    sx.stx_ino = a.ino;
    sx.stx_size = a.size;
    sx.stx_blocks = a.blocks;
    auto ts = [](const Timespec& t) { return statx_timestamp{t.seconds, static_cast<u32>(t.nanoseconds), 0}; };
    sx.stx_atime = ts(a.atime);
    sx.stx_btime = ts(a.btime);
    sx.stx_ctime = ts(a.ctime);
    sx.stx_mtime = ts(a.mtime);
    u64 dev = inode.super_block().device(), rdev = a.rdev;
    sx.stx_rdev_major = dev_major(rdev);
    sx.stx_rdev_minor = dev_minor(rdev);
    sx.stx_dev_major = dev_major(dev);
    sx.stx_dev_minor = dev_minor(dev);
    sx.stx_mnt_id = resolved.mount->id;
    TRY(mm::copy_to_user(out, &sx));
    return 0;
}

SyscallResult sys_faccessat2(int dirfd, UserPtr<const char> path, int mode, int flags) {
    // access(2)'s R_OK/W_OK/X_OK are the "other" permission bits (Linux checks mode & ~S_IRWXO).
    if (mode & ~S_IRWXO) return err(EINVAL);
    if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return err(EINVAL);
    Path resolved = TRY(resolve_at(dirfd, path, flags, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW));
    if ((mode & S_IWOTH) && vfs::read_only(resolved) && !resolved.inode().is_directory() &&
        (resolved.inode().is_regular() || resolved.inode().is_symlink()))
        return err(EROFS);
    int mask = mode & S_IRWXO;  // the same bits as MAY_READ | MAY_WRITE | MAY_EXEC
    if (!mask) return 0;
    if (flags & AT_EACCESS) TRY(check_permission(resolved.inode(), credentials(), mask));
    else TRY(check_permission_real(resolved.inode(), credentials(), mask));
    return 0;
}

SyscallResult sys_faccessat(int dirfd, UserPtr<const char> path, int mode) { return sys_faccessat2(dirfd, path, mode, 0); }
SyscallResult sys_access(UserPtr<const char> path, int mode) { return sys_faccessat2(AT_FDCWD, path, mode, 0); }

SyscallResult sys_getcwd(UserPtr<char> buffer, usize size) {
    Process& process = *current_process();
    HeapBuffer path(PATH_MAX_BYTES);
    if (!path) return err(ENOMEM);
    Path cwd = process.fs->cwd();
    usize length = TRY(vfs::path_to_string(cwd, process.fs->root(), path.data(), path.size()));
    // Linux prefixes "(unreachable)" when the directory was removed; we report ENOENT.
    if (cwd.dentry->is_deleted()) return err(ENOENT);
    if (length + 1 > size) return err(ERANGE);
    TRY(mm::copy_to_user(buffer.cast<void>(), path.data(), length + 1));
    return static_cast<i64>(length + 1);
}

SyscallResult sys_chdir(UserPtr<const char> path) {
    Path resolved = TRY(resolve_at(AT_FDCWD, path, 0, LOOKUP_FOLLOW | LOOKUP_DIRECTORY));
    TRY(check_permission(resolved.inode(), credentials(), MAY_EXEC));
    current_process()->fs->set_cwd(resolved);
    return 0;
}

SyscallResult sys_fchdir(int fd) {
    RefPtr<File> file = TRY(file_for(fd));
    if (!file->inode() || !file->path().valid()) return err(EBADF);
    if (!file->inode()->is_directory()) return err(ENOTDIR);
    TRY(check_permission(*file->inode(), credentials(), MAY_EXEC));
    current_process()->fs->set_cwd(file->path());
    return 0;
}

SyscallResult sys_chroot(UserPtr<const char> path) {
    if (!credentials().is_superuser()) return err(EPERM);
    Path resolved = TRY(resolve_at(AT_FDCWD, path, 0, LOOKUP_FOLLOW | LOOKUP_DIRECTORY));
    TRY(check_permission(resolved.inode(), credentials(), MAY_EXEC));
    current_process()->fs->set_root(resolved);
    return 0;
}

SyscallResult sys_mkdirat(int dirfd, UserPtr<const char> path, u32 mode) {
    OwnPtr<UserPath> name = TRY(UserPath::copy(path));
    LookupContext context = TRY(lookup_context_for(dirfd, name->view()));
    TRY(vfs::mkdir(context, name->view(), mode & 07777 & ~current_process()->fs->umask));
    return 0;
}
SyscallResult sys_mkdir(UserPtr<const char> path, u32 mode) { return sys_mkdirat(AT_FDCWD, path, mode); }

SyscallResult sys_mknodat(int dirfd, UserPtr<const char> path, u32 mode, u32 device) {
    OwnPtr<UserPath> name = TRY(UserPath::copy(path));
    LookupContext context = TRY(lookup_context_for(dirfd, name->view()));
    u32 masked = (mode & S_IFMT) | (mode & 07777 & ~current_process()->fs->umask);
    TRY(vfs::mknod(context, name->view(), masked, device));
    return 0;
}
SyscallResult sys_mknod(UserPtr<const char> path, u32 mode, u32 device) { return sys_mknodat(AT_FDCWD, path, mode, device); }

SyscallResult sys_unlinkat(int dirfd, UserPtr<const char> path, int flags) {
    if (flags & ~AT_REMOVEDIR) return err(EINVAL);
    OwnPtr<UserPath> name = TRY(UserPath::copy(path));
    LookupContext context = TRY(lookup_context_for(dirfd, name->view()));
    TRY((flags & AT_REMOVEDIR) ? vfs::rmdir(context, name->view()) : vfs::unlink(context, name->view()));
    return 0;
}
SyscallResult sys_unlink(UserPtr<const char> path) { return sys_unlinkat(AT_FDCWD, path, 0); }
SyscallResult sys_rmdir(UserPtr<const char> path) { return sys_unlinkat(AT_FDCWD, path, AT_REMOVEDIR); }

SyscallResult sys_renameat2(int old_dirfd, UserPtr<const char> old_path, int new_dirfd, UserPtr<const char> new_path,
                            u32 flags) {
    OwnPtr<UserPath> from = TRY(UserPath::copy(old_path));
    OwnPtr<UserPath> to = TRY(UserPath::copy(new_path));
    LookupContext old_context = TRY(lookup_context_for(old_dirfd, from->view()));
    LookupContext new_context = TRY(lookup_context_for(new_dirfd, to->view()));
    TRY(vfs::rename(old_context, from->view(), new_context, to->view(), flags));
    return 0;
}
SyscallResult sys_renameat(int old_dirfd, UserPtr<const char> old_path, int new_dirfd, UserPtr<const char> new_path) {
    return sys_renameat2(old_dirfd, old_path, new_dirfd, new_path, 0);
}
SyscallResult sys_rename(UserPtr<const char> old_path, UserPtr<const char> new_path) {
    return sys_renameat2(AT_FDCWD, old_path, AT_FDCWD, new_path, 0);
}

SyscallResult sys_linkat(int old_dirfd, UserPtr<const char> old_path, int new_dirfd, UserPtr<const char> new_path,
                         int flags) {
    if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return err(EINVAL);
    OwnPtr<UserPath> from = TRY(UserPath::copy(old_path, flags & AT_EMPTY_PATH));
    OwnPtr<UserPath> to = TRY(UserPath::copy(new_path));
    LookupContext old_context = TRY(lookup_context_for(old_dirfd, from->view()));
    LookupContext new_context = TRY(lookup_context_for(new_dirfd, to->view()));
    u32 lookup_flags = ((flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0) | ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0);
    TRY(vfs::link(old_context, from->view(), new_context, to->view(), lookup_flags));
    return 0;
}
SyscallResult sys_link(UserPtr<const char> old_path, UserPtr<const char> new_path) {
    return sys_linkat(AT_FDCWD, old_path, AT_FDCWD, new_path, 0);
}

SyscallResult sys_symlinkat(UserPtr<const char> target, int dirfd, UserPtr<const char> path) {
    OwnPtr<UserPath> contents = TRY(UserPath::copy(target));
    OwnPtr<UserPath> name = TRY(UserPath::copy(path));
    LookupContext context = TRY(lookup_context_for(dirfd, name->view()));
    TRY(vfs::symlink(context, contents->view(), name->view()));
    return 0;
}
SyscallResult sys_symlink(UserPtr<const char> target, UserPtr<const char> path) {
    return sys_symlinkat(target, AT_FDCWD, path);
}

SyscallResult sys_readlinkat(int dirfd, UserPtr<const char> path, UserPtr<char> buffer, int size) {
    if (size <= 0) return err(EINVAL);
    Path resolved = TRY(resolve_at(dirfd, path, AT_EMPTY_PATH, 0));
    if (!resolved.inode().is_symlink()) return err(EINVAL);
    HeapBuffer target(PATH_MAX_BYTES);
    if (!target) return err(ENOMEM);
    usize length = TRY(resolved.inode().readlink(target.data(), target.size()));
    length = kstd::min<usize>(length, static_cast<usize>(size));
    TRY(mm::copy_to_user(buffer.cast<void>(), target.data(), length));
    return static_cast<i64>(length);
}
SyscallResult sys_readlink(UserPtr<const char> path, UserPtr<char> buffer, int size) {
    return sys_readlinkat(AT_FDCWD, path, buffer, size);
}

SyscallResult sys_fchmodat(int dirfd, UserPtr<const char> path, u32 mode) {
    Path resolved = TRY(resolve_at(dirfd, path, 0, LOOKUP_FOLLOW));
    TRY(vfs::chmod(resolved, mode, credentials()));
    return 0;
}
SyscallResult sys_chmod(UserPtr<const char> path, u32 mode) { return sys_fchmodat(AT_FDCWD, path, mode); }
SyscallResult sys_fchmod(int fd, u32 mode) {
    RefPtr<File> file = TRY(file_for(fd));
    if (!file->path().valid() || (file->flags() & O_PATH)) return err(EBADF);
    TRY(vfs::chmod(file->path(), mode, credentials()));
    return 0;
}

SyscallResult sys_fchownat(int dirfd, UserPtr<const char> path, u32 uid, u32 gid, int flags) {
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return err(EINVAL);
    Path resolved = TRY(resolve_at(dirfd, path, flags, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW));
    TRY(vfs::chown(resolved, uid, gid, credentials()));
    return 0;
}
SyscallResult sys_chown(UserPtr<const char> path, u32 uid, u32 gid) { return sys_fchownat(AT_FDCWD, path, uid, gid, 0); }
SyscallResult sys_lchown(UserPtr<const char> path, u32 uid, u32 gid) {
    return sys_fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}
SyscallResult sys_fchown(int fd, u32 uid, u32 gid) {
    RefPtr<File> file = TRY(file_for(fd));
    if (!file->path().valid() || (file->flags() & O_PATH)) return err(EBADF);
    TRY(vfs::chown(file->path(), uid, gid, credentials()));
    return 0;
}

SyscallResult sys_umask(u32 mask) {
    FsContext& fs = *current_process()->fs;
    u32 old = fs.umask;
    fs.umask = mask & 0777;
    return old;
}

SyscallResult sys_utimensat(int dirfd, UserPtr<const char> path, UserPtr<const struct __kernel_timespec> times,
                            int flags) {
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return err(EINVAL);
    Path resolved;
    if (path.is_null()) {
        // utimensat(fd, NULL, ...): futimens.
        RefPtr<File> file = TRY(file_for(dirfd));
        if (!file->path().valid()) return err(EBADF);
        resolved = file->path();
    } else {
        resolved = TRY(resolve_at(dirfd, path, flags, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW));
    }
    Timespec now = current_time();
    Timespec values[2] = {now, now};
    bool set[2] = {true, true};
    bool explicit_times = false;
    if (!times.is_null()) {
        struct __kernel_timespec user[2];
        TRY(mm::copy_from_user(user, times.cast<const void>(), sizeof(user)));
        for (int i = 0; i < 2; i++) {
            if (user[i].tv_nsec == UTIME_OMIT) {
                set[i] = false;
            } else if (user[i].tv_nsec != UTIME_NOW) {
                if (user[i].tv_nsec < 0 || user[i].tv_nsec >= 1000000000) return err(EINVAL);
                values[i] = {user[i].tv_sec, user[i].tv_nsec};
                explicit_times = true;
            }
        }
    }
    if (!set[0] && !set[1]) return 0;
    TRY(vfs::set_times(resolved, set[0] ? &values[0] : nullptr, set[1] ? &values[1] : nullptr, credentials(),
                       explicit_times));
    return 0;
}

SyscallResult sys_truncate(UserPtr<const char> path, i64 length) {
    if (length < 0) return err(EINVAL);
    Path resolved = TRY(resolve_at(AT_FDCWD, path, 0, LOOKUP_FOLLOW));
    TRY(vfs::truncate(resolved, static_cast<u64>(length), credentials()));
    return 0;
}

SyscallResult sys_ftruncate(int fd, i64 length) {
    if (length < 0) return err(EINVAL);
    RefPtr<File> file = TRY(file_for(fd));
    // Linux: EINVAL when the file is not open for writing or not a regular file.
    if (!file->inode() || !file->writable() || !file->inode()->is_regular()) return err(EINVAL);
    InodeAttributes values;
    values.size = static_cast<u64>(length);
    values.mtime = values.ctime = current_time();
    MutexGuard guard(file->inode()->lock());
    TRY(file->inode()->setattr(values, ATTRIBUTE_SIZE | ATTRIBUTE_MTIME | ATTRIBUTE_CTIME));
    return 0;
}

namespace {
struct statfs to_statfs(SuperBlock& sb, const Mount& mount) {
    FileSystemStats s = sb.statfs();
    struct statfs out{};
    out.f_type = static_cast<long>(s.type);
    out.f_bsize = static_cast<long>(s.block_size);
    out.f_blocks = s.blocks;
    out.f_bfree = s.blocks_free;
    out.f_bavail = s.blocks_available;
    out.f_files = s.files;
    out.f_ffree = s.files_free;
    out.f_fsid.val[0] = static_cast<int>(sb.device());
    out.f_namelen = static_cast<long>(s.name_max);
    out.f_frsize = static_cast<long>(s.fragment_size);
    out.f_flags = static_cast<long>(mount.flags | ST_VALID_FLAG);
    return out;
}
}  // namespace

SyscallResult sys_statfs(UserPtr<const char> path, UserPtr<struct statfs> out) {
    Path resolved = TRY(resolve_at(AT_FDCWD, path, 0, LOOKUP_FOLLOW));
    struct statfs st = to_statfs(*resolved.mount->super_block, *resolved.mount);
    TRY(mm::copy_to_user(out, &st));
    return 0;
}

SyscallResult sys_fstatfs(int fd, UserPtr<struct statfs> out) {
    RefPtr<File> file = TRY(file_for(fd));
    if (!file->path().valid()) return err(EBADF);
    struct statfs st = to_statfs(*file->path().mount->super_block, *file->path().mount);
    TRY(mm::copy_to_user(out, &st));
    return 0;
}

void sync_all_filesystems() {
    vfs::for_each_mount([](Mount& mount) { (void)mount.super_block->sync(); });
    (void)block::sync_block_devices();  // data written to /dev/vd* itself
}

SyscallResult sys_sync() {
    sync_all_filesystems();
    return 0;
}

SyscallResult sys_syncfs(int fd) {
    RefPtr<File> file = TRY(file_for(fd));
    if (file->path().valid()) TRY(file->path().mount->super_block->sync());
    return 0;
}

SyscallResult sys_fsync(int fd) {
    RefPtr<File> file = TRY(file_for(fd));
    TRY(file->fsync(false));
    return 0;
}

SyscallResult sys_fdatasync(int fd) {
    RefPtr<File> file = TRY(file_for(fd));
    TRY(file->fsync(true));
    return 0;
}
