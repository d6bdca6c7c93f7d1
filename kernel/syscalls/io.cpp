// Syscalls: reading and writing — read, write, their positioned and vectored forms, lseek.
#include <linux/fs.h>
#include <linux/uio.h>
#include <linux/fs.h>

#include "fs/pipe.h"
#include "mm/heap_buffer.h"
#include "mm/user_copy.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "syscalls/fs_common.h"
#include "syscalls/syscall.h"

namespace {

// Linux caps one transfer at MAX_RW_COUNT (INT_MAX rounded down to a page).
constexpr usize MAX_RW_COUNT = 0x7ffff000;

enum class Direction { Read, Write };

// One transfer at the file's position (advancing it) or at `offset`.
Result<usize> transfer(File& file, Direction direction, IoBuffer buffer, usize length, const i64* offset) {
    if (direction == Direction::Read && !file.readable()) return err(EBADF);
    if (direction == Direction::Write && !file.writable()) return err(EBADF);
    length = kstd::min(length, MAX_RW_COUNT);
    if (offset) {
        if (!file.seekable()) return err(ESPIPE);
        if (*offset < 0) return err(EINVAL);
        if (direction == Direction::Read) return file.read(*offset, buffer, length);
        // Linux quirk kept for compatibility: pwrite on an O_APPEND file appends.
        u64 position = ((file.flags() & O_APPEND) && file.inode()) ? file.inode()->size() : u64(*offset);
        return file.write(position, buffer, length);
    }
    if (!file.seekable()) {
        return direction == Direction::Read ? file.read(0, buffer, length) : file.write(0, buffer, length);
    }
    MutexGuard guard(file.position_lock);
    u64 position = file.position;
    if (direction == Direction::Write && (file.flags() & O_APPEND) && file.inode()) position = file.inode()->size();
    usize done = TRY(direction == Direction::Read ? file.read(position, buffer, length)
                                                   : file.write(position, buffer, length));
    file.position = position + done;
    return done;
}

// readv/writev: the iovec array is copied and checked whole first (Linux's
// import_iovec: EINVAL for a negative length, EFAULT for a segment outside user space),
// then moved as one transfer, so a fault part-way gives Linux's short counts.
Result<usize> transfer_vector(int fd, Direction direction, UserPtr<const iovec> vector, int count, const i64* offset) {
    RefPtr<File> file = TRY(file_for(fd));
    if (count < 0 || count > UIO_MAXIOV) return err(EINVAL);
    if (count == 0) return 0;
    HeapBuffer storage(sizeof(iovec) * static_cast<usize>(count));
    if (!storage) return err(ENOMEM);
    auto* segments = reinterpret_cast<iovec*>(storage.data());
    TRY(mm::copy_from_user(segments, vector.cast<const void>(), sizeof(iovec) * static_cast<usize>(count)));
    usize total = 0;
    for (int i = 0; i < count; i++) {
        if (static_cast<isize>(segments[i].iov_len) < 0) return err(EINVAL);
        if (!mm::is_user_range(reinterpret_cast<uptr>(segments[i].iov_base), segments[i].iov_len)) return err(EFAULT);
        // Linux caps the whole transfer at MAX_RW_COUNT, trimming the segments.
        if (total + segments[i].iov_len > MAX_RW_COUNT) segments[i].iov_len = MAX_RW_COUNT - total;
        total += segments[i].iov_len;
    }
    return transfer(*file, direction, IoBuffer::user_vector(segments, static_cast<usize>(count)), total, offset);
}

}  // namespace

SyscallResult sys_read(int fd, UserPtr<void> buffer, usize count) {
    RefPtr<File> file = TRY(file_for(fd));
    if (!mm::is_user_range(buffer.address(), count)) return err(EFAULT);  // Linux's access_ok
    return TRY(transfer(*file, Direction::Read, IoBuffer::user(buffer.address()), count, nullptr));
}

SyscallResult sys_write(int fd, UserPtr<const void> buffer, usize count) {
    RefPtr<File> file = TRY(file_for(fd));
    if (!mm::is_user_range(buffer.address(), count)) return err(EFAULT);
    return TRY(transfer(*file, Direction::Write, IoBuffer::user(buffer.address()), count, nullptr));
}

SyscallResult sys_pread64(int fd, UserPtr<void> buffer, usize count, i64 offset) {
    RefPtr<File> file = TRY(file_for(fd));
    if (!mm::is_user_range(buffer.address(), count)) return err(EFAULT);
    return TRY(transfer(*file, Direction::Read, IoBuffer::user(buffer.address()), count, &offset));
}

