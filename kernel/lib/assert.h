// Kernel library: assertions usable both in the kernel (they panic) and in host tests
// (they abort, so GoogleTest death tests can observe them).
#pragma once

[[noreturn]] void klib_assert_fail(const char* expr, const char* file, int line, const char* func);

#define KLIB_ASSERT(expr)                                                      \
    do {                                                                       \
        if (!(expr)) [[unlikely]]                                              \
            klib_assert_fail(#expr, __FILE__, __LINE__, __func__);             \
    } while (0)
