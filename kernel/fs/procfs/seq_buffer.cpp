// procfs and sysfs: the generated-text buffer (see seq_buffer.h).
#include "fs/procfs/seq_buffer.h"

#include <stdarg.h>

#include "lib/string.h"

SeqBuffer::~SeqBuffer() { delete[] m_data; }

bool SeqBuffer::reserve(usize needed) {
    if (m_error) return false;
    if (needed > m_limit) {
        m_error = EFBIG;
        return false;
    }
    if (needed <= m_capacity) return true;
    usize capacity = kstd::max<usize>(m_capacity ? m_capacity * 2 : 512, needed);
    capacity = kstd::min(capacity, m_limit);
    char* grown = new (kstd::nothrow) char[capacity];
    if (!grown) {
        m_error = ENOMEM;
        return false;
    }
    if (m_size) memcpy(grown, m_data, m_size);
    delete[] m_data;
    m_data = grown;
    m_capacity = capacity;
    return true;
}

void SeqBuffer::write(const char* data, usize length) {
    if (!length || !reserve(m_size + length)) return;
    memcpy(m_data + m_size, data, length);
    m_size += length;
}

void SeqBuffer::printf(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    klib::vformat(*this, fmt, args);
    va_end(args);
}

void SeqBuffer::append_escaped(kstd::string_view text, const char* escaped) {
    for (char c : text) {
        bool escape = static_cast<unsigned char>(c) < ' ';
        for (const char* e = escaped; *e && !escape; e++) escape = *e == c;
        if (!escape) {
            put_char(c);
            continue;
        }
        unsigned value = static_cast<unsigned char>(c);
        char octal[4] = {'\\', static_cast<char>('0' + (value >> 6)),
                         static_cast<char>('0' + ((value >> 3) & 7)), static_cast<char>('0' + (value & 7))};
        write(octal, sizeof(octal));
    }
}

void SeqBuffer::pad_to_column(usize width) {
    usize line_start = m_size;
    while (line_start > 0 && m_data[line_start - 1] != '\n') line_start--;
    while (m_size - line_start < width && !m_error) put_char(' ');
}

void SeqBuffer::clear() {
    m_size = 0;
    m_error = 0;
}

ErrorOr SeqBuffer::status() const {
    if (m_error) return err(m_error);
    return {};
}
