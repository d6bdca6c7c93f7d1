// Kernel library: CRC-32C and CRC-16, table-driven (see crc32c.h).
#include "lib/crc32c.h"

namespace klib {
namespace {

struct Tables {
    u32 crc32c[256];
    u16 crc16[256];
};

constexpr Tables make_tables() {
    Tables tables{};
    for (u32 byte = 0; byte < 256; byte++) {
        u32 crc = byte;
        for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ ((crc & 1) ? 0x82F63B78u : 0);
        tables.crc32c[byte] = crc;
        u32 crc_16 = byte;
        for (int bit = 0; bit < 8; bit++) crc_16 = (crc_16 >> 1) ^ ((crc_16 & 1) ? 0xA001u : 0);
        tables.crc16[byte] = static_cast<u16>(crc_16);
    }
    return tables;
}

constexpr Tables g_tables = make_tables();

}  // namespace

u32 crc32c(u32 crc, const void* data, usize length) {
    const u8* bytes = static_cast<const u8*>(data);
    for (usize i = 0; i < length; i++) crc = g_tables.crc32c[(crc ^ bytes[i]) & 0xFF] ^ (crc >> 8);
    return crc;
}

u16 crc16(u16 crc, const void* data, usize length) {
    const u8* bytes = static_cast<const u8*>(data);
    for (usize i = 0; i < length; i++)
        crc = static_cast<u16>(g_tables.crc16[(crc ^ bytes[i]) & 0xFF] ^ (crc >> 8));
    return crc;
}

}  // namespace klib
