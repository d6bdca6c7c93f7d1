// Syscalls: reading and writing — read, write, their positioned and vectored forms, lseek.
#include <linux/fs.h>
#include <linux/uio.h>

#include "fs/pipe.h"
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
        return direction == Direction::Read ? file.read(*offset, buffer, length) : file.write(*offset, buffer, length);
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

Result<usize> transfer_vector(int fd, Direction direction, UserPtr<const iovec> vector, int count, const i64* offset) {
    RefPtr<File> file = TRY(file_for(fd));
    if (count < 0 || count > UIO_MAXIOV) return err(EINVAL);
    usize total = 0;
    i64 position = offset ? *offset : 0;
    for (int i = 0; i < count; i++) {
        iovec entry;
        TRY(mm::copy_from_user(&entry, vector.offset(i)));
        if (static_cast<isize>(entry.iov_len) < 0) return err(EINVAL);
        if (entry.iov_len == 0) continue;
        auto done = transfer(*file, direction, IoBuffer::user(reinterpret_cast<uptr>(entry.iov_base)),
                             entry.iov_len, offset ? &position : nullptr);
        if (done.is_error()) {
            if (total) return total;  // what was transferred counts, as on Linux
            return done.error();
        }
        total += done.value();
        position += static_cast<i64>(done.value());
        if (done.value() < entry.iov_len) break;
    }
    return total;
}

}  // namespace

SyscallResult sys_read(int fd, UserPtr<void> buffer, usize count) {
    RefPtr<File> file = TRY(file_for(fd));
    return TRY(transfer(*file, Direction::Read, IoBuffer::user(buffer.address()), count, nullptr));
}

SyscallResult sys_write(int fd, UserPtr<const void> buffer, usize count) {
    RefPtr<File> file = TRY(file_for(fd));
    return TRY(transfer(*file, Direction::Write, IoBuffer::user(buffer.address()), count, nullptr));
}

SyscallResult sys_pread64(int fd, UserPtr<void> buffer, usize count, i64 offset) {
    RefPtr<File> file = TRY(file_for(fd));
    return TRY(transfer(*file, Direction::Read, IoBuffer::user(buffer.address()), count, &offset));
}

SyscallResult sys_pwrite64(int fd, UserPtr<const void> buffer, usize count, i64 offset) {
    RefPtr<File> file = TRY(file_for(fd));
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
