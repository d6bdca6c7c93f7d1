// Memory: the buddy allocator for physical page frames.
//
// Blocks of 2^order pages, order 0..MAX_ORDER-1, naturally aligned on the physical frame
// number (so 2 MiB blocks can back huge pages later). Free blocks sit on per-order lists
// threaded through their head Page; freeing merges a block with its buddy while the
// buddy is free and of the same order. Counts per order are kept for /proc/buddyinfo
// and the tests. Pure logic: the caller serialises and provides the Page array.
#pragma once

#include "lib/kstd.h"
#include "lib/list.h"
#include "mm/page.h"

class BuddyAllocator {
public:
    static constexpr unsigned MAX_ORDER = 11;  // as Linux: up to 4 MiB blocks

    struct Stats {
        u64 total_pages = 0;  // pages ever given to the allocator
        u64 free_pages = 0;
        u64 free_blocks[MAX_ORDER] = {};
        u64 allocations[MAX_ORDER] = {};
        u64 failures[MAX_ORDER] = {};
    };

    // `pages` describes frames [first_pfn, first_pfn + count); all start reserved.
    void init(Page* pages, u64 first_pfn, u64 count);

    // Hands frames to the allocator (boot memory map, freed initrd).
    void add_free_range(u64 pfn, u64 count);

    // Returns the first frame of a 2^order block, or nullopt when none is free.
    kstd::optional<u64> allocate(unsigned order);
    void free(u64 pfn, unsigned order);

    Page* page(u64 pfn) { return &m_pages[pfn - m_first_pfn]; }
    bool contains(u64 pfn) const { return pfn >= m_first_pfn && pfn < m_first_pfn + m_count; }
    const Stats& stats() const { return m_stats; }

private:
    void push_free(u64 pfn, unsigned order);
    void remove_free(u64 pfn, unsigned order);
    bool is_free_block(u64 pfn, unsigned order);

    Page* m_pages = nullptr;
    u64 m_first_pfn = 0;
    u64 m_count = 0;
    IntrusiveList<Page, &Page::node> m_free[MAX_ORDER];
    Stats m_stats;
};
