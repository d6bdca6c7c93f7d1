// Drivers, block layer: the page cache's LRU (see page_lru.h).
#include "drivers/block/page_lru.h"

namespace block {

void PageLru::add(Page& page) {
    if (page.has(PG_LRU)) return;
    __atomic_fetch_or(&page.flags, PG_LRU, __ATOMIC_RELAXED);
    m_pages.push_back(page);
    m_count++;
}

void PageLru::remove(Page& page) {
    if (!page.has(PG_LRU)) return;
    __atomic_fetch_and(&page.flags, ~u32(PG_LRU), __ATOMIC_RELAXED);
    m_pages.remove(page);
    m_count--;
}

}  // namespace block
