// Kernel library: the streaming newc cpio reader (see cpio.h).
#include "lib/cpio.h"

#include "lib/format.h"
#include "lib/string.h"

namespace klib {

Error CpioReader::fail(const char* why) {
    m_error = why;
    return err(EINVAL);
}

ErrorOr CpioReader::parse_header() {
    // "070701" (newc) or "070702" (newc with checksums, which Linux does not verify either).
    if (memcmp(m_header, "07070", 5) != 0 || (m_header[5] != '1' && m_header[5] != '2'))
        return fail("not a newc cpio header (bad magic)");
    u32 fields[13];
    for (int i = 0; i < 13; i++) {
        u64 value;
        if (!parse_u64(reinterpret_cast<const char*>(m_header + 6 + i * 8), 8, &value, 16))
            return fail("non-hexadecimal digits in a cpio header");
        fields[i] = static_cast<u32>(value);
    }
    m_entry = CpioEntry{fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6],
                        fields[7], fields[8], fields[9], fields[10], {}};
    u32 name_size = fields[11];
    if (name_size == 0 || name_size > sizeof(m_name)) return fail("cpio entry name size out of range");
    m_name_size = name_size;
    m_name_fill = 0;
    m_state = State::Name;
    return {};
}

Result<usize> CpioReader::feed(kstd::span<const u8> data) {
    usize at = 0;
    while (at < data.size()) {
        switch (m_state) {
        case State::Header: {
            // Zero padding between concatenated archives is skipped 4 bytes at a time.
            if (m_header_fill == 0 && data[at] == 0) {
                at++;
                continue;
            }
            if (m_header_fill == 0 && data[at] != '0') return at;  // not ours: another member
            usize take = kstd::min(sizeof(m_header) - m_header_fill, data.size() - at);
            memcpy(m_header + m_header_fill, data.data() + at, take);
            m_header_fill += take;
            at += take;
            if (m_header_fill == sizeof(m_header)) {
                m_header_fill = 0;
                TRY(parse_header());
            }
            break;
        }
        case State::Name: {
            usize take = kstd::min(m_name_size - m_name_fill, data.size() - at);
            memcpy(m_name + m_name_fill, data.data() + at, take);
            m_name_fill += take;
            at += take;
            if (m_name_fill < m_name_size) break;
            if (m_name[m_name_size - 1] != '\0') return fail("cpio entry name is not NUL-terminated");
            m_padding = kstd::align_up<usize>(110 + m_name_size, 4) - (110 + m_name_size);
            m_state = State::NamePadding;
            break;
        }
        case State::NamePadding: {
            usize take = kstd::min(m_padding, data.size() - at);
            at += take;
            m_padding -= take;
            if (m_padding) break;
            m_entry.name = kstd::string_view(m_name, m_name_size - 1);
            if (m_entry.name == "TRAILER!!!") {
                m_state = State::Header;
                break;
            }
            m_entries++;
            TRY(m_sink.begin_entry(m_entry));
            m_data_left = m_entry.file_size;
            m_state = State::Data;
            if (m_data_left == 0) {
                TRY(m_sink.end_entry());
                m_state = State::Header;
            }
            break;
        }
        case State::Data: {
            usize take = kstd::min<usize>(m_data_left, data.size() - at);
            TRY(m_sink.entry_data(data.subspan(at, take)));
            at += take;
            m_data_left -= static_cast<u32>(take);
            if (m_data_left) break;
            TRY(m_sink.end_entry());
            m_padding = kstd::align_up<usize>(m_entry.file_size, 4) - m_entry.file_size;
            m_state = m_padding ? State::DataPadding : State::Header;
            break;
        }
        case State::DataPadding: {
            usize take = kstd::min(m_padding, data.size() - at);
            at += take;
            m_padding -= take;
            if (!m_padding) m_state = State::Header;
            break;
        }
        }
    }
    return at;
}

}  // namespace klib
