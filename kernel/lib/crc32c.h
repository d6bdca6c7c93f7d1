// Kernel library: CRC-32C (Castagnoli), the checksum of ext4 metadata and jbd2.
//
// crc32c() is Linux's crc32c_le(): the raw update with no pre- or post-inversion, so
// callers chain it (ext4 seeds with ~0 and stores the raw result, as ext4_chksum does).
#pragma once

#include "lib/types.h"

namespace klib {
u32 crc32c(u32 crc, const void* data, usize length);
// CRC-16 (ANSI, reflected polynomial 0xA001), Linux's crc16(): ext4's uninit_bg checksum.
u16 crc16(u16 crc, const void* data, usize length);
}  // namespace klib
