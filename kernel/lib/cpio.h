// Kernel library: a streaming reader for "newc" cpio archives (the initramfs format,
// Linux's Documentation/driver-api/early-userspace/buffer-format.rst).
//
// Bytes are fed in any chunking; entries come out through a sink as they complete.
// Several archives may follow one another, with zero padding between them, as Linux
// accepts. Malformed input stops the reader with a description of what was wrong.
#pragma once

#include "lib/kstd.h"
#include "lib/result.h"

namespace klib {

struct CpioEntry {
    u32 ino, mode, uid, gid, nlink, mtime;
    u32 file_size;
    u32 dev_major, dev_minor, rdev_major, rdev_minor;
    kstd::string_view name;  // without the trailing NUL; valid during begin_entry only
};

class CpioSink {
public:
    virtual ErrorOr begin_entry(const CpioEntry& entry) = 0;
    virtual ErrorOr entry_data(kstd::span<const u8> data) = 0;
    virtual ErrorOr end_entry() = 0;

protected:
    ~CpioSink() = default;
};

class CpioReader {
public:
    explicit CpioReader(CpioSink& sink) : m_sink(sink) {}

    // Consumes input and returns how much it used: everything, unless it met, between
    // entries, a byte that cannot start a cpio header (the next member of a concatenated
    // image, e.g. gzip data after a plain archive). EINVAL with error() describing a
    // malformed archive; a sink error is passed through.
    Result<usize> feed(kstd::span<const u8> data);
    // Whether the input ended cleanly (not inside an entry).
    bool at_boundary() const { return m_state == State::Header && m_header_fill == 0; }
    const char* error() const { return m_error; }
    u64 entries() const { return m_entries; }
    const char* current_name() const { return m_name; }

private:
    enum class State : u8 { Header, Name, NamePadding, Data, DataPadding };
    ErrorOr parse_header();
    Error fail(const char* why);

    CpioSink& m_sink;
    State m_state = State::Header;
    u8 m_header[110];
    usize m_header_fill = 0;
    char m_name[4096];
    usize m_name_size = 0;
    usize m_name_fill = 0;
    usize m_padding = 0;
    u32 m_data_left = 0;
    CpioEntry m_entry{};
    const char* m_error = nullptr;
    u64 m_entries = 0;
};

}  // namespace klib
