// Syscalls: block and storage — advice about a file's cached data (fadvise64, readahead)
// and writing a file range back (sync_file_range), on top of the page cache
// (drivers/block/page_cache.h).
#include <linux/fadvise.h>
#include <linux/fs.h>

#include "fs/file.h"
#include "syscalls/fs_common.h"
#include "syscalls/syscall.h"

SyscallResult sys_fadvise64(int fd, i64 offset, i64 length, int advice) {
    (void)offset;  // Linux accepts any offset
    RefPtr<File> file = TRY(file_for(fd));
    // Linux's generic_fadvise: ESPIPE for pipes and FIFOs, EINVAL for a negative length.
    bool pipe = kstd::string_view(file->kind_name()) == "pipe" || (file->inode() && S_ISFIFO(file->inode()->mode()));
    if (pipe) return err(ESPIPE);
    if (length < 0) return err(EINVAL);
    switch (advice) {
        case POSIX_FADV_NORMAL:
        case POSIX_FADV_RANDOM:
        case POSIX_FADV_SEQUENTIAL:
        case POSIX_FADV_WILLNEED:
        case POSIX_FADV_NOREUSE: return 0;  // hints: read-ahead already adapts to the access pattern
        case POSIX_FADV_DONTNEED: {
            // Linux writes the range back and drops its clean pages. Dirty pages are written
            // by fsync's path; the file's clean pages (all of them, not only the range) go.
            if (file->inode() && file->inode()->is_regular()) (void)file->fsync(true);
            auto object = file->mmap_object();
            if (!object.is_error()) object.value()->drop_clean_pages();
            return 0;
        }
        default: return err(EINVAL);
    }
}

SyscallResult sys_readahead(int fd, i64 offset, usize count) {
    (void)offset;
    (void)count;
    RefPtr<File> file = TRY(file_for(fd));
    if (!file->readable()) return err(EBADF);
    // Linux: EINVAL unless the file is a regular one with a page cache to read into.
    if (!file->inode() || !file->inode()->is_regular()) return err(EINVAL);
    return 0;  // a hint: read-ahead adapts by itself
}

SyscallResult sys_sync_file_range(int fd, i64 offset, i64 length, u32 flags) {
    constexpr u32 VALID = SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER;
    if (flags & ~VALID) return err(EINVAL);
    i64 end;
    if (offset < 0 || length < 0 || __builtin_add_overflow(offset, length, &end)) return err(EINVAL);
    RefPtr<File> file = TRY(file_for(fd));
    // Linux: regular files, block devices, directories and symlinks; anything else ESPIPE.
    const Inode* inode = file->inode();
    if (!inode) return err(ESPIPE);
    u32 type = inode->mode() & S_IFMT;
    if (type != S_IFREG && type != S_IFBLK && type != S_IFDIR && type != S_IFLNK) return err(ESPIPE);
    // Writes the whole file's data (a superset of the range), and waits for it.
    if (flags & SYNC_FILE_RANGE_WRITE) TRY(file->fsync(true));
    return 0;
}
