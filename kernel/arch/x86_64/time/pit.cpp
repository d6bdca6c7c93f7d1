// x86_64 time: the 8254 PIT's channel 2, as a calibration reference (the speaker gate
// of port 0x61 starts it and its output bit tells when the count ran out).
#include "arch/x86_64/cpu/x86.h"
#include "arch/x86_64/time/clocks.h"

namespace x86 {
void pit_wait_ns(u64 ns) {
    constexpr u64 PIT_HZ = 1193182;
    while (ns) {
        u64 chunk = ns > 50000000 ? 50000000 : ns;  // 16-bit counter: at most ~54 ms
        u16 count = static_cast<u16>(chunk * PIT_HZ / 1000000000);
        u8 gate = inb(0x61);
        outb(0x61, (gate & ~0x02) | 0x01);  // speaker off, gate on
        outb(0x43, 0xb0);                   // channel 2, lobyte/hibyte, mode 0
        outb(0x42, count & 0xff);
        outb(0x42, count >> 8);
        // Restart the count by toggling the gate.
        gate = inb(0x61);
        outb(0x61, gate & ~0x01);
        outb(0x61, gate | 0x01);
        while (!(inb(0x61) & 0x20)) pause();
        ns -= chunk;
    }
}
}  // namespace x86
