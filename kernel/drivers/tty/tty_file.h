// TTY layer: an open terminal (Linux's tty file operations) — what open("/dev/ttyS0"),
// open("/dev/pts/3"), open("/dev/tty") and open("/dev/console") return.
//
// A file remembers the terminal's hang-up generation when it is opened; after a hang-up
// it is dead (reads give end of file, writes and most ioctls EIO), as Linux's
// hung_up_tty_fops. Files opened as /dev/console are exempt from job control and from
// hang-ups and never make the terminal a controlling one, as on Linux.
#pragma once

#include "drivers/tty/tty.h"

class TtyFile final : public File {
public:
    enum class OpenedAs : u8 { Terminal, Console };

    // Opens `tty` (its checks, then a controlling terminal for a session leader that has
    // none, unless O_NOCTTY). `path` is the device node opened (empty for the kernel's
    // own opens, in tests).
    static Result<RefPtr<File>> open(RefPtr<Tty> tty, const Path& path, u32 flags, OpenedAs opened_as);
    ~TtyFile() override;

    Result<usize> read(u64 offset, IoBuffer buffer, usize length) override;
    Result<usize> write(u64 offset, IoBuffer buffer, usize length) override;
    u32 poll(PollTable* table) override;
    Result<i64> ioctl(u32 request, u64 argument) override;
    const char* kind_name() const override { return "tty"; }
    u32 stat_mode() const override { return S_IFCHR | 0620; }
    Result<usize> describe(char* buffer, usize size) override;

    Tty& tty() const { return *m_tty; }
    bool is_console() const { return m_console; }
    bool hung_up() const { return !m_console && m_generation != m_tty->hangup_generation(); }

private:
    TtyFile(RefPtr<Tty> tty, u32 flags, const Path& path, bool console);

    RefPtr<Tty> m_tty;
    bool m_console;
    u32 m_generation;
};
