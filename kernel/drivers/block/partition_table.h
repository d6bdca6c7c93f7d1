// Drivers, block layer: partition tables — the MBR (with extended partitions' EBR
// chains) and GPT (UEFI 2.10, 5.3, with header and entry-array CRCs and the backup copy
// at the end of the disk), read through a callback so the host tests run it on images.
//
// Numbering is Linux's: MBR primary slots are 1-4 (an empty slot leaves a gap), logical
// partitions 5 and up in chain order; GPT entries are their index + 1. A table that does
// not fit the disk is reported and the partitions outside it are skipped.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace block {

constexpr u32 MAX_PARTITIONS = 15;  // minors 1-15 of a disk

struct PartitionInfo {
    u32 number;  // vda<number>
    u64 start;   // in 512-byte sectors
    u64 sectors;
    u8 mbr_type;       // MBR partitions: the system id (0x83 Linux...)
    u8 type_guid[16];  // GPT partitions
    u8 unique_guid[16];
    char partuuid[40];  // what root=PARTUUID= names
};

struct PartitionTable {
    enum class Kind : u8 { None, Mbr, Gpt } kind = Kind::None;
    u32 count = 0;
    PartitionInfo partitions[MAX_PARTITIONS];
};

// Reads sectors of the disk; the buffer holds count * 512 bytes.
using SectorReader = ErrorOr (*)(void* context, u64 sector, u32 count, void* buffer);

// EIO when the disk cannot be read; a disk without a (valid) table is Kind::None.
Result<PartitionTable> read_partition_table(SectorReader read, void* context, u64 sector_count,
                                            const char* disk_name);

// GUIDs as text: the mixed-endian form everyone prints ("0fc63daf-8483-4772-8e79-...").
void format_guid(const u8 guid[16], char* out, usize size);

}  // namespace block
