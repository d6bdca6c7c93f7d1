// Drivers, block layer: MBR and GPT parsing (see partition_table.h).
#include "drivers/block/partition_table.h"

#include "lib/format.h"
#include "lib/kstd.h"
#include "lib/string.h"
#include "log/klog.h"

namespace block {
namespace {

constexpr u32 SECTOR = 512;
constexpr u8 MBR_EXTENDED_TYPES[] = {0x05, 0x0f, 0x85};
constexpr u8 MBR_PROTECTIVE_GPT = 0xee;
constexpr u32 MAX_LOGICAL = 64;  // EBRs followed before giving up on a chain
constexpr u64 MAX_GPT_ENTRY_BYTES = 1 * MiB;

struct [[gnu::packed]] MbrEntry {
    u8 status;
    u8 chs_first[3];
    u8 type;
    u8 chs_last[3];
    u32 first_lba;
    u32 sector_count;
};
static_assert(sizeof(MbrEntry) == 16);

struct [[gnu::packed]] GptHeader {
    u64 signature;  // "EFI PART"
    u32 revision;
    u32 header_size;
    u32 header_crc32;
    u32 reserved;
    u64 my_lba;
    u64 alternate_lba;
    u64 first_usable_lba;
    u64 last_usable_lba;
    u8 disk_guid[16];
    u64 entries_lba;
    u32 entry_count;
    u32 entry_size;
    u32 entries_crc32;
};
static_assert(sizeof(GptHeader) == 92);
constexpr u64 GPT_SIGNATURE = 0x5452415020494645ull;

struct [[gnu::packed]] GptEntry {
    u8 type_guid[16];
    u8 unique_guid[16];
    u64 first_lba;
    u64 last_lba;  // inclusive
    u64 attributes;
    u16 name[36];
};
static_assert(sizeof(GptEntry) == 128);

// CRC-32 (IEEE 802.3, reflected 0xedb88320), as the UEFI specification uses.
struct Crc32Table {
    u32 entries[256];
    constexpr Crc32Table() : entries() {
        for (u32 i = 0; i < 256; i++) {
            u32 c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            entries[i] = c;
        }
    }
};
constexpr Crc32Table CRC32_TABLE;

u32 crc32(const void* data, usize length) {
    const auto* bytes = static_cast<const u8*>(data);
    u32 crc = 0xffffffffu;
    for (usize i = 0; i < length; i++) crc = CRC32_TABLE.entries[(crc ^ bytes[i]) & 0xff] ^ (crc >> 8);
    return crc ^ 0xffffffffu;
}

bool is_extended(u8 type) {
    for (u8 t : MBR_EXTENDED_TYPES)
        if (t == type) return true;
    return false;
}

bool all_zero(const u8* bytes, usize length) {
    for (usize i = 0; i < length; i++)
        if (bytes[i]) return false;
    return true;
}

class Parser {
public:
    Parser(SectorReader read, void* context, u64 sector_count, const char* name)
        : m_read(read), m_context(context), m_sectors(sector_count), m_name(name) {}

    Result<PartitionTable> run() {
        u8 mbr[SECTOR];
        TRY(m_read(m_context, 0, 1, mbr));
        if (mbr[510] != 0x55 || mbr[511] != 0xaa) return m_table;
        MbrEntry entries[4];
        memcpy(entries, mbr + 446, sizeof(entries));
        // A boot sector that is not an MBR (a FAT or NTFS volume) has other bytes here.
        for (const MbrEntry& e : entries)
            if (e.status != 0 && e.status != 0x80) return m_table;
        for (const MbrEntry& e : entries) {
            if (e.type == MBR_PROTECTIVE_GPT) {
                TRY(read_gpt());
                return m_table;
            }
        }
        u32 signature;
        memcpy(&signature, mbr + 440, sizeof(signature));
        m_table.kind = PartitionTable::Kind::Mbr;
        for (u32 slot = 0; slot < 4; slot++) {
            const MbrEntry& e = entries[slot];
            if (e.type == 0 || e.sector_count == 0) continue;
            if (is_extended(e.type)) {
                // Linux shows the container as a 1 KiB partition.
                add_mbr(slot + 1, e.first_lba, kstd::min<u64>(e.sector_count, 2), e.type, signature);
                TRY(read_logical(e.first_lba, e.sector_count, signature));
            } else {
                add_mbr(slot + 1, e.first_lba, e.sector_count, e.type, signature);
            }
        }
        return m_table;
    }

private:
    void add(PartitionInfo info) {
        if (info.number > MAX_PARTITIONS) {
            pr_warn("%s: partition %u ignored: only %u partitions per disk", m_name, info.number,
                    MAX_PARTITIONS);
            return;
        }
        if (info.start >= m_sectors || info.sectors == 0) {
            pr_warn("%s: p%u start %lu is beyond EOD, skipped", m_name, info.number, info.start);
            return;
        }
        if (info.start + info.sectors > m_sectors || info.start + info.sectors < info.start) {
            pr_warn("%s: p%u size %lu extends beyond EOD, truncated", m_name, info.number, info.sectors);
            info.sectors = m_sectors - info.start;
        }
        m_table.partitions[m_table.count++] = info;
    }

    void add_mbr(u32 number, u64 start, u64 sectors, u8 type, u32 signature) {
        PartitionInfo info{};
        info.number = number;
        info.start = start;
        info.sectors = sectors;
        info.mbr_type = type;
        klib::snprintf(info.partuuid, sizeof(info.partuuid), "%08x-%02x", signature, number);
        add(info);
    }

