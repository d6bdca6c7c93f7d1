// Memory: the kernel heap — kmalloc/kfree and C++ allocation for kernel objects.
//
// Allocation can fail: kmalloc returns null, and C++ objects are created with
// `new (kstd::nothrow) T` (lib/ref_ptr.h's try_make_own/try_make_ref), which the compiler
// checks for null. A plain `new` is a bug and panics.
#pragma once

#include "lib/types.h"
#include "mm/heap.h"

void* kmalloc(usize size);
void* kzalloc(usize size);
void kfree(void* pointer);

namespace mm {
void heap_init();
struct HeapStats {
    u64 slab_bytes_in_use;
    u64 slab_pages;
    u64 large_pages;
};
HeapStats heap_stats();
// Calls fn(const SlabCache&) for each cache, under the heap lock (for /proc/slabinfo).
void for_each_slab_cache(void (*fn)(const SlabCache& cache, void* context), void* context);
}  // namespace mm
