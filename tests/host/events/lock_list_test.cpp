// Host tests: the record-lock range algebra (fs/lock_list.h) — conflicts, splitting,
// merging and releasing, checked against a byte-by-byte model of who holds what.
#include "fs/lock_list.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

const int A = 1, B = 2, C = 3;
const void* owner(const int& id) { return &id; }

// "owner:kind:start-end" for each lock, in list order.
std::string describe(const LockList& list) {
    std::string out;
    for (const RecordLock* lock = list.first(); lock; lock = lock->next) {
        if (!out.empty()) out += " ";
        out += std::to_string(*static_cast<const int*>(lock->owner)) +
               (lock->kind == LockKind::Write ? "w" : "r") + std::to_string(lock->start) + "-" +
               (lock->end == LOCK_OFFSET_MAX ? std::string("max") : std::to_string(lock->end));
    }
    return out;
}

void set(LockList& list, const int& who, kstd::optional<LockKind> kind, u64 start, u64 end) {
    auto result = list.set(owner(who), who, kind, start, end);
    ASSERT_FALSE(result.is_error());
}

TEST(LockList, ConflictsNeedAWriterAndAnotherOwner) {
    LockList list;
    set(list, A, LockKind::Read, 0, 9);
    EXPECT_EQ(list.find_conflict(owner(B), LockKind::Read, 0, 100), nullptr);
    EXPECT_NE(list.find_conflict(owner(B), LockKind::Write, 9, 9), nullptr);
    EXPECT_EQ(list.find_conflict(owner(B), LockKind::Write, 10, 20), nullptr);
    EXPECT_EQ(list.find_conflict(owner(A), LockKind::Write, 0, 9), nullptr);  // our own
    set(list, B, LockKind::Write, 20, 29);
    const RecordLock* conflict = list.find_conflict(owner(C), LockKind::Read, 0, 25);
    ASSERT_NE(conflict, nullptr);
    EXPECT_EQ(conflict->owner, owner(B));
    EXPECT_EQ(conflict->start, 20u);
}

TEST(LockList, UnlockInTheMiddleSplits) {
    LockList list;
    set(list, A, LockKind::Write, 0, 99);
    set(list, A, {}, 40, 59);
    EXPECT_EQ(describe(list), "1w0-39 1w60-99");
    set(list, A, {}, 0, 0);
    EXPECT_EQ(describe(list), "1w1-39 1w60-99");
    set(list, A, {}, 99, LOCK_OFFSET_MAX);
    EXPECT_EQ(describe(list), "1w1-39 1w60-98");
}

TEST(LockList, SameKindMergesWhenTouching) {
    LockList list;
    set(list, A, LockKind::Read, 0, 9);
    set(list, A, LockKind::Read, 20, 29);
    set(list, A, LockKind::Read, 10, 19);  // adjacent on both sides
    EXPECT_EQ(describe(list), "1r0-29");
    set(list, A, LockKind::Read, 25, 40);  // overlapping
    EXPECT_EQ(describe(list), "1r0-40");
    set(list, B, LockKind::Read, 41, 50);  // another owner never merges
    EXPECT_EQ(describe(list), "1r0-40 2r41-50");
}

TEST(LockList, ChangingKindReplacesThePiece) {
    LockList list;
    set(list, A, LockKind::Read, 0, 99);
    set(list, A, LockKind::Write, 40, 59);  // upgrade the middle: three pieces
    EXPECT_EQ(describe(list), "1r0-39 1w40-59 1r60-99");
    set(list, A, LockKind::Read, 50, 59);  // downgrade a part: merges with the read tail
    EXPECT_EQ(describe(list), "1r0-39 1w40-49 1r50-99");
    set(list, A, LockKind::Write, 0, LOCK_OFFSET_MAX);  // everything
    EXPECT_EQ(describe(list), "1w0-max");
}

TEST(LockList, AdjacentLocksOfAnotherKindStay) {
    LockList list;
    set(list, A, LockKind::Write, 0, 9);
    set(list, A, LockKind::Read, 10, 19);
    EXPECT_EQ(describe(list), "1w0-9 1r10-19");
    set(list, A, {}, 10, 19);
    EXPECT_EQ(describe(list), "1w0-9");
}

