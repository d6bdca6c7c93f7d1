// Host tests, storage: the page cache's LRU — oldest first, second chance for pages
// referenced since the last scan, and an evictor that may decline.
#include "drivers/block/page_lru.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace {

using block::PageLru;

struct Pages {
    explicit Pages(usize count) : pages(count) {
        for (usize i = 0; i < count; i++) {
            pages[i].flags = 0;
            pages[i].index = i;
        }
    }
    std::vector<Page> pages;
};

TEST(PageLru, EvictsOldestFirst) {
    Pages p(8);
    PageLru lru;
    for (Page& page : p.pages) lru.add(page);
    EXPECT_EQ(lru.size(), 8u);
    std::vector<u64> evicted;
    usize got = lru.scan(100, 3, [&](Page& page) {
        evicted.push_back(page.index);
        lru.remove(page);
        return true;
    });
    EXPECT_EQ(got, 3u);
    EXPECT_EQ(evicted, (std::vector<u64>{0, 1, 2}));
    EXPECT_EQ(lru.size(), 5u);
    EXPECT_FALSE(lru.contains(p.pages[0]));
    EXPECT_TRUE(lru.contains(p.pages[3]));
}

TEST(PageLru, ReferencedPagesGetASecondChance) {
    Pages p(4);
    PageLru lru;
    for (Page& page : p.pages) lru.add(page);
    PageLru::mark_accessed(p.pages[0]);
    PageLru::mark_accessed(p.pages[1]);
    std::vector<u64> evicted;
    lru.scan(100, 2, [&](Page& page) {
        evicted.push_back(page.index);
        lru.remove(page);
        return true;
    });
    EXPECT_EQ(evicted, (std::vector<u64>{2, 3}));
    EXPECT_FALSE(p.pages[0].has(PG_REFERENCED));  // the scan spent their chance
    lru.scan(100, 1, [&](Page& page) {
        evicted.push_back(page.index);
        lru.remove(page);
        return true;
    });
    EXPECT_EQ(evicted.back(), 0u);
}

TEST(PageLru, DeclinedPagesStayAndTheBudgetBoundsTheScan) {
    Pages p(10);
    PageLru lru;
    for (Page& page : p.pages) lru.add(page);
    usize offered = 0;
    usize got = lru.scan(25, 5, [&](Page& page) {
        offered++;
        if (page.index % 2) return false;  // busy (mapped, dirty, locked)
        lru.remove(page);
        return true;
    });
    EXPECT_EQ(got, 5u);
    EXPECT_EQ(lru.size(), 5u);
    std::set<u64> left;
    for (Page& page : p.pages)
        if (lru.contains(page)) left.insert(page.index);
    EXPECT_EQ(left, (std::set<u64>{1, 3, 5, 7, 9}));
    offered = 0;
    got = lru.scan(7, 100, [&](Page&) {
        offered++;
        return false;
    });
    EXPECT_EQ(got, 0u);
    EXPECT_EQ(offered, 7u);
}

TEST(PageLru, AddAndRemoveAreIdempotent) {
    Pages p(2);
    PageLru lru;
    lru.add(p.pages[0]);
    lru.add(p.pages[0]);
    EXPECT_EQ(lru.size(), 1u);
    lru.remove(p.pages[1]);
    lru.remove(p.pages[0]);
    lru.remove(p.pages[0]);
    EXPECT_EQ(lru.size(), 0u);
}

}  // namespace
