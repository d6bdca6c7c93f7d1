// TTY layer: the terminal ioctls every tty answers (Linux's tty_ioctl, tty_mode_ioctl
// and n_tty_ioctl): termios in its two layouts, window size, job control, queue
// control and sizes, exclusive mode, TIOCSTI. Anything else goes to the driver
// (driver_ioctl), then ENOTTY — which is how isatty() tells a terminal.
#include <asm/ioctls.h>
#include <linux/tty.h>

#include "drivers/tty/job_control.h"
#include "drivers/tty/tty.h"
#include "fs/device.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/user_copy.h"
#include "proc/process.h"

namespace {

// Linux's baud_table (drivers/tty/tty_baudrate.c), indexed by CBAUD, CBAUDEX folded in.
constexpr u32 BAUD_RATES[] = {0,       50,      75,      110,     134,     150,     200,    300,
                              600,     1200,    1800,    2400,    4800,    9600,    19200,  38400,
                              57600,   115200,  230400,  460800,  500000,  576000,  921600, 1000000,
                              1152000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000};
constexpr u32 BAUD_RATE_COUNT = sizeof(BAUD_RATES) / sizeof(BAUD_RATES[0]);

u32 baud_rate_of(tcflag_t code, u32 other_speed) {
    if (code == BOTHER) return other_speed;
    if (code & CBAUDEX) {
        code &= ~CBAUDEX;
        if (code < 1 || code + 15 >= BAUD_RATE_COUNT) return 0;
        code += 15;
    }
    return BAUD_RATES[code];
}

// c_ispeed and c_ospeed as Linux derives them from c_cflag (tty_termios_baud_rate and
// tty_termios_input_baud_rate): an input speed of B0 means "the output speed".
void derive_speeds(termios2& settings) {
    settings.c_ospeed = baud_rate_of(settings.c_cflag & CBAUD, settings.c_ospeed);
    tcflag_t input_code = (settings.c_cflag >> IBSHIFT) & CBAUD;
    settings.c_ispeed = input_code == B0 ? settings.c_ospeed : baud_rate_of(input_code, settings.c_ispeed);
}

template <typename T>
Result<i64> put_int(u64 argument, T value) {
    int number = static_cast<int>(value);
    TRY(mm::copy_to_user(UserPtr<int>(argument), &number));
    return 0;
}

Result<int> get_int(u64 argument) {
    int number;
    TRY(mm::copy_from_user(&number, UserPtr<const int>(argument)));
    return number;
}

}  // namespace

Result<i64> Tty::termios_ioctl(u32 request, u64 argument) {
    termios2 settings = this->settings();
    switch (request) {
        case TCGETS: {
            termios old;
            memcpy(&old, &settings, sizeof(old));  // termios is termios2 without the speeds
            TRY(mm::copy_to_user(UserPtr<termios>(argument), &old));
            return 0;
        }
        case TCGETS2: TRY(mm::copy_to_user(UserPtr<termios2>(argument), &settings)); return 0;
        default: break;
    }
    // Setting: from the background this is a change that stops the group (SIGTTOU).
    TRY(job_control::check_background(*this, SIGTTOU));
    bool layout2 = request == TCSETS2 || request == TCSETSW2 || request == TCSETSF2;
    if (layout2) {
        TRY(mm::copy_from_user(&settings, UserPtr<const termios2>(argument)));
    } else {
        termios old;
        TRY(mm::copy_from_user(&old, UserPtr<const termios>(argument)));
        memcpy(&settings, &old, sizeof(old));
    }
    derive_speeds(settings);
    // *W waits for output to drain: ours is written to the device synchronously (a pty's
    // master queue counts as sent, as Linux's pty_chars_in_buffer says 0). *F also
    // discards unread input.
    set_settings(settings, request == TCSETSF || request == TCSETSF2);
    return 0;
}

