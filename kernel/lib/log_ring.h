// Kernel library: the kernel log's record ring.
//
// Variable-length records (sequence number, timestamp, level, text) in one byte buffer;
// when full, the oldest records are dropped, as in Linux's printk ring. Readers keep a
// cursor and learn when records they have not read yet were overwritten (/dev/kmsg then
// reports EPIPE). Pure logic: no locking here, the caller serialises.
#pragma once

#include "lib/kstd.h"
#include "lib/types.h"

namespace klib {

struct LogEntry {
    u64 seq;
    u64 timestamp_ns;
    u8 level;
    kstd::string_view text;  // points into the ring: valid until the next append
};

class LogRing {
public:
    LogRing() = default;
    LogRing(u8* buffer, usize size) { init(buffer, size); }
    void init(u8* buffer, usize size);

    // Appends one record (text is truncated to what fits in a quarter of the ring).
    u64 append(u8 level, u64 timestamp_ns, kstd::string_view text);

    u64 first_seq() const { return m_first_seq; }
    usize capacity() const { return m_size; }  // syslog(2)'s SYSLOG_ACTION_SIZE_BUFFER
    u64 next_seq() const { return m_next_seq; }

    struct Cursor {
        u64 seq = 0;
        usize offset = 0;
    };
    Cursor oldest() const { return {m_first_seq, m_head}; }

    enum class ReadStatus { Ok, End, Overwritten };
    // Reads the record at `cursor` and advances it. Overwritten: records were lost and the
    // cursor now points at the oldest one still present.
    ReadStatus read(Cursor& cursor, LogEntry& out) const;

private:
    struct Header {
        u64 seq;
        u64 timestamp_ns;
        u16 text_len;  // 0xffff marks "wrap to the start of the buffer"
        u8 level;
        u8 reserved;
        u32 reserved2;
    };
    static constexpr u16 WRAP_MARK = 0xffff;
    static usize record_size(usize text_len) { return kstd::align_up(sizeof(Header) + text_len, usize(8)); }
    Header* header_at(usize offset) const { return reinterpret_cast<Header*>(m_buffer + offset); }
    void drop_oldest();
    usize free_space() const;

    u8* m_buffer = nullptr;
    usize m_size = 0;
    usize m_head = 0;  // oldest record
    usize m_tail = 0;  // where the next record goes
    usize m_used = 0;  // bytes between head and tail, including wrap gaps
    u64 m_first_seq = 0;
    u64 m_next_seq = 0;
};

}  // namespace klib
