// Syscalls: reading and writing — read, write, their positioned and vectored forms, lseek;
// copies inside the kernel (sendfile, copy_file_range, splice), fallocate and the
// caching hints (fadvise64, readahead).
#include <linux/fadvise.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/uio.h>
#include <linux/fs.h>

#include "fs/pipe.h"
#include "mm/heap_buffer.h"
#include "mm/kmalloc.h"
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
    // Linux (FMODE_ATOMIC_POS): reads and writes hold the position lock only on regular files
    // and directories; a seekable device (/dev/zero, a block device) updates it without one.
    Inode* inode = file.inode();
    bool atomic_position = inode && (inode->is_regular() || inode->is_directory());
    if (atomic_position) file.position_lock.lock();
    u64 position = file.position;
    if (direction == Direction::Write && (file.flags() & O_APPEND) && inode) position = inode->size();
    auto done = direction == Direction::Read ? file.read(position, buffer, length)
                                             : file.write(position, buffer, length);
    if (!done.is_error()) file.position = position + done.value();
    if (atomic_position) file.position_lock.unlock();
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

// preadv2/pwritev2: offset -1 means the file position; RWF_* flags beyond what Linux
// 6.1 knows are EOPNOTSUPP. RWF_APPEND appends; the others are hints here (every
// write is synchronous enough for tmpfs, and reads of cached data do not block).
namespace {
Result<usize> transfer_vector2(int fd, Direction direction, UserPtr<const iovec> vector, int count, i64 offset,
                               int flags) {
    if (flags & ~RWF_SUPPORTED) return err(EOPNOTSUPP);
    if (offset < -1) return err(EINVAL);
    if (direction == Direction::Write && (flags & RWF_APPEND)) {
        RefPtr<File> file = TRY(file_for(fd));
        if (file->inode() && file->seekable()) offset = static_cast<i64>(file->inode()->size());
    }
    return transfer_vector(fd, direction, vector, count, offset == -1 ? nullptr : &offset);
}
}  // namespace

SyscallResult sys_preadv2(int fd, UserPtr<const iovec> vector, int count, i64 offset, i64, int flags) {
    return TRY(transfer_vector2(fd, Direction::Read, vector, count, offset, flags));
}

