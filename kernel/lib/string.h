// Kernel library: C string and memory primitives.
//
// The compiler emits calls to memcpy/memset/memmove/memcmp itself, so these keep their
// C names (defined in lib/mem.cpp for the kernel; the host tests use libc's).
#pragma once

#include "lib/types.h"

#ifdef STRIX_HOST_TEST
#include <string.h>  // the host tests link the C library's versions
#else
extern "C" {
void* memcpy(void* __restrict dst, const void* __restrict src, usize n);
void* memmove(void* dst, const void* src, usize n);
void* memset(void* dst, int value, usize n);
int memcmp(const void* a, const void* b, usize n);
void* memchr(const void* s, int c, usize n);
usize strlen(const char* s);
}
#endif

namespace klib {
usize strnlen(const char* s, usize max);
int strcmp(const char* a, const char* b);
int strncmp(const char* a, const char* b, usize n);
// Copies at most size-1 bytes and always terminates; returns strlen(src).
usize strlcpy(char* dst, const char* src, usize size);
}  // namespace klib