SyscallResult sys_pwrite64(int fd, UserPtr<const void> buffer, usize count, i64 offset) {
    RefPtr<File> file = TRY(file_for(fd));
    if (!mm::is_user_range(buffer.address(), count)) return err(EFAULT);
    return TRY(transfer(*file, Direction::Write, IoBuffer::user(buffer.address()), count, &offset));
}

SyscallResult sys_readv(int fd, UserPtr<const iovec> vector, int count) {
    return TRY(transfer_vector(fd, Direction::Read, vector, count, nullptr));
}

SyscallResult sys_writev(int fd, UserPtr<const iovec> vector, int count) {
    return TRY(transfer_vector(fd, Direction::Write, vector, count, nullptr));
}

// preadv/pwritev pass the offset split in two registers (pos_l, pos_h); on x86_64 the
// low one carries all 64 bits.
SyscallResult sys_preadv(int fd, UserPtr<const iovec> vector, int count, i64 offset) {
    return TRY(transfer_vector(fd, Direction::Read, vector, count, &offset));
}

SyscallResult sys_pwritev(int fd, UserPtr<const iovec> vector, int count, i64 offset) {
    return TRY(transfer_vector(fd, Direction::Write, vector, count, &offset));
}

// preadv2/pwritev2: offset -1 means the file position; flags are RWF_* hints, of which
// Strix honours none beyond their validity (RWF_NOWAIT is refused, as for files that
// cannot promise it on Linux).
SyscallResult sys_preadv2(int fd, UserPtr<const iovec> vector, int count, i64 offset, i64, int flags) {
    if (flags & ~(RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_APPEND)) return err(EOPNOTSUPP);
    if (offset == -1) return TRY(transfer_vector(fd, Direction::Read, vector, count, nullptr));
    return TRY(transfer_vector(fd, Direction::Read, vector, count, &offset));
}

SyscallResult sys_pwritev2(int fd, UserPtr<const iovec> vector, int count, i64 offset, i64, int flags) {
    if (flags & ~(RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_APPEND)) return err(EOPNOTSUPP);
    if (offset == -1) return TRY(transfer_vector(fd, Direction::Write, vector, count, nullptr));
    return TRY(transfer_vector(fd, Direction::Write, vector, count, &offset));
}

SyscallResult sys_lseek(int fd, i64 offset, int whence) {
    RefPtr<File> file = TRY(file_for(fd));
    if (!file->seekable()) return err(ESPIPE);
    MutexGuard guard(file->position_lock);
    i64 base;
    switch (whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = static_cast<i64>(file->position); break;
    case SEEK_END: base = static_cast<i64>(TRY(file->seek_limit(SEEK_END, 0))); break;
    case SEEK_DATA:
    case SEEK_HOLE: {
        if (offset < 0) return err(ENXIO);
        u64 found = TRY(file->seek_limit(whence, static_cast<u64>(offset)));
        file->position = found;
        return static_cast<i64>(found);
    }
    default: return err(EINVAL);
    }
    i64 target;
    if (__builtin_add_overflow(base, offset, &target) || target < 0) return err(EINVAL);
    file->position = static_cast<u64>(target);
    if (file->inode() && file->inode()->is_directory()) file->directory_cookie = static_cast<u64>(target);
    return target;
}

SyscallResult sys_pipe2(UserPtr<int> fds, int flags) {
    if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) return err(EINVAL);
    RefPtr<File> read_end, write_end;
    TRY(pipes::create(static_cast<u32>(flags), read_end, write_end));
    FileTable& files = *current_process()->files;
    bool cloexec = flags & O_CLOEXEC;
    int read_fd = TRY(files.allocate(read_end, cloexec, 0, descriptor_limit()));
    auto write_fd = files.allocate(write_end, cloexec, 0, descriptor_limit());
    if (write_fd.is_error()) {
        (void)files.close(read_fd);
        return write_fd.error();
    }
    int pair[2] = {read_fd, write_fd.value()};
    if (mm::copy_to_user(fds.cast<void>(), pair, sizeof(pair)).is_error()) {
        (void)files.close(read_fd);
        (void)files.close(pair[1]);
        return err(EFAULT);
    }
    return 0;
}

SyscallResult sys_pipe(UserPtr<int> fds) { return sys_pipe2(fds, 0); }
