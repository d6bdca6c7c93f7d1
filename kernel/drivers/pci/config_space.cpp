// Drivers, PCI: configuration space access (see config_space.h).
#include "drivers/pci/config_space.h"

#include "acpi/acpi.h"
#include "arch/io.h"
#include "log/klog.h"
#include "mm/kernel_vm.h"
#include "sync/spinlock.h"

namespace pci::config {
namespace {

constexpr u16 CONFIG_ADDRESS = 0xcf8;
constexpr u16 CONFIG_DATA = 0xcfc;
constexpr u64 ECAM_BUS_BYTES = 1 * MiB;

struct EcamSegment {
    u64 base;
    u16 segment;
    u8 start_bus;
    u8 end_bus;
    volatile u8* buses[256];  // mapped lazily: a bus costs 1 MiB of address space
};

EcamSegment g_ecam;
bool g_use_ecam = false;
SpinLock g_lock;

// Mechanism #1: bit 31 enable, bus 23:16, device 15:11, function 10:8, register 7:2.
u32 port_address(const Address& a, u16 offset) {
    return 0x80000000u | (u32(a.bus) << 16) | (u32(a.device) << 11) | (u32(a.function) << 8) |
           (offset & 0xfc);
}

volatile u8* ecam_function(const Address& a) {
    if (a.segment != g_ecam.segment || a.bus < g_ecam.start_bus || a.bus > g_ecam.end_bus) return nullptr;
    volatile u8*& bus = g_ecam.buses[a.bus];
    if (!bus) {
        u64 phys = g_ecam.base + u64(a.bus) * ECAM_BUS_BYTES;
        auto mapped = mm::ioremap(phys, ECAM_BUS_BYTES);
        if (mapped.is_error()) {
            pr_err("pci: cannot map ECAM for bus %02x (error %d)", a.bus, mapped.error().code());
            return nullptr;
        }
        bus = static_cast<volatile u8*>(mapped.value());
    }
    return bus + (u32(a.device) << 15) + (u32(a.function) << 12);
}

}  // namespace

void init() {
    const acpi::McfgInfo* mcfg = acpi::mcfg();
    if (mcfg) {
        for (usize i = 0; i < mcfg->count; i++) {
            const auto& s = mcfg->segments[i];
            if (s.segment != 0) continue;  // one segment is all QEMU's machines have
            // The MCFG base address is that of bus 0, even when the range starts later.
            g_ecam.base = s.base;
            g_ecam.segment = s.segment;
            g_ecam.start_bus = s.start_bus;
            g_ecam.end_bus = s.end_bus;
            g_use_ecam = true;
            pr_info("PCI: ECAM [mem 0x%08lx-0x%08lx] (base 0x%lx) for domain %04x [bus %02x-%02x]",
                    s.base + u64(s.start_bus) * ECAM_BUS_BYTES,
                    s.base + (u64(s.end_bus) + 1) * ECAM_BUS_BYTES - 1, s.base, s.segment, s.start_bus,
                    s.end_bus);
            return;
        }
    }
    pr_info("PCI: using configuration type 1 for base access");
}

const char* mechanism() { return g_use_ecam ? "ECAM" : "type 1"; }
u8 first_bus(u16) { return g_use_ecam ? g_ecam.start_bus : 0; }
u8 last_bus(u16) { return g_use_ecam ? g_ecam.end_bus : 255; }

u32 read(const Address& a, u16 offset, unsigned width) {
    u32 all_ones = width == 4 ? 0xffffffffu : (1u << (8 * width)) - 1;
    if (g_use_ecam) {
        if (offset >= PCI_CFG_SPACE_EXP_SIZE) return all_ones;
        SpinLockGuard guard(g_lock);
        volatile u8* base = ecam_function(a);
        if (!base) return all_ones;
        switch (width) {
            case 1: return *(base + offset);
            case 2: return *reinterpret_cast<volatile u16*>(base + offset);
            default: return *reinterpret_cast<volatile u32*>(base + offset);
        }
    }
    if (a.segment != 0 || offset >= PCI_CFG_SPACE_SIZE) return all_ones;
    SpinLockGuard guard(g_lock);
    arch::io_write32(CONFIG_ADDRESS, port_address(a, offset));
    u16 port = CONFIG_DATA + (offset & 3);
    switch (width) {
        case 1: return arch::io_read8(port);
        case 2: return arch::io_read16(port);
        default: return arch::io_read32(CONFIG_DATA);
    }
}

void write(const Address& a, u16 offset, u32 value, unsigned width) {
    if (g_use_ecam) {
        if (offset >= PCI_CFG_SPACE_EXP_SIZE) return;
        SpinLockGuard guard(g_lock);
        volatile u8* base = ecam_function(a);
        if (!base) return;
        switch (width) {
            case 1: *(base + offset) = static_cast<u8>(value); break;
            case 2: *reinterpret_cast<volatile u16*>(base + offset) = static_cast<u16>(value); break;
            default: *reinterpret_cast<volatile u32*>(base + offset) = value; break;
        }
        return;
    }
    if (a.segment != 0 || offset >= PCI_CFG_SPACE_SIZE) return;
    SpinLockGuard guard(g_lock);
    arch::io_write32(CONFIG_ADDRESS, port_address(a, offset));
    u16 port = CONFIG_DATA + (offset & 3);
    switch (width) {
        case 1: arch::io_write8(port, static_cast<u8>(value)); break;
        case 2: arch::io_write16(port, static_cast<u16>(value)); break;
        default: arch::io_write32(CONFIG_DATA, value); break;
    }
}

}  // namespace pci::config
