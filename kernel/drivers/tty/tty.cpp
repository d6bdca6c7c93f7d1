// TTY layer: the tty core (see tty.h) — blocking reads with Linux's VMIN/VTIME rules
// (n_tty_read), writes through the line discipline's output processing (n_tty_write),
// poll, input from the device, and the state job control and hang-ups work on.
#include "drivers/tty/tty.h"

#include "drivers/tty/job_control.h"
#include "drivers/tty/tty_file.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "time/clock.h"

namespace {

int signal_number(tty::TtySignal signal) {
    switch (signal) {
        case tty::TtySignal::Interrupt: return SIGINT;
        case tty::TtySignal::Quit: return SIGQUIT;
        case tty::TtySignal::Suspend: return SIGTSTP;
    }
    return SIGINT;
}

// VTIME counts tenths of a second.
constexpr u64 VTIME_UNIT_NS = 100 * ktime::NSEC_PER_MSEC;

}  // namespace

ErrorOr TtyTurn::take(bool nonblocking) {
    if (!m_taken.exchange(true)) return {};
    if (nonblocking) return err(EAGAIN);
    // The exchange runs under the queue's lock, so give_back's wake-up cannot be missed.
    if (m_waiters.wait_until([&] { return !m_taken.exchange(true); }).is_error()) return err(ERESTARTSYS);
    return {};
}

void TtyTurn::give_back() {
    m_taken.store(false);
    m_waiters.wake_one();
}

Tty::Tty(TtyKind kind, const char* name, u64 device, const termios2& settings)
    : m_discipline(*this), m_kind(kind), m_device(device) {
    klib::strlcpy(m_name, name, sizeof(m_name));
    m_discipline.set_settings(settings);
}

Tty::~Tty() = default;

ErrorOr Tty::check_open(u32) {
    // TIOCEXCL: no further opens except by root (Linux's tty_reopen).
    if (m_exclusive && !(current_process() && current_process()->credentials.is_superuser()))
        return err(EBUSY);
    return {};
}

Result<i64> Tty::driver_ioctl(File&, u32, u64) { return err(ENOTTY); }

void Tty::signal_foreground(tty::TtySignal signal) { m_pending_signals |= 1u << static_cast<u32>(signal); }

void Tty::deliver_pending_signals() {
    u32 signals, group;
    bool flow_changed;
    {
        SpinLockGuard guard(m_lock);
        signals = kstd::exchange(m_pending_signals, 0u);
        flow_changed = kstd::exchange(m_flow_changed, false);
        group = m_foreground_group;
    }
    if (flow_changed) wake_writers();
    for (u32 bit = 0; signals; bit++, signals >>= 1) {
        if ((signals & 1) && group) {
            // Linux's isig: kill_pgrp(..., priv=1), a signal from the kernel.
            (void)send_signal_to_group(
                group, make_signal_info(signal_number(static_cast<tty::TtySignal>(bit)), SI_KERNEL));
        }
    }
}

usize Tty::receive(const u8* data, usize length) {
    usize taken;
    {
        SpinLockGuard guard(m_lock);
        taken = m_discipline.receive(data, length);
    }
    if (taken) wake_readers();
    deliver_pending_signals();
    return taken;
}

usize Tty::receive_room() {
    SpinLockGuard guard(m_lock);
    return m_discipline.receive_room();
}

Result<usize> Tty::read(TtyFile& file, IoBuffer buffer, usize length) {
    if (file.hung_up()) return 0;
    // A background process group reading its controlling terminal stops (SIGTTIN).
    if (!file.is_console()) TRY(job_control::check_background(*this, SIGTTIN));
    if (length == 0) return 0;
    TRY(m_read_turn.take(file.nonblocking()));
    TtyTurnGuard reader(m_read_turn);

    // POSIX's four cases of non-canonical input (n_tty_read): MIN>0 TIME>0 waits for the
    // first byte, then at most TIME between bytes; MIN>0 TIME=0 waits for MIN bytes;
    // MIN=0 TIME>0 waits at most TIME for one byte; MIN=0 TIME=0 never waits.
    usize minimum = 0;
    u64 inter_byte_ns = 0, deadline_ns = 0;
    bool never_wait = false;
    {
        SpinLockGuard guard(m_lock);
        const termios2& settings = m_discipline.settings();
        if (!(settings.c_lflag & ICANON)) {
            u64 time_ns = settings.c_cc[VTIME] * VTIME_UNIT_NS;
            minimum = settings.c_cc[VMIN];
            if (minimum) {
                inter_byte_ns = time_ns;
            } else {
                minimum = 1;
                if (time_ns)
                    deadline_ns = ktime::monotonic_ns() + time_ns;
                else
                    never_wait = true;
            }
        }
    }

    usize copied = 0;
    u8 chunk[256];
    while (copied < length) {
        usize n = 0;
        bool available = false, canonical, line_finished = false;
        {
            SpinLockGuard guard(m_lock);
            canonical = m_discipline.settings().c_lflag & ICANON;
            if (m_discipline.input_available()) {
                available = true;
                usize wanted = kstd::min(sizeof(chunk), length - copied);
                n = canonical ? m_discipline.read_line(chunk, wanted, line_finished)
                              : m_discipline.read_bytes(chunk, wanted);
            }
        }
        if (available) {
            input_consumed();
            if (n && buffer.write(copied, chunk, n).is_error())
                return copied ? Result<usize>(copied) : err(EFAULT);
            copied += n;
            if (canonical) {
                if (line_finished) break;  // one line per read
                continue;
            }
            if (inter_byte_ns) deadline_ns = ktime::monotonic_ns() + inter_byte_ns;
            continue;
        }
        if (copied && (canonical || copied >= minimum)) break;
        if (file.hung_up() || never_wait) break;
        if (file.nonblocking()) {
            if (copied) break;
            return err(EAGAIN);
        }
        auto waited = m_read_wait.wait_until([&] { return m_discipline.input_available() || file.hung_up(); },
                                             WaitMode::Interruptible, deadline_ns);
        if (waited.is_error()) {
            if (waited.error().code() == ETIMEDOUT || copied) break;
            return err(ERESTARTSYS);
        }
    }
    return copied;
}

