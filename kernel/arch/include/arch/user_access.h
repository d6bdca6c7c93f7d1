// Architecture interface: raw user-memory access primitives with fault recovery.
//
// Only mm/user_copy.cpp calls these, after checking the range; each survives a page
// fault and reports it instead of panicking.
#pragma once

#include "lib/types.h"

extern "C" {
// Bytes NOT copied / cleared (0 on success).
usize arch_copy_user(void* dst, const void* src, usize n);
usize arch_clear_user(void* dst, usize n);
// Length of the string when its NUL was copied within max bytes, max when not, -1 on fault.
isize arch_strncpy_user(char* dst, const char* src, usize max);
// 0 on success, -1 on fault.
int arch_user_cmpxchg32(u32* address, u32 expected, u32 desired, u32* old);
int arch_user_load32(const u32* address, u32* out);
}
