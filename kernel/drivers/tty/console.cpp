// Drivers: the system console device (see console.h).
#include "drivers/tty/console.h"

#include <asm/ioctls.h>
#include <asm/termbits.h>
#include <asm/termios.h>

#include "arch/interrupts.h"
#include "drivers/serial/uart16550.h"
#include "fs/device.h"
#include "log/console.h"
#include "mm/user_copy.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "sync/wait_queue.h"

namespace console {
namespace {

constexpr usize BUFFER = 4096;

struct State {
    Uart16550* port = nullptr;
    // Input: bytes of completed lines ready to read, and the line being edited.
    char ready[BUFFER];
    usize ready_head = 0, ready_count = 0;
    char line[BUFFER];
    usize line_length = 0;
    WaitQueue readers;
    termios settings{};
    winsize window{24, 80, 0, 0};
    u32 foreground_group = 0;
};
State g_state;

void echo(const char* text, usize length) { console_write(text, length); }

void deliver(const char* data, usize length) {
    for (usize i = 0; i < length && g_state.ready_count < BUFFER; i++) {
        g_state.ready[(g_state.ready_head + g_state.ready_count) % BUFFER] = data[i];
        g_state.ready_count++;
    }
    g_state.readers.wake_all();
}

void signal_foreground(int signal) {
    if (g_state.foreground_group) (void)send_signal_to_group(g_state.foreground_group, make_signal_info(signal, SI_KERNEL));
}

// Interrupt context: one received byte through a small canonical line discipline.
void receive(void*, u8 byte) {
    char c = static_cast<char>(byte);
    bool canonical = g_state.settings.c_lflag & ICANON;
    if ((g_state.settings.c_iflag & ICRNL) && c == '\r') c = '\n';
    if (g_state.settings.c_lflag & ISIG) {
        if (c == g_state.settings.c_cc[VINTR]) {
            g_state.line_length = 0;
            echo("^C\n", 3);
            signal_foreground(SIGINT);
            return;
        }
        if (c == g_state.settings.c_cc[VQUIT]) {
            echo("^\\\n", 3);
            signal_foreground(SIGQUIT);
            return;
        }
        if (c == g_state.settings.c_cc[VSUSP]) {
            echo("^Z\n", 3);
            signal_foreground(SIGTSTP);
            return;
        }
    }
    if (!canonical) {
        deliver(&c, 1);
        if (g_state.settings.c_lflag & ECHO) echo(&c, 1);
        return;
    }
    if (c == g_state.settings.c_cc[VERASE] || c == '\b') {
        if (g_state.line_length) {
            g_state.line_length--;
            if (g_state.settings.c_lflag & ECHO) echo("\b \b", 3);
        }
        return;
    }
    if (c == g_state.settings.c_cc[VEOF]) {
        deliver(g_state.line, g_state.line_length);
        g_state.line_length = 0;
        if (g_state.ready_count == 0) g_state.readers.wake_all();  // EOF: a zero-length read
        return;
    }
    if (g_state.line_length < BUFFER) g_state.line[g_state.line_length++] = c;
    if (g_state.settings.c_lflag & ECHO) echo(&c, 1);
    if (c == '\n') {
        deliver(g_state.line, g_state.line_length);
        g_state.line_length = 0;
    }
}

class ConsoleFile final : public File {
public:
    ConsoleFile(u32 flags, const Path& path) : File(flags, path, path.dentry->inode_ref()) {}

    Result<usize> read(u64, IoBuffer buffer, usize length) override {
        if (length == 0) return 0;
        if (nonblocking() && g_state.ready_count == 0) return err(EAGAIN);
        TRY(g_state.readers.wait_until([&] { return g_state.ready_count > 0 || m_eof_pending(); }));
        char chunk[256];
        usize n;
        {
            arch::InterruptGuard guard;
            n = kstd::min({length, g_state.ready_count, sizeof(chunk)});
            for (usize i = 0; i < n; i++) chunk[i] = g_state.ready[(g_state.ready_head + i) % BUFFER];
            g_state.ready_head = (g_state.ready_head + n) % BUFFER;
            g_state.ready_count -= n;
        }
        TRY(buffer.write(0, chunk, n));
        return n;
    }

    Result<usize> write(u64, IoBuffer buffer, usize length) override {
        char chunk[256];
        usize done = 0;
        while (done < length) {
            usize n = kstd::min(sizeof(chunk), length - done);
            TRY(buffer.read(done, chunk, n));
            console_write(chunk, n);
            done += n;
        }
        return length;
    }

