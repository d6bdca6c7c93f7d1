// ext4: the jbd2 journal's on-disk format (big-endian; Linux include/linux/jbd2.h).
#pragma once

#include "lib/types.h"

namespace ext4::jbd2 {

constexpr u32 MAGIC = 0xC03B3998;
enum BlockType : u32 { DESCRIPTOR = 1, COMMIT = 2, SUPERBLOCK_V1 = 3, SUPERBLOCK_V2 = 4, REVOKE = 5 };

constexpr u32 FEATURE_COMPAT_CHECKSUM = 0x1;
constexpr u32 FEATURE_INCOMPAT_REVOKE = 0x1;
constexpr u32 FEATURE_INCOMPAT_64BIT = 0x2;
constexpr u32 FEATURE_INCOMPAT_ASYNC_COMMIT = 0x4;
constexpr u32 FEATURE_INCOMPAT_CSUM_V2 = 0x8;
constexpr u32 FEATURE_INCOMPAT_CSUM_V3 = 0x10;
constexpr u32 FEATURE_INCOMPAT_FAST_COMMIT = 0x20;
constexpr u32 KNOWN_INCOMPAT = FEATURE_INCOMPAT_REVOKE | FEATURE_INCOMPAT_64BIT | FEATURE_INCOMPAT_ASYNC_COMMIT |
                               FEATURE_INCOMPAT_CSUM_V2 | FEATURE_INCOMPAT_CSUM_V3;

constexpr u32 FLAG_ESCAPE = 1;
constexpr u32 FLAG_SAME_UUID = 2;
constexpr u32 FLAG_DELETED = 4;
constexpr u32 FLAG_LAST_TAG = 8;

// Byte offsets in the journal superblock.
constexpr u32 SB_BLOCKSIZE = 0x0C;
constexpr u32 SB_MAXLEN = 0x10;
constexpr u32 SB_FIRST = 0x14;
constexpr u32 SB_SEQUENCE = 0x18;
constexpr u32 SB_START = 0x1C;
constexpr u32 SB_ERRNO = 0x20;
constexpr u32 SB_FEATURE_COMPAT = 0x24;
constexpr u32 SB_FEATURE_INCOMPAT = 0x28;
constexpr u32 SB_FEATURE_RO_COMPAT = 0x2C;
constexpr u32 SB_UUID = 0x30;
constexpr u32 SB_CHECKSUM_TYPE = 0x50;
constexpr u32 SB_CHECKSUM = 0xFC;
constexpr u32 SB_SIZE = 1024;
constexpr u8 CHECKSUM_TYPE_CRC32C = 4;

constexpr u32 HEADER_SIZE = 12;          // magic, block type, sequence
constexpr u32 COMMIT_CHECKSUM = 16;      // h_chksum[0]
constexpr u32 COMMIT_CHECKSUM_TYPE = 12;
constexpr u32 COMMIT_CHECKSUM_SIZE = 13;
constexpr u32 COMMIT_SECONDS = 48;       // h_commit_sec (be64)
constexpr u32 COMMIT_NANOSECONDS = 56;
constexpr u32 REVOKE_COUNT = 12;         // r_count: bytes used, header included
constexpr u32 REVOKE_RECORDS = 16;
constexpr u32 TAIL_SIZE = 4;             // descriptor and revoke block checksum

inline u32 load_be32(const u8* p) {
    return static_cast<u32>(p[0]) << 24 | static_cast<u32>(p[1]) << 16 | static_cast<u32>(p[2]) << 8 | p[3];
}
inline u16 load_be16(const u8* p) { return static_cast<u16>(p[0] << 8 | p[1]); }
inline void store_be32(u8* p, u32 v) {
    p[0] = static_cast<u8>(v >> 24);
    p[1] = static_cast<u8>(v >> 16);
    p[2] = static_cast<u8>(v >> 8);
    p[3] = static_cast<u8>(v);
}
inline void store_be16(u8* p, u16 v) {
    p[0] = static_cast<u8>(v >> 8);
    p[1] = static_cast<u8>(v);
}

}  // namespace ext4::jbd2
