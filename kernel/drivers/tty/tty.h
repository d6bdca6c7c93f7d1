// TTY layer: the tty core — a terminal (Linux's tty_struct): its line discipline and
// settings, the window size, the session and foreground process group it controls, and
// the blocking read/write/poll every terminal file shares (VMIN/VTIME, O_NONBLOCK,
// hang-up). Drivers subclass Tty and supply the device side: where output goes (a UART,
// a pty master's queue) and how much it takes now. Input comes in through receive().
//
// Locking: m_lock (a spinlock: the serial port feeds input from its interrupt) guards
// the line discipline, the settings and the job-control fields. Nothing sleeps or touches
// user memory under it; signals and wake-ups the line discipline asks for are delivered
// after it is released.
#pragma once

#include <asm/termbits.h>
#include <asm/termios.h>
#include <linux/poll.h>

#include "drivers/tty/line_discipline.h"
#include "fs/file.h"
#include "lib/ref_ptr.h"
#include "sync/spinlock.h"
#include "sync/wait_queue.h"

class TtyFile;

// One caller at a time — Linux's atomic_read_lock and atomic_write_lock: a line goes to
// one reader whole, and writes are not interleaved. Waiting for a turn is interruptible
// (ERESTARTSYS), and O_NONBLOCK callers do not wait (EAGAIN).
class TtyTurn {
public:
    ErrorOr take(bool nonblocking);
    void give_back();

private:
    kstd::atomic<bool> m_taken{false};
    WaitQueue m_waiters;
};

class TtyTurnGuard {
public:
    explicit TtyTurnGuard(TtyTurn& turn) : m_turn(turn) {}
    ~TtyTurnGuard() { m_turn.give_back(); }
    TtyTurnGuard(const TtyTurnGuard&) = delete;
    TtyTurnGuard& operator=(const TtyTurnGuard&) = delete;

private:
    TtyTurn& m_turn;
};

enum class TtyKind : u8 {
    Serial,    // a UART (/dev/ttyS0, /dev/console)
    PtySlave,  // /dev/pts/N; its master is a PtyMasterFile
};

class Tty : public RefCounted<Tty>, private tty::LineDisciplineHost {
public:
    virtual ~Tty();

    TtyKind kind() const { return m_kind; }
    const char* name() const { return m_name; }  // "ttyS0", "pts/3"
    u64 device() const { return m_device; }      // its device number (rdev)

    // The file side (TtyFile calls these).
    Result<usize> read(TtyFile& file, IoBuffer buffer, usize length);
    Result<usize> write(TtyFile& file, IoBuffer buffer, usize length);
    u32 poll(TtyFile& file, PollTable* table);
    // The terminal ioctls (tty_ioctl.cpp). `through_master`: asked on a pty's master,
    // which reaches its slave's settings and job-control state without being its
    // controlling terminal.
    Result<i64> ioctl(File& file, u32 request, u64 argument, bool through_master = false);
    // Open and last-close checks and bookkeeping of the driver (a locked pty: EIO).
    virtual ErrorOr check_open(u32 flags);
    virtual void file_opened(TtyFile&) {}
    virtual void file_closed(TtyFile&) {}

    // The device side: bytes received (typed on the serial line, written to the pty
    // master); returns how many were taken. May run in interrupt context.
    usize receive(const u8* data, usize length);
    usize receive_room();

    // Settings and window size; setting them follows TCSETS/TIOCSWINSZ (no checks here).
    termios2 settings();
    void set_settings(const termios2& settings, bool flush_input);
    winsize window_size();
    void set_window_size(const winsize& size);  // SIGWINCH to the foreground group on change
    void flush(bool input, bool output);        // TCFLSH
    usize readable_bytes();                     // FIONREAD
    void stop_output_by_request(bool stop);     // TCXONC TCOOFF/TCOON

    // Job control (job_control.cpp decides; these hold the state). 0: none.
    u32 session();
    u32 foreground_group();
    void set_control(u32 session, u32 foreground_group);
    void set_foreground_group(u32 foreground_group);
    // Sends `signal` to the foreground process group, if there is one.
    void signal_foreground_group(int signal);

    // Hang-up: files open now read end of file, fail writes with EIO and poll as hung
    // up (files opened as /dev/console excepted); input is discarded, every sleeper woken.
    // Returns the session and foreground group the terminal had, and forgets them.
    void hang_up_files(u32& session, u32& foreground_group);
    u32 hangup_generation() const { return m_hangup_generation; }

    bool exclusive() const { return m_exclusive; }
    void set_exclusive(bool exclusive) { m_exclusive = exclusive; }

protected:
    Tty(TtyKind kind, const char* name, u64 device, const termios2& settings);

    // Driver hooks. Output ones are called with m_lock held and must not sleep.
    virtual usize device_output_room() = 0;
    virtual void device_output(const u8* data, usize length) = 0;
    virtual void device_flush_output() {}
    // A reader took input: room for more (a pty master's writers may go on).
    virtual void input_consumed() {}
    // ioctls only this kind of terminal knows (TIOCGSERIAL…); ENOTTY otherwise.
    virtual Result<i64> driver_ioctl(File& file, u32 request, u64 argument);

    // Wakes what waits for input or output room (after m_lock is released).
    void wake_readers() { m_read_wait.wake_all(); }
    void wake_writers() { m_write_wait.wake_all(); }
    // Sends the signals the line discipline asked for while m_lock was held.
    void deliver_pending_signals();

    SpinLock m_lock;
    tty::LineDiscipline m_discipline;

private:
    // LineDisciplineHost, called under m_lock.
    usize output_room() override { return device_output_room(); }
    void output(const u8* data, usize length) override { device_output(data, length); }
    void signal_foreground(tty::TtySignal signal) override;
    void flush_output() override { device_flush_output(); }
    void flow_changed() override { m_flow_changed = true; }

    Result<i64> termios_ioctl(u32 request, u64 argument);
    bool readable_for_poll();

    TtyKind m_kind;
    char m_name[16] = {};
    u64 m_device;
    WaitQueue m_read_wait;
    WaitQueue m_write_wait;
    TtyTurn m_read_turn;
    TtyTurn m_write_turn;
    winsize m_window{};
    u32 m_session = 0;
    u32 m_foreground_group = 0;
    u32 m_pending_signals = 0;  // bits by TtySignal
    bool m_flow_changed = false;
    bool m_exclusive = false;
    u32 m_hangup_generation = 0;
};

// The largest translation of one output byte (XTABS: a tab to 8 spaces): a writer waits
// until the device has at least this much room.
constexpr usize TTY_MAX_OUTPUT_EXPANSION = 8;
