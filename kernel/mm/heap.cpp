// Memory: slab caches and the kernel heap's allocator logic (see heap.h).
#include "mm/heap.h"

#include "lib/assert.h"
#include "mm/page.h"

namespace {
constexpr u32 HEADER_SIZE = kstd::align_up<u32>(sizeof(SlabHeader), SlabCache::ALIGNMENT);

u32 objects_fitting(unsigned order, u32 object_size) {
    return static_cast<u32>(((PAGE_SIZE << order) - HEADER_SIZE) / object_size);
}
}  // namespace

void SlabCache::init(const char* name, u32 object_size, PageProvider& pages) {
    m_name = name;
    m_object_size = kstd::align_up(kstd::max<u32>(object_size, sizeof(void*)), ALIGNMENT);
    m_pages = &pages;
    // The smallest slab that wastes at most an eighth of itself (at most 8 pages).
    m_order = 0;
    while (m_order < 3) {
        usize slab_bytes = PAGE_SIZE << m_order;
        usize waste = slab_bytes - objects_fitting(m_order, m_object_size) * m_object_size;
        if (objects_fitting(m_order, m_object_size) >= 1 && waste * 8 <= slab_bytes) break;
        m_order++;
    }
    m_objects_per_slab = objects_fitting(m_order, m_object_size);
    KLIB_ASSERT(m_objects_per_slab >= 1);
}

SlabHeader* SlabCache::grow() {
    void* block = m_pages->allocate_pages(m_order);
    if (!block) return nullptr;
    auto* slab = static_cast<SlabHeader*>(block);
    slab->magic = SlabHeader::MAGIC;
    slab->in_use = 0;
    slab->cache = this;
    slab->node = {};
    // Thread the free list in address order so that early allocations are adjacent.
    auto* base = static_cast<u8*>(block) + HEADER_SIZE;
    slab->free_list = nullptr;
    for (u32 i = m_objects_per_slab; i-- > 0;) {
        void* object = base + usize(i) * m_object_size;
        *static_cast<void**>(object) = slab->free_list;
        slab->free_list = object;
    }
    m_pages->set_owner(block, m_order, slab);
    m_slabs++;
    return slab;
}

void* SlabCache::allocate() {
    SlabHeader* slab = m_partial.first();
    if (!slab) {
        slab = kstd::exchange(m_spare, nullptr);
        if (!slab) slab = grow();
        if (!slab) return nullptr;
        m_partial.push_back(*slab);
    }
    void* object = slab->free_list;
    slab->free_list = *static_cast<void**>(object);
    slab->in_use++;
    m_in_use++;
    if (!slab->free_list) {
        m_partial.remove(*slab);
        m_full.push_back(*slab);
    }
    return object;
}

void SlabCache::free(SlabHeader& slab, void* object) {
    KLIB_ASSERT(slab.magic == SlabHeader::MAGIC && slab.cache == this);
    auto offset = static_cast<usize>(static_cast<u8*>(object) - (reinterpret_cast<u8*>(&slab) + HEADER_SIZE));
    KLIB_ASSERT(offset % m_object_size == 0 && offset / m_object_size < m_objects_per_slab);
    KLIB_ASSERT(slab.in_use > 0);
    bool was_full = slab.free_list == nullptr;
    *static_cast<void**>(object) = slab.free_list;
    slab.free_list = object;
    slab.in_use--;
    m_in_use--;
    if (was_full) {
        m_full.remove(slab);
        m_partial.push_back(slab);
    }
    if (slab.in_use == 0) {
        m_partial.remove(slab);
        if (!m_spare) {
            m_spare = &slab;
        } else {
            m_pages->set_owner(&slab, m_order, nullptr);
            slab.magic = 0;
            m_pages->free_pages(&slab, m_order);
            m_slabs--;
        }
    }
}

void KernelHeap::init(PageProvider& pages) {
    m_pages = &pages;
    static const char* const NAMES[CLASS_COUNT] = {
        "kmalloc-16", "kmalloc-32", "kmalloc-48", "kmalloc-64", "kmalloc-96",
        "kmalloc-128", "kmalloc-192", "kmalloc-256", "kmalloc-384", "kmalloc-512",
        "kmalloc-768", "kmalloc-1k", "kmalloc-1.5k", "kmalloc-2k",
    };
    for (usize i = 0; i < CLASS_COUNT; i++) m_caches[i].init(NAMES[i], SIZE_CLASSES[i], pages);
}

void* KernelHeap::allocate(usize size) {
    if (size == 0) size = 1;
    if (size <= LARGEST_SLAB_OBJECT) {
        usize i = 0;
        while (SIZE_CLASSES[i] < size) i++;
        void* object = m_caches[i].allocate();
        if (!object) m_stats.failed++;
        return object;
    }
    usize pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
    if (pages == 0 || pages > (usize(1) << 20)) {  // wrapped, or beyond 4 GiB
        m_stats.failed++;
        return nullptr;
    }
    unsigned order = 0;
    while ((usize(1) << order) < pages) order++;
    void* block = m_pages->allocate_pages(order);
    if (!block) {
        m_stats.failed++;
        return nullptr;
    }
    m_stats.large_blocks++;
    m_stats.large_pages += usize(1) << order;
    return block;
}

void KernelHeap::free(void* pointer) {
    if (!pointer) return;
    auto* slab = static_cast<SlabHeader*>(m_pages->owner_of(pointer));
    if (slab) {
        slab->cache->free(*slab, pointer);
        return;
    }
    KLIB_ASSERT((reinterpret_cast<uptr>(pointer) & (PAGE_SIZE - 1)) == 0);
    unsigned order = m_pages->order_of(pointer);
    m_stats.large_blocks--;
    m_stats.large_pages -= usize(1) << order;
    m_pages->free_pages(pointer, order);
}

usize KernelHeap::usable_size(void* pointer) {
    auto* slab = static_cast<SlabHeader*>(m_pages->owner_of(pointer));
    if (slab) return slab->cache->object_size();
    return PAGE_SIZE << m_pages->order_of(pointer);
}
