// ACPI: discovery and power control (see acpi.h).
#include "acpi/acpi.h"

#include "arch/io.h"
#include "lib/format.h"
#include "lib/string.h"
#include "log/console.h"
#include "log/klog.h"
#include "mm/kernel_vm.h"
#include "time/clock.h"

namespace acpi {
namespace {

TableSet g_tables;
Rsdp g_rsdp;
bool g_available = false;
MadtInfo g_madt;
FadtInfo g_fadt;
HpetInfo g_hpet;
McfgInfo g_mcfg;
bool g_has_madt = false, g_has_fadt = false, g_has_hpet = false, g_has_mcfg = false;
kstd::optional<SleepType> g_s5;

const void* map_physical(PhysAddr phys, usize length, void*) {
    auto mapped = mm::map_firmware(phys, length);
    return mapped.is_error() ? nullptr : mapped.value();
}

// ACPI 6.5, 5.2.5.1: the RSDP sits on a 16-byte boundary in the first KiB of the EBDA
// or in the BIOS ROM area 0xE0000-0xFFFFF.
kstd::optional<Rsdp> scan_for_rsdp() {
    auto scan = [](PhysAddr base, usize length) -> kstd::optional<Rsdp> {
        auto* area = static_cast<const u8*>(map_physical(base, length, nullptr));
        if (!area) return kstd::nullopt;
        for (usize off = 0; off + 20 <= length; off += 16) {
            if (memcmp(area + off, "RSD PTR ", 8) == 0 && checksum_ok(area + off, 20)) {
                Rsdp rsdp{};
                memcpy(&rsdp, area + off, kstd::min<usize>(sizeof(Rsdp), length - off));
                return rsdp;
            }
        }
        return kstd::nullopt;
    };
    auto* bda = static_cast<const u16*>(map_physical(0x40e, 2, nullptr));
    if (bda && *bda) {
        if (auto found = scan(PhysAddr(*bda) << 4, 1024)) return found;
    }
    return scan(0xe0000, 0x20000);
}

u64 read_register(const GenericAddress& reg) {
    if (reg.address_space == ADDRESS_SPACE_IO) {
        auto port = static_cast<u16>(reg.address);
        return reg.bit_width == 8 ? arch::io_read8(port) : reg.bit_width == 32 ? arch::io_read32(port) : arch::io_read16(port);
    }
    auto mapped = mm::ioremap(reg.address, 8);
    if (mapped.is_error()) return 0;
    auto* p = static_cast<volatile u8*>(mapped.value());
    u64 value = reg.bit_width == 8 ? *p : reg.bit_width == 32 ? *reinterpret_cast<volatile u32*>(p) : *reinterpret_cast<volatile u16*>(p);
    mm::iounmap(mapped.value(), 8);
    return value;
}

void write_register(const GenericAddress& reg, u64 value) {
    if (reg.address_space == ADDRESS_SPACE_IO) {
        auto port = static_cast<u16>(reg.address);
        if (reg.bit_width == 8) arch::io_write8(port, static_cast<u8>(value));
        else if (reg.bit_width == 32) arch::io_write32(port, static_cast<u32>(value));
        else arch::io_write16(port, static_cast<u16>(value));
        return;
    }
    if (reg.address_space != ADDRESS_SPACE_MEMORY) return;
    auto mapped = mm::ioremap(reg.address, 8);
    if (mapped.is_error()) return;
    auto* p = static_cast<volatile u8*>(mapped.value());
    if (reg.bit_width == 8) *p = static_cast<u8>(value);
    else if (reg.bit_width == 32) *reinterpret_cast<volatile u32*>(p) = static_cast<u32>(value);
    else *reinterpret_cast<volatile u16*>(p) = static_cast<u16>(value);
    mm::iounmap(mapped.value(), 8);
}

constexpr u16 PM1_SCI_EN = 1 << 0;
constexpr u16 PM1_SLP_TYP_SHIFT = 10;
constexpr u16 PM1_SLP_TYP_MASK = 7 << 10;
constexpr u16 PM1_SLP_EN = 1 << 13;

// Switches the chipset from legacy to ACPI mode when the firmware left it in legacy mode.
void ensure_acpi_mode() {
    if (read_register(g_fadt.pm1a_control) & PM1_SCI_EN) return;
    if (!g_fadt.smi_command || !g_fadt.acpi_enable) return;
    arch::io_write8(static_cast<u16>(g_fadt.smi_command), g_fadt.acpi_enable);
    for (int i = 0; i < 3000 && !(read_register(g_fadt.pm1a_control) & PM1_SCI_EN); i++)
        ktime::busy_wait_ns(ktime::NSEC_PER_MSEC);
}

}  // namespace

bool init(const BootInfo& boot) {
    Rsdp rsdp{};
    const char* source = "boot loader";
    if (boot.has_rsdp) {
        memcpy(&rsdp, boot.rsdp, sizeof(rsdp));
    } else if (auto found = scan_for_rsdp()) {
        rsdp = *found;
        source = "BIOS area scan";
    } else {
        pr_warn("acpi: no RSDP found; running without ACPI");
        return false;
    }
    g_rsdp = rsdp;
    const char* reason = "";
    if (!g_tables.load(rsdp, map_physical, nullptr, &reason)) {
        pr_err("acpi: unusable tables (%s); running without ACPI", reason);
        return false;
    }
    g_available = true;
    char oem[7] = {};
    memcpy(oem, rsdp.oem_id, 6);
    pr_info("acpi: RSDP rev %u (%s) from %s, %zu tables", rsdp.revision, oem, source, g_tables.count());
    for (usize i = 0; i < g_tables.count(); i++) {
        const SdtHeader* t = g_tables.table(i);
        pr_info("acpi: %.4s %016lx %06x (v%02u %.6s %.8s)", t->signature, g_tables.table_address(i),
                t->length, t->revision, t->oem_id, t->oem_table_id);
    }
    if (const SdtHeader* t = g_tables.find("APIC")) g_has_madt = parse_madt(*t, g_madt);
    if (const SdtHeader* t = g_tables.find("FACP")) g_has_fadt = parse_fadt(*t, g_fadt);
    if (const SdtHeader* t = g_tables.find("HPET")) g_has_hpet = parse_hpet(*t, g_hpet);
    if (const SdtHeader* t = g_tables.find("MCFG")) g_has_mcfg = parse_mcfg(*t, g_mcfg);
    if (g_tables.dsdt()) g_s5 = find_s5_sleep_type(*g_tables.dsdt());
    if (g_has_madt)
        pr_info("acpi: MADT: %zu CPU(s), %zu IOAPIC(s), %zu override(s), LAPIC at %#lx", g_madt.cpu_count,
                g_madt.ioapic_count, g_madt.override_count, g_madt.lapic_address);
    if (g_s5) pr_info("acpi: S5 sleep type %u/%u", g_s5->a, g_s5->b);
    else pr_warn("acpi: no \\_S5 in the DSDT: power-off will not work");
    return true;
}

bool available() { return g_available; }
const TableSet& tables() { return g_tables; }
const MadtInfo* madt() { return g_has_madt ? &g_madt : nullptr; }
const FadtInfo* fadt() { return g_has_fadt ? &g_fadt : nullptr; }
const HpetInfo* hpet() { return g_has_hpet ? &g_hpet : nullptr; }
const McfgInfo* mcfg() { return g_has_mcfg ? &g_mcfg : nullptr; }

void power_off() {
    if (!g_has_fadt || !g_s5 || g_fadt.hardware_reduced || !g_fadt.pm1a_control.address) return;
    ensure_acpi_mode();
    auto enter = [](const GenericAddress& reg, u8 type) {
        if (!reg.address) return;
        u64 value = read_register(reg) & ~u64(PM1_SLP_TYP_MASK | PM1_SLP_EN);
        value |= u64(type) << PM1_SLP_TYP_SHIFT;
        write_register(reg, value);
        write_register(reg, value | PM1_SLP_EN);
    };
    enter(g_fadt.pm1b_control, g_s5->b);
    enter(g_fadt.pm1a_control, g_s5->a);
    ktime::busy_wait_ns(100 * ktime::NSEC_PER_MSEC);
}

void reset() {
    if (!g_has_fadt || !g_fadt.reset_supported || !g_fadt.reset_register.address) return;
    write_register(g_fadt.reset_register, g_fadt.reset_value);
    ktime::busy_wait_ns(100 * ktime::NSEC_PER_MSEC);
}

void dump_tables() {
    auto dump = [](const char* signature, PhysAddr phys, const void* data, u32 length) {
        const auto* bytes = static_cast<const u8*>(data);
        for (u32 off = 0; off < length; off += 32) {
            char line[128];
            usize n = klib::snprintf(line, sizeof(line), "ACPIDUMP %.4s %lx %x ", signature, phys, off);
            for (u32 i = off; i < length && i < off + 32; i++)
                n += klib::snprintf(line + n, sizeof(line) - n, "%02x", bytes[i]);
            line[n++] = '\n';
            console_write(line, n);
        }
    };
    console_write("\n", 1);  // the firmware may have left a line unfinished
    dump("RSDP", 0, &g_rsdp, sizeof(g_rsdp));
    if (g_tables.root()) dump(g_tables.root()->signature, g_tables.root_address(), g_tables.root(), g_tables.root()->length);
    for (usize i = 0; i < g_tables.count(); i++)
        dump(g_tables.table(i)->signature, g_tables.table_address(i), g_tables.table(i), g_tables.table(i)->length);
    if (g_tables.dsdt()) dump("DSDT", g_tables.dsdt_address(), g_tables.dsdt(), g_tables.dsdt()->length);
}

}  // namespace acpi