    ErrorOr read_logical(u64 extended_start, u64 extended_sectors, u32 signature) {
        u64 ebr = extended_start;
        u32 number = 5;
        for (u32 step = 0; step < MAX_LOGICAL; step++) {
            if (ebr >= m_sectors) break;
            u8 sector[SECTOR];
            TRY(m_read(m_context, ebr, 1, sector));
            if (sector[510] != 0x55 || sector[511] != 0xaa) break;
            MbrEntry entries[2];
            memcpy(entries, sector + 446, sizeof(entries));
            if (entries[0].type && entries[0].sector_count)
                add_mbr(number++, ebr + entries[0].first_lba, entries[0].sector_count, entries[0].type,
                        signature);
            if (!entries[1].type || !entries[1].sector_count) break;
            u64 next = extended_start + entries[1].first_lba;
            // Links are relative to the extended partition and must move forward inside it.
            if (next <= ebr || next >= extended_start + extended_sectors) {
                pr_warn("%s: extended partition chain loops or leaves the container; stopped", m_name);
                break;
            }
            ebr = next;
        }
        return {};
    }

    // One GPT header and its entries; false (with a reason) when it is not valid.
    Result<bool> load_gpt(u64 lba, GptHeader* header, u8** entries, const char** reason) {
        u8 sector[SECTOR];
        TRY(m_read(m_context, lba, 1, sector));
        memcpy(header, sector, sizeof(*header));
        *reason = nullptr;
        if (header->signature != GPT_SIGNATURE)
            *reason = "no signature";
        else if (header->header_size < sizeof(GptHeader) || header->header_size > SECTOR)
            *reason = "bad header size";
        if (*reason) return false;
        u32 stored = header->header_crc32;
        memset(sector + offsetof(GptHeader, header_crc32), 0, 4);
        if (crc32(sector, header->header_size) != stored)
            *reason = "header CRC mismatch";
        else if (header->my_lba != lba)
            *reason = "header in the wrong place";
        else if (header->entry_size < sizeof(GptEntry) || header->entry_size % 128 ||
                 u64(header->entry_size) * header->entry_count > MAX_GPT_ENTRY_BYTES)
            *reason = "bad entry array size";
        else if (header->first_usable_lba > header->last_usable_lba || header->last_usable_lba >= m_sectors)
            *reason = "usable range outside the disk";
        if (*reason) return false;
        u64 bytes = u64(header->entry_size) * header->entry_count;
        u32 sectors = static_cast<u32>((bytes + SECTOR - 1) / SECTOR);
        if (header->entries_lba >= m_sectors || header->entries_lba + sectors > m_sectors) {
            *reason = "entry array outside the disk";
            return false;
        }
        u8* array = new (kstd::nothrow) u8[usize(sectors) * SECTOR];
        if (!array) return err(ENOMEM);
        if (auto read = m_read(m_context, header->entries_lba, sectors, array); read.is_error()) {
            delete[] array;
            return read.error();
        }
        if (crc32(array, bytes) != header->entries_crc32) {
            delete[] array;
            *reason = "entry array CRC mismatch";
            return false;
        }
        *entries = array;
        return true;
    }

    ErrorOr read_gpt() {
        GptHeader header;
        u8* entries = nullptr;
        const char* reason = nullptr;
        bool valid = TRY(load_gpt(1, &header, &entries, &reason));
        if (!valid) {
            pr_warn("%s: primary GPT is not valid (%s); trying the backup", m_name, reason);
            valid = TRY(load_gpt(m_sectors - 1, &header, &entries, &reason));
            if (!valid) {
                pr_err("%s: no valid GPT (%s): no partitions", m_name, reason);
                return {};
            }
        }
        m_table.kind = PartitionTable::Kind::Gpt;
        for (u32 i = 0; i < header.entry_count; i++) {
            GptEntry entry;
            memcpy(&entry, entries + usize(i) * header.entry_size, sizeof(entry));
            if (all_zero(entry.type_guid, sizeof(entry.type_guid))) continue;
            if (entry.first_lba > entry.last_lba || entry.first_lba < header.first_usable_lba ||
                entry.last_lba > header.last_usable_lba) {
                pr_warn("%s: GPT entry %u lies outside the usable area, skipped", m_name, i + 1);
                continue;
            }
            PartitionInfo info{};
            info.number = i + 1;
            info.start = entry.first_lba;
            info.sectors = entry.last_lba - entry.first_lba + 1;
            memcpy(info.type_guid, entry.type_guid, 16);
            memcpy(info.unique_guid, entry.unique_guid, 16);
            format_guid(entry.unique_guid, info.partuuid, sizeof(info.partuuid));
            add(info);
            if (m_table.count == MAX_PARTITIONS) break;
        }
        delete[] entries;
        return {};
    }

    SectorReader m_read;
    void* m_context;
    u64 m_sectors;
    const char* m_name;
    PartitionTable m_table;
};

}  // namespace

void format_guid(const u8 g[16], char* out, usize size) {
    // The first three fields are little-endian, the last two big-endian bytes.
    klib::snprintf(out, size, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", g[3],
                   g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14],
                   g[15]);
}

Result<PartitionTable> read_partition_table(SectorReader read, void* context, u64 sector_count,
                                            const char* disk_name) {
    if (sector_count < 2) return PartitionTable{};
    Parser parser(read, context, sector_count, disk_name);
    return parser.run();
}

}  // namespace block
