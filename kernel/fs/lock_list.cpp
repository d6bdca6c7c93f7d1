// Filesystems: the range algebra of record locks (see lock_list.h).
#include "fs/lock_list.h"

namespace {
bool overlaps(const RecordLock& lock, u64 start, u64 end) { return lock.start <= end && start <= lock.end; }
// Adjacent ranges of the same kind merge: [0,4] and [5,9] are one lock [0,9].
bool touches(const RecordLock& lock, u64 start, u64 end) {
    return overlaps(lock, start, end) || (lock.end != ~u64(0) && lock.end + 1 == start) ||
           (end != ~u64(0) && end + 1 == lock.start);
}
}  // namespace

LockList::~LockList() {
    while (RecordLock* lock = m_head) {
        m_head = lock->next;
        delete lock;
    }
}

usize LockList::count() const {
    usize n = 0;
    for (const RecordLock* lock = m_head; lock; lock = lock->next) n++;
    return n;
}

const RecordLock* LockList::find_conflict(const void* owner, LockKind kind, u64 start, u64 end) const {
    for (const RecordLock* lock = m_head; lock; lock = lock->next) {
        if (lock->start > end) break;
        if (lock->owner == owner || !overlaps(*lock, start, end)) continue;
        if (kind == LockKind::Write || lock->kind == LockKind::Write) return lock;
    }
    return nullptr;
}

bool LockList::holds_any(const void* owner) const {
    for (const RecordLock* lock = m_head; lock; lock = lock->next) {
        if (lock->owner == owner) return true;
    }
    return false;
}

void LockList::insert_sorted(RecordLock* lock) {
    RecordLock** link = &m_head;
    while (*link && (*link)->start <= lock->start) link = &(*link)->next;
    lock->next = *link;
    *link = lock;
}

Result<bool> LockList::set(const void* owner, i32 pid, kstd::optional<LockKind> kind, u64 start, u64 end) {
    // At most two new nodes: the new lock, and the tail of an old one it splits in two.
    // Both are allocated first so that nothing changes when memory runs out.
    RecordLock* spare[2] = {new (kstd::nothrow) RecordLock{}, new (kstd::nothrow) RecordLock{}};
    if (!spare[0] || !spare[1]) {
        delete spare[0];
        delete spare[1];
        return err(ENOMEM);
    }
    usize spare_used = 0;
    auto take_spare = [&]() { return spare[spare_used++]; };

    // Take out every lock of the owner the request touches; what survives of them
    // (trimmed pieces) goes back in afterwards.
    RecordLock* affected = nullptr;
    for (RecordLock** link = &m_head; *link;) {
        RecordLock* lock = *link;
        if (lock->owner == owner && touches(*lock, start, end)) {
            *link = lock->next;
            lock->next = affected;
            affected = lock;
        } else {
            link = &lock->next;
        }
    }
    bool changed = false;
    u64 new_start = start, new_end = end;
    RecordLock* survivors = nullptr;
    while (RecordLock* lock = affected) {
        affected = lock->next;
        if (kind && lock->kind == *kind) {
            // Same kind, overlapping or adjacent: absorbed into the new lock.
            new_start = kstd::min(new_start, lock->start);
            new_end = kstd::max(new_end, lock->end);
            delete lock;
            continue;
        }
        if (!overlaps(*lock, start, end)) {
            // Merely adjacent, of another kind: untouched.
            lock->next = survivors;
            survivors = lock;
            continue;
        }
        changed = true;
        bool keeps_head = lock->start < start;
        bool keeps_tail = lock->end > end;
        if (keeps_head && keeps_tail) {
            RecordLock* tail = take_spare();
            *tail = *lock;
            tail->start = end + 1;
            tail->next = survivors;
            survivors = tail;
        }
        if (keeps_head) {
            lock->end = start - 1;
        } else if (keeps_tail) {
            lock->start = end + 1;
        } else {
            delete lock;
            continue;
        }
        lock->next = survivors;
        survivors = lock;
    }
    while (RecordLock* lock = survivors) {
        survivors = lock->next;
        insert_sorted(lock);
    }
    if (kind) {
        RecordLock* lock = take_spare();
        *lock = RecordLock{owner, pid, *kind, new_start, new_end, nullptr};
        insert_sorted(lock);
    }
    while (spare_used < 2) delete spare[spare_used++];
    return changed;
}

bool LockList::remove_owner(const void* owner) {
    bool removed = false;
    for (RecordLock** link = &m_head; *link;) {
        RecordLock* lock = *link;
        if (lock->owner == owner) {
            *link = lock->next;
            delete lock;
            removed = true;
        } else {
            link = &lock->next;
        }
    }
    return removed;
}
