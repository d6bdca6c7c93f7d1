// Kernel library: string helpers shared by the kernel and the host tests.
#include "lib/string.h"

namespace klib {

usize strnlen(const char* s, usize max) {
    usize n = 0;
    while (n < max && s[n]) n++;
    return n;
}

int strcmp(const char* a, const char* b) {
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return static_cast<unsigned char>(*a) - static_cast<unsigned char>(*b);
}

int strncmp(const char* a, const char* b, usize n) {
    for (usize i = 0; i < n; i++) {
        if (a[i] != b[i] || !a[i])
            return static_cast<unsigned char>(a[i]) - static_cast<unsigned char>(b[i]);
    }
    return 0;
}

usize strlcpy(char* dst, const char* src, usize size) {
    usize len = strlen(src);
    if (size) {
        usize n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}

}  // namespace klib
