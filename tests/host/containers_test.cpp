// Host tests: the kernel library's containers and error handling.
#include <gtest/gtest.h>

#include "lib/bitmap.h"
#include "lib/list.h"
#include "lib/ref_ptr.h"
#include "lib/result.h"

namespace {

struct Item {
    int value;
    ListNode node;
};

TEST(IntrusiveList, PushRemoveIterate) {
    Item a{1, {}}, b{2, {}}, c{3, {}};
    IntrusiveList<Item, &Item::node> list;
    EXPECT_TRUE(list.is_empty());
    list.push_back(a);
    list.push_back(b);
    list.push_front(c);
    int sum = 0, order[3], n = 0;
    for (Item& item : list) {
        sum += item.value;
        order[n++] = item.value;
    }
    EXPECT_EQ(sum, 6);
    EXPECT_EQ(order[0], 3);
    EXPECT_EQ(order[2], 2);
    IntrusiveList<Item, &Item::node>::remove(a);
    EXPECT_FALSE(a.node.is_linked());
    EXPECT_EQ(list.size_slow(), 2u);
    EXPECT_EQ(list.pop_front(), &c);
    EXPECT_EQ(list.first(), &b);
    EXPECT_EQ(list.last(), &b);
}

TEST(IntrusiveList, RemovingDuringIterationIsSafe) {
    Item items[5] = {{0, {}}, {1, {}}, {2, {}}, {3, {}}, {4, {}}};
    IntrusiveList<Item, &Item::node> list;
    for (Item& item : items) list.push_back(item);
    for (auto it = list.begin(); it != list.end();) {
        Item& item = *it;
        ++it;
        if (item.value % 2) IntrusiveList<Item, &Item::node>::remove(item);
    }
    EXPECT_EQ(list.size_slow(), 3u);
}

TEST(Bitmap, FindsAlignedClearRuns) {
    u64 words[Bitmap::words_for(200)] = {};
    Bitmap bitmap(words, 200);
    bitmap.set_range(0, 70, true);
    auto run = bitmap.find_clear_run(10);
    ASSERT_TRUE(run.has_value());
    EXPECT_EQ(*run, 70u);
    run = bitmap.find_clear_run(10, 0, 16);
    ASSERT_TRUE(run.has_value());
    EXPECT_EQ(*run, 80u);
    EXPECT_FALSE(bitmap.find_clear_run(131).has_value());
    bitmap.set_range(0, 200, true);
    EXPECT_FALSE(bitmap.find_clear_run(1).has_value());
}

struct Counted : RefCounted<Counted> {
    explicit Counted(int* deaths) : m_deaths(deaths) {}
    ~Counted() { (*m_deaths)++; }
    int* m_deaths;
};

TEST(RefPtr, LastReferenceDeletes) {
    int deaths = 0;
    {
        RefPtr<Counted> a = try_make_ref<Counted>(&deaths);
        ASSERT_TRUE(a);
        EXPECT_EQ(a->ref_count(), 1u);
        RefPtr<Counted> b = a;
        EXPECT_EQ(a->ref_count(), 2u);
        RefPtr<Counted> c = kstd::move(b);
        EXPECT_FALSE(b);
        EXPECT_EQ(a->ref_count(), 2u);
    }
    EXPECT_EQ(deaths, 1);
}

TEST(OwnPtr, OwnsAndReleases) {
    int deaths = 0;
    {
        OwnPtr<Counted> p = try_make_own<Counted>(&deaths);
        OwnPtr<Counted> q = kstd::move(p);
        EXPECT_FALSE(p);
        EXPECT_TRUE(q);
    }
    EXPECT_EQ(deaths, 1);
}

Result<int> half(int x) {
    if (x % 2) return err(EINVAL);
    return x / 2;
}
Result<int> quarter(int x) {
    int h = TRY(half(x));
    return TRY(half(h));
}

TEST(Result, TryPropagatesErrno) {
    auto ok = quarter(8);
    ASSERT_FALSE(ok.is_error());
    EXPECT_EQ(ok.value(), 2);
    auto bad = quarter(6);
    ASSERT_TRUE(bad.is_error());
    EXPECT_EQ(bad.error().code(), EINVAL);
}

}  // namespace
