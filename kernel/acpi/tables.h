// ACPI: parsing the static tables the kernel needs (ACPI 6.5 specification, chapter 5).
//
//   RSDP -> XSDT/RSDT -> MADT (CPUs, IOAPICs, IRQ overrides), FADT (power management
//   ports, reset register, DSDT), HPET, MCFG (PCIe ECAM);
//   DSDT -> \_S5 sleep type, found by a scan for its Name() object (no AML interpreter).
// Pure logic over a mapper callback, so the host tests run it on tables captured from
// QEMU. Every length and checksum is checked: a corrupt table is rejected, not trusted.
#pragma once

#include "lib/kstd.h"
#include "lib/types.h"

namespace acpi {

struct [[gnu::packed]] Rsdp {
    char signature[8];  // "RSD PTR "
    u8 checksum;
    char oem_id[6];
    u8 revision;  // 0: ACPI 1.0 (RSDT only), 2+: XSDT
    u32 rsdt_address;
    // ACPI 2.0+
    u32 length;
    u64 xsdt_address;
    u8 extended_checksum;
    u8 reserved[3];
};
static_assert(sizeof(Rsdp) == 36);

struct [[gnu::packed]] SdtHeader {
    char signature[4];
    u32 length;
    u8 revision;
    u8 checksum;
    char oem_id[6];
    char oem_table_id[8];
    u32 oem_revision;
    u32 creator_id;
    u32 creator_revision;
};
static_assert(sizeof(SdtHeader) == 36);

struct [[gnu::packed]] GenericAddress {
    u8 address_space;  // 0 system memory, 1 system I/O
    u8 bit_width;
    u8 bit_offset;
    u8 access_size;
    u64 address;
};
static_assert(sizeof(GenericAddress) == 12);
constexpr u8 ADDRESS_SPACE_MEMORY = 0;
constexpr u8 ADDRESS_SPACE_IO = 1;

// Maps `length` bytes of physical memory for reading; null when impossible.
using PhysicalMapper = const void* (*)(PhysAddr phys, usize length, void* context);

bool checksum_ok(const void* data, usize length);

class TableSet {
public:
    static constexpr usize MAX_TABLES = 64;

    // Validates the RSDP and the root table; false (with a reason) when unusable.
    bool load(const Rsdp& rsdp, PhysicalMapper mapper, void* context, const char** reason);
    // The index-th table with this signature (validated), or null.
    const SdtHeader* find(const char signature[4], usize index = 0) const;
    usize count() const { return m_count; }
    const SdtHeader* table(usize i) const { return m_tables[i]; }
    PhysAddr table_address(usize i) const { return m_addresses[i]; }
    // The DSDT, reached through the FADT rather than the root table.
    const SdtHeader* dsdt() const { return m_dsdt; }
    PhysAddr dsdt_address() const { return m_dsdt_address; }
    const SdtHeader* root() const { return m_root; }
    PhysAddr root_address() const { return m_root_address; }

private:
    const SdtHeader* map_table(PhysAddr phys) const;

    PhysicalMapper m_mapper = nullptr;
    void* m_context = nullptr;
    const SdtHeader* m_tables[MAX_TABLES] = {};
    PhysAddr m_addresses[MAX_TABLES] = {};
    usize m_count = 0;
    const SdtHeader* m_dsdt = nullptr;
    PhysAddr m_dsdt_address = 0;
    const SdtHeader* m_root = nullptr;
    PhysAddr m_root_address = 0;
};

struct MadtInfo {
    static constexpr usize MAX_CPUS = 64;
    static constexpr usize MAX_IOAPICS = 8;
    static constexpr usize MAX_OVERRIDES = 16;

    u64 lapic_address = 0;
    bool has_8259 = false;
    struct Cpu {
        u32 apic_id;
        u32 processor_uid;
        bool enabled;
    } cpus[MAX_CPUS];
    usize cpu_count = 0;
    struct IoApic {
        u32 id;
        u32 address;
        u32 gsi_base;
    } ioapics[MAX_IOAPICS];
    usize ioapic_count = 0;
    struct Override {
        u8 source_irq;
        u32 gsi;
        u16 flags;  // MPS INTI flags: polarity bits 0-1, trigger bits 2-3
    } overrides[MAX_OVERRIDES];
    usize override_count = 0;
};
bool parse_madt(const SdtHeader& table, MadtInfo& out);

struct FadtInfo {
    u16 sci_interrupt = 0;
    u32 smi_command = 0;
    u8 acpi_enable = 0;
    GenericAddress pm1a_control{};
    GenericAddress pm1b_control{};
    GenericAddress pm_timer{};
    GenericAddress reset_register{};
    u8 reset_value = 0;
    bool reset_supported = false;
    bool hardware_reduced = false;
    bool has_8042 = true;
    bool no_cmos_rtc = false;
    u8 century_register = 0;
    PhysAddr dsdt = 0;
};
bool parse_fadt(const SdtHeader& table, FadtInfo& out);

struct HpetInfo {
    u64 address = 0;
    u8 number = 0;
    u16 minimum_tick = 0;
};
bool parse_hpet(const SdtHeader& table, HpetInfo& out);

struct McfgInfo {
    static constexpr usize MAX_SEGMENTS = 4;
    struct Segment {
        u64 base;
        u16 segment;
        u8 start_bus;
        u8 end_bus;
    } segments[MAX_SEGMENTS];
    usize count = 0;
};
bool parse_mcfg(const SdtHeader& table, McfgInfo& out);

struct SleepType {
    u8 a;
    u8 b;
};
// \_S5's SLP_TYPa/SLP_TYPb from the DSDT's AML, or nullopt when not found.
kstd::optional<SleepType> find_s5_sleep_type(const SdtHeader& dsdt);

}  // namespace acpi
