// Memory: the kernel heap's allocator logic — slab caches for small objects, whole page
// blocks for large ones (as Linux's kmalloc does above its largest cache).
//
// A slab is a block of 2^order pages: a header, then equal objects threaded on a free
// list. Every page of a slab records its header as the page's owner (Linux: page->slab),
// so free() finds the cache of any pointer; pages without an owner are large blocks.
// Pure logic: the kernel wraps it in a lock (mm/kmalloc.cpp) and the host tests drive it
// with pages from the C library.
#pragma once

#include "lib/kstd.h"
#include "lib/list.h"
#include "lib/types.h"

class PageProvider {
public:
    // A block of 2^order pages, page aligned, or null when memory is exhausted.
    virtual void* allocate_pages(unsigned order) = 0;
    virtual void free_pages(void* block, unsigned order) = 0;
    // The order of a block returned by allocate_pages.
    virtual unsigned order_of(void* block) = 0;
    // Per-page owner tag: set on every page of a block, read for the page holding `address`.
    virtual void set_owner(void* block, unsigned order, void* owner) = 0;
    virtual void* owner_of(const void* address) = 0;

protected:
    ~PageProvider() = default;
};

class SlabCache;

struct SlabHeader {
    static constexpr u32 MAGIC = 0x51ab51ab;
    u32 magic;
    u32 in_use;
    SlabCache* cache;
    void* free_list;
    ListNode node;
};

class SlabCache {
public:
    static constexpr u32 ALIGNMENT = 16;

    void init(const char* name, u32 object_size, PageProvider& pages);
    void* allocate();
    void free(SlabHeader& slab, void* object);

    const char* name() const { return m_name; }
    u32 object_size() const { return m_object_size; }
    u64 objects_in_use() const { return m_in_use; }
    u64 slab_count() const { return m_slabs; }
    unsigned slab_order() const { return m_order; }
    u32 objects_per_slab() const { return m_objects_per_slab; }

private:
    SlabHeader* grow();

    const char* m_name = nullptr;
    u32 m_object_size = 0;
    u32 m_objects_per_slab = 0;
    unsigned m_order = 0;
    PageProvider* m_pages = nullptr;
    IntrusiveList<SlabHeader, &SlabHeader::node> m_partial;  // some objects free
    IntrusiveList<SlabHeader, &SlabHeader::node> m_full;
    SlabHeader* m_spare = nullptr;  // one empty slab kept to avoid thrashing at a boundary
    u64 m_in_use = 0;
    u64 m_slabs = 0;
};

class KernelHeap {
public:
    static constexpr u32 SIZE_CLASSES[] = {16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048};
    static constexpr usize CLASS_COUNT = sizeof(SIZE_CLASSES) / sizeof(SIZE_CLASSES[0]);
    static constexpr u32 LARGEST_SLAB_OBJECT = 2048;

    void init(PageProvider& pages);
    // 16-byte aligned memory, or null. Sizes above 2048 get whole pages (page aligned).
    void* allocate(usize size);
    void free(void* pointer);
    // How many bytes the allocation really has (its size class or its pages).
    usize usable_size(void* pointer);

    struct Stats {
        u64 large_blocks = 0;
        u64 large_pages = 0;
        u64 failed = 0;
    };
    const Stats& stats() const { return m_stats; }
    const SlabCache& cache(usize index) const { return m_caches[index]; }

private:
    SlabCache m_caches[CLASS_COUNT];
    PageProvider* m_pages = nullptr;
    Stats m_stats;
};
