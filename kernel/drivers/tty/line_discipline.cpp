// TTY layer: the line discipline (see line_discipline.h). Follows Linux's
// drivers/tty/n_tty.c: the same special characters, the same order of checks, the same
// echo sequences (so a terminal looks the same on Strix as on Linux), the same rules
// for a full buffer.
#include "drivers/tty/line_discipline.h"

#include "lib/kstd.h"
#include "lib/string.h"

namespace tty {
namespace {

// The C locale's classes, as the kernel's <linux/ctype.h> has them for ASCII.
bool is_control(u8 c) { return c < 32 || c == 127; }
bool is_alphanumeric(u8 c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
u8 to_lower(u8 c) { return (c >= 'A' && c <= 'Z') ? static_cast<u8>(c + 32) : c; }
u8 to_upper(u8 c) { return (c >= 'a' && c <= 'z') ? static_cast<u8>(c - 32) : c; }

}  // namespace

termios2 default_termios() {
    termios2 settings{};
    settings.c_iflag = ICRNL | IXON;
    settings.c_oflag = OPOST | ONLCR;
    settings.c_cflag = B38400 | CS8 | CREAD | HUPCL;
    settings.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
    // Linux's INIT_C_CC.
    settings.c_cc[VINTR] = 'C' - 0x40;
    settings.c_cc[VQUIT] = '\\' - 0x40;
    settings.c_cc[VERASE] = 0177;
    settings.c_cc[VKILL] = 'U' - 0x40;
    settings.c_cc[VEOF] = 'D' - 0x40;
    settings.c_cc[VSTART] = 'Q' - 0x40;
    settings.c_cc[VSTOP] = 'S' - 0x40;
    settings.c_cc[VSUSP] = 'Z' - 0x40;
    settings.c_cc[VREPRINT] = 'R' - 0x40;
    settings.c_cc[VDISCARD] = 'O' - 0x40;
    settings.c_cc[VWERASE] = 'W' - 0x40;
    settings.c_cc[VLNEXT] = 'V' - 0x40;
    settings.c_cc[VMIN] = 1;
    settings.c_ispeed = settings.c_ospeed = 38400;
    return settings;
}

LineDiscipline::LineDiscipline(LineDisciplineHost& host) : m_host(host), m_settings(default_termios()) {
    memset(m_buffer, 0, sizeof(m_buffer));
    memset(m_flags, 0, sizeof(m_flags));
}

void LineDiscipline::set_settings(const termios2& settings) {
    bool was_flow_controlled = iflag(IXON);
    bool canonical_changed = (m_settings.c_lflag ^ settings.c_lflag) & ICANON;
    m_settings = settings;
    if (canonical_changed) {
        for (usize position = m_read_tail; position != m_read_head; position++)
            m_flags[position % BUFFER_SIZE] = 0;
        if (!lflag(ICANON) || count() == 0) {
            m_canon_head = m_read_tail;
        } else {
            // What raw mode buffered becomes one line, readable at once.
            m_flags[(m_read_head - 1) % BUFFER_SIZE] = LINE_END;
            m_canon_head = m_read_head;
        }
        m_erasing = false;
        m_literal_next = false;
    }
    m_canonical = lflag(ICANON);
    if (!iflag(IXON) && was_flow_controlled) start_output();
}

bool LineDiscipline::is_special(u8 c) const {
    // Linux's char_map: NUL (_POSIX_VDISABLE) is never special.
    if (c == 0) return false;
    if (c == '\r' && (iflag(IGNCR) || iflag(ICRNL))) return true;
    if (c == '\n' && iflag(INLCR)) return true;
    if (m_canonical) {
        if (c == control(VERASE) || c == control(VKILL) || c == control(VEOF) || c == '\n' ||
            c == control(VEOL))
            return true;
        if (lflag(IEXTEN) && (c == control(VWERASE) || c == control(VLNEXT) || c == control(VEOL2)))
            return true;
        if (lflag(IEXTEN) && lflag(ECHO) && c == control(VREPRINT)) return true;
    }
    if (iflag(IXON) && (c == control(VSTART) || c == control(VSTOP))) return true;
    if (lflag(ISIG) && (c == control(VINTR) || c == control(VQUIT) || c == control(VSUSP))) return true;
    return false;
}

void LineDiscipline::put(u8 c, u8 flags) {
    m_buffer[m_read_head % BUFFER_SIZE] = c;
    m_flags[m_read_head % BUFFER_SIZE] = flags;
    m_read_head++;
}

void LineDiscipline::commit_line(u8 c, bool end_of_file) {
    put(c, static_cast<u8>(LINE_END | (end_of_file ? END_OF_FILE : 0)));
    m_canon_head = m_read_head;
}

usize LineDiscipline::receive_room() const {
    usize buffered = count();
    if (buffered < BUFFER_SIZE - 1) return BUFFER_SIZE - 1 - buffered;
    return (m_canonical && m_canon_head == m_read_tail) ? 1 : 0;
}

usize LineDiscipline::receive(const u8* data, usize length) {
    usize taken = 0;
    for (; taken < length; taken++) {
        if (count() >= BUFFER_SIZE - 1) {
            // Full. A canonical line with nothing complete before it keeps going by
            // replacing its last character, so that a newline can still end it (n_tty).
            bool overflowing_line = m_canonical && m_canon_head == m_read_tail;
            if (!overflowing_line) break;
            if (count() == BUFFER_SIZE && m_read_head > m_canon_head) m_read_head--;
        }
        receive_char(data[taken]);
    }
    return taken;
}

void LineDiscipline::receive_char(u8 c) {
    if (iflag(ISTRIP)) c &= 0x7f;
    if (iflag(IUCLC) && lflag(IEXTEN)) c = to_lower(c);
    if (m_literal_next) {
        m_literal_next = false;
        receive_plain(c);
        return;
    }
    if (is_special(c))
        receive_special(c);
    else
        receive_plain(c);
}

void LineDiscipline::receive_plain(u8 c) {
    if (m_stopped && !m_stopped_by_request && iflag(IXON) && iflag(IXANY)) start_output();
    if (lflag(ECHO)) {
        finish_erasing();
        if (m_canon_head == m_read_head) m_canon_column = m_column;
        echo(c);
    }
    if (c == 0377 && iflag(PARMRK)) put(c);  // PARMRK doubles a real 0377
    put(c);
}

void LineDiscipline::receive_special(u8 c) {
    if (iflag(IXON)) {
        if (c == control(VSTART)) {
            start_output();
            return;
        }
        if (c == control(VSTOP)) {
            stop_output();
            return;
        }
    }
    if (lflag(ISIG)) {
        if (c == control(VINTR)) return receive_signal(TtySignal::Interrupt, c);
        if (c == control(VQUIT)) return receive_signal(TtySignal::Quit, c);
        if (c == control(VSUSP)) return receive_signal(TtySignal::Suspend, c);
    }
    if (m_stopped && !m_stopped_by_request && iflag(IXON) && iflag(IXANY)) start_output();
    if (c == '\r') {
        if (iflag(IGNCR)) return;
        if (iflag(ICRNL)) c = '\n';
    } else if (c == '\n' && iflag(INLCR)) {
        c = '\r';
    }
    if (m_canonical) {
        if (c == control(VERASE) || c == control(VKILL) || (c == control(VWERASE) && lflag(IEXTEN))) {
            erase(c);
            return;
        }
        if (c == control(VLNEXT) && lflag(IEXTEN)) {
            m_literal_next = true;
            if (lflag(ECHO)) {
                finish_erasing();
                if (lflag(ECHOCTL)) {
                    echo_raw('^');
                    echo_raw('\b');
                }
            }
            return;
        }
        if (c == control(VREPRINT) && lflag(ECHO) && lflag(IEXTEN)) {
            finish_erasing();
            echo(c);
            echo_raw('\n');
            for (usize position = m_canon_head; position != m_read_head; position++) echo(at(position));
            return;
        }
        if (c == '\n') {
            if (lflag(ECHO) || lflag(ECHONL)) echo_raw('\n');
            commit_line('\n', false);
            return;
        }
        if (c == control(VEOF)) {
            commit_line(0, true);  // never returned as data
            return;
        }
        if (c == control(VEOL) || (c == control(VEOL2) && lflag(IEXTEN))) {
            if (lflag(ECHO)) {
                if (m_canon_head == m_read_head) m_canon_column = m_column;
                echo(c);
            }
            if (c == 0377 && iflag(PARMRK)) put(c);
            commit_line(c, false);
            return;
        }
    }
    if (lflag(ECHO)) {
        finish_erasing();
        if (c == '\n') {
            echo_raw('\n');
        } else {
            if (m_canon_head == m_read_head) m_canon_column = m_column;
            echo(c);
        }
    }
    if (c == 0377 && iflag(PARMRK)) put(c);
    put(c);
}

void LineDiscipline::receive_signal(TtySignal signal, u8 c) {
    m_host.signal_foreground(signal);
    if (!lflag(NOFLSH)) {
        m_host.flush_output();
        flush_input();
    }
    if (iflag(IXON)) start_output();
    if (lflag(ECHO)) echo(c);
}

void LineDiscipline::erase(u8 c) {
    if (m_read_head == m_canon_head) return;  // nothing typed to erase
    enum class Kind : u8 { Character, Word, Line } kind;
    if (c == control(VERASE)) {
        kind = Kind::Character;
    } else if (c == control(VWERASE)) {
        kind = Kind::Word;
    } else {
        if (!lflag(ECHO)) {
            m_read_head = m_canon_head;
            return;
        }
        if (!lflag(ECHOK) || !lflag(ECHOKE) || !lflag(ECHOE)) {
            // Killing without visual erase: echo the kill character (and a newline with ECHOK).
            m_read_head = m_canon_head;
            finish_erasing();
            echo(c);
            if (lflag(ECHOK)) echo_raw('\n');
            return;
        }
        kind = Kind::Line;
    }

    usize seen_alphanumerics = 0;
    while (m_read_head != m_canon_head) {
        // One character, which with IUTF8 may be several bytes.
        usize head = m_read_head;
        u8 erased;
        do {
            head--;
            erased = at(head);
        } while (is_continuation(erased) && head != m_canon_head);
        if (is_continuation(erased)) break;  // never erase part of a character
        if (kind == Kind::Word) {
            // A word is alphanumerics and underscores (BSD's ALTWERASE), as on Linux.
            if (is_alphanumeric(erased) || erased == '_')
                seen_alphanumerics++;
            else if (seen_alphanumerics)
                break;
        }
        usize erased_bytes = m_read_head - head;
        m_read_head = head;
        if (lflag(ECHO)) {
            if (lflag(ECHOPRT)) {
                if (!m_erasing) {
                    echo_raw('\\');
                    m_erasing = true;
                }
                echo(erased);
                while (--erased_bytes > 0) {
                    head++;
                    echo_raw(at(head));
                    if (m_column > 0) m_column--;
                }
            } else if (kind == Kind::Character && !lflag(ECHOE)) {
                echo(c);
            } else if (erased == '\t') {
                // How far back the tab went depends on what precedes it on the line.
                u32 characters = 0;
                bool after_tab = false;
                for (usize position = m_read_head; position != m_canon_head;) {
                    u8 previous = at(--position);
                    if (previous == '\t') {
                        after_tab = true;
                        break;
                    }
                    if (is_control(previous)) {
                        if (lflag(ECHOCTL)) characters += 2;
                    } else if (!is_continuation(previous)) {
                        characters++;
                    }
                }
                echo_erase_tab(characters, after_tab);
            } else {
                // "\b \b", twice for a control character shown as ^X.
                if (is_control(erased) && lflag(ECHOCTL)) {
                    echo_raw('\b');
                    echo_raw(' ');
                    echo_raw('\b');
                }
                if (!is_control(erased) || lflag(ECHOCTL)) {
                    echo_raw('\b');
                    echo_raw(' ');
                    echo_raw('\b');
                }
            }
        }
        if (kind == Kind::Character) break;
    }
    if (m_read_head == m_canon_head && lflag(ECHO)) finish_erasing();
}

void LineDiscipline::finish_erasing() {
    if (!m_erasing) return;
    echo_raw('/');
    m_erasing = false;
}

void LineDiscipline::echo_erase_tab(u32 characters, bool after_tab) {
    // A tab that began the line started at the line's first column.
    if (!after_tab) characters += m_canon_column;
    u32 backspaces = 8 - (characters & 7);
    if (m_host.output_room() < backspaces) return;
    static constexpr u8 BACKSPACES[8] = {'\b', '\b', '\b', '\b', '\b', '\b', '\b', '\b'};
    emit(BACKSPACES, backspaces);
    m_column = m_column > backspaces ? m_column - backspaces : 0;
}

void LineDiscipline::echo(u8 c) {
    if (lflag(ECHOCTL) && is_control(c) && c != '\t')
        echo_control_pair(c);
    else
        echo_raw(c);
}

void LineDiscipline::echo_control_pair(u8 c) {
    if (m_host.output_room() < 2) return;
    u8 pair[2] = {'^', static_cast<u8>(c ^ 0100)};
    emit(pair, 2);
    m_column += 2;
}

void LineDiscipline::echo_raw(u8 c) {
    usize room = m_host.output_room();
    if (!oflag(OPOST)) {
        if (room) emit(&c, 1);
        return;
    }
    u8 translated[8];
    int produced = translate_output(c, translated, room);
    if (produced > 0) emit(translated, static_cast<usize>(produced));
}

void LineDiscipline::emit(const u8* data, usize length) {
    if (length) m_host.output(data, length);
}

int LineDiscipline::translate_output(u8 c, u8* out, usize space) {
    if (space == 0) return -1;
    switch (c) {
        case '\n':
            if (oflag(ONLRET)) m_column = 0;
            if (oflag(ONLCR)) {
                if (space < 2) return -1;
                m_canon_column = m_column = 0;
                out[0] = '\r';
                out[1] = '\n';
                return 2;
            }
            m_canon_column = m_column;
            break;
        case '\r':
            if (oflag(ONOCR) && m_column == 0) return 0;
            if (oflag(OCRNL)) {
                c = '\n';
                if (oflag(ONLRET)) m_canon_column = m_column = 0;
                break;
            }
            m_canon_column = m_column = 0;
            break;
        case '\t': {
            u32 spaces = 8 - (m_column & 7);
            if ((m_settings.c_oflag & TABDLY) == XTABS) {
                if (space < spaces) return -1;
                m_column += spaces;
                memset(out, ' ', spaces);
                return static_cast<int>(spaces);
            }
            m_column += spaces;
            break;
        }
        case '\b':
            if (m_column > 0) m_column--;
            break;
        default:
            if (!is_control(c)) {
                if (oflag(OLCUC)) c = to_upper(c);
                if (!is_continuation(c)) m_column++;
            }
            break;
    }
    out[0] = c;
    return 1;
}

usize LineDiscipline::write(const u8* data, usize length) {
    usize room = m_host.output_room();
    if (!oflag(OPOST)) {
        usize n = kstd::min(length, room);
        emit(data, n);
        return n;
    }
    u8 staged[128];
    usize staged_bytes = 0;
    usize done = 0;
    for (; done < length; done++) {
        if (staged_bytes + 8 > sizeof(staged)) {
            emit(staged, staged_bytes);
            staged_bytes = 0;
        }
        int produced = translate_output(data[done], staged + staged_bytes, room);
        if (produced < 0) break;
        staged_bytes += static_cast<usize>(produced);
        room -= static_cast<usize>(produced);
    }
    emit(staged, staged_bytes);
    return done;
}

bool LineDiscipline::input_available(usize amount) const {
    if (m_canonical) return m_canon_head != m_read_tail;
    return count() >= amount;
}

usize LineDiscipline::read_line(u8* out, usize capacity, bool& line_finished) {
    line_finished = false;
    if (m_canon_head == m_read_tail) return 0;
    usize end = m_read_tail;
    while (end + 1 < m_canon_head && !(flags_at(end) & LINE_END)) end++;
    bool end_of_file = flags_at(end) & END_OF_FILE;
    usize data_end = end_of_file ? end : end + 1;
    usize n = kstd::min(capacity, data_end - m_read_tail);
    for (usize i = 0; i < n; i++) out[i] = at(m_read_tail + i);
    m_read_tail += n;
    if (m_read_tail == data_end) {
        line_finished = true;
        // A VEOF right after the data the reader took is consumed with it: it is never
        // data, and reading it on its own would look like end of file (n_tty's
        // canon_skip_eof).
        if (end_of_file) m_read_tail++;
    }
    return n;
}

usize LineDiscipline::read_bytes(u8* out, usize capacity) {
    usize n = kstd::min(capacity, count());
    for (usize i = 0; i < n; i++) out[i] = at(m_read_tail + i);
    m_read_tail += n;
    if (m_canon_head < m_read_tail) m_canon_head = m_read_tail;
    return n;
}

usize LineDiscipline::readable_bytes() const {
    if (!m_canonical) return count();
    usize bytes = 0;
    for (usize position = m_read_tail; position != m_canon_head; position++) {
        if (!(flags_at(position) & END_OF_FILE)) bytes++;
    }
    return bytes;
}

void LineDiscipline::flush_input() {
    m_read_tail = m_canon_head = m_read_head;
    m_erasing = false;
    m_literal_next = false;
}

void LineDiscipline::stop_output() {
    if (m_stopped) return;
    m_stopped = true;
    m_host.flow_changed();
}

void LineDiscipline::start_output() {
    if (!m_stopped || m_stopped_by_request) return;
    m_stopped = false;
    m_host.flow_changed();
}

void LineDiscipline::stop_output_by_request() {
    if (m_stopped_by_request) return;
    m_stopped_by_request = true;
    m_stopped = true;
    m_host.flow_changed();
}

void LineDiscipline::start_output_by_request() {
    if (!m_stopped_by_request) return;
    m_stopped_by_request = false;
    m_stopped = false;
    m_host.flow_changed();
}

}  // namespace tty