SyscallResult sys_pwritev2(int fd, UserPtr<const iovec> vector, int count, i64 offset, i64, int flags) {
    return TRY(transfer_vector2(fd, Direction::Write, vector, count, offset, flags));
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

// Copying between files in the kernel: sendfile, copy_file_range, splice. Data goes
// through a kernel bounce buffer (Strix has no page-moving pipes), a chunk at a time.

namespace {

constexpr usize COPY_CHUNK = 65536;
// Linux's include/linux/splice.h (not part of the UAPI): SPLICE_F_MOVE, _NONBLOCK,
// _MORE and _GIFT; all are hints here.
constexpr u32 SPLICE_FLAGS_ALL = 0xf;

bool is_pipe(File& file) { return kstd::string_view(file.kind_name()) == "pipe"; }

struct Bounce {
    u8* data;
    explicit Bounce(usize size) : data(static_cast<u8*>(kmalloc(size))) {}
    ~Bounce() { kfree(data); }
};

// Writes all of `length` bytes (or what a short write allows) to `out`, at `*offset` when
// given (advancing it) or at the file's position.
Result<usize> write_out(File& out, const u8* data, usize length, i64* offset) {
    usize done = 0;
    while (done < length) {
        auto wrote = transfer(out, Direction::Write, IoBuffer::kernel(data + done), length - done, offset);
        if (wrote.is_error()) {
            if (done) return done;
            return wrote.error();
        }
        if (wrote.value() == 0) break;
        done += wrote.value();
        if (offset) *offset += static_cast<i64>(wrote.value());
    }
    return done;
}

// Reads from `in` at `position` and writes what came to `out`; the bytes written count.
Result<usize> copy_range(File& in, u64& position, File& out, i64* out_offset, usize count) {
    if (count == 0) return 0;
    Bounce bounce(kstd::min(count, COPY_CHUNK));
    if (!bounce.data) return err(ENOMEM);
    usize total = 0;
    while (total < count) {
        usize chunk = kstd::min(count - total, COPY_CHUNK);
        auto got = in.read(position, IoBuffer::kernel(bounce.data), chunk);
        if (got.is_error()) {
            if (total) break;
            return got.error();
        }
        if (got.value() == 0) break;  // end of file
        auto put = write_out(out, bounce.data, got.value(), out_offset);
        if (put.is_error()) {
            if (total) break;
            return put.error();
        }
        position += put.value();
        total += put.value();
        if (put.value() < got.value()) break;
    }
    return total;
}

Result<i64> read_offset(UserPtr<i64> user) {
    i64 offset;
    TRY(mm::copy_from_user(&offset, user));
    if (offset < 0) return err(EINVAL);
    return offset;
}

}  // namespace

SyscallResult sys_sendfile(int out_fd, int in_fd, UserPtr<i64> user_offset, usize count) {
    RefPtr<File> in = TRY(file_for(in_fd));
    if (!in->readable()) return err(EBADF);
    if (!user_offset.is_null() && !in->seekable()) return err(ESPIPE);
    RefPtr<File> out = TRY(file_for(out_fd));
    if (!out->writable()) return err(EBADF);
    if (out->flags() & O_APPEND) return err(EINVAL);
    // The source must be a file with pages to read (Linux: one with splice_read).
    if (!in->seekable() || !in->inode() || !in->inode()->is_regular()) return err(EINVAL);
    count = kstd::min(count, MAX_RW_COUNT);
    if (!user_offset.is_null()) {
        u64 position = static_cast<u64>(TRY(read_offset(user_offset)));
        usize done = TRY(copy_range(*in, position, *out, nullptr, count));
        i64 advanced = static_cast<i64>(position);
        TRY(mm::copy_to_user(user_offset, &advanced));
        return static_cast<i64>(done);
    }
    MutexGuard guard(in->position_lock);
    u64 position = in->position;
    usize done = TRY(copy_range(*in, position, *out, nullptr, count));
    in->position = position;
    return static_cast<i64>(done);
}

SyscallResult sys_copy_file_range(int in_fd, UserPtr<i64> in_offset, int out_fd, UserPtr<i64> out_offset,
                                  usize length, u32 flags) {
    if (flags) return err(EINVAL);
    RefPtr<File> in = TRY(file_for(in_fd));
    RefPtr<File> out = TRY(file_for(out_fd));
    if (!in->readable() || !out->writable() || (out->flags() & O_APPEND)) return err(EBADF);
    Inode* in_inode = in->inode();
    Inode* out_inode = out->inode();
    if (!in_inode || !out_inode) return err(EINVAL);
    if (in_inode->is_directory() || out_inode->is_directory()) return err(EISDIR);
    if (!in_inode->is_regular() || !out_inode->is_regular()) return err(EINVAL);
    // Since Linux 5.19 a copy between filesystems is the filesystem's business: EXDEV.
    if (&in_inode->super_block() != &out_inode->super_block()) return err(EXDEV);
    i64 in_position = in_offset.is_null() ? static_cast<i64>(in->position) : TRY(read_offset(in_offset));
    i64 out_position = out_offset.is_null() ? static_cast<i64>(out->position) : TRY(read_offset(out_offset));
    length = kstd::min(length, MAX_RW_COUNT);
    i64 end;
    if (__builtin_add_overflow(in_position, static_cast<i64>(length), &end) ||
        __builtin_add_overflow(out_position, static_cast<i64>(length), &end))
        return err(EOVERFLOW);
    if (in_inode == out_inode && in_position < out_position + static_cast<i64>(length) &&
        out_position < in_position + static_cast<i64>(length))
        return err(EINVAL);  // overlapping ranges of one file
    u64 position = static_cast<u64>(in_position);
    usize done = TRY(copy_range(*in, position, *out, &out_position, length));
    if (in_offset.is_null()) {
        MutexGuard guard(in->position_lock);
        in->position = position;
    } else {
        i64 advanced = static_cast<i64>(position);
        TRY(mm::copy_to_user(in_offset, &advanced));
    }
    if (out_offset.is_null()) {
        MutexGuard guard(out->position_lock);
        out->position = static_cast<u64>(out_position);
    } else {
        TRY(mm::copy_to_user(out_offset, &out_position));
    }
    return static_cast<i64>(done);
}

// splice moves what one pipe holds (or what fits in one) in a single step, as Linux
// does; SPLICE_F_NONBLOCK is not honoured beyond the pipes' own O_NONBLOCK.
SyscallResult sys_splice(int in_fd, UserPtr<i64> in_offset, int out_fd, UserPtr<i64> out_offset, usize length,
                         u32 flags) {
    if (flags & ~SPLICE_FLAGS_ALL) return err(EINVAL);
    RefPtr<File> in = TRY(file_for(in_fd));
    RefPtr<File> out = TRY(file_for(out_fd));
    if (!in->readable() || !out->writable()) return err(EBADF);
    bool in_pipe = is_pipe(*in), out_pipe = is_pipe(*out);
    if (!in_pipe && !out_pipe) return err(EINVAL);
    if ((in_pipe && !in_offset.is_null()) || (out_pipe && !out_offset.is_null())) return err(ESPIPE);
    if (out->flags() & O_APPEND) return err(EINVAL);
    if (length == 0) return 0;
    usize chunk = kstd::min(length, COPY_CHUNK);
    Bounce bounce(chunk);
    if (!bounce.data) return err(ENOMEM);
    // Read what there is from the source, at its offset or position.
    usize got;
    i64 in_position = 0;
    if (!in_offset.is_null()) {
        in_position = TRY(read_offset(in_offset));
        got = TRY(transfer(*in, Direction::Read, IoBuffer::kernel(bounce.data), chunk, &in_position));
    } else {
        got = TRY(transfer(*in, Direction::Read, IoBuffer::kernel(bounce.data), chunk, nullptr));
    }
    if (got == 0) return 0;
    i64 out_position = 0;
    usize put;
    if (!out_offset.is_null()) {
        out_position = TRY(read_offset(out_offset));
        put = TRY(write_out(*out, bounce.data, got, &out_position));
        TRY(mm::copy_to_user(out_offset, &out_position));
    } else {
        put = TRY(write_out(*out, bounce.data, got, nullptr));
    }
    if (!in_offset.is_null()) {
        i64 advanced = in_position + static_cast<i64>(put);
        TRY(mm::copy_to_user(in_offset, &advanced));
    }
    return static_cast<i64>(put);
}

// Space and caching hints.

SyscallResult sys_fallocate(int fd, int mode, i64 offset, i64 length) {
    RefPtr<File> file = TRY(file_for(fd));
    // Linux's vfs_fallocate, in its order.
    constexpr int SUPPORTED = FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE |
                              FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE;
    if (offset < 0 || length <= 0) return err(EINVAL);
    if (mode & ~SUPPORTED) return err(EOPNOTSUPP);
    if ((mode & FALLOC_FL_PUNCH_HOLE) && (mode & FALLOC_FL_ZERO_RANGE)) return err(EOPNOTSUPP);
    if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE)) return err(EOPNOTSUPP);
    if ((mode & FALLOC_FL_COLLAPSE_RANGE) && (mode & ~FALLOC_FL_COLLAPSE_RANGE)) return err(EINVAL);
    if ((mode & FALLOC_FL_INSERT_RANGE) && (mode & ~FALLOC_FL_INSERT_RANGE)) return err(EINVAL);
    if ((mode & FALLOC_FL_UNSHARE_RANGE) && (mode & ~(FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_KEEP_SIZE)))
        return err(EINVAL);
    if (!file->writable()) return err(EBADF);
    Inode* inode = file->inode();
    if (is_pipe(*file) || (inode && S_ISFIFO(inode->mode()))) return err(ESPIPE);
    if (!inode) return err(ENODEV);  // anonymous files (eventfd, epoll, …)
    if (inode->is_directory()) return err(EISDIR);
    if (!inode->is_regular()) return err(ENODEV);
    i64 end;
    if (__builtin_add_overflow(offset, length, &end)) return err(EFBIG);
    if (file->path().valid() && file->path().mount->read_only()) return err(EROFS);
    MutexGuard guard(inode->lock());
    TRY(inode->allocate(mode, static_cast<u64>(offset), static_cast<u64>(length)));
    return 0;
}

