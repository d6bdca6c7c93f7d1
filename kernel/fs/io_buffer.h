// Filesystems: a buffer that is either user memory (a syscall's argument) or kernel
// memory (the kernel reading a file for exec, the initramfs, a pipe's own copy), so one
// read/write path serves both. User accesses go through mm/user_copy.h: EFAULT, not a crash.
#pragma once

#include "lib/result.h"
#include "lib/string.h"
#include "mm/user_copy.h"

class IoBuffer {
public:
    static IoBuffer user(uptr address) { return IoBuffer(address, true); }
    static IoBuffer kernel(void* address) { return IoBuffer(reinterpret_cast<uptr>(address), false); }
    static IoBuffer kernel(const void* address) { return IoBuffer(reinterpret_cast<uptr>(address), false); }

    bool is_user() const { return m_user; }
    IoBuffer offset(usize bytes) const { return IoBuffer(m_address + bytes, m_user); }

    // Into the buffer (a read syscall filling it).
    ErrorOr write(usize at, const void* data, usize length) const {
        if (m_user) return mm::copy_to_user(UserPtr<void>(m_address + at), data, length);
        memcpy(reinterpret_cast<void*>(m_address + at), data, length);
        return {};
    }
    // Out of the buffer (a write syscall draining it).
    ErrorOr read(usize at, void* data, usize length) const {
        if (m_user) return mm::copy_from_user(data, UserPtr<const void>(m_address + at), length);
        memcpy(data, reinterpret_cast<const void*>(m_address + at), length);
        return {};
    }
    ErrorOr clear(usize at, usize length) const {
        if (m_user) return mm::clear_user(UserPtr<void>(m_address + at), length);
        memset(reinterpret_cast<void*>(m_address + at), 0, length);
        return {};
    }

private:
    IoBuffer(uptr address, bool user) : m_address(address), m_user(user) {}
    uptr m_address;
    bool m_user;
};
