// Host tests: command-line splitting and init's argv/envp, as Linux builds them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lib/cmdline.h"

namespace {

bool kernel_param(kstd::string_view name) {
    return name == "console" || name == "quiet" || name == "init" || name == "loglevel" || name == "ro";
}

std::vector<std::string> strings(kstd::span<const kstd::string_view> views, size_t count) {
    std::vector<std::string> out;
    for (size_t i = 0; i < count; i++) out.emplace_back(views[i]);
    return out;
}

TEST(CommandLine, SplitsNamesAndValues) {
    static klib::CommandLine cmd;
    cmd.parse("console=ttyS0,115200 quiet  loglevel=3\tinit=/bin/sh");
    ASSERT_EQ(cmd.params().size(), 4u);
    EXPECT_EQ(cmd.params()[0].name, "console");
    EXPECT_EQ(*cmd.params()[0].value, "ttyS0,115200");
    EXPECT_EQ(cmd.params()[1].name, "quiet");
    EXPECT_FALSE(cmd.params()[1].value.has_value());
    EXPECT_TRUE(cmd.has_flag("quiet"));
    EXPECT_EQ(*cmd.value_of("init"), "/bin/sh");
}

TEST(CommandLine, QuotesGroupSpacesAndAreRemoved) {
    static klib::CommandLine cmd;
    cmd.parse("msg=\"hello world\" \"spaced word\" a=\"\"");
    ASSERT_EQ(cmd.params().size(), 3u);
    EXPECT_EQ(*cmd.params()[0].value, "hello world");
    EXPECT_EQ(cmd.params()[1].name, "spaced word");
    EXPECT_EQ(*cmd.params()[2].value, "");
}

TEST(CommandLine, LastValueWins) {
    static klib::CommandLine cmd;
    cmd.parse("console=tty0 console=ttyS1");
    EXPECT_EQ(*cmd.value_of("console"), "ttyS1");
}

TEST(CommandLine, ValueMayContainEquals) {
    static klib::CommandLine cmd;
    cmd.parse("root=UUID=abcd-1234");
    EXPECT_EQ(cmd.params()[0].name, "root");
    EXPECT_EQ(*cmd.params()[0].value, "UUID=abcd-1234");
}

TEST(CommandLine, DoubleDashPassesTheRestToInit) {
    static klib::CommandLine cmd;
    cmd.parse("quiet -- single foo=bar");
    EXPECT_EQ(cmd.params().size(), 1u);
    ASSERT_EQ(cmd.after_dashes().size(), 2u);
    EXPECT_EQ(cmd.after_dashes()[0], "single");
    EXPECT_EQ(cmd.after_dashes()[1], "foo=bar");
}

TEST(CommandLine, TruncatesOverlongLines) {
    static klib::CommandLine cmd;
    std::string line(5000, 'x');
    cmd.parse(line);
    EXPECT_EQ(cmd.raw().size(), klib::COMMAND_LINE_SIZE - 1);
}

TEST(InitArguments, UnknownParamsGoToInitLikeLinux) {
    static klib::CommandLine cmd;
    cmd.parse("console=ttyS0 quiet single FOO=1 mod.param=3 BAR=2 FOO=3 ro -- extra");
    klib::InitArguments args = klib::build_init_arguments(cmd, kernel_param);
    EXPECT_EQ(strings(args.argv, args.argc), (std::vector<std::string>{"", "single", "extra"}));
    EXPECT_EQ(strings(args.envp, args.envc),
              (std::vector<std::string>{"HOME=/", "TERM=linux", "FOO=3", "BAR=2"}));
    EXPECT_FALSE(args.overflowed);
}

TEST(InitArguments, OverflowIsReported) {
    static klib::CommandLine cmd;
    std::string line;
    for (int i = 0; i < 40; i++) line += "w" + std::to_string(i) + " ";
    cmd.parse(line);
    klib::InitArguments args = klib::build_init_arguments(cmd, kernel_param);
    EXPECT_EQ(args.argc, klib::MAX_INIT_ARGS);
    EXPECT_TRUE(args.overflowed);
}

}  // namespace
