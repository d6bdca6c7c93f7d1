// procfs and sysfs: the growing text buffer generated files are printed into (Linux's
// seq_file). Out of memory or past its limit it stops growing and remembers so; the
// caller reports ENOMEM (EFBIG past the limit) instead of handing out a truncated file.
#pragma once

#include "lib/format.h"
#include "lib/kstd.h"
#include "lib/result.h"

class SeqBuffer final : public klib::FormatSink {
public:
    static constexpr usize DEFAULT_LIMIT = 4 * MiB;

    explicit SeqBuffer(usize limit = DEFAULT_LIMIT) : m_limit(limit) {}
    ~SeqBuffer();
    SeqBuffer(const SeqBuffer&) = delete;
    SeqBuffer& operator=(const SeqBuffer&) = delete;

    void write(const char* data, usize length) override;
    void printf(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    void append(kstd::string_view text) { write(text.data(), text.size()); }
    void put_char(char c) { write(&c, 1); }
    // Writes `text` with every byte of `escaped` (and every byte below ' ') as a
    // backslash and three octal digits: Linux's mangle() for /proc/mounts paths.
    void append_escaped(kstd::string_view text, const char* escaped);
    // Spaces up to column `width` of the current line (the maps file's name column).
    void pad_to_column(usize width);

    const char* data() const { return m_data; }
    usize size() const { return m_size; }
    kstd::string_view view() const { return {m_data ? m_data : "", m_size}; }
    void clear();
    // ENOMEM when memory ran out, EFBIG when the text passed the limit.
    ErrorOr status() const;

private:
    bool reserve(usize needed);
    char* m_data = nullptr;
    usize m_size = 0;
    usize m_capacity = 0;
    usize m_limit;
    int m_error = 0;
};
