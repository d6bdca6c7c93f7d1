// x86_64 interrupts: the local APIC (Intel SDM vol. 3, chapter 11).
#include "arch/x86_64/interrupts/lapic.h"

#include "arch/x86_64/cpu/idt.h"
#include "arch/x86_64/cpu/x86.h"
#include "debug/panic.h"
#include "log/klog.h"
#include "mm/kernel_vm.h"

namespace x86::lapic {
namespace {

enum Register : u32 {
    ID = 0x20,
    VERSION = 0x30,
    TPR = 0x80,
    EOI = 0xb0,
    SVR = 0xf0,
    ESR = 0x280,
    LVT_TIMER = 0x320,
    LVT_LINT0 = 0x350,
    LVT_LINT1 = 0x360,
    LVT_ERROR = 0x370,
    TIMER_INITIAL = 0x380,
    TIMER_CURRENT = 0x390,
    TIMER_DIVIDE = 0x3e0,
};
constexpr u32 SVR_ENABLE = 1 << 8;
constexpr u32 LVT_MASKED = 1 << 16;
constexpr u32 LVT_NMI = 4 << 8;
constexpr u32 DIVIDE_BY_16 = 0x3;

volatile u32* g_registers = nullptr;
u64 g_timer_hz = 0;
u64 g_ticks_per_ns = 0;  // 32.32 fixed point

u32 read(Register reg) { return g_registers[reg / 4]; }
void write(Register reg, u32 value) { g_registers[reg / 4] = value; }

}  // namespace

void init(PhysAddr base) {
    auto mapped = mm::ioremap(base, 4096);
    if (mapped.is_error()) panic("lapic: cannot map registers at %#lx", base);
    g_registers = static_cast<volatile u32*>(mapped.value());
    // Globally enable the APIC in the MSR (firmware may have left it off), then in SVR.
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1 << 11));
    write(TPR, 0);
    write(LVT_TIMER, LVT_MASKED | TIMER_VECTOR);
    write(LVT_LINT0, LVT_MASKED);
    write(LVT_LINT1, LVT_NMI);  // LINT1 is wired to NMI on PCs
    write(LVT_ERROR, LVT_MASKED);
    write(ESR, 0);
    write(SVR, SVR_ENABLE | SPURIOUS_VECTOR);
    write(TIMER_DIVIDE, DIVIDE_BY_16);
    end_of_interrupt();
    pr_info("lapic: id %u version %#x at %#lx", id(), read(VERSION) & 0xff, base);
}

bool ready() { return g_registers != nullptr; }
void end_of_interrupt() {
    if (g_registers) write(EOI, 0);
}
u32 id() { return read(ID) >> 24; }

void calibrate_timer(u64 (*reference_ns)(), u64 window_ns) {
    write(LVT_TIMER, LVT_MASKED | TIMER_VECTOR);
    write(TIMER_INITIAL, 0xffffffff);
    u64 start = reference_ns();
    u32 start_count = read(TIMER_CURRENT);
    u64 end;
    while ((end = reference_ns()) - start < window_ns) pause();
    u32 end_count = read(TIMER_CURRENT);
    write(TIMER_INITIAL, 0);
    u64 elapsed = end - start;
    g_timer_hz = elapsed ? u64(start_count - end_count) * 1000000000 / elapsed : 0;
    if (!g_timer_hz) panic("lapic: timer does not count");
    g_ticks_per_ns = static_cast<u64>((static_cast<unsigned __int128>(g_timer_hz) << 32) / 1000000000);
    pr_info("lapic: timer runs at %lu.%03lu MHz", g_timer_hz / 1000000, g_timer_hz / 1000 % 1000);
}

u64 timer_frequency_hz() { return g_timer_hz; }

void arm_timer_ns(u64 ns) {
    if (ns == 0) {
        write(TIMER_INITIAL, 0);
        return;
    }
    u64 ticks = static_cast<u64>((static_cast<unsigned __int128>(ns) * g_ticks_per_ns) >> 32);
    if (ticks == 0) ticks = 1;
    if (ticks > 0xffffffff) ticks = 0xffffffff;  // the caller re-arms when it fires early
    write(LVT_TIMER, TIMER_VECTOR);              // one-shot, unmasked
    write(TIMER_INITIAL, static_cast<u32>(ticks));
}

}  // namespace x86::lapic
