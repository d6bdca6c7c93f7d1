// Filesystems: user, kernel and scattered user buffers (see io_buffer.h).
#include "fs/io_buffer.h"

template <typename Step>
usize IoBuffer::for_each_piece(usize at, usize length, Step&& step) const {
    at += m_base_offset;
    if (m_kind != Kind::UserVector) return step(m_address + at, length, 0);
    usize done = 0;
    for (usize i = 0; i < m_segment_count && done < length; i++) {
        usize segment_length = m_segments[i].iov_len;
        if (at >= segment_length) {
            at -= segment_length;
            continue;
        }
        usize piece = kstd::min(segment_length - at, length - done);
        usize moved = step(reinterpret_cast<uptr>(m_segments[i].iov_base) + at, piece, done);
        done += moved;
        if (moved < piece) break;
        at = 0;
    }
    return done;
}

usize IoBuffer::write_partial(usize at, const void* data, usize length) const {
    if (m_kind == Kind::Kernel) {
        memcpy(reinterpret_cast<void*>(m_address + m_base_offset + at), data, length);
        return length;
    }
    return for_each_piece(at, length, [&](uptr address, usize piece, usize from) -> usize {
        if (!mm::is_user_range(address, piece)) return 0;
        return piece - arch_copy_user(reinterpret_cast<void*>(address), static_cast<const u8*>(data) + from, piece);
    });
}

usize IoBuffer::read_partial(usize at, void* data, usize length) const {
    if (m_kind == Kind::Kernel) {
        memcpy(data, reinterpret_cast<const void*>(m_address + m_base_offset + at), length);
        return length;
    }
    return for_each_piece(at, length, [&](uptr address, usize piece, usize from) -> usize {
        if (!mm::is_user_range(address, piece)) return 0;
        return piece - arch_copy_user(static_cast<u8*>(data) + from, reinterpret_cast<const void*>(address), piece);
    });
}

ErrorOr IoBuffer::clear(usize at, usize length) const {
    if (m_kind == Kind::Kernel) {
        memset(reinterpret_cast<void*>(m_address + m_base_offset + at), 0, length);
        return {};
    }
    usize done = for_each_piece(at, length, [&](uptr address, usize piece, usize) -> usize {
        if (!mm::is_user_range(address, piece)) return 0;
        return piece - arch_clear_user(reinterpret_cast<void*>(address), piece);
    });
    return done == length ? ErrorOr() : ErrorOr(err(EFAULT));
}
