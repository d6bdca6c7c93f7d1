// Memory: copying between the kernel and user space (see user_copy.h).
#include "mm/user_copy.h"

#include "arch/memory_layout.h"

#include "arch/user_access.h"

namespace mm {

bool is_user_range(uptr address, usize length) {
    uptr end;
    if (__builtin_add_overflow(address, length, &end)) return false;
    return end <= arch::USER_END;
}

ErrorOr copy_from_user(void* dst, UserPtr<const void> src, usize length) {
    if (!is_user_range(src.address(), length)) return err(EFAULT);
    if (arch_copy_user(dst, reinterpret_cast<const void*>(src.address()), length) != 0) return err(EFAULT);
    return {};
}

ErrorOr copy_to_user(UserPtr<void> dst, const void* src, usize length) {
    if (!is_user_range(dst.address(), length)) return err(EFAULT);
    if (arch_copy_user(reinterpret_cast<void*>(dst.address()), src, length) != 0) return err(EFAULT);
    return {};
}

ErrorOr clear_user(UserPtr<void> dst, usize length) {
    if (!is_user_range(dst.address(), length)) return err(EFAULT);
    if (arch_clear_user(reinterpret_cast<void*>(dst.address()), length) != 0) return err(EFAULT);
    return {};
}

Result<usize> copy_string_from_user(char* dst, UserPtr<const char> src, usize max) {
    if (max == 0) return err(ENAMETOOLONG);
    // Never read past the user half, even when the string would end before it.
    if (src.address() >= arch::USER_END) return err(EFAULT);
    usize limit = kstd::min<usize>(max, arch::USER_END - src.address());
    isize n = arch_strncpy_user(dst, reinterpret_cast<const char*>(src.address()), limit);
    if (n < 0) return err(EFAULT);
    if (static_cast<usize>(n) == limit) return err(limit == max ? ENAMETOOLONG : EFAULT);
    return static_cast<usize>(n);
}

Result<usize> user_string_length(UserPtr<const char> string, usize max) {
    // Copies in chunks into a scratch buffer; only the length is kept.
    char scratch[256];
    usize total = 0;
    while (total < max) {
        uptr at = string.address() + total;
        if (at >= arch::USER_END) return err(EFAULT);
        usize chunk = kstd::min<usize>({sizeof(scratch), max - total, arch::USER_END - at});
        isize n = arch_strncpy_user(scratch, reinterpret_cast<const char*>(at), chunk);
        if (n < 0) return err(EFAULT);
        total += static_cast<usize>(n);
        if (static_cast<usize>(n) < chunk) return total;
    }
    return err(E2BIG);
}

Result<u64> load_user_u64(UserPtr<const u64> address) {
    u64 value;
    TRY(copy_from_user(&value, address.cast<const void>(), sizeof(value)));
    return value;
}

Result<u32> load_user_u32(UserPtr<const u32> address) {
    if ((address.address() & 3) || !is_user_range(address.address(), 4)) return err(EFAULT);
    u32 value;
    if (arch_user_load32(reinterpret_cast<const u32*>(address.address()), &value) != 0) return err(EFAULT);
    return value;
}

Result<u32> cmpxchg_user_u32(UserPtr<u32> address, u32 expected, u32 desired) {
    if ((address.address() & 3) || !is_user_range(address.address(), 4)) return err(EFAULT);
    u32 old;
    if (arch_user_cmpxchg32(reinterpret_cast<u32*>(address.address()), expected, desired, &old) != 0)
        return err(EFAULT);
    return old;
}

}  // namespace mm
