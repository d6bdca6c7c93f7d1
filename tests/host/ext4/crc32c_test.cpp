// Host tests: CRC-32C and CRC-16 against published check values.
#include <gtest/gtest.h>

#include "lib/crc32c.h"

TEST(Crc32c, CheckValue) {
    // The CRC-32C catalogue check value (init ~0, final xor ~0).
    EXPECT_EQ(~klib::crc32c(~0u, "123456789", 9), 0xE3069283u);
    // Chaining equals one pass.
    u32 a = klib::crc32c(~0u, "12345", 5);
    EXPECT_EQ(klib::crc32c(a, "6789", 4), klib::crc32c(~0u, "123456789", 9));
}

TEST(Crc16, CheckValue) {
    // CRC-16/ARC check value (init 0), Linux's crc16().
    EXPECT_EQ(klib::crc16(0, "123456789", 9), 0xBB3D);
}
