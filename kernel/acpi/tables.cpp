// ACPI: static table parsing (see tables.h).
#include "acpi/tables.h"

#include "lib/string.h"

namespace acpi {
namespace {

template <typename T>
T read(const u8* p) {
    T value;
    memcpy(&value, p, sizeof(T));
    return value;
}

const u8* bytes_of(const SdtHeader& table) { return reinterpret_cast<const u8*>(&table); }

bool signature_is(const SdtHeader& table, const char* signature) {
    return memcmp(table.signature, signature, 4) == 0;
}

}  // namespace

bool checksum_ok(const void* data, usize length) {
    u8 sum = 0;
    for (usize i = 0; i < length; i++) sum += static_cast<const u8*>(data)[i];
    return sum == 0;
}

const SdtHeader* TableSet::map_table(PhysAddr phys) const {
    if (!phys) return nullptr;
    auto* header = static_cast<const SdtHeader*>(m_mapper(phys, sizeof(SdtHeader), m_context));
    if (!header || header->length < sizeof(SdtHeader) || header->length > 16 * MiB) return nullptr;
    auto* table = static_cast<const SdtHeader*>(m_mapper(phys, header->length, m_context));
    if (!table || !checksum_ok(table, table->length)) return nullptr;
    return table;
}

bool TableSet::load(const Rsdp& rsdp, PhysicalMapper mapper, void* context, const char** reason) {
    m_mapper = mapper;
    m_context = context;
    m_count = 0;
    if (memcmp(rsdp.signature, "RSD PTR ", 8) != 0) {
        *reason = "bad RSDP signature";
        return false;
    }
    if (!checksum_ok(&rsdp, 20)) {
        *reason = "bad RSDP checksum";
        return false;
    }
    bool use_xsdt = rsdp.revision >= 2 && rsdp.xsdt_address != 0 && checksum_ok(&rsdp, sizeof(Rsdp));
    m_root_address = use_xsdt ? rsdp.xsdt_address : rsdp.rsdt_address;
    const SdtHeader* root = m_root = map_table(m_root_address);
    if (!root) {
        *reason = "root table (XSDT/RSDT) missing or corrupt";
        return false;
    }
    usize entry_size = use_xsdt ? 8 : 4;
    usize entries = (root->length - sizeof(SdtHeader)) / entry_size;
    const u8* base = bytes_of(*root) + sizeof(SdtHeader);
    for (usize i = 0; i < entries && m_count < MAX_TABLES; i++) {
        PhysAddr phys = use_xsdt ? read<u64>(base + i * 8) : read<u32>(base + i * 4);
        const SdtHeader* table = map_table(phys);
        if (!table) continue;  // a corrupt table is skipped, the others still count
        m_addresses[m_count] = phys;
        m_tables[m_count++] = table;
    }
    if (const SdtHeader* facp = find("FACP")) {
        FadtInfo fadt;
        if (parse_fadt(*facp, fadt)) {
            m_dsdt_address = fadt.dsdt;
            m_dsdt = map_table(fadt.dsdt);
        }
    }
    return true;
}

const SdtHeader* TableSet::find(const char signature[4], usize index) const {
    for (usize i = 0; i < m_count; i++) {
        if (signature_is(*m_tables[i], signature) && index-- == 0) return m_tables[i];
    }
    return nullptr;
}

bool parse_madt(const SdtHeader& table, MadtInfo& out) {
    out = {};
    if (!signature_is(table, "APIC") || table.length < sizeof(SdtHeader) + 8) return false;
    const u8* p = bytes_of(table);
    out.lapic_address = read<u32>(p + 36);
    out.has_8259 = read<u32>(p + 40) & 1;
    for (usize off = 44; off + 2 <= table.length;) {
        u8 type = p[off];
        u8 length = p[off + 1];
        if (length < 2 || off + length > table.length) return false;
        const u8* e = p + off;
        switch (type) {
        case 0:  // processor local APIC
            if (length >= 8 && out.cpu_count < MadtInfo::MAX_CPUS) {
                u32 flags = read<u32>(e + 4);
                if (flags & 3) out.cpus[out.cpu_count++] = {e[3], e[2], (flags & 1) != 0};
            }
            break;
        case 1:  // I/O APIC
            if (length >= 12 && out.ioapic_count < MadtInfo::MAX_IOAPICS)
                out.ioapics[out.ioapic_count++] = {e[2], read<u32>(e + 4), read<u32>(e + 8)};
            break;
        case 2:  // interrupt source override
            if (length >= 10 && out.override_count < MadtInfo::MAX_OVERRIDES)
                out.overrides[out.override_count++] = {e[3], read<u32>(e + 4), read<u16>(e + 8)};
            break;
        case 5:  // local APIC address override
            if (length >= 12) out.lapic_address = read<u64>(e + 4);
            break;
        case 9:  // processor local x2APIC
            if (length >= 16 && out.cpu_count < MadtInfo::MAX_CPUS) {
                u32 flags = read<u32>(e + 8);
                if (flags & 3) out.cpus[out.cpu_count++] = {read<u32>(e + 4), read<u32>(e + 12), (flags & 1) != 0};
            }
            break;
        default: break;
        }
        off += length;
    }
    return true;
}

bool parse_fadt(const SdtHeader& table, FadtInfo& out) {
    out = {};
    if (!signature_is(table, "FACP") || table.length < 116) return false;
    const u8* p = bytes_of(table);
    usize len = table.length;
    auto io_block = [](u32 port, u8 width) {
        GenericAddress gas{};
        if (port) gas = {ADDRESS_SPACE_IO, static_cast<u8>(width * 8), 0, 0, port};
        return gas;
    };
    out.dsdt = read<u32>(p + 40);
    out.sci_interrupt = read<u16>(p + 46);
    out.smi_command = read<u32>(p + 48);
    out.acpi_enable = p[52];
    out.pm1a_control = io_block(read<u32>(p + 64), p[89]);
    out.pm1b_control = io_block(read<u32>(p + 68), p[89]);
    out.pm_timer = io_block(read<u32>(p + 76), p[91]);
    out.century_register = p[108];
    u16 boot_arch = read<u16>(p + 109);
    u32 flags = read<u32>(p + 112);
    // IA-PC boot architecture flags exist from FADT revision 3 (ACPI 2.0).
    if (table.revision >= 3) {
        out.has_8042 = boot_arch & (1 << 1);
        out.no_cmos_rtc = boot_arch & (1 << 5);
    }
    out.hardware_reduced = flags & (1u << 20);
    if (len >= 129) {
        out.reset_supported = flags & (1u << 10);
        out.reset_register = read<GenericAddress>(p + 116);
        out.reset_value = p[128];
    }
    // The extended (64-bit) fields win when present and non-zero.
    if (len >= 148 && read<u64>(p + 140)) out.dsdt = read<u64>(p + 140);
    if (len >= 184 && read<GenericAddress>(p + 172).address) out.pm1a_control = read<GenericAddress>(p + 172);
    if (len >= 196 && read<GenericAddress>(p + 184).address) out.pm1b_control = read<GenericAddress>(p + 184);
    if (len >= 220 && read<GenericAddress>(p + 208).address) out.pm_timer = read<GenericAddress>(p + 208);
    return true;
}

bool parse_hpet(const SdtHeader& table, HpetInfo& out) {
    out = {};
    if (!signature_is(table, "HPET") || table.length < 56) return false;
    const u8* p = bytes_of(table);
    GenericAddress base = read<GenericAddress>(p + 40);
    if (base.address_space != ADDRESS_SPACE_MEMORY || !base.address) return false;
    out.address = base.address;
    out.number = p[52];
    out.minimum_tick = read<u16>(p + 53);
    return true;
}

bool parse_mcfg(const SdtHeader& table, McfgInfo& out) {
    out = {};
    if (!signature_is(table, "MCFG") || table.length < 44) return false;
    const u8* p = bytes_of(table);
    for (usize off = 44; off + 16 <= table.length && out.count < McfgInfo::MAX_SEGMENTS; off += 16) {
        McfgInfo::Segment s{read<u64>(p + off), read<u16>(p + off + 8), p[off + 10], p[off + 11]};
        if (s.end_bus < s.start_bus || !s.base) continue;
        out.segments[out.count++] = s;
    }
    return true;
}

namespace {
// AML data objects small enough for sleep types: ZeroOp, OneOp, BytePrefix, WordPrefix...
bool read_aml_integer(const u8*& p, const u8* end, u64& value) {
    if (p >= end) return false;
    switch (*p) {
    case 0x00: value = 0; p += 1; return true;            // ZeroOp
    case 0x01: value = 1; p += 1; return true;            // OneOp
    case 0xff: value = ~u64(0); p += 1; return true;      // OnesOp
    case 0x0a: if (p + 2 > end) return false; value = p[1]; p += 2; return true;  // BytePrefix
    case 0x0b: if (p + 3 > end) return false; value = read<u16>(p + 1); p += 3; return true;
    case 0x0c: if (p + 5 > end) return false; value = read<u32>(p + 1); p += 5; return true;
    default: return false;
    }
}
}  // namespace

kstd::optional<SleepType> find_s5_sleep_type(const SdtHeader& dsdt) {
    const u8* begin = bytes_of(dsdt) + sizeof(SdtHeader);
    const u8* end = bytes_of(dsdt) + dsdt.length;
    for (const u8* p = begin; p + 4 < end; p++) {
        if (memcmp(p, "_S5_", 4) != 0) continue;
        // NameOp (0x08), optionally followed by a root prefix '\', precedes the name.
        bool named = (p - begin >= 1 && p[-1] == 0x08) || (p - begin >= 2 && p[-1] == '\\' && p[-2] == 0x08);
        const u8* q = p + 4;
        if (!named || q >= end || *q != 0x12) continue;  // PackageOp
        q++;
        if (q >= end) break;
        usize pkg_length_bytes = (*q >> 6) + 1;  // PkgLength encoding: top bits count extra bytes
        q += pkg_length_bytes;
        if (q >= end) break;
        q++;  // NumElements
        u64 a, b;
        if (!read_aml_integer(q, end, a)) continue;
        if (!read_aml_integer(q, end, b)) b = a;
        return SleepType{static_cast<u8>(a), static_cast<u8>(b)};
    }
    return kstd::nullopt;
}

}  // namespace acpi
