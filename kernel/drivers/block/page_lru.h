// Drivers, block layer: the page cache's LRU — every cached page, oldest first, with
// Linux's second chance: an access only sets PG_REFERENCED (no lock, no list move); the
// scan that looks for victims moves a referenced page to the young end and clears the bit,
// and offers unreferenced ones to the caller's evictor.
//
// Not locked: the page cache holds its LRU lock around every call.
#pragma once

#include "lib/list.h"
#include "mm/page.h"

namespace block {

class PageLru {
public:
    void add(Page& page);  // a new page: the young end
    void remove(Page& page);
    bool contains(const Page& page) const { return page.has(PG_LRU); }
    usize size() const { return m_count; }
    static void mark_accessed(Page& page) { __atomic_fetch_or(&page.flags, PG_REFERENCED, __ATOMIC_RELAXED); }

    // Looks at up to `budget` pages from the old end, until `target` are evicted. A
    // referenced page gets its bit cleared and goes to the young end; an unreferenced one
    // is offered to try_evict(Page&), which returns true when it took the page (it calls
    // remove()). Returns how many pages were evicted.
    template <typename Evict>
    usize scan(usize budget, usize target, Evict&& try_evict) {
        usize evicted = 0;
        for (usize looked = 0; looked < budget && evicted < target && !m_pages.is_empty(); looked++) {
            Page* page = m_pages.first();
            if (page->flags & PG_REFERENCED) {
                __atomic_fetch_and(&page->flags, ~u32(PG_REFERENCED), __ATOMIC_RELAXED);
                m_pages.remove(*page);
                m_pages.push_back(*page);
                continue;
            }
            // Rotate first, so a page the evictor declines is not looked at again at once.
            m_pages.remove(*page);
            m_pages.push_back(*page);
            if (try_evict(*page)) evicted++;
        }
        return evicted;
    }

private:
    IntrusiveList<Page, &Page::node> m_pages;
    usize m_count = 0;
};

}  // namespace block
