// Kernel library: the kernel log's record ring (see log_ring.h).
#include "lib/log_ring.h"

#include "lib/string.h"

namespace klib {

void LogRing::init(u8* buffer, usize size) {
    m_buffer = buffer;
    m_size = kstd::align_down(size, usize(8));
    m_head = m_tail = m_used = 0;
    m_first_seq = m_next_seq = 0;
}

usize LogRing::free_space() const { return m_size - m_used; }

void LogRing::drop_oldest() {
    Header* h = header_at(m_head);
    if (m_size - m_head < sizeof(Header) || h->text_len == WRAP_MARK) {
        m_used -= m_size - m_head;
        m_head = 0;
        h = header_at(m_head);
    }
    usize size = record_size(h->text_len);
    m_head += size;
    m_used -= size;
    if (m_head == m_size) m_head = 0;
    m_first_seq = h->seq + 1;
}

u64 LogRing::append(u8 level, u64 timestamp_ns, kstd::string_view text) {
    usize max_text = m_size / 4 - sizeof(Header);
    usize len = kstd::min(text.size(), max_text);
    usize size = record_size(len);
    if (m_used == 0) m_head = m_tail = 0;

    // A record never straddles the end: if it does not fit before the end, the rest of
    // the buffer becomes a wrap gap (marked when at least a header fits there).
    for (;;) {
        usize contiguous = m_size - m_tail;
        bool need_wrap = contiguous < size;
        usize needed = need_wrap ? contiguous + size : size;
        if (m_used + needed <= m_size) {
            if (need_wrap) {
                if (contiguous >= sizeof(Header)) header_at(m_tail)->text_len = WRAP_MARK;
                m_used += contiguous;
                m_tail = 0;
            }
            break;
        }
        drop_oldest();
    }

    Header* h = header_at(m_tail);
    h->seq = m_next_seq++;
    h->timestamp_ns = timestamp_ns;
    h->text_len = static_cast<u16>(len);
    h->level = level;
    h->reserved = 0;
    h->reserved2 = 0;
    memcpy(m_buffer + m_tail + sizeof(Header), text.data(), len);
    m_tail += size;
    m_used += size;
    if (m_tail == m_size) m_tail = 0;
    return h->seq;
}

LogRing::ReadStatus LogRing::read(Cursor& cursor, LogEntry& out) const {
    if (cursor.seq < m_first_seq) {
        cursor = oldest();
        return ReadStatus::Overwritten;
    }
    if (cursor.seq >= m_next_seq) return ReadStatus::End;
    usize offset = cursor.offset;
    if (m_size - offset < sizeof(Header) || header_at(offset)->text_len == WRAP_MARK) offset = 0;
    const Header* h = header_at(offset);
    out.seq = h->seq;
    out.timestamp_ns = h->timestamp_ns;
    out.level = h->level;
    out.text = kstd::string_view(reinterpret_cast<const char*>(m_buffer + offset + sizeof(Header)),
                                 h->text_len);
    offset += record_size(h->text_len);
    if (offset == m_size) offset = 0;
    cursor.seq = h->seq + 1;
    cursor.offset = offset;
    return ReadStatus::Ok;
}

}  // namespace klib
