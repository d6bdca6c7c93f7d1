// Drivers, character devices: the kernel log's record formats (see kmsg_format.h), as
// Linux 6.1's kernel/printk/printk.c writes them (info_print_ext_header,
// msg_add_ext_text, record_print_text) and reads them (devkmsg_write).
#include "drivers/char/kmsg_format.h"

#include "lib/format.h"
#include "lib/string.h"

namespace kmsg {
namespace {

class Writer {
public:
    Writer(char* buffer, usize size) : m_buffer(buffer), m_size(size) {}
    void put(char c) {
        if (m_length < m_size) m_buffer[m_length] = c;
        m_length++;
    }
    void put(const char* text, usize length) {
        for (usize i = 0; i < length; i++) put(text[i]);
    }
    usize length() const { return m_length; }

private:
    char* m_buffer;
    usize m_size;
    usize m_length = 0;
};

}  // namespace

usize format_record(char* buffer, usize size, u8 prefix, u64 seq, u64 timestamp_ns, kstd::string_view text) {
    Writer out(buffer, size);
    char header[64];
    usize header_length =
        klib::snprintf(header, sizeof(header), "%u,%lu,%lu,-;", prefix, seq, timestamp_ns / 1000);
    out.put(header, header_length);
    static const char hex[] = "0123456789abcdef";
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        if (byte < ' ' || byte >= 127 || c == '\\') {
            char escape[4] = {'\\', 'x', hex[byte >> 4], hex[byte & 15]};
            out.put(escape, sizeof(escape));
        } else {
            out.put(c);
        }
    }
    out.put('\n');
    return out.length() <= size ? out.length() : 0;
}

usize format_syslog(char* buffer, usize size, u8 prefix, u64 timestamp_ns, kstd::string_view text) {
    Writer out(buffer, size);
    char header[64];
    usize header_length = klib::snprintf(header, sizeof(header), "<%u>[%5lu.%06lu] ", prefix,
                                         timestamp_ns / 1000000000, timestamp_ns / 1000 % 1000000);
    for (;;) {
        usize newline = text.find('\n');
        kstd::string_view line = text.substr(0, newline);
        out.put(header, header_length);
        out.put(line.data(), line.size());
        out.put('\n');
        if (newline == kstd::string_view::npos) break;
        text.remove_prefix(newline + 1);
    }
    return out.length();
}

ParsedWrite parse_write(kstd::string_view data) {
    ParsedWrite parsed{static_cast<u8>((LOG_USER_FACILITY << 3) | DEFAULT_LEVEL), data};
    if (data.size() >= 3 && data[0] == '<') {
        usize end = 1;
        u64 value = 0;
        while (end < data.size() && data[end] >= '0' && data[end] <= '9' && value < 0x10000) {
            value = value * 10 + static_cast<u64>(data[end] - '0');
            end++;
        }
        if (end > 1 && end < data.size() && data[end] == '>') {
            u64 facility = (value >> 3) & 0x1f;  // what a prefix byte holds (LOG_LOCAL7 is 23)
            parsed.prefix = static_cast<u8>(((facility ? facility : LOG_USER_FACILITY) << 3) | (value & 7));
            parsed.text = data.substr(end + 1);
        }
    }
    if (!parsed.text.empty() && parsed.text.back() == '\n') parsed.text.remove_suffix(1);
    return parsed;
}

}  // namespace kmsg
