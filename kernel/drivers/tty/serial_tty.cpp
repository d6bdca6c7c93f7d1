// TTY layer: the serial console as a terminal — /dev/ttyS<n> (4:64+n) and /dev/console
// (5:1) on the UART the kernel log uses. Received bytes come from the port's interrupt
// into the line discipline; output is written to the UART as the line discipline made
// it (ONLCR and all). The kernel log keeps writing to the UART directly, so a panic needs
// nothing from this layer.
#include <asm/ioctls.h>
#include <linux/serial.h>

#include "arch/interrupts.h"
#include "drivers/serial/uart16550.h"
#include "drivers/tty/tty_file.h"
#include "drivers/tty/tty_init.h"
#include "fs/device.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"
#include "log/klog.h"
#include "mm/user_copy.h"

namespace {

constexpr u32 TTYS_MAJOR = 4, TTYS_FIRST_MINOR = 64;
// The PC's standard ports ttyS0..ttyS3 (for TIOCGSERIAL; Linux's SERIAL_PORT_DFNS).
constexpr u32 PC_PORTS[] = {0x3f8, 0x2f8, 0x3e8, 0x2e8};

termios2 serial_termios() {
    // Linux's serial core (B9600 | CS8 | CREAD | HUPCL | CLOCAL) at the console's speed.
    termios2 settings = tty::default_termios();
    settings.c_cflag = B115200 | CS8 | CREAD | HUPCL | CLOCAL;
    settings.c_ispeed = settings.c_ospeed = 115200;
    return settings;
}

class SerialTty final : public Tty {
public:
    SerialTty(Uart16550& port, u32 index, const char* name)
        : Tty(TtyKind::Serial, name, make_dev(TTYS_MAJOR, TTYS_FIRST_MINOR + index), serial_termios()),
          m_port(port),
          m_index(index) {}

    u32 index() const { return m_index; }

private:
    // Output is polled (the UART's transmit register drains at line speed, QEMU's at
    // once) with the tty's lock held: a writer passes at most this much per hold, so
    // interrupts are not kept off for long (64 bytes take 5.6 ms at 115200 baud).
    usize device_output_room() override { return 64; }
    void device_output(const u8* data, usize length) override {
        for (usize i = 0; i < length; i++) m_port.put_char(static_cast<char>(data[i]));
    }

    Result<i64> driver_ioctl(File&, u32 request, u64 argument) override {
        if (request != TIOCGSERIAL) return err(ENOTTY);
        // What busybox's cttyhack uses to find the console's real device.
        serial_struct info{};
        info.type = PORT_16550A;
        info.line = static_cast<int>(m_index);
        info.port = m_index < 4 ? PC_PORTS[m_index] : 0;
        info.irq = m_port.legacy_irq();
        info.xmit_fifo_size = 16;
        info.baud_base = 115200;
        TRY(mm::copy_to_user(UserPtr<serial_struct>(argument), &info));
        return 0;
    }

    Uart16550& m_port;
    u32 m_index;
};

SerialTty* g_serial = nullptr;

void receive_byte(void* context, u8 byte) { static_cast<SerialTty*>(context)->receive(&byte, 1); }

Result<RefPtr<File>> open_serial(const Path& path, u32 flags, u32 minor, void*) {
    if (!g_serial || minor != TTYS_FIRST_MINOR + g_serial->index()) return err(ENXIO);
    return TtyFile::open(RefPtr<Tty>(g_serial), path, flags, TtyFile::OpenedAs::Terminal);
}

Result<RefPtr<File>> open_console(const Path& path, u32 flags, u32, void*) {
    if (!g_serial) return err(ENXIO);
    return TtyFile::open(RefPtr<Tty>(g_serial), path, flags, TtyFile::OpenedAs::Console);
}

CharDevice g_serial_devices{false,  TTYS_MAJOR,  TTYS_FIRST_MINOR, Uart16550::MAX_PORTS,
                            "ttyS", open_serial, nullptr,          {}};
CharDevice g_console_device{false, 5, 1, 1, "/dev/console", open_console, nullptr, {}};
vfs::DeviceNode g_console_node{"console", S_IFCHR | 0600, make_dev(5, 1), {}};
char g_serial_node_name[8];
vfs::DeviceNode g_serial_node{g_serial_node_name, S_IFCHR | 0600, 0, {}};

}  // namespace

namespace tty {

void register_serial(Uart16550* port) {
    vfs::register_char_device(g_serial_devices);
    vfs::register_char_device(g_console_device);
    vfs::publish_device_node(g_console_node);
    if (!port) return;
    // "ttyS<n>": the port's index is its name's digit.
    const char* name = port->name();
    usize length = strlen(name);
    u32 index = length ? static_cast<u32>(name[length - 1] - '0') : 0;
    if (index >= Uart16550::MAX_PORTS) index = 0;
    g_serial = new (kstd::nothrow) SerialTty(*port, index, name);  // lives for the kernel's lifetime
    if (!g_serial) {
        pr_err("tty: no memory for the serial console");
        return;
    }
    klib::strlcpy(g_serial_node_name, name, sizeof(g_serial_node_name));
    g_serial_node.rdev = g_serial->device();
    vfs::publish_device_node(g_serial_node);

    port->set_receiver(receive_byte, g_serial);
    auto irq = arch::request_isa_irq(
        port->legacy_irq(), [](void* p) { static_cast<Uart16550*>(p)->handle_interrupt(); }, port,
        port->name());
    if (irq.is_error()) {
        pr_warn("tty: no interrupt for %s: it writes but cannot read", port->name());
        return;
    }
    port->enable_receive_interrupts();
}

}  // namespace tty