    u32 poll(PollTable* table) override {
        if (table) table->add(g_state.readers);
        return POLLOUT | POLLWRNORM | (g_state.ready_count ? POLLIN | POLLRDNORM : 0);
    }

    Result<i64> ioctl(u32 request, u64 argument) override {
        switch (request) {
        case TCGETS:
            TRY(mm::copy_to_user(UserPtr<termios>(argument), &g_state.settings));
            return 0;
        case TCSETS: case TCSETSW: case TCSETSF: {
            termios updated;
            TRY(mm::copy_from_user(&updated, UserPtr<const termios>(argument)));
            arch::InterruptGuard guard;
            g_state.settings = updated;
            return 0;
        }
        case TIOCGWINSZ:
            TRY(mm::copy_to_user(UserPtr<winsize>(argument), &g_state.window));
            return 0;
        case TIOCSWINSZ:
            TRY(mm::copy_from_user(&g_state.window, UserPtr<const winsize>(argument)));
            return 0;
        case TIOCGPGRP: {
            // No session has the console as its terminal: ENOTTY, as Linux answers a
            // process whose controlling terminal it is not (shells then run without job
            // control instead of waiting to be put in the foreground).
            if (!g_state.foreground_group) return err(ENOTTY);
            int group = static_cast<int>(g_state.foreground_group);
            TRY(mm::copy_to_user(UserPtr<int>(argument), &group));
            return 0;
        }
        case TIOCSPGRP: {
            int group;
            TRY(mm::copy_from_user(&group, UserPtr<const int>(argument)));
            if (group <= 0) return err(EINVAL);
            g_state.foreground_group = static_cast<u32>(group);
            return 0;
        }
        case TIOCSCTTY:
            current_process()->controlling_tty = nullptr;
            g_state.foreground_group = current_process()->pgid;
            return 0;
        case TIOCGSID: {
            int sid = static_cast<int>(current_process()->sid);
            TRY(mm::copy_to_user(UserPtr<int>(argument), &sid));
            return 0;
        }
        case FIONREAD: {
            int count = static_cast<int>(g_state.ready_count);
            TRY(mm::copy_to_user(UserPtr<int>(argument), &count));
            return 0;
        }
        case TCFLSH:
            if (argument == TCIFLUSH || argument == TCIOFLUSH) {
                arch::InterruptGuard guard;
                g_state.ready_count = 0;
                g_state.line_length = 0;
            }
            return 0;
        case TCXONC: case TCSBRK: case TIOCNOTTY:
            return 0;
        default:
            return err(ENOTTY);
        }
    }

    const char* kind_name() const override { return "console"; }

private:
    static bool m_eof_pending() { return false; }
};

Result<RefPtr<File>> open_console(const Path& path, u32 flags, u32, void*) {
    RefPtr<File> file(adopt, new (kstd::nothrow) ConsoleFile(flags, path));
    if (!file) return err(ENOMEM);
    // A session leader without a terminal opening one gets it as its controlling terminal.
    Process* process = current_process();
    if (!(flags & O_NOCTTY) && process && process->sid == process->pid() && !g_state.foreground_group)
        g_state.foreground_group = process->pgid;
    return file;
}

CharDevice g_console_devices[] = {
    {false, 5, 0, 2, "/dev/tty", open_console, nullptr, {}},   // /dev/tty, /dev/console
    {false, 4, 64, 1, "ttyS", open_console, nullptr, {}},      // /dev/ttyS0
};

void init_settings() {
    termios& t = g_state.settings;
    t.c_iflag = ICRNL | IXON;
    t.c_oflag = OPOST | ONLCR;
    t.c_cflag = B115200 | CS8 | CREAD | HUPCL | CLOCAL;
    t.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
    t.c_cc[VINTR] = 3;
    t.c_cc[VQUIT] = 28;
    t.c_cc[VERASE] = 127;
    t.c_cc[VKILL] = 21;
    t.c_cc[VEOF] = 4;
    t.c_cc[VMIN] = 1;
    t.c_cc[VSUSP] = 26;
    t.c_cc[VWERASE] = 23;
}

}  // namespace

void init(Uart16550* port) {
    g_state.port = port;
    init_settings();
    for (CharDevice& device : g_console_devices) vfs::register_char_device(device);
    if (!port) return;
    port->set_receiver(receive, nullptr);
    if (arch::request_isa_irq(port->legacy_irq(),
                              [](void* p) { static_cast<Uart16550*>(p)->handle_interrupt(); }, port, port->name())
            .is_error())
        return;
    port->enable_receive_interrupts();
}

}  // namespace console
