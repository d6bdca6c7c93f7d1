// Host tests: klib's printf-style formatting, checked against the C library's snprintf.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "lib/format.h"

// Some cases feed deliberately odd formats (unknown conversions, null strings).
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wformat-extra-args"

namespace {

template <typename... Args>
void expect_same(const char* fmt, Args... args) {
    char ours[256], theirs[256];
    usize n = klib::snprintf(ours, sizeof(ours), fmt, args...);
    int m = std::snprintf(theirs, sizeof(theirs), fmt, args...);
    EXPECT_STREQ(ours, theirs) << "format: " << fmt;
    EXPECT_EQ(n, static_cast<usize>(m)) << "format: " << fmt;
}

TEST(Format, IntegersMatchLibc) {
    expect_same("%d %i %u", 42, -42, 42u);
    expect_same("%5d|%-5d|%05d", 42, 42, 42);
    expect_same("%+d % d %+d", 7, 7, -7);
    expect_same("%x %X %#x %#X %#o %o", 255u, 255u, 255u, 255u, 8u, 8u);
    expect_same("%ld %lu %lx", -1L, ~0UL, 0xdeadbeefUL);
    expect_same("%lld %llu", static_cast<long long>(INT64_MIN), static_cast<unsigned long long>(UINT64_MAX));
    expect_same("%zu %zd", static_cast<size_t>(123), static_cast<ssize_t>(-5));
    expect_same("%hhd %hd %hhu", 300, 70000, 300);
    expect_same("%.3d %8.3d %-8.3d|", 5, 5, 5);
    expect_same("%.0d|%.0x|", 0, 0u);
    expect_same("%#.3o %#x", 0u, 0u);
    expect_same("%*d|%-*d|%.*d", 6, 1, 6, 1, 4, 1);
}

TEST(Format, StringsAndCharsMatchLibc) {
    expect_same("[%s] [%10s] [%-10s] [%.2s] [%c] [%3c]", "abc", "abc", "abc", "abc", 'z', 'y');
    expect_same("100%% done");
    expect_same("%p", reinterpret_cast<void*>(0x1234));
    expect_same("%016lx", 0x1234UL);
}

TEST(Format, TruncatesButReportsFullLength) {
    char buf[8];
    usize n = klib::snprintf(buf, sizeof(buf), "%s", "hello, world");
    EXPECT_EQ(n, 12u);
    EXPECT_STREQ(buf, "hello, ");
    EXPECT_EQ(klib::snprintf(nullptr, 0, "%d", 12345), 5u);
}

TEST(Format, NullStringAndPointer) {
    char buf[32];
    klib::snprintf(buf, sizeof(buf), "%s|%p", static_cast<const char*>(nullptr), static_cast<void*>(nullptr));
    EXPECT_STREQ(buf, "(null)|(nil)");
}

TEST(Format, UnknownConversionIsShownNotConsumed) {
    char buf[32];
    klib::snprintf(buf, sizeof(buf), "%q %d", 5);
    EXPECT_STREQ(buf, "%q 5");
}

TEST(ParseNumber, BasesAndErrors) {
    u64 v;
    EXPECT_TRUE(klib::parse_u64("123", 3, &v));
    EXPECT_EQ(v, 123u);
    EXPECT_TRUE(klib::parse_u64("0x1F", 4, &v));
    EXPECT_EQ(v, 31u);
    EXPECT_TRUE(klib::parse_u64("017", 3, &v));
    EXPECT_EQ(v, 15u);
    EXPECT_TRUE(klib::parse_u64("0", 1, &v));
    EXPECT_EQ(v, 0u);
    EXPECT_FALSE(klib::parse_u64("12a", 3, &v));
    EXPECT_FALSE(klib::parse_u64("", 0, &v));
    EXPECT_FALSE(klib::parse_u64("0x", 2, &v));
    EXPECT_TRUE(klib::parse_u64("18446744073709551615", 20, &v));
    EXPECT_EQ(v, UINT64_MAX);
    EXPECT_FALSE(klib::parse_u64("18446744073709551616", 20, &v));
    i64 s;
    EXPECT_TRUE(klib::parse_i64("-1", 2, &s));
    EXPECT_EQ(s, -1);
    EXPECT_TRUE(klib::parse_i64("-9223372036854775808", 20, &s));
    EXPECT_EQ(s, INT64_MIN);
    EXPECT_FALSE(klib::parse_i64("9223372036854775808", 19, &s));
}

}  // namespace
