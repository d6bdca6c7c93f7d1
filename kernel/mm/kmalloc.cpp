// Memory: the kernel heap glue — KernelHeap (mm/heap.h) over the buddy allocator, a
// lock, and the C++ allocation operators (see kmalloc.h).
#include "mm/kmalloc.h"

#include "debug/panic.h"
#include "lib/string.h"
#include "mm/pmm.h"
#include "sync/spinlock.h"

namespace {

class BuddyPageProvider final : public PageProvider {
public:
    void* allocate_pages(unsigned order) override {
        Page* page = mm::alloc_pages(order);
        return page ? mm::page_address(page) : nullptr;
    }
    void free_pages(void* block, unsigned order) override { mm::free_pages(mm::virt_to_page(block), order); }
    unsigned order_of(void* block) override { return mm::virt_to_page(block)->order; }
    void set_owner(void* block, unsigned order, void* owner) override {
        Page* page = mm::virt_to_page(block);
        for (usize i = 0; i < (usize(1) << order); i++) {
            page[i].owner = owner;
            if (owner) page[i].flags |= PG_SLAB;
            else page[i].flags &= ~PG_SLAB;
        }
    }
    void* owner_of(const void* address) override {
        Page* page = mm::virt_to_page(address);
        return page->has(PG_SLAB) ? page->owner : nullptr;
    }
};

BuddyPageProvider g_provider;
KernelHeap g_heap;
SpinLock g_heap_lock;

}  // namespace

namespace mm {
void heap_init() { g_heap.init(g_provider); }

HeapStats heap_stats() {
    SpinLockGuard guard(g_heap_lock);
    HeapStats stats{0, 0, g_heap.stats().large_pages};
    for (usize i = 0; i < KernelHeap::CLASS_COUNT; i++) {
        const SlabCache& cache = g_heap.cache(i);
        stats.slab_bytes_in_use += cache.objects_in_use() * cache.object_size();
        stats.slab_pages += cache.slab_count() << cache.slab_order();
    }
    return stats;
}

void for_each_slab_cache(void (*fn)(const SlabCache&, void*), void* context) {
    SpinLockGuard guard(g_heap_lock);
    for (usize i = 0; i < KernelHeap::CLASS_COUNT; i++) fn(g_heap.cache(i), context);
}
}  // namespace mm

void* kmalloc(usize size) {
    SpinLockGuard guard(g_heap_lock);
    return g_heap.allocate(size);
}

void* kzalloc(usize size) {
    void* p = kmalloc(size);
    if (p) memset(p, 0, size);
    return p;
}

void kfree(void* pointer) {
    if (!pointer) return;
    SpinLockGuard guard(g_heap_lock);
    g_heap.free(pointer);
}

// C++ allocation. Only the nothrow forms may return null; the throwing forms cannot
// report failure without exceptions, so reaching them is a kernel bug.
void* operator new(usize size, const std::nothrow_t&) noexcept { return kmalloc(size); }
void* operator new[](usize size, const std::nothrow_t&) noexcept { return kmalloc(size); }
void* operator new(usize) { panic("plain operator new used: allocate with new (kstd::nothrow)"); }
void* operator new[](usize) { panic("plain operator new[] used: allocate with new (kstd::nothrow)"); }
void operator delete(void* p) noexcept { kfree(p); }
void operator delete[](void* p) noexcept { kfree(p); }
void operator delete(void* p, usize) noexcept { kfree(p); }
void operator delete[](void* p, usize) noexcept { kfree(p); }
