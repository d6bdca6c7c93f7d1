// Drivers: the 16550 UART (see uart16550.h). Register layout from the PC16550D datasheet.
#include "drivers/serial/uart16550.h"

#include "arch/cpu.h"
#include "arch/io.h"

namespace {
enum Register : u16 {
    RBR_THR = 0,  // receive buffer / transmit holding (DLL when DLAB=1)
    IER = 1,      // interrupt enable (DLM when DLAB=1)
    IIR_FCR = 2,  // interrupt identification / FIFO control
    LCR = 3,      // line control
    MCR = 4,      // modem control
    LSR = 5,      // line status
    SCR = 7,      // scratch
};
constexpr u8 LCR_DLAB = 0x80;
constexpr u8 LCR_8N1 = 0x03;
constexpr u8 LSR_DATA_READY = 0x01;
constexpr u8 LSR_THR_EMPTY = 0x20;
constexpr u8 IER_RX_AVAILABLE = 0x01;
constexpr u8 MCR_DTR_RTS_OUT2 = 0x0b;  // OUT2 gates the IRQ line on PCs
constexpr u8 FCR_ENABLE_CLEAR_14 = 0xc7;
}  // namespace

Uart16550* Uart16550::port(unsigned index) {
    static Uart16550 ports[MAX_PORTS] = {
        Uart16550(0x3f8, 4, "ttyS0"),
        Uart16550(0x2f8, 3, "ttyS1"),
        Uart16550(0x3e8, 4, "ttyS2"),
        Uart16550(0x2e8, 3, "ttyS3"),
    };
    return index < MAX_PORTS ? &ports[index] : nullptr;
}

u8 Uart16550::read_register(u16 offset) { return arch::io_read8(m_base + offset); }
void Uart16550::write_register(u16 offset, u8 value) { arch::io_write8(m_base + offset, value); }

bool Uart16550::probe_and_init(u32 baud) {
    // An absent port reads back 0xff; a present one keeps what we write to scratch.
    write_register(SCR, 0x5a);
    if (read_register(SCR) != 0x5a) return false;
    if (baud == 0 || baud > 115200) baud = 115200;
    u16 divisor = static_cast<u16>(115200 / baud);
    write_register(IER, 0);
    write_register(LCR, LCR_DLAB);
    write_register(RBR_THR, divisor & 0xff);
    write_register(IER, divisor >> 8);
    write_register(LCR, LCR_8N1);
    write_register(IIR_FCR, FCR_ENABLE_CLEAR_14);
    write_register(MCR, MCR_DTR_RTS_OUT2);
    m_present = true;
    return true;
}

void Uart16550::put_char(char c) {
    // Bounded wait: a wedged UART must not hang a panic forever.
    for (int spins = 0; spins < 100000 && !(read_register(LSR) & LSR_THR_EMPTY); spins++)
        arch::cpu_relax();
    write_register(RBR_THR, static_cast<u8>(c));
}

void Uart16550::write(const char* data, usize len) {
    if (!m_present) return;
    for (usize i = 0; i < len; i++) {
        if (data[i] == '\n') put_char('\r');
        put_char(data[i]);
    }
}

int Uart16550::try_get_char() {
    if (!m_present || !(read_register(LSR) & LSR_DATA_READY)) return -1;
    return read_register(RBR_THR);
}

void Uart16550::set_receiver(void (*receiver)(void*, u8), void* context) {
    m_receiver_context = context;
    m_receiver = receiver;
}

void Uart16550::enable_receive_interrupts() {
    if (m_present) write_register(IER, IER_RX_AVAILABLE);
}

void Uart16550::handle_interrupt() {
    while (read_register(LSR) & LSR_DATA_READY) {
        u8 byte = read_register(RBR_THR);
        if (m_receiver) m_receiver(m_receiver_context, byte);
    }
}
