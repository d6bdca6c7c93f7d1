// TTY layer: the line discipline — Linux's n_tty, as pure logic.
//
// Input bytes from the device go through the termios input flags (ISTRIP, IUCLC, IGNCR,
// ICRNL, INLCR), flow control (IXON/IXANY), the signal characters (ISIG) and, in
// canonical mode, line editing (VERASE, VWERASE, VKILL, VLNEXT, VREPRINT, VEOF, VEOL,
// VEOL2) into a read buffer; echoes (ECHO, ECHOE, ECHOK, ECHOKE, ECHONL, ECHOCTL,
// ECHOPRT) and program output go through the output flags (OPOST, ONLCR, OCRNL, ONOCR,
// ONLRET, OLCUC, XTABS) to the device. Reads take whole lines (canonical) or bytes (raw).
//
// The class knows nothing of processes, locks or sleeping: the tty core (tty.h) holds its
// lock around every call, delivers the signals it asks for, and implements blocking,
// VMIN/VTIME and job control on top of input_available(). That keeps it testable on the
// host (tests/host/tty/).
#pragma once

#include <asm/termbits.h>

#include "lib/types.h"

namespace tty {

// Signals the line discipline asks for (ISIG); the tty core maps them to SIGINT, SIGQUIT
// and SIGTSTP for the foreground process group.
enum class TtySignal : u8 { Interrupt, Quit, Suspend };

// What the line discipline needs from the terminal it runs on.
class LineDisciplineHost {
public:
    // How many bytes the device accepts now, and the bytes themselves (echoes, output).
    virtual usize output_room() = 0;
    virtual void output(const u8* data, usize length) = 0;
    // ISIG: a signal for the foreground process group. Called with the tty's lock held:
    // the host records it and sends it after unlocking.
    virtual void signal_foreground(TtySignal signal) = 0;
    // ISIG without NOFLSH: discard what the device still has queued for output.
    virtual void flush_output() = 0;
    // Output was stopped or started (IXON's VSTOP/VSTART): writers may need waking.
    virtual void flow_changed() = 0;

protected:
    ~LineDisciplineHost() = default;
};

// Linux's tty_std_termios (drivers/tty/tty_io.c) with INIT_C_CC: what a new terminal has.
termios2 default_termios();

class LineDiscipline {
public:
    // Linux's N_TTY_BUF_SIZE: a canonical line longer than this loses its tail.
    static constexpr usize BUFFER_SIZE = 4096;

    explicit LineDiscipline(LineDisciplineHost& host);
    LineDiscipline(const LineDiscipline&) = delete;
    LineDiscipline& operator=(const LineDiscipline&) = delete;

    const termios2& settings() const { return m_settings; }
    // n_tty_set_termios: switching ICANON turns what is buffered into one readable line
    // (canonical) or plain bytes (raw).
    void set_settings(const termios2& settings);

    // Input from the device; returns how many bytes were taken (fewer when the buffer is
    // full in raw mode: the rest must wait, or be dropped by a device that cannot wait).
    usize receive(const u8* data, usize length);
    // How many more bytes receive() takes now (at least 1 while a canonical line is being
    // typed into a full buffer: its last character is replaced, as on Linux).
    usize receive_room() const;

    // Whether a read would find something: a complete line (canonical) or at least
    // `amount` bytes (raw).
    bool input_available(usize amount = 1) const;
    // Canonical read: up to `capacity` bytes of the next complete line. `line_finished`
    // tells whether the line's end was consumed (its delimiter, or a VEOF that is never
    // returned); a VEOF at the start of a line reads as 0 bytes with line_finished set.
    usize read_line(u8* out, usize capacity, bool& line_finished);
    // Raw read: up to `capacity` buffered bytes.
    usize read_bytes(u8* out, usize capacity);
    // FIONREAD: bytes a read could return now (canonical: complete lines, VEOFs excluded).
    usize readable_bytes() const;
    // TCIFLUSH, and ISIG without NOFLSH.
    void flush_input();

    // Program output through OPOST; returns how many bytes of `data` were consumed (it
    // stops when the device has no room for a byte's translation).
    usize write(const u8* data, usize length);

    // Output flow control: VSTOP/VSTART (IXON) and TCOOFF/TCOON.
    bool output_stopped() const { return m_stopped; }
    void stop_output_by_request();
    void start_output_by_request();

    // The output column (tabs and erasing depend on it).
    usize column() const { return m_column; }

private:
    bool iflag(tcflag_t bit) const { return m_settings.c_iflag & bit; }
    bool oflag(tcflag_t bit) const { return m_settings.c_oflag & bit; }
    bool lflag(tcflag_t bit) const { return m_settings.c_lflag & bit; }
    // The control character at `index`, or -1 when disabled (_POSIX_VDISABLE, 0).
    int control(int index) const { return m_settings.c_cc[index] ? m_settings.c_cc[index] : -1; }
    bool is_special(u8 c) const;
    bool is_continuation(u8 c) const { return iflag(IUTF8) && (c & 0xc0) == 0x80; }

    usize count() const { return m_read_head - m_read_tail; }
    u8 at(usize position) const { return m_buffer[position % BUFFER_SIZE]; }
    u8 flags_at(usize position) const { return m_flags[position % BUFFER_SIZE]; }
    void put(u8 c, u8 flags = 0);
    void commit_line(u8 c, bool end_of_file);

    void receive_char(u8 c);
    void receive_plain(u8 c);
    void receive_special(u8 c);
    void receive_signal(TtySignal signal, u8 c);
    void erase(u8 c);
    void start_output();
    void stop_output();

    // Echo and output translation.
    void echo(u8 c);      // as typed: control characters as ^X with ECHOCTL
    void echo_raw(u8 c);  // through OPOST as is
    void echo_control_pair(u8 c);
    void finish_erasing();
    void echo_erase_tab(u32 characters, bool after_tab);
    // Translates one output byte (OPOST) into `out` if `space` allows; returns the bytes
    // produced (0 for a dropped byte), or -1 when it does not fit (nothing changed).
    int translate_output(u8 c, u8* out, usize space);
    void emit(const u8* data, usize length);

    LineDisciplineHost& m_host;
    termios2 m_settings;
    u8 m_buffer[BUFFER_SIZE];
    // Per buffered byte: LINE_END marks a canonical line's last byte; END_OF_FILE a VEOF,
    // which ends the line without being data.
    static constexpr u8 LINE_END = 1, END_OF_FILE = 2;
    u8 m_flags[BUFFER_SIZE];
    // Positions only grow; the index is position % BUFFER_SIZE. Readable (canonical):
    // [read_tail, canon_head); the line being edited: [canon_head, read_head).
    usize m_read_tail = 0;
    usize m_canon_head = 0;
    usize m_read_head = 0;
    u32 m_column = 0;        // the output column, for tabs and erasing
    u32 m_canon_column = 0;  // the column where the line being edited started
    bool m_canonical = true;
    bool m_literal_next = false;  // the previous byte was VLNEXT
    bool m_erasing = false;       // inside an ECHOPRT "\...\" erase sequence
    bool m_stopped = false;
    bool m_stopped_by_request = false;  // TCOOFF: only TCOON restarts
};

}  // namespace tty
