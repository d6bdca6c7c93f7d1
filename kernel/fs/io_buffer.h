// Filesystems: a buffer that is user memory (a syscall's argument, possibly scattered
// over an iovec array), or kernel memory (the kernel reading a file for exec, the
// initramfs), so one read/write path serves them all. User accesses go through
// mm/user_copy.h: EFAULT, never a crash.
#pragma once

#include <linux/uio.h>

#include "lib/result.h"
#include "lib/string.h"
#include "arch/user_access.h"
#include "mm/user_copy.h"

class IoBuffer {
public:
    static IoBuffer user(uptr address) { return IoBuffer(address, Kind::User); }
    static IoBuffer kernel(void* address) { return IoBuffer(reinterpret_cast<uptr>(address), Kind::Kernel); }
    static IoBuffer kernel(const void* address) { return IoBuffer(reinterpret_cast<uptr>(address), Kind::Kernel); }
    // Scattered user memory: `segments` is a kernel copy of the caller's iovec array,
    // checked already, and must outlive the buffer.
    static IoBuffer user_vector(const iovec* segments, usize count) {
        IoBuffer buffer(0, Kind::UserVector);
        buffer.m_segments = segments;
        buffer.m_segment_count = count;
        return buffer;
    }

    bool is_user() const { return m_kind != Kind::Kernel; }
    IoBuffer offset(usize bytes) const {
        IoBuffer shifted = *this;
        shifted.m_base_offset += bytes;
        return shifted;
    }

    // Into the buffer (a read syscall filling it).
    ErrorOr write(usize at, const void* data, usize length) const {
        return write_partial(at, data, length) == length ? ErrorOr() : ErrorOr(err(EFAULT));
    }
    // Out of the buffer (a write syscall draining it).
    ErrorOr read(usize at, void* data, usize length) const {
        return read_partial(at, data, length) == length ? ErrorOr() : ErrorOr(err(EFAULT));
    }
    ErrorOr clear(usize at, usize length) const;

    // How many bytes went before a fault stopped the copy (length when none did), for
    // the short reads and writes Linux returns when a buffer is only partly mapped.
    usize write_partial(usize at, const void* data, usize length) const;
    usize read_partial(usize at, void* data, usize length) const;

private:
    enum class Kind : u8 { User, Kernel, UserVector };
    IoBuffer(uptr address, Kind kind) : m_address(address), m_kind(kind) {}
    // Calls step(user address, bytes, position in data) for each contiguous piece of
    // [at, at+length); stops at the first piece step reports short.
    template <typename Step>
    usize for_each_piece(usize at, usize length, Step&& step) const;

    uptr m_address;
    Kind m_kind;
    usize m_base_offset = 0;
    const iovec* m_segments = nullptr;
    usize m_segment_count = 0;
};
