// Host tests, tty: output processing of the line discipline (OPOST and its flags).
#include <gtest/gtest.h>

#include "fake_terminal.h"

namespace {

std::string write_all(FakeTerminal& t, const std::string& text) {
    usize n = t.discipline.write(reinterpret_cast<const u8*>(text.data()), text.size());
    EXPECT_EQ(n, text.size());
    return t.take_output();
}

TEST(TtyOutput, OnlcrMapsNewlineToCarriageReturnNewline) {
    FakeTerminal t;
    EXPECT_EQ(write_all(t, "a\nb\n"), "a\r\nb\r\n");
    EXPECT_EQ(t.discipline.column(), 0u);
}

TEST(TtyOutput, WithoutOpostBytesPassUnchanged) {
    FakeTerminal t;
    t.change([](termios2& s) { s.c_oflag &= ~OPOST; });
    EXPECT_EQ(write_all(t, "a\nb\t"), "a\nb\t");
}

TEST(TtyOutput, OcrnlOnocrOnlret) {
    FakeTerminal t;
    t.change([](termios2& s) { s.c_oflag = OPOST | OCRNL; });
    EXPECT_EQ(write_all(t, "x\r"), "x\n");
    FakeTerminal fresh;
    fresh.change([](termios2& s) { s.c_oflag = OPOST | ONOCR; });
    EXPECT_EQ(write_all(fresh, "\rab\r"), "ab\r");  // a CR at column 0 is dropped
    t.change([](termios2& s) { s.c_oflag = OPOST | ONLRET; });
    write_all(t, "abc\n");
    EXPECT_EQ(t.discipline.column(), 0u);
}

TEST(TtyOutput, XtabsExpandsTabsToSpaces) {
    FakeTerminal t;
    t.change([](termios2& s) { s.c_oflag = OPOST | XTABS; });
    EXPECT_EQ(write_all(t, "ab\tc"), "ab      c");
    EXPECT_EQ(t.discipline.column(), 9u);
}

TEST(TtyOutput, OlcucUppercases) {
    FakeTerminal t;
    t.change([](termios2& s) { s.c_oflag = OPOST | OLCUC; });
    EXPECT_EQ(write_all(t, "abc"), "ABC");
}

TEST(TtyOutput, StopsWhenTheDeviceHasNoRoomForATranslation) {
    FakeTerminal t;
    t.room = 3;
    const std::string text = "ab\ncd";
    usize n = t.discipline.write(reinterpret_cast<const u8*>(text.data()), text.size());
    EXPECT_EQ(n, 2u);  // "\r\n" does not fit in the one byte left
    EXPECT_EQ(t.take_output(), "ab");
    t.room = 100;
    n = t.discipline.write(reinterpret_cast<const u8*>(text.data()) + 2, 3);
    EXPECT_EQ(n, 3u);
    EXPECT_EQ(t.take_output(), "\r\ncd");
}

TEST(TtyOutput, EchoUsesOutputProcessingToo) {
    FakeTerminal t;
    t.change([](termios2& s) { s.c_oflag = OPOST | OLCUC | ONLCR; });
    t.type("hi\n");
    EXPECT_EQ(t.take_output(), "HI\r\n");
}

TEST(TtyOutput, BackspaceMovesTheColumnBack) {
    FakeTerminal t;
    write_all(t, "abc\b");
    EXPECT_EQ(t.discipline.column(), 2u);
}

}  // namespace
