// x86_64 interrupts: I/O APICs (82093AA datasheet) and the 8259 PICs (see ioapic.h).
#include "arch/x86_64/interrupts/ioapic.h"

#include "arch/x86_64/cpu/x86.h"
#include "log/klog.h"
#include "mm/kernel_vm.h"

namespace x86::ioapic {
namespace {

struct IoApic {
    volatile u32* registers;
    u32 gsi_base;
    u32 lines;
};
IoApic g_ioapics[acpi::MadtInfo::MAX_IOAPICS];
usize g_count = 0;
const acpi::MadtInfo* g_madt = nullptr;

constexpr u32 REG_VERSION = 0x01;
constexpr u32 REG_REDIRECTION = 0x10;
constexpr u64 ENTRY_MASKED = 1 << 16;
constexpr u64 ENTRY_LEVEL = 1 << 15;
constexpr u64 ENTRY_ACTIVE_LOW = 1 << 13;

u32 read(IoApic& io, u32 reg) {
    io.registers[0] = reg;  // IOREGSEL
    return io.registers[4];  // IOWIN at +0x10
}
void write(IoApic& io, u32 reg, u32 value) {
    io.registers[0] = reg;
    io.registers[4] = value;
}

IoApic* find(u32 gsi) {
    for (usize i = 0; i < g_count; i++) {
        if (gsi >= g_ioapics[i].gsi_base && gsi < g_ioapics[i].gsi_base + g_ioapics[i].lines) return &g_ioapics[i];
    }
    return nullptr;
}

void write_entry(IoApic& io, u32 line, u64 entry) {
    write(io, REG_REDIRECTION + line * 2 + 1, static_cast<u32>(entry >> 32));
    write(io, REG_REDIRECTION + line * 2, static_cast<u32>(entry));
}

}  // namespace

void init(const acpi::MadtInfo& madt) {
    g_madt = &madt;
    for (usize i = 0; i < madt.ioapic_count; i++) {
        auto mapped = mm::ioremap(madt.ioapics[i].address, 4096);
        if (mapped.is_error()) continue;
        IoApic& io = g_ioapics[g_count++];
        io.registers = static_cast<volatile u32*>(mapped.value());
        io.gsi_base = madt.ioapics[i].gsi_base;
        io.lines = ((read(io, REG_VERSION) >> 16) & 0xff) + 1;
        for (u32 line = 0; line < io.lines; line++) write_entry(io, line, ENTRY_MASKED);
        pr_info("ioapic: id %u at %#x, GSIs %u-%u", madt.ioapics[i].id, madt.ioapics[i].address,
                io.gsi_base, io.gsi_base + io.lines - 1);
    }
}

bool ready() { return g_count > 0; }

bool route(u32 gsi, u8 vector, Trigger trigger, Polarity polarity) {
    IoApic* io = find(gsi);
    if (!io) return false;
    u64 entry = vector;  // fixed delivery, physical destination
    if (trigger == Trigger::Level) entry |= ENTRY_LEVEL;
    if (polarity == Polarity::Low) entry |= ENTRY_ACTIVE_LOW;
    u64 destination = 0;  // the boot CPU's APIC id
    entry |= destination << 56;
    write_entry(*io, gsi - io->gsi_base, entry);
    return true;
}

void mask(u32 gsi) {
    if (IoApic* io = find(gsi)) write_entry(*io, gsi - io->gsi_base, ENTRY_MASKED);
}

void isa_irq_routing(u8 irq, u32* gsi, Trigger* trigger, Polarity* polarity) {
    // ISA defaults: identity mapped, edge triggered, active high.
    *gsi = irq;
    *trigger = Trigger::Edge;
    *polarity = Polarity::High;
    if (!g_madt) return;
    for (usize i = 0; i < g_madt->override_count; i++) {
        const auto& o = g_madt->overrides[i];
        if (o.source_irq != irq) continue;
        *gsi = o.gsi;
        u16 pol = o.flags & 3, trig = (o.flags >> 2) & 3;
        if (pol == 3) *polarity = Polarity::Low;
        if (trig == 3) *trigger = Trigger::Level;
    }
}

}  // namespace x86::ioapic

namespace x86::pic {
void disable() {
    // ICW1-4: cascade, vectors 0x20/0x28 (away from exceptions), then mask all lines.
    constexpr u16 MASTER_CMD = 0x20, MASTER_DATA = 0x21, SLAVE_CMD = 0xa0, SLAVE_DATA = 0xa1;
    outb(MASTER_CMD, 0x11); io_delay();
    outb(SLAVE_CMD, 0x11); io_delay();
    outb(MASTER_DATA, 0x20); io_delay();
    outb(SLAVE_DATA, 0x28); io_delay();
    outb(MASTER_DATA, 4); io_delay();
    outb(SLAVE_DATA, 2); io_delay();
    outb(MASTER_DATA, 1); io_delay();
    outb(SLAVE_DATA, 1); io_delay();
    outb(MASTER_DATA, 0xff);
    outb(SLAVE_DATA, 0xff);
}
}  // namespace x86::pic
