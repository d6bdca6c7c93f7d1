// Host tests: what the kernel provides to its pure code, provided instead by the host.
#include <cstdio>
#include <cstdlib>

#include "lib/assert.h"

[[noreturn]] void klib_assert_fail(const char* expr, const char* file, int line, const char* func) {
    std::fprintf(stderr, "assertion failed: %s (%s:%d in %s)\n", expr, file, line, func);
    std::abort();
}
