// Host tests, storage: the kernel heap for the storage code under test, on malloc, with
// a failure switch for the out-of-memory paths.
#include "heap_shim.h"

#include <cstdlib>

#include "mm/kmalloc.h"

namespace {
long g_fail_after = -1;  // allocations left before failing; -1: never fail
}  // namespace

void heap_shim_fail_after(long allocations) { g_fail_after = allocations; }

void* kmalloc(usize size) {
    if (g_fail_after == 0) return nullptr;
    if (g_fail_after > 0) g_fail_after--;
    return std::malloc(size ? size : 1);
}

void* kzalloc(usize size) {
    void* p = kmalloc(size);
    if (p) __builtin_memset(p, 0, size);
    return p;
}

void kfree(void* pointer) { std::free(pointer); }
