// Drivers, character devices: the kernel log's record formats — /dev/kmsg's
// "prefix,seq,usec,flags;text" records and syslog(2)'s "<prefix>[seconds] text" lines —
// and the parsing of a record written to /dev/kmsg. Pure functions, tested on the host.
//
// A record's prefix byte is Linux's (facility << 3) | level: facility 0 is the kernel,
// 1 (LOG_USER) what user space writes.
#pragma once

#include "lib/kstd.h"
#include "lib/types.h"

namespace kmsg {

constexpr usize RECORD_MAX = 8192;      // Linux's CONSOLE_EXT_LOG_MAX: one /dev/kmsg record
constexpr usize WRITE_MAX = 1024 - 32;  // Linux's LOG_LINE_MAX: the longest record written
constexpr u8 LOG_USER_FACILITY = 1;
constexpr u8 DEFAULT_LEVEL = 4;  // default_message_loglevel (KERN_WARNING)

// Writes one /dev/kmsg record (ending in '\n') into buffer; returns its length, or 0 when
// it does not fit in `size` (the reader's buffer is too small: EINVAL, as on Linux).
usize format_record(char* buffer, usize size, u8 prefix, u64 seq, u64 timestamp_ns, kstd::string_view text);

// Writes the syslog(2) lines of one record, one per line of its text, each as
// "<prefix>[%5lu.%06lu] line\n"; returns the length needed (written when it fits).
usize format_syslog(char* buffer, usize size, u8 prefix, u64 timestamp_ns, kstd::string_view text);

// A record written to /dev/kmsg: an optional "<N>" sets facility and level (facility 0,
// the kernel's, is not for user space: it stays LOG_USER); one trailing newline goes.
struct ParsedWrite {
    u8 prefix;
    kstd::string_view text;
};
ParsedWrite parse_write(kstd::string_view data);

}  // namespace kmsg
