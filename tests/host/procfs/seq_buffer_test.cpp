// Host tests: the generated-text buffer of procfs and sysfs.
#include "fs/procfs/seq_buffer.h"

#include <gtest/gtest.h>

#include <string>

namespace {

std::string text(const SeqBuffer& buffer) { return std::string(buffer.data(), buffer.size()); }

TEST(SeqBuffer, GrowsAndFormats) {
    SeqBuffer out;
    for (int i = 0; i < 1000; i++) out.printf("line %d\n", i);
    EXPECT_FALSE(out.status().is_error());
    std::string expected;
    for (int i = 0; i < 1000; i++) expected += "line " + std::to_string(i) + "\n";
    EXPECT_EQ(text(out), expected);
}

TEST(SeqBuffer, StopsAtItsLimitAndSaysSo) {
    SeqBuffer out(16);
    out.append("0123456789");
    EXPECT_FALSE(out.status().is_error());
    out.append("0123456789");
    ASSERT_TRUE(out.status().is_error());
    EXPECT_EQ(out.status().error().code(), EFBIG);
    EXPECT_EQ(text(out), "0123456789");  // nothing half-written
    out.clear();
    EXPECT_FALSE(out.status().is_error());
    EXPECT_EQ(out.size(), 0u);
}

TEST(SeqBuffer, EscapesLikeLinuxMangle) {
    SeqBuffer out;
    out.append_escaped("/mnt/a b\tc\\d\ne", " \t\n\\");
    EXPECT_EQ(text(out), "/mnt/a\\040b\\011c\\134d\\012e");
}

TEST(SeqBuffer, PadsToAColumnOfTheCurrentLine) {
    SeqBuffer out;
    out.append("first line\nab");
    out.pad_to_column(6);
    out.append("|");
    out.pad_to_column(3);  // already past: nothing
    out.append("x");
    EXPECT_EQ(text(out), "first line\nab    |x");
}

}  // namespace
