// Host tests: core_pattern expansion (proc/core_name.cpp), specifier by specifier, as
// Linux's format_corename expands them.
#include "proc/core_name.h"

#include <gtest/gtest.h>

#include <string>

using namespace coredump;

namespace {

CoreNameValues sample() {
    CoreNameValues values;
    values.pid = 42;
    values.tid = 43;
    values.uid = 1000;
    values.gid = 100;
    values.signal = 11;
    values.time_seconds = 1700000000;
    values.core_limit = 4096;
    values.hostname = "strix";
    values.comm = "crash/er";
    values.exe_path = "/usr/bin/crasher";
    return values;
}

std::string expand(const char* pattern, bool uses_pid = false, CoreTarget* target = nullptr) {
    CoreName name;
    EXPECT_FALSE(format_core_name(pattern, sample(), uses_pid, name).is_error()) << pattern;
    if (target) *target = name.target;
    EXPECT_EQ(name.length, strlen(name.name));
    return std::string(name.name, name.length);
}

TEST(CoreName, PlainPattern) {
    EXPECT_EQ(expand("core"), "core");
    EXPECT_EQ(expand("core", true), "core.42");
}

TEST(CoreName, Specifiers) {
    EXPECT_EQ(expand("core.%p.%P.%i.%I"), "core.42.42.43.43");
    EXPECT_EQ(expand("%u:%g:%s:%t:%c:%d"), "1000:100:11:1700000000:4096:1");
    EXPECT_EQ(expand("%h-%e-%f"), "strix-crash!er-crasher");
    EXPECT_EQ(expand("%E"), "!usr!bin!crasher");
    EXPECT_EQ(expand("100%%"), "100%");
}

TEST(CoreName, PidInPatternSuppressesSuffix) {
    EXPECT_EQ(expand("core.%p", true), "core.42");
    EXPECT_EQ(expand("core.%P", true), "core.42.42");  // only %p counts, as on Linux
}

TEST(CoreName, UnknownAndTrailingPercentVanish) { EXPECT_EQ(expand("a%zb%"), "ab"); }

TEST(CoreName, DotNamesAreEscaped) {
    CoreNameValues values = sample();
    values.comm = "..";
    CoreName name;
    ASSERT_FALSE(format_core_name("%e", values, false, name).is_error());
    EXPECT_STREQ(name.name, "!.");
}

TEST(CoreName, PipeIsReported) {
    CoreTarget target = CoreTarget::File;
    EXPECT_EQ(expand("|/usr/lib/systemd/systemd-coredump %P %s", true, &target),
              "/usr/lib/systemd/systemd-coredump 42 11");
    EXPECT_EQ(target, CoreTarget::Pipe);
}

TEST(CoreName, TooLong) {
    std::string pattern(CORE_NAME_MAX + 10, 'x');
    CoreName name;
    EXPECT_TRUE(format_core_name(pattern, sample(), false, name).is_error());
}

}  // namespace