TEST(LockList, ReleasingReportsWhetherWaitersMayProceed) {
    LockList list;
    auto first = list.set(owner(A), A, LockKind::Write, 0, 9);
    ASSERT_FALSE(first.is_error());
    EXPECT_FALSE(first.value());  // taking a lock frees nothing
    auto downgrade = list.set(owner(A), A, LockKind::Read, 0, 9);
    ASSERT_FALSE(downgrade.is_error());
    EXPECT_TRUE(downgrade.value());
    auto nothing = list.set(owner(A), A, {}, 50, 60);
    ASSERT_FALSE(nothing.is_error());
    EXPECT_FALSE(nothing.value());
}

TEST(LockList, RemoveOwner) {
    LockList list;
    set(list, A, LockKind::Write, 0, 9);
    set(list, B, LockKind::Read, 20, 29);
    set(list, A, LockKind::Read, 40, 49);
    EXPECT_TRUE(list.holds_any(owner(A)));
    EXPECT_TRUE(list.remove_owner(owner(A)));
    EXPECT_FALSE(list.holds_any(owner(A)));
    EXPECT_FALSE(list.remove_owner(owner(A)));
    EXPECT_EQ(describe(list), "2r20-29");
}

// Random operations of three owners against a byte model of the first 64 bytes: the
// list must agree with the model, keep each owner's locks disjoint and merged, and
// stay sorted.
TEST(LockList, AgreesWithAByteModel) {
    std::mt19937 random(12345);
    const int owners[3] = {A, B, C};
    for (int round = 0; round < 200; round++) {
        LockList list;
        // model[owner][byte]: 0 none, 1 read, 2 write
        std::map<int, std::vector<int>> model;
        for (int who : owners) model[who] = std::vector<int>(64, 0);
        for (int step = 0; step < 40; step++) {
            const int& who = owners[random() % 3];
            u64 start = random() % 64, end = start + random() % (64 - start);
            int choice = random() % 3;
            kstd::optional<LockKind> kind;
            if (choice == 1) kind = LockKind::Read;
            if (choice == 2) kind = LockKind::Write;
            // Only apply what POSIX would grant: no conflict with other owners.
            if (kind && list.find_conflict(owner(who), *kind, start, end)) {
                bool model_conflict = false;
                for (int other : owners) {
                    if (other == who) continue;
                    for (u64 b = start; b <= end; b++) {
                        if (model[other][b] && (model[other][b] == 2 || *kind == LockKind::Write))
                            model_conflict = true;
                    }
                }
                ASSERT_TRUE(model_conflict) << "spurious conflict";
                continue;
            }
            set(list, who, kind, start, end);
            for (u64 b = start; b <= end; b++) model[who][b] = choice;
        }
        std::map<int, std::vector<int>> seen;
        for (int who : owners) seen[who] = std::vector<int>(64, 0);
        u64 previous_start = 0;
        std::map<int, const RecordLock*> last_of;
        for (const RecordLock* lock = list.first(); lock; lock = lock->next) {
            int who = *static_cast<const int*>(lock->owner);
            ASSERT_GE(lock->start, previous_start) << "unsorted: " << describe(list);
            previous_start = lock->start;
            ASSERT_LE(lock->start, lock->end);
            if (const RecordLock* prior = last_of[who]) {
                ASSERT_LT(prior->end, lock->start) << "overlap: " << describe(list);
                if (prior->kind == lock->kind) {
                    ASSERT_LT(prior->end + 1, lock->start) << "unmerged: " << describe(list);
                }
            }
            last_of[who] = lock;
            for (u64 b = lock->start; b <= lock->end && b < 64; b++)
                seen[who][b] = lock->kind == LockKind::Write ? 2 : 1;
        }
        for (int who : owners) ASSERT_EQ(seen[who], model[who]) << "owner " << who << ": " << describe(list);
    }
}

}  // namespace
