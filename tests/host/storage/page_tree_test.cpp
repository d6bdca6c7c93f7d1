// Host tests, storage: the page cache's radix tree against std::map under random
// operations, at small and enormous indices, and with allocation failures.
#include "drivers/block/page_tree.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "heap_shim.h"
#include "mm/page.h"

namespace {

using block::PageTree;

Page* fake(u64 n) { return reinterpret_cast<Page*>((n + 1) * 64); }

void expect_same(const PageTree& tree, const std::map<u64, Page*>& model) {
    EXPECT_EQ(tree.count(), model.size());
    std::vector<std::pair<u64, Page*>> walked;
    tree.for_each_from(0, [&](u64 index, Page* page) {
        walked.push_back({index, page});
        return true;
    });
    std::vector<std::pair<u64, Page*>> expected(model.begin(), model.end());
    EXPECT_EQ(walked, expected);
}

TEST(PageTree, InsertFindRemove) {
    PageTree tree;
    EXPECT_EQ(tree.find(0), nullptr);
    ASSERT_FALSE(tree.insert(5, fake(5)).is_error());
    ASSERT_FALSE(tree.insert(0, fake(0)).is_error());
    ASSERT_FALSE(tree.insert(4096, fake(4096)).is_error());  // grows to three levels
    EXPECT_EQ(tree.find(5), fake(5));
    EXPECT_EQ(tree.find(4096), fake(4096));
    EXPECT_EQ(tree.find(6), nullptr);
    auto again = tree.insert(5, fake(1));
    ASSERT_TRUE(again.is_error());
    EXPECT_EQ(again.error().code(), EEXIST);
    EXPECT_EQ(tree.remove(5), fake(5));
    EXPECT_EQ(tree.remove(5), nullptr);
    EXPECT_EQ(tree.count(), 2u);
    u64 found;
    EXPECT_EQ(tree.next(1, &found), fake(4096));
    EXPECT_EQ(found, 4096u);
    EXPECT_EQ(tree.next(4097, &found), nullptr);
}

TEST(PageTree, HugeIndices) {
    PageTree tree;
    std::map<u64, Page*> model;
    for (u64 index : {u64(0), u64(63), u64(64), u64(1) << 32, (u64(1) << 40) + 7, ~u64(0), ~u64(0) - 64}) {
        ASSERT_FALSE(tree.insert(index, fake(index & 0xffff)).is_error()) << index;
        model[index] = fake(index & 0xffff);
    }
    expect_same(tree, model);
    for (auto& [index, page] : model) EXPECT_EQ(tree.find(index), page);
    for (auto& [index, page] : model) EXPECT_EQ(tree.remove(index), page);
    EXPECT_EQ(tree.count(), 0u);
}

TEST(PageTree, RandomOperationsMatchAMap) {
    PageTree tree;
    std::map<u64, Page*> model;
    std::mt19937_64 random(7);
    for (int step = 0; step < 100000; step++) {
        u64 index = random() % 3 == 0 ? random() % 5000 : random() % (u64(1) << (random() % 40));
        switch (random() % 3) {
            case 0:
            case 1: {
                bool fresh = !model.count(index);
                auto inserted = tree.insert(index, fake(index));
                EXPECT_EQ(inserted.is_error(), !fresh);
                if (fresh) model[index] = fake(index);
                break;
            }
            default: {
                Page* removed = tree.remove(index);
                EXPECT_EQ(removed, model.count(index) ? model[index] : nullptr);
                model.erase(index);
            }
        }
        if (step % 10000 == 0) expect_same(tree, model);
    }
    expect_same(tree, model);
    u64 start = 2500, found;
    auto after = model.lower_bound(start);
    Page* next = tree.next(start, &found);
    if (after == model.end()) {
        EXPECT_EQ(next, nullptr);
    } else {
        EXPECT_EQ(next, after->second);
        EXPECT_EQ(found, after->first);
    }
}

TEST(PageTree, AllocationFailureLeavesTheTreeUnchanged) {
    PageTree tree;
    ASSERT_FALSE(tree.insert(1, fake(1)).is_error());
    for (long budget = 0; budget < 4; budget++) {
        heap_shim_fail_after(budget);
        auto inserted = tree.insert(u64(1) << 30, fake(2));
        heap_shim_fail_after(-1);
        if (!inserted.is_error()) {
            EXPECT_EQ(tree.find(u64(1) << 30), fake(2));
            EXPECT_EQ(tree.remove(u64(1) << 30), fake(2));
            continue;
        }
        EXPECT_EQ(inserted.error().code(), ENOMEM);
        EXPECT_EQ(tree.count(), 1u);
        EXPECT_EQ(tree.find(1), fake(1));
        EXPECT_EQ(tree.find(u64(1) << 30), nullptr);
    }
}

}  // namespace
