// Host tests, tty: input processing of the line discipline — canonical editing, echo,
// signals, input mapping and raw mode, checked against what Linux's n_tty does.
#include <gtest/gtest.h>

#include "fake_terminal.h"

using tty::TtySignal;

namespace {

constexpr char ERASE = 0177, KILL = 'U' - 0x40, WORD_ERASE = 'W' - 0x40, END_OF_FILE = 'D' - 0x40;
constexpr char INTERRUPT = 'C' - 0x40, QUIT = '\\' - 0x40, SUSPEND = 'Z' - 0x40, LITERAL_NEXT = 'V' - 0x40;

TEST(LineDiscipline, DefaultsAreLinuxStandardTermios) {
    termios2 settings = tty::default_termios();
    EXPECT_EQ(settings.c_iflag, tcflag_t(ICRNL | IXON));
    EXPECT_EQ(settings.c_oflag, tcflag_t(OPOST | ONLCR));
    EXPECT_EQ(settings.c_lflag, tcflag_t(ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN));
    EXPECT_EQ(settings.c_cc[VINTR], 3);
    EXPECT_EQ(settings.c_cc[VERASE], 0177);
    EXPECT_EQ(settings.c_cc[VMIN], 1);
    EXPECT_EQ(settings.c_cc[VTIME], 0);
}

TEST(LineDiscipline, CanonicalLineIsReadableOnlyWhenComplete) {
    FakeTerminal t;
    EXPECT_EQ(t.type("hello"), 5u);
    EXPECT_FALSE(t.discipline.input_available());
    EXPECT_EQ(t.discipline.readable_bytes(), 0u);
    t.type("\n");
    EXPECT_TRUE(t.discipline.input_available());
    EXPECT_EQ(t.discipline.readable_bytes(), 6u);
    EXPECT_EQ(t.read_line(), "hello\n");
    EXPECT_TRUE(t.last_line_finished);
    EXPECT_FALSE(t.discipline.input_available());
    EXPECT_EQ(t.take_output(), "hello\r\n");
}

TEST(LineDiscipline, OneLinePerRead) {
    FakeTerminal t;
    t.type("one\ntwo\n");
    EXPECT_EQ(t.read_line(), "one\n");
    EXPECT_EQ(t.read_line(), "two\n");
}

TEST(LineDiscipline, ShortReadsTakeTheLineInPieces) {
    FakeTerminal t;
    t.type("abcdef\n");
    EXPECT_EQ(t.read_line(4), "abcd");
    EXPECT_FALSE(t.last_line_finished);
    EXPECT_EQ(t.read_line(4), "ef\n");
    EXPECT_TRUE(t.last_line_finished);
}

TEST(LineDiscipline, EraseRemovesOneCharacterAndEchoesBackspaceSpaceBackspace) {
    FakeTerminal t;
    t.type(std::string("abx") + ERASE + "c\n");
    EXPECT_EQ(t.read_line(), "abc\n");
    EXPECT_EQ(t.take_output(), "abx\b \bc\r\n");
}

TEST(LineDiscipline, EraseAtLineStartDoesNothing) {
    FakeTerminal t;
    t.type(std::string(1, ERASE) + "a\n");
    EXPECT_EQ(t.read_line(), "a\n");
    EXPECT_EQ(t.take_output(), "a\r\n");
}

TEST(LineDiscipline, EraseOfAControlCharacterRemovesItsCaret) {
    FakeTerminal t;
    t.type(std::string("a\x01") + ERASE);
    EXPECT_EQ(t.take_output(), "a^A\b \b\b \b");
}

TEST(LineDiscipline, EraseWithoutEchoeEchoesTheEraseCharacter) {
    FakeTerminal t;
    t.change([](termios2& s) { s.c_lflag &= ~ECHOE; });
    t.type(std::string("ab") + ERASE);
    EXPECT_EQ(t.take_output(), "ab^?");
}

TEST(LineDiscipline, KillWithEchokeErasesTheLineVisually) {
    FakeTerminal t;
    t.type(std::string("zz") + KILL + "ok\n");
    EXPECT_EQ(t.read_line(), "ok\n");
    EXPECT_EQ(t.take_output(), "zz\b \b\b \bok\r\n");
}

TEST(LineDiscipline, KillWithoutEchokeEchoesTheKillCharacterAndANewline) {
    FakeTerminal t;
    t.change([](termios2& s) { s.c_lflag &= ~ECHOKE; });
    t.type(std::string("zz") + KILL);
    EXPECT_EQ(t.take_output(), "zz^U\r\n");
    t.type("ok\n");
    EXPECT_EQ(t.read_line(), "ok\n");
}

TEST(LineDiscipline, WordEraseRemovesTheLastWord) {
    FakeTerminal t;
    t.type(std::string("foo bar  ") + WORD_ERASE + "baz\n");
    EXPECT_EQ(t.read_line(), "foo baz\n");
    t.take_output();
    // Punctuation ends a word (ALTWERASE): "a.b" loses only "b".
    t.type(std::string("a.b") + WORD_ERASE + "\n");
    EXPECT_EQ(t.read_line(), "a.\n");
}

TEST(LineDiscipline, WordEraseNeedsIexten) {
    FakeTerminal t;
    t.change([](termios2& s) { s.c_lflag &= ~IEXTEN; });
    t.type(std::string("ab") + WORD_ERASE + "\n");
    EXPECT_EQ(t.read_line(), std::string("ab") + WORD_ERASE + "\n");
}

TEST(LineDiscipline, TabEraseBacksUpToTheTabStop) {
    FakeTerminal t;
    t.type("ab\t");
    EXPECT_EQ(t.discipline.column(), 8u);
    t.take_output();
    t.type(std::string(1, ERASE));
    EXPECT_EQ(t.take_output(), "\b\b\b\b\b\b");
    EXPECT_EQ(t.discipline.column(), 2u);
}

TEST(LineDiscipline, EndOfFileAtLineStartReadsAsZeroBytes) {
    FakeTerminal t;
    t.type(std::string(1, END_OF_FILE));
    EXPECT_TRUE(t.discipline.input_available());
    EXPECT_EQ(t.discipline.readable_bytes(), 0u);
    EXPECT_EQ(t.read_line(), "");
    EXPECT_TRUE(t.last_line_finished);
    EXPECT_FALSE(t.discipline.input_available());
    EXPECT_EQ(t.take_output(), "");  // VEOF is not echoed
}

TEST(LineDiscipline, EndOfFileAfterTextPassesTheTextWithoutANewline) {
    FakeTerminal t;
    t.type(std::string("abc") + END_OF_FILE);
    EXPECT_EQ(t.discipline.readable_bytes(), 3u);
    EXPECT_EQ(t.read_line(), "abc");
    EXPECT_TRUE(t.last_line_finished);
    // The VEOF went with the text: no end-of-file read follows.
    EXPECT_FALSE(t.discipline.input_available());
}

TEST(LineDiscipline, EndOfFileIsSkippedWhenTheReaderTookExactlyTheText) {
    FakeTerminal t;
    t.type(std::string("abc") + END_OF_FILE + "x\n");
    EXPECT_EQ(t.read_line(3), "abc");
    EXPECT_EQ(t.read_line(), "x\n");
}

TEST(LineDiscipline, EndOfLineCharactersEndALineAndAreData) {
    FakeTerminal t;
    t.change([](termios2& s) {
        s.c_cc[VEOL] = ';';
        s.c_cc[VEOL2] = '|';
    });
    t.type("a;b|");
    EXPECT_EQ(t.read_line(), "a;");
    EXPECT_EQ(t.read_line(), "b|");
}

TEST(LineDiscipline, NulNeverActsAsADisabledControlCharacter) {
    FakeTerminal t;
    t.type(std::string("a\0b\n", 4));  // VEOL is 0 (disabled): NUL is data
    EXPECT_EQ(t.read_line(), std::string("a\0b\n", 4));
}

TEST(LineDiscipline, InterruptSignalsFlushesAndEchoes) {
    FakeTerminal t;
    t.type(std::string("partial") + INTERRUPT);
    ASSERT_EQ(t.signals.size(), 1u);
    EXPECT_EQ(t.signals[0], TtySignal::Interrupt);
    EXPECT_EQ(t.output_flushes, 1);
    EXPECT_EQ(t.take_output(), "partial^C");
    t.type("x\n");
    EXPECT_EQ(t.read_line(), "x\n");  // the partial line was discarded
}

TEST(LineDiscipline, NoflshKeepsTheInput) {
    FakeTerminal t;
    t.change([](termios2& s) { s.c_lflag |= NOFLSH; });
    t.type(std::string("keep") + QUIT + "\n");
    ASSERT_EQ(t.signals.size(), 1u);
    EXPECT_EQ(t.signals[0], TtySignal::Quit);
    EXPECT_EQ(t.output_flushes, 0);
    EXPECT_EQ(t.read_line(), "keep\n");
}

TEST(LineDiscipline, SuspendAndQuitInRawModeToo) {
    FakeTerminal t;
    t.change([](termios2& s) { s.c_lflag &= ~(ICANON | ECHO); });
    t.type(std::string(1, SUSPEND) + QUIT);
    ASSERT_EQ(t.signals.size(), 2u);
    EXPECT_EQ(t.signals[0], TtySignal::Suspend);
    EXPECT_EQ(t.signals[1], TtySignal::Quit);
    EXPECT_FALSE(t.discipline.input_available());
}

TEST(LineDiscipline, WithoutIsigControlCharactersAreData) {
    FakeTerminal t;
    t.change([](termios2& s) { s.c_lflag &= ~(ICANON | ISIG | ECHO); });
    t.type(std::string(1, INTERRUPT));
    EXPECT_TRUE(t.signals.empty());
    EXPECT_EQ(t.read_bytes(), std::string(1, INTERRUPT));
}

TEST(LineDiscipline, LiteralNextQuotesASpecialCharacter) {
    FakeTerminal t;
    t.type(std::string(1, LITERAL_NEXT) + INTERRUPT + "\n");
    EXPECT_TRUE(t.signals.empty());
    EXPECT_EQ(t.read_line(), std::string(1, INTERRUPT) + "\n");
    EXPECT_EQ(t.take_output(), "^\b^C\r\n");
}

TEST(LineDiscipline, ReprintShowsTheLineSoFar) {
    FakeTerminal t;
    t.type("abc\x12");
    EXPECT_EQ(t.take_output(), "abc^R\r\nabc");
    t.type("\n");
    EXPECT_EQ(t.read_line(), "abc\n");
}

TEST(LineDiscipline, CarriageReturnMapping) {
    FakeTerminal t;
    t.type("a\r");
    EXPECT_EQ(t.read_line(), "a\n");  // ICRNL
    t.change([](termios2& s) { s.c_iflag = IGNCR; });
    t.type("b\r\n");
    EXPECT_EQ(t.read_line(), "b\n");
    t.change([](termios2& s) {
        s.c_iflag = INLCR;
        s.c_lflag &= ~ICANON;
    });
    t.type("\n");
    EXPECT_EQ(t.read_bytes(), "\r");
    t.change([](termios2& s) { s.c_iflag = 0; });
    t.type("\r");
    EXPECT_EQ(t.read_bytes(), "\r");
}

TEST(LineDiscipline, IstripAndIuclc) {
    FakeTerminal t;
    t.change([](termios2& s) {
        s.c_iflag |= ISTRIP | IUCLC;
        s.c_lflag &= ~ECHO;
    });
    t.type(
        "\xc1"
        "B\n");
    EXPECT_EQ(t.read_line(), "ab\n");
}

TEST(LineDiscipline, EchoctlShowsControlCharactersAsCaretLetters) {
    FakeTerminal t;
    t.type("\x01\t\x1b");
    EXPECT_EQ(t.take_output(), "^A\t^[");
    t.change([](termios2& s) { s.c_lflag &= ~ECHOCTL; });
    t.type("\x01");
    EXPECT_EQ(t.take_output(), "\x01");
}

TEST(LineDiscipline, EchonlEchoesNewlinesWithEchoOff) {
    FakeTerminal t;
    t.change([](termios2& s) { s.c_lflag = (s.c_lflag & ~ECHO) | ECHONL; });
    t.type("secret\n");
    EXPECT_EQ(t.take_output(), "\r\n");
    EXPECT_EQ(t.read_line(), "secret\n");
}

TEST(LineDiscipline, EchoprtShowsErasedCharactersBetweenBackslashAndSlash) {
    FakeTerminal t;
    t.change([](termios2& s) { s.c_lflag |= ECHOPRT; });
    t.type(std::string("abc") + ERASE + ERASE + "d\n");
    EXPECT_EQ(t.take_output(), "abc\\cb/d\r\n");
    EXPECT_EQ(t.read_line(), "ad\n");
}

TEST(LineDiscipline, Iutf8EraseRemovesAWholeCharacter) {
    FakeTerminal t;
    t.change([](termios2& s) { s.c_iflag |= IUTF8; });
    t.type(std::string("a\xc3\xa9") + ERASE + "\n");
    EXPECT_EQ(t.read_line(), "a\n");
}

TEST(LineDiscipline, RawModeBytesAreAvailableAtOnce) {
    FakeTerminal t;
    t.change([](termios2& s) { s.c_lflag &= ~(ICANON | ECHO); });
    t.type("ab");
    EXPECT_TRUE(t.discipline.input_available(2));
    EXPECT_FALSE(t.discipline.input_available(3));
    EXPECT_EQ(t.discipline.readable_bytes(), 2u);
    EXPECT_EQ(t.read_bytes(1), "a");
    EXPECT_EQ(t.read_bytes(), "b");
    EXPECT_EQ(t.take_output(), "");
}

TEST(LineDiscipline, SwitchingToCanonicalMakesBufferedBytesALine) {
    FakeTerminal t;
    t.change([](termios2& s) { s.c_lflag &= ~ICANON; });
    t.type("xyz");
    t.change([](termios2& s) { s.c_lflag |= ICANON; });
    EXPECT_TRUE(t.discipline.input_available());
    EXPECT_EQ(t.read_line(), "xyz");
    t.type("half");
    t.change([](termios2& s) { s.c_lflag &= ~ICANON; });
    EXPECT_EQ(t.read_bytes(), "half");  // a partial line is plain bytes in raw mode
}

TEST(LineDiscipline, FlushDiscardsEverything) {
    FakeTerminal t;
    t.type("line\npartial");
    t.discipline.flush_input();
    EXPECT_FALSE(t.discipline.input_available());
    t.type("\n");
    EXPECT_EQ(t.read_line(), "\n");
}

TEST(LineDiscipline, FullCanonicalLineKeepsItsHeadAndTakesTheNewline) {
    FakeTerminal t;
    t.change([](termios2& s) { s.c_lflag &= ~ECHO; });
    std::string long_line(5000, 'x');
    EXPECT_EQ(t.type(long_line), 5000u);
    EXPECT_GE(t.discipline.receive_room(), 1u);
    t.type("\n");
    std::string line = t.read_line();
    EXPECT_EQ(line.size(), tty::LineDiscipline::BUFFER_SIZE);
    EXPECT_EQ(line.back(), '\n');
}

TEST(LineDiscipline, FullRawBufferRefusesMore) {
    FakeTerminal t;
    t.change([](termios2& s) { s.c_lflag &= ~(ICANON | ECHO); });
    std::string data(5000, 'y');
    EXPECT_EQ(t.type(data), tty::LineDiscipline::BUFFER_SIZE - 1);
    EXPECT_EQ(t.discipline.receive_room(), 0u);
    t.read_bytes(10);
    EXPECT_EQ(t.discipline.receive_room(), 10u);
}

TEST(LineDiscipline, StopAndStartCharactersControlOutput) {
    FakeTerminal t;
    t.type("\x13");
    EXPECT_TRUE(t.discipline.output_stopped());
    t.type("\x11");
    EXPECT_FALSE(t.discipline.output_stopped());
    EXPECT_EQ(t.flow_changes, 2);
    EXPECT_FALSE(t.discipline.input_available());
    t.change([](termios2& s) { s.c_iflag |= IXANY; });
    t.type("\x13");
    t.type("a");
    EXPECT_FALSE(t.discipline.output_stopped());
}

TEST(LineDiscipline, TcooffIsLiftedOnlyByTcoon) {
    FakeTerminal t;
    t.discipline.stop_output_by_request();
    t.type("\x11");
    EXPECT_TRUE(t.discipline.output_stopped());
    t.discipline.start_output_by_request();
    EXPECT_FALSE(t.discipline.output_stopped());
}

TEST(LineDiscipline, EchoIsDroppedWhenTheDeviceIsFull) {
    FakeTerminal t;
    t.room = 0;
    t.type("abc\n");
    EXPECT_EQ(t.take_output(), "");
    EXPECT_EQ(t.read_line(), "abc\n");
}

}  // namespace
