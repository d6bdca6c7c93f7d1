// Filesystems: the range algebra of record locks (Linux's posix_lock_inode in
// fs/locks.c), kept free of everything else so host tests can exercise it.
//
// A LockList holds the locks on one file, each an inclusive byte range owned by someone
// (a process's descriptor table for POSIX locks, an open file for OFD locks and flock).
// One owner's locks never overlap: setting a range splits the owner's locks that stick
// out of it and merges those of the same kind that touch it, as POSIX requires.
#pragma once

#include "lib/kstd.h"
#include "lib/result.h"

// Linux's OFFSET_MAX: a lock "to the end of the file", however far it grows.
constexpr u64 LOCK_OFFSET_MAX = 0x7fffffffffffffffull;

enum class LockKind : u8 { Read, Write };

struct RecordLock {
    const void* owner;
    i32 pid;  // what F_GETLK reports: the owner's process, -1 for OFD locks
    LockKind kind;
    u64 start;
    u64 end;  // inclusive
    RecordLock* next = nullptr;
};

class LockList {
public:
    LockList() = default;
    ~LockList();
    LockList(const LockList&) = delete;
    LockList& operator=(const LockList&) = delete;

    bool empty() const { return m_head == nullptr; }
    const RecordLock* first() const { return m_head; }  // sorted by start
    usize count() const;

    // The first lock of another owner that a `kind` lock over [start, end] conflicts with:
    // they overlap and at least one of them is a write lock.
    const RecordLock* find_conflict(const void* owner, LockKind kind, u64 start, u64 end) const;
    // Makes the owner hold `kind` over [start, end] (no value: hold nothing there). Fails
    // only with ENOMEM, and then before changing anything. Returns whether locks may have
    // been released (an unlock or a conversion), so waiters should look again.
    Result<bool> set(const void* owner, i32 pid, kstd::optional<LockKind> kind, u64 start, u64 end);
    // Drops every lock of the owner; returns whether there were any.
    bool remove_owner(const void* owner);
    bool holds_any(const void* owner) const;

private:
    void insert_sorted(RecordLock* lock);
    RecordLock* m_head = nullptr;
};
