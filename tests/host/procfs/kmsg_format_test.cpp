// Host tests: the kernel log's record formats — /dev/kmsg records, syslog(2) lines, and
// parsing what user space writes to /dev/kmsg (Linux's kernel/printk/printk.c).
#include "drivers/char/kmsg_format.h"

#include <gtest/gtest.h>

#include <string>

namespace {

std::string record(u8 prefix, u64 seq, u64 timestamp_ns, std::string_view text,
                   size_t size = kmsg::RECORD_MAX) {
    std::string buffer(size, '\0');
    size_t length = kmsg::format_record(buffer.data(), size, prefix, seq, timestamp_ns, text);
    return buffer.substr(0, length);
}

TEST(KmsgFormat, RecordHeaderAndText) {
    EXPECT_EQ(record(6, 42, 1234567890, "hello world"), "6,42,1234567,-;hello world\n");
    EXPECT_EQ(record((1 << 3) | 5, 0, 0, "user"), "13,0,0,-;user\n");
}

TEST(KmsgFormat, UnprintableBytesAndBackslashesAreHexEscaped) {
    EXPECT_EQ(record(4, 1, 0, "a\nb\\c\x7f"), "4,1,0,-;a\\x0ab\\x5cc\\x7f\n");
}

TEST(KmsgFormat, ARecordTooLongForTheBufferIsNotCut) {
    EXPECT_EQ(record(6, 7, 0, "0123456789", 12), "");
    EXPECT_EQ(record(6, 7, 0, "0123456789", 19), "6,7,0,-;0123456789\n");
}

std::string syslog_lines(u8 prefix, u64 timestamp_ns, std::string_view text) {
    size_t needed = kmsg::format_syslog(nullptr, 0, prefix, timestamp_ns, text);
    std::string buffer(needed, '\0');
    EXPECT_EQ(kmsg::format_syslog(buffer.data(), buffer.size(), prefix, timestamp_ns, text), needed);
    return buffer;
}

TEST(KmsgFormat, SyslogLinesCarryPrefixAndTime) {
    EXPECT_EQ(syslog_lines(6, 12345678901, "booted"), "<6>[   12.345678] booted\n");
    EXPECT_EQ(syslog_lines(3, 0, "one\ntwo"), "<3>[    0.000000] one\n<3>[    0.000000] two\n");
}

TEST(KmsgFormat, WritesTakeAnOptionalPrefix) {
    auto parsed = kmsg::parse_write("<5>hello\n");
    EXPECT_EQ(parsed.prefix, (1 << 3) | 5);  // facility 0 (the kernel's) stays LOG_USER
    EXPECT_EQ(parsed.text, "hello");
    parsed = kmsg::parse_write("<27>daemon");
    EXPECT_EQ(parsed.prefix, 27);  // LOG_DAEMON | LOG_ERR
    parsed = kmsg::parse_write("plain text");
    EXPECT_EQ(parsed.prefix, (1 << 3) | 4);  // LOG_USER | default_message_loglevel
    EXPECT_EQ(parsed.text, "plain text");
    parsed = kmsg::parse_write("<abc>x");
    EXPECT_EQ(parsed.text, "<abc>x");
    parsed = kmsg::parse_write("<5");
    EXPECT_EQ(parsed.text, "<5");
}

}  // namespace
