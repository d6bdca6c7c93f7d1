// Kernel library: memcpy and friends for the freestanding kernel.
//
// `rep movsb`/`rep stosb` are fast on every CPU with ERMSB and short on code; the kernel
// is built without SSE, so there is no vector path to choose instead.
#include "lib/string.h"

extern "C" {

void* memcpy(void* __restrict dst, const void* __restrict src, usize n) {
    void* ret = dst;
    asm volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
    return ret;
}

void* memmove(void* dst, const void* src, usize n) {
    auto* d = static_cast<u8*>(dst);
    auto* s = static_cast<const u8*>(src);
    if (d <= s || d >= s + n) return memcpy(dst, src, n);
    // Overlapping with dst above src: copy backwards.
    d += n - 1;
    s += n - 1;
    asm volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    return dst;
}

void* memset(void* dst, int value, usize n) {
    void* ret = dst;
    asm volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(value) : "memory");
    return ret;
}

int memcmp(const void* a, const void* b, usize n) {
    auto* x = static_cast<const u8*>(a);
    auto* y = static_cast<const u8*>(b);
    for (usize i = 0; i < n; i++) {
        if (x[i] != y[i]) return x[i] - y[i];
    }
    return 0;
}

usize strlen(const char* s) {
    usize n = 0;
    while (s[n]) n++;
    return n;
}

// GCC may emit this for std::popcount on CPUs without POPCNT; we do not link libgcc.
int __popcountdi2(long long value) {
    unsigned long long v = static_cast<unsigned long long>(value);
    int count = 0;
    while (v) {
        v &= v - 1;
        count++;
    }
    return count;
}
}

extern "C" void* memchr(const void* s, int c, usize n) {
    auto* p = static_cast<const u8*>(s);
    for (usize i = 0; i < n; i++) {
        if (p[i] == static_cast<u8>(c)) return const_cast<u8*>(p + i);
    }
    return nullptr;
}
