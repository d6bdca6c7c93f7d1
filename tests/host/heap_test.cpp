// Host tests: slab caches and the kernel heap, over pages from the C library.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <vector>

#include "mm/heap.h"
#include "mm/page.h"

namespace {

class HostPages final : public PageProvider {
public:
    ~HostPages() {
        for (auto& [block, order] : m_blocks) std::free(block);
    }
    void* allocate_pages(unsigned order) override {
        if (m_limit_pages && m_in_use + (1u << order) > m_limit_pages) return nullptr;
        void* block = std::aligned_alloc(PAGE_SIZE, PAGE_SIZE << order);
        m_blocks[block] = order;
        m_in_use += 1u << order;
        return block;
    }
    void free_pages(void* block, unsigned order) override {
        ASSERT_EQ(m_blocks.at(block), order);
        m_blocks.erase(block);
        m_in_use -= 1u << order;
        for (unsigned i = 0; i < (1u << order); i++) m_owners.erase(static_cast<char*>(block) + i * PAGE_SIZE);
        std::free(block);
    }
    unsigned order_of(void* block) override { return m_blocks.at(block); }
    void set_owner(void* block, unsigned order, void* owner) override {
        for (unsigned i = 0; i < (1u << order); i++) {
            void* page = static_cast<char*>(block) + i * PAGE_SIZE;
            if (owner) m_owners[page] = owner;
            else m_owners.erase(page);
        }
    }
    void* owner_of(const void* address) override {
        auto page = reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(address) & ~(PAGE_SIZE - 1));
        auto it = m_owners.find(page);
        return it == m_owners.end() ? nullptr : it->second;
    }
    size_t in_use() const { return m_in_use; }
    void limit(size_t pages) { m_limit_pages = pages; }

private:
    std::map<void*, unsigned> m_blocks;
    std::map<void*, void*> m_owners;
    size_t m_in_use = 0;
    size_t m_limit_pages = 0;
};

TEST(SlabCache, ObjectsAreDistinctAlignedAndReused) {
    HostPages pages;
    SlabCache cache;
    cache.init("test-64", 64, pages);
    std::vector<void*> objects;
    for (int i = 0; i < 1000; i++) {
        void* p = cache.allocate();
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
        std::memset(p, i & 0xff, 64);
        objects.push_back(p);
    }
    EXPECT_EQ(cache.objects_in_use(), 1000u);
    for (size_t i = 0; i < objects.size(); i++) {
        auto* bytes = static_cast<unsigned char*>(objects[i]);
        for (int b = 0; b < 64; b++) ASSERT_EQ(bytes[b], i & 0xff) << "object " << i << " was overwritten";
    }
    for (void* p : objects) {
        auto* slab = static_cast<SlabHeader*>(pages.owner_of(p));
        ASSERT_NE(slab, nullptr);
        cache.free(*slab, p);
    }
    EXPECT_EQ(cache.objects_in_use(), 0u);
    EXPECT_LE(cache.slab_count(), 1u);  // one spare slab may stay
}

TEST(SlabCache, LargeObjectsUseMultiPageSlabsWithLittleWaste) {
    HostPages pages;
    SlabCache cache;
    cache.init("test-2k", 2048, pages);
    EXPECT_GE(cache.objects_per_slab(), 7u);
    size_t slab_bytes = PAGE_SIZE << cache.slab_order();
    EXPECT_LE(slab_bytes - cache.objects_per_slab() * 2048, slab_bytes / 8);
}

TEST(KernelHeap, SmallAndLargeAllocationsRoundTrip) {
    HostPages pages;
    KernelHeap heap;
    heap.init(pages);
    std::mt19937 rng(1);
    std::vector<std::pair<void*, size_t>> live;
    for (int step = 0; step < 20000; step++) {
        if (live.empty() || rng() % 2) {
            size_t size = (rng() % 8 == 0) ? rng() % 40000 + 1 : rng() % 2100 + 1;
            void* p = heap.allocate(size);
            ASSERT_NE(p, nullptr);
            ASSERT_GE(heap.usable_size(p), size);
            std::memset(p, static_cast<int>(size & 0xff), size);
            live.emplace_back(p, size);
        } else {
            size_t k = rng() % live.size();
            auto [p, size] = live[k];
            auto* bytes = static_cast<unsigned char*>(p);
            for (size_t b = 0; b < size; b += 97) ASSERT_EQ(bytes[b], size & 0xff);
            heap.free(p);
            live[k] = live.back();
            live.pop_back();
        }
    }
    for (auto [p, size] : live) heap.free(p);
    EXPECT_EQ(heap.stats().large_pages, 0u);
    for (usize i = 0; i < KernelHeap::CLASS_COUNT; i++) EXPECT_EQ(heap.cache(i).objects_in_use(), 0u);
    // Only spare slabs (one per cache at most) remain.
    size_t spare_pages = 0;
    for (usize i = 0; i < KernelHeap::CLASS_COUNT; i++) spare_pages += heap.cache(i).slab_count() << heap.cache(i).slab_order();
    EXPECT_EQ(pages.in_use(), spare_pages);
}

TEST(KernelHeap, OutOfMemoryReturnsNull) {
    HostPages pages;
    pages.limit(4);
    KernelHeap heap;
    heap.init(pages);
    EXPECT_EQ(heap.allocate(64 * 1024), nullptr);
    EXPECT_EQ(heap.allocate(SIZE_MAX), nullptr);
    EXPECT_NE(heap.allocate(100), nullptr);
    EXPECT_GT(heap.stats().failed, 0u);
}

TEST(KernelHeap, FreeingAForeignPointerIsCaught) {
    HostPages pages;
    KernelHeap heap;
    heap.init(pages);
    void* p = heap.allocate(32);
    auto* slab = static_cast<SlabHeader*>(pages.owner_of(p));
    ASSERT_NE(slab, nullptr);
    EXPECT_DEATH(heap.free(static_cast<char*>(p) + 8), "assertion failed");
}

}  // namespace
