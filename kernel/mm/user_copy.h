// Memory: copying between the kernel and user space.
//
// Every access checks that [address, address+length) lies in the user half without
// wrapping, and recovers from page faults through the exception-fixup table: the caller
// gets EFAULT, never a panic, and no kernel byte reaches user space.
#pragma once

#include "lib/result.h"
#include "lib/types.h"
#include "mm/user_ptr.h"

namespace mm {

bool is_user_range(uptr address, usize length);

ErrorOr copy_from_user(void* dst, UserPtr<const void> src, usize length);
ErrorOr copy_to_user(UserPtr<void> dst, const void* src, usize length);
ErrorOr clear_user(UserPtr<void> dst, usize length);
// Copies a NUL-terminated string of at most max-1 characters; ENAMETOOLONG when longer.
Result<usize> copy_string_from_user(char* dst, UserPtr<const char> src, usize max);

template <typename T>
ErrorOr copy_from_user(T* dst, UserPtr<const T> src) {
    return copy_from_user(dst, src.template cast<const void>(), sizeof(T));
}
template <typename T>
ErrorOr copy_from_user(T* dst, UserPtr<T> src) {
    return copy_from_user(dst, src.template cast<const void>(), sizeof(T));
}
template <typename T>
ErrorOr copy_to_user(UserPtr<T> dst, const T* src) {
    return copy_to_user(dst.template cast<void>(), src, sizeof(T));
}

// The length of a user string, at most `max` (ENAMETOOLONG-free: returns max when no NUL
// came within it; the caller decides), EFAULT on a bad address.
Result<usize> user_string_length(UserPtr<const char> string, usize max);
Result<u64> load_user_u64(UserPtr<const u64> address);

// Atomic operations on user words, for futexes and robust lists.
Result<u32> load_user_u32(UserPtr<const u32> address);
// Compare-and-exchange; returns the value found (== expected on success).
Result<u32> cmpxchg_user_u32(UserPtr<u32> address, u32 expected, u32 desired);

}  // namespace mm
