// Memory: the buddy allocator (see buddy.h).
#include "mm/buddy.h"

#include "lib/assert.h"

void BuddyAllocator::init(Page* pages, u64 first_pfn, u64 count) {
    m_pages = pages;
    m_first_pfn = first_pfn;
    m_count = count;
    for (u64 i = 0; i < count; i++) new (&pages[i]) Page();
    m_stats = {};
}

void BuddyAllocator::push_free(u64 pfn, unsigned order) {
    Page* p = page(pfn);
    p->flags = PG_FREE;
    p->order = static_cast<u8>(order);
    m_free[order].push_back(*p);
    m_stats.free_blocks[order]++;
    m_stats.free_pages += u64(1) << order;
}

void BuddyAllocator::remove_free(u64 pfn, unsigned order) {
    Page* p = page(pfn);
    m_free[order].remove(*p);
    p->flags = 0;
    m_stats.free_blocks[order]--;
    m_stats.free_pages -= u64(1) << order;
}

bool BuddyAllocator::is_free_block(u64 pfn, unsigned order) {
    if (!contains(pfn) || !contains(pfn + (u64(1) << order) - 1)) return false;
    Page* p = page(pfn);
    return p->has(PG_FREE) && p->order == order;
}

void BuddyAllocator::add_free_range(u64 pfn, u64 count) {
    KLIB_ASSERT(contains(pfn) && (count == 0 || contains(pfn + count - 1)));
    m_stats.total_pages += count;
    // Largest naturally aligned blocks that fit, each freed so that it merges as usual.
    while (count) {
        unsigned order = MAX_ORDER - 1;
        while (order > 0 && ((pfn & ((u64(1) << order) - 1)) || (u64(1) << order) > count)) order--;
        for (u64 i = 0; i < (u64(1) << order); i++) page(pfn + i)->flags = 0;
        free(pfn, order);
        pfn += u64(1) << order;
        count -= u64(1) << order;
    }
}

kstd::optional<u64> BuddyAllocator::allocate(unsigned order) {
    if (order >= MAX_ORDER) return kstd::nullopt;
    unsigned found = order;
    while (found < MAX_ORDER && m_free[found].is_empty()) found++;
    if (found == MAX_ORDER) {
        m_stats.failures[order]++;
        return kstd::nullopt;
    }
    Page* head = m_free[found].first();
    u64 pfn = m_first_pfn + (head - m_pages);
    remove_free(pfn, found);
    // Split: the upper halves go back on the lower orders' lists.
    while (found > order) {
        found--;
        push_free(pfn + (u64(1) << found), found);
    }
    head->flags = PG_HEAD;
    head->order = static_cast<u8>(order);
    m_stats.allocations[order]++;
    return pfn;
}

void BuddyAllocator::free(u64 pfn, unsigned order) {
    KLIB_ASSERT(order < MAX_ORDER && contains(pfn));
    KLIB_ASSERT((pfn & ((u64(1) << order) - 1)) == 0);
    Page* p = page(pfn);
    KLIB_ASSERT(!p->has(PG_FREE) && !p->has(PG_RESERVED));  // double free, or never ours
    while (order + 1 < MAX_ORDER) {
        u64 buddy = pfn ^ (u64(1) << order);
        if (!is_free_block(buddy, order)) break;
        remove_free(buddy, order);
        pfn &= ~(u64(1) << order);
        order++;
    }
    push_free(pfn, order);
}