Result<usize> Tty::write(TtyFile& file, IoBuffer buffer, usize length) {
    if (file.hung_up()) return err(EIO);
    if (!file.is_console()) {
        bool tostop;
        {
            SpinLockGuard guard(m_lock);
            tostop = m_discipline.settings().c_lflag & TOSTOP;
        }
        // With TOSTOP a background process group writing stops (SIGTTOU).
        if (tostop) TRY(job_control::check_background(*this, SIGTTOU));
    }
    TRY(m_write_turn.take(file.nonblocking()));
    TtyTurnGuard writer(m_write_turn);
    usize done = 0;
    u8 chunk[256];
    while (done < length) {
        usize n = kstd::min(sizeof(chunk), length - done);
        if (buffer.read(done, chunk, n).is_error()) return done ? Result<usize>(done) : err(EFAULT);
        usize offset = 0;
        while (offset < n) {
            usize taken = 0;
            {
                SpinLockGuard guard(m_lock);
                if (!m_discipline.output_stopped()) taken = m_discipline.write(chunk + offset, n - offset);
            }
            offset += taken;
            if (taken) continue;
            usize so_far = done + offset;
            if (file.hung_up()) return so_far ? Result<usize>(so_far) : err(EIO);
            if (file.nonblocking()) return so_far ? Result<usize>(so_far) : err(EAGAIN);
            auto waited = m_write_wait.wait_until([&] {
                return file.hung_up() ||
                       (!m_discipline.output_stopped() && device_output_room() >= TTY_MAX_OUTPUT_EXPANSION);
            });
            if (waited.is_error()) return so_far ? Result<usize>(so_far) : err(ERESTARTSYS);
        }
        done += n;
    }
    return done;
}

bool Tty::readable_for_poll() {
    // With VMIN>0 and VTIME=0 a read blocks until VMIN bytes came: poll says so too.
    const termios2& settings = m_discipline.settings();
    usize amount = 1;
    if (!(settings.c_lflag & ICANON) && settings.c_cc[VTIME] == 0 && settings.c_cc[VMIN])
        amount = settings.c_cc[VMIN];
    return m_discipline.input_available(amount);
}

u32 Tty::poll(TtyFile& file, PollTable* table) {
    if (file.hung_up()) return POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDNORM | POLLWRNORM;
    if (table) {
        table->add(m_read_wait);
        table->add(m_write_wait);
    }
    SpinLockGuard guard(m_lock);
    u32 events = 0;
    if (readable_for_poll()) events |= POLLIN | POLLRDNORM;
    if (!m_discipline.output_stopped() && device_output_room() > 0) events |= POLLOUT | POLLWRNORM;
    return events;
}

termios2 Tty::settings() {
    SpinLockGuard guard(m_lock);
    return m_discipline.settings();
}

void Tty::set_settings(const termios2& settings, bool flush_input) {
    {
        SpinLockGuard guard(m_lock);
        if (flush_input) m_discipline.flush_input();
        m_discipline.set_settings(settings);
    }
    // Switching modes may make input readable or output possible (n_tty_set_termios).
    wake_readers();
    wake_writers();
    deliver_pending_signals();
}

winsize Tty::window_size() {
    SpinLockGuard guard(m_lock);
    return m_window;
}

void Tty::set_window_size(const winsize& size) {
    bool changed;
    {
        SpinLockGuard guard(m_lock);
        changed = memcmp(&m_window, &size, sizeof(size)) != 0;
        m_window = size;
    }
    if (changed) signal_foreground_group(SIGWINCH);
}

void Tty::flush(bool input, bool output) {
    {
        SpinLockGuard guard(m_lock);
        if (input) m_discipline.flush_input();
        if (output) device_flush_output();
    }
    if (input) input_consumed();
    if (output) wake_writers();
}

usize Tty::readable_bytes() {
    SpinLockGuard guard(m_lock);
    return m_discipline.readable_bytes();
}

void Tty::stop_output_by_request(bool stop) {
    {
        SpinLockGuard guard(m_lock);
        if (stop)
            m_discipline.stop_output_by_request();
        else
            m_discipline.start_output_by_request();
    }
    deliver_pending_signals();
}

u32 Tty::session() {
    SpinLockGuard guard(m_lock);
    return m_session;
}

u32 Tty::foreground_group() {
    SpinLockGuard guard(m_lock);
    return m_foreground_group;
}

void Tty::set_control(u32 session, u32 foreground_group) {
    SpinLockGuard guard(m_lock);
    m_session = session;
    m_foreground_group = foreground_group;
}

void Tty::set_foreground_group(u32 foreground_group) {
    SpinLockGuard guard(m_lock);
    m_foreground_group = foreground_group;
}

void Tty::signal_foreground_group(int signal) {
    u32 group = foreground_group();
    if (group) (void)send_signal_to_group(group, make_signal_info(signal, SI_KERNEL));
}

void Tty::hang_up_files(u32& session, u32& foreground_group) {
    {
        SpinLockGuard guard(m_lock);
        session = kstd::exchange(m_session, 0u);
        foreground_group = kstd::exchange(m_foreground_group, 0u);
        m_hangup_generation++;
        m_discipline.flush_input();
        device_flush_output();
    }
    wake_readers();
    wake_writers();
    input_consumed();
}
