// Host tests: the buddy page-frame allocator.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <vector>

#include "mm/buddy.h"

namespace {

class BuddyTest : public ::testing::Test {
protected:
    static constexpr u64 PAGES = 4096;
    void SetUp() override { buddy.init(pages.data(), 0, PAGES); }
    std::vector<Page> pages = std::vector<Page>(PAGES);
    BuddyAllocator buddy;
};

TEST_F(BuddyTest, StartsEmptyUntilMemoryIsAdded) {
    EXPECT_FALSE(buddy.allocate(0).has_value());
    EXPECT_EQ(buddy.stats().failures[0], 1u);
    buddy.add_free_range(0, PAGES);
    EXPECT_EQ(buddy.stats().free_pages, PAGES);
    // 4096 pages = four blocks of the largest order (1024 pages).
    EXPECT_EQ(buddy.stats().free_blocks[BuddyAllocator::MAX_ORDER - 1], 4u);
}

TEST_F(BuddyTest, BlocksAreNaturallyAligned) {
    buddy.add_free_range(3, PAGES - 3);  // a misaligned start must not leak into blocks
    for (unsigned order = 0; order < BuddyAllocator::MAX_ORDER; order++) {
        auto pfn = buddy.allocate(order);
        ASSERT_TRUE(pfn.has_value()) << order;
        EXPECT_EQ(*pfn % (1u << order), 0u) << order;
        EXPECT_GE(*pfn, 3u);
    }
}

TEST_F(BuddyTest, SplitsAndMergesBackToTheLargestBlocks) {
    buddy.add_free_range(0, PAGES);
    std::vector<u64> allocated;
    while (auto pfn = buddy.allocate(0)) allocated.push_back(*pfn);
    EXPECT_EQ(allocated.size(), PAGES);
    EXPECT_EQ(buddy.stats().free_pages, 0u);
    std::set<u64> unique(allocated.begin(), allocated.end());
    EXPECT_EQ(unique.size(), PAGES);
    std::shuffle(allocated.begin(), allocated.end(), std::mt19937(7));
    for (u64 pfn : allocated) buddy.free(pfn, 0);
    EXPECT_EQ(buddy.stats().free_pages, PAGES);
    EXPECT_EQ(buddy.stats().free_blocks[BuddyAllocator::MAX_ORDER - 1], 4u);
    for (unsigned order = 0; order + 1 < BuddyAllocator::MAX_ORDER; order++)
        EXPECT_EQ(buddy.stats().free_blocks[order], 0u) << order;
}

TEST_F(BuddyTest, RandomMixedOrdersNeverOverlap) {
    buddy.add_free_range(0, PAGES);
    std::mt19937 rng(42);
    std::vector<std::pair<u64, unsigned>> live;
    std::vector<int> owner(PAGES, 0);
    for (int step = 0; step < 20000; step++) {
        if (live.empty() || rng() % 3) {
            unsigned order = rng() % 6;
            auto pfn = buddy.allocate(order);
            if (!pfn) continue;
            for (u64 i = 0; i < (1u << order); i++) {
                ASSERT_EQ(owner[*pfn + i], 0) << "overlap at " << *pfn + i;
                owner[*pfn + i] = 1;
            }
            live.emplace_back(*pfn, order);
        } else {
            size_t k = rng() % live.size();
            auto [pfn, order] = live[k];
            live[k] = live.back();
            live.pop_back();
            for (u64 i = 0; i < (1u << order); i++) owner[pfn + i] = 0;
            buddy.free(pfn, order);
        }
    }
    for (auto [pfn, order] : live) buddy.free(pfn, order);
    EXPECT_EQ(buddy.stats().free_pages, PAGES);
}

TEST_F(BuddyTest, ExhaustionIsAnErrorNotACrash) {
    buddy.add_free_range(0, 16);
    EXPECT_FALSE(buddy.allocate(5).has_value());
    EXPECT_TRUE(buddy.allocate(4).has_value());
    EXPECT_FALSE(buddy.allocate(0).has_value());
    EXPECT_FALSE(buddy.allocate(BuddyAllocator::MAX_ORDER).has_value());
}

TEST_F(BuddyTest, DoubleFreeIsCaught) {
    buddy.add_free_range(0, PAGES);
    auto pfn = buddy.allocate(0);
    buddy.free(*pfn, 0);
    EXPECT_DEATH(buddy.free(*pfn, 0), "assertion failed");
}

TEST_F(BuddyTest, HolesStayReserved) {
    buddy.add_free_range(0, 100);
    buddy.add_free_range(200, 100);
    std::set<u64> seen;
    while (auto pfn = buddy.allocate(0)) seen.insert(*pfn);
    EXPECT_EQ(seen.size(), 200u);
    for (u64 pfn : seen) EXPECT_TRUE(pfn < 100 || (pfn >= 200 && pfn < 300)) << pfn;
}

}  // namespace
