// In-kernel tests: user-copy helpers refuse kernel addresses and survive unmapped ones.
#include "ktest/ktest.h"
#include "mm/user_copy.h"

namespace {
u64 g_secret = 0x5ec2e7;
}

KTEST(user_copy, kernel_addresses_are_efault) {
    u64 value = 0;
    auto kernel_pointer = UserPtr<const void>(reinterpret_cast<uptr>(&g_secret));
    KEXPECT(mm::copy_from_user(&value, kernel_pointer, sizeof(value)).is_error());
    KEXPECT_EQ(value, 0u);
    KEXPECT(mm::copy_to_user(UserPtr<void>(reinterpret_cast<uptr>(&g_secret)), &value, 8).is_error());
    KEXPECT_EQ(g_secret, 0x5ec2e7u);
}

KTEST(user_copy, wrapping_and_oversized_ranges_are_efault) {
    u8 buffer[16];
    KEXPECT(mm::copy_from_user(buffer, UserPtr<const void>(0x7ffffffffff8), 16).is_error());
    KEXPECT(mm::copy_from_user(buffer, UserPtr<const void>(0x1000), ~usize(0)).is_error());
    KEXPECT(!mm::is_user_range(~uptr(0) - 4, 8));
    KEXPECT(mm::is_user_range(0x400000, 4096));
}

KTEST(user_copy, unmapped_user_memory_faults_into_efault) {
    // No process yet: the whole user half is unmapped, so every access faults and the
    // exception-fixup path turns it into EFAULT.
    u8 buffer[32];
    auto result = mm::copy_from_user(buffer, UserPtr<const void>(0x400000), sizeof(buffer));
    KASSERT_TRUE(result.is_error());
    KEXPECT_EQ(result.error().code(), EFAULT);
    KEXPECT(mm::clear_user(UserPtr<void>(0x400000), 64).is_error());
    char name[64];
    KEXPECT(mm::copy_string_from_user(name, UserPtr<const char>(0x400000), sizeof(name)).is_error());
    KEXPECT(mm::load_user_u32(UserPtr<const u32>(0x400000)).is_error());
    KEXPECT(mm::load_user_u32(UserPtr<const u32>(0x400001)).is_error());  // unaligned
}