Result<i64> Tty::ioctl(File& file, u32 request, u64 argument, bool through_master) {
    switch (request) {
        case TCGETS:
        case TCSETS:
        case TCSETSW:
        case TCSETSF:
        case TCGETS2:
        case TCSETS2:
        case TCSETSW2:
        case TCSETSF2: return termios_ioctl(request, argument);

        case TIOCGWINSZ: {
            winsize size = window_size();
            TRY(mm::copy_to_user(UserPtr<winsize>(argument), &size));
            return 0;
        }
        case TIOCSWINSZ: {
            winsize size;
            TRY(mm::copy_from_user(&size, UserPtr<const winsize>(argument)));
            set_window_size(size);
            return 0;
        }

        case TIOCSCTTY: TRY(job_control::set_controlling_tty(*this, file, argument)); return 0;
        case TIOCNOTTY: TRY(job_control::release_controlling_tty(*this)); return 0;
        case TIOCGPGRP: {
            u32 group = TRY(job_control::foreground_group(*this, through_master));
            return put_int(argument, group);
        }
        case TIOCSPGRP: {
            int group = TRY(get_int(argument));
            TRY(job_control::set_foreground_group(*this, group));
            return 0;
        }
        case TIOCGSID: {
            u32 owner = TRY(job_control::session(*this, through_master));
            return put_int(argument, owner);
        }

        case FIONREAD: return put_int(argument, readable_bytes());
        case TIOCOUTQ: return put_int(argument, 0);  // output reaches the device (or the pty master) at once
        case TCFLSH:
            TRY(job_control::check_background(*this, SIGTTOU));
            switch (argument) {
                case TCIFLUSH: flush(true, false); return 0;
                case TCOFLUSH: flush(false, true); return 0;
                case TCIOFLUSH: flush(true, true); return 0;
                default: return err(EINVAL);
            }
        case TCXONC:
            TRY(job_control::check_background(*this, SIGTTOU));
            switch (argument) {
                case TCOOFF: stop_output_by_request(true); return 0;
                case TCOON: stop_output_by_request(false); return 0;
                case TCIOFF:
                case TCION: {
                    // Send VSTOP or VSTART to the other end.
                    u8 character = settings().c_cc[argument == TCIOFF ? VSTOP : VSTART];
                    if (character) {
                        SpinLockGuard guard(m_lock);
                        if (device_output_room()) device_output(&character, 1);
                    }
                    return 0;
                }
                default: return err(EINVAL);
            }
        case TCSBRK:
        case TCSBRKP:
            // tcdrain (argument 1) and breaks: output is already sent; no line to break.
            TRY(job_control::check_background(*this, SIGTTOU));
            return 0;
        case TIOCSBRK:
        case TIOCCBRK: return 0;

        case TIOCEXCL: set_exclusive(true); return 0;
        case TIOCNXCL: set_exclusive(false); return 0;
        case TIOCGEXCL: return put_int(argument, exclusive() ? 1 : 0);

        case TIOCSTI: {
            // Fake input: only on one's controlling terminal, unless root.
            Process* process = current_process();
            if (!process || (process->controlling_tty != this && !process->credentials.is_superuser()))
                return err(EPERM);
            u8 character;
            TRY(mm::copy_from_user(&character, UserPtr<const u8>(argument)));
            receive(&character, 1);
            return 0;
        }
        case TIOCGETD: return put_int(argument, N_TTY);
        case TIOCSETD: {
            int discipline = TRY(get_int(argument));
            return discipline == N_TTY ? Result<i64>(0) : err(EINVAL);  // the only one there is
        }
        case TIOCGDEV: {
            u32 number = static_cast<u32>(device());  // new_encode_dev: fits 32 bits for our numbers
            TRY(mm::copy_to_user(UserPtr<u32>(argument), &number));
            return 0;
        }
        case TIOCVHANGUP: {
            Process* process = current_process();
            if (!process || !process->credentials.is_superuser()) return err(EPERM);
            job_control::hang_up(*this, false);
            return 0;
        }
        default: return driver_ioctl(file, request, argument);
    }
}
