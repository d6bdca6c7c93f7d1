// Drivers: the 16550 UART (PC serial ports ttyS0..ttyS3).
//
// Output is polled (the console must work from a panic with interrupts off); input is
// interrupt driven once the interrupt controllers are up, and handed to a receiver (the
// tty layer) one byte at a time.
#pragma once

#include "lib/types.h"
#include "log/console.h"

class Uart16550 final : public Console {
public:
    static Uart16550* port(unsigned index);  // ttyS<index>, or null when absent
    static constexpr unsigned MAX_PORTS = 4;

    bool probe_and_init(u32 baud);
    bool present() const { return m_present; }
    void write(const char* data, usize len) override;
    const char* name() const override { return m_name; }

    void put_char(char c);
    // Polled read for early debugging and the ktest harness; -1 when nothing is waiting.
    int try_get_char();

    // Routes received bytes to `receiver` from the port's interrupt.
    void set_receiver(void (*receiver)(void* context, u8 byte), void* context);
    void enable_receive_interrupts();
    void handle_interrupt();
    u8 legacy_irq() const { return m_irq; }

private:
    constexpr Uart16550(u16 base, u8 irq, const char* name) : m_base(base), m_irq(irq), m_name(name) {}
    u8 read_register(u16 offset);
    void write_register(u16 offset, u8 value);

    u16 m_base;
    u8 m_irq;
    const char* m_name;
    bool m_present = false;
    void (*m_receiver)(void*, u8) = nullptr;
    void* m_receiver_context = nullptr;
};
