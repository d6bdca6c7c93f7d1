// Filesystems: file locks (see locks.h). One mutex guards every lock list: locking is
// rare and short next to the I/O it protects. Each locked inode has a context with its
// two lists (record locks, flocks) and a wait queue; a context lives while it holds
// locks or has waiters, so inodes need no field of their own.
#include "fs/locks.h"

#include <linux/fs.h>

#include "fs/lock_list.h"
#include "lib/errno.h"
#include "log/klog.h"
#include "proc/process.h"
#include "sync/mutex.h"

namespace {

struct InodeLocks {
    RefPtr<Inode> inode;  // held, so a context can never outlive its inode and match a new one
    LockList records;     // POSIX and OFD locks
    LockList flocks;
    WaitQueue waiters;
    u64 generation = 0;  // bumped whenever a lock goes, for waiters to look again
    u32 waiting = 0;
    ListNode node;
};

// A POSIX waiter: `owner` sleeps until `blocker` releases (for deadlock detection).
struct BlockedOwner {
    const void* owner;
    const void* blocker;
    ListNode node;
};

constexpr int MAX_DEADLOCK_STEPS = 10;  // Linux's MAX_DEADLK_ITERATIONS

Mutex g_lock;
IntrusiveList<InodeLocks, &InodeLocks::node> g_contexts;
IntrusiveList<BlockedOwner, &BlockedOwner::node> g_blocked;
kstd::atomic<u64> g_context_count{0};  // lets close(2) skip the mutex when nothing is locked

InodeLocks* find_context(Inode& inode) {
    for (InodeLocks& context : g_contexts) {
        if (context.inode.get() == &inode) return &context;
    }
    return nullptr;
}

Result<InodeLocks*> context_for(Inode& inode) {
    if (InodeLocks* context = find_context(inode)) return context;
    auto* context = new (kstd::nothrow) InodeLocks{RefPtr<Inode>(&inode), {}, {}, {}, 0, 0, {}};
    if (!context) return err(ENOMEM);
    g_contexts.push_back(*context);
    g_context_count.fetch_add(1);
    return context;
}

void drop_if_unused(InodeLocks& context) {
    if (context.waiting || !context.records.empty() || !context.flocks.empty()) return;
    g_contexts.remove(context);
    g_context_count.fetch_sub(1);
    delete &context;
}

void wake_waiters(InodeLocks& context) {
    context.generation++;
    context.waiters.wake_all();
}

struct Range {
    u64 start;
    u64 end;
};

// Linux's flock_to_posix_lock: whence, start and length to an inclusive range.
Result<Range> range_of(File& file, const struct flock& request) {
    i64 base;
    switch (request.l_whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = static_cast<i64>(file.position); break;
    case SEEK_END: base = static_cast<i64>(file.inode()->size()); break;
    default: return err(EINVAL);
    }
    constexpr i64 OFFSET_MAX = static_cast<i64>(LOCK_OFFSET_MAX);
    if (request.l_start > OFFSET_MAX - base) return err(EOVERFLOW);
    i64 start = base + request.l_start;
    if (start < 0) return err(EINVAL);
    i64 end;
    if (request.l_len > 0) {
        if (request.l_len - 1 > OFFSET_MAX - start) return err(EOVERFLOW);
        end = start + request.l_len - 1;
    } else if (request.l_len < 0) {
        if (start + request.l_len < 0) return err(EINVAL);
        end = start - 1;
        start += request.l_len;
    } else {
        end = OFFSET_MAX;
    }
    return Range{static_cast<u64>(start), static_cast<u64>(end)};
}

const void* owner_of(File& file, locks::Flavor flavor) {
    if (flavor == locks::Flavor::OpenFile) return &file;
    return current_process()->files.get();
}

LockKind kind_of(short type) { return type == F_WRLCK ? LockKind::Write : LockKind::Read; }

// Linux's posix_locks_deadlock: follows "waits for" from the lock's holder; reaching the
// requester again means sleeping would never end.
bool would_deadlock(const void* requester, const void* holder) {
    for (int step = 0; step < MAX_DEADLOCK_STEPS; step++) {
        if (holder == requester) return true;
        const BlockedOwner* next = nullptr;
        for (BlockedOwner& blocked : g_blocked) {
            if (blocked.owner == holder) {
                next = &blocked;
                break;
            }
        }
        if (!next) return false;
        holder = next->blocker;
    }
    return false;
}

// Sleeps until some lock of the context goes; the mutex is dropped meanwhile.
ErrorOr wait_for_change(InodeLocks& context, BlockedOwner* blocked) {
    u64 generation = context.generation;
    context.waiting++;
    if (blocked) g_blocked.push_back(*blocked);
    g_lock.unlock();
    auto waited = context.waiters.wait_until([&] { return context.generation != generation; });
    g_lock.lock();
    if (blocked) g_blocked.remove(*blocked);
    context.waiting--;
    // Interrupted lock waits restart under SA_RESTART (Linux returns ERESTARTSYS).
    if (waited.is_error()) return err(ERESTARTSYS);
    return {};
}

// Takes (or waits for) a lock in `list`; `posix` enables deadlock detection.
ErrorOr acquire(InodeLocks& context, LockList& list, const void* owner, i32 pid,
                kstd::optional<LockKind> kind, u64 start, u64 end, bool wait, bool posix) {
    for (;;) {
        const RecordLock* conflict = kind ? list.find_conflict(owner, *kind, start, end) : nullptr;
        if (!conflict) {
            bool released = TRY(list.set(owner, pid, kind, start, end));
            if (released) wake_waiters(context);
            return {};
        }
        if (!wait) return err(EAGAIN);
        if (posix && would_deadlock(owner, conflict->owner)) return err(EDEADLK);
        BlockedOwner blocked{owner, conflict->owner, {}};
        TRY(wait_for_change(context, posix ? &blocked : nullptr));
    }
}

ErrorOr check_file(File& file) {
    if ((file.flags() & O_PATH) || !file.inode()) return err(EBADF);
    return {};
}

}  // namespace

namespace locks {

ErrorOr get(File& file, Flavor flavor, struct flock& request) {
    TRY(check_file(file));
    if (request.l_type != F_RDLCK && request.l_type != F_WRLCK) return err(EINVAL);
    if (flavor == Flavor::OpenFile && request.l_pid != 0) return err(EINVAL);
    auto [start, end] = TRY(range_of(file, request));
    MutexGuard guard(g_lock);
    InodeLocks* context = find_context(*file.inode());
    const RecordLock* conflict =
        context ? context->records.find_conflict(owner_of(file, flavor), kind_of(request.l_type), start, end)
                : nullptr;
    if (!conflict) {
        request.l_type = F_UNLCK;
        return {};
    }
    request.l_type = conflict->kind == LockKind::Write ? F_WRLCK : F_RDLCK;
    request.l_whence = SEEK_SET;
    request.l_start = static_cast<i64>(conflict->start);
    request.l_len =
        conflict->end == LOCK_OFFSET_MAX ? 0 : static_cast<i64>(conflict->end - conflict->start + 1);
    request.l_pid = conflict->pid;
    return {};
}

ErrorOr set(File& file, Flavor flavor, const struct flock& request, bool wait) {
    TRY(check_file(file));
    kstd::optional<LockKind> kind;
    switch (request.l_type) {
    case F_RDLCK:
        if (!file.readable()) return err(EBADF);
        kind = LockKind::Read;
        break;
    case F_WRLCK:
        if (!file.writable()) return err(EBADF);
        kind = LockKind::Write;
        break;
    case F_UNLCK: break;
    default: return err(EINVAL);
    }
    if (flavor == Flavor::OpenFile && request.l_pid != 0) return err(EINVAL);
    auto [start, end] = TRY(range_of(file, request));
    const void* owner = owner_of(file, flavor);
    i32 pid = flavor == Flavor::Posix ? static_cast<i32>(current_process()->pid()) : -1;
    MutexGuard guard(g_lock);
    if (!kind && !find_context(*file.inode())) return {};  // nothing to unlock
    InodeLocks* context = TRY(context_for(*file.inode()));
    if (flavor == Flavor::OpenFile) file.may_hold_locks = true;
    auto result =
        acquire(*context, context->records, owner, pid, kind, start, end, wait, flavor == Flavor::Posix);
    drop_if_unused(*context);
    return result;
}

ErrorOr flock(File& file, int operation) {
    if ((file.flags() & O_PATH)) return err(EBADF);
    int command = operation & ~LOCK_NB;
    kstd::optional<LockKind> kind;
    switch (command) {
    case LOCK_SH: kind = LockKind::Read; break;
    case LOCK_EX: kind = LockKind::Write; break;
    case LOCK_UN: break;
    default: return err(EINVAL);
    }
    if (!file.inode()) return err(EINVAL);  // pipes and sockets cannot be flocked by us
    MutexGuard guard(g_lock);
    if (!kind && !find_context(*file.inode())) return {};
    InodeLocks* context = TRY(context_for(*file.inode()));
    file.may_hold_locks = true;
    // Linux's flock_lock_inode: a conversion drops the old lock first (others may get in
    // between), then waits for the new one like any request.
    if (kind && context->flocks.holds_any(&file)) {
        const RecordLock* held = context->flocks.first();
        while (held && held->owner != &file) held = held->next;
        if (held && held->kind != *kind && context->flocks.remove_owner(&file)) wake_waiters(*context);
    }
    auto result = acquire(*context, context->flocks, &file, -1, kind, 0, LOCK_OFFSET_MAX,
                          !(operation & LOCK_NB), false);
    drop_if_unused(*context);
    if (result.is_error() && result.error().code() == EAGAIN) return err(EWOULDBLOCK);
    return result;
}

void descriptor_closed(File& file, const void* owner) {
    if (g_context_count.load() == 0 || !file.inode()) return;
    MutexGuard guard(g_lock);
    InodeLocks* context = find_context(*file.inode());
    if (!context) return;
    if (context->records.remove_owner(owner)) wake_waiters(*context);
    drop_if_unused(*context);
}

void file_released(File& file) {
    if (!file.inode()) return;
    MutexGuard guard(g_lock);
    InodeLocks* context = find_context(*file.inode());
    if (!context) return;
    bool removed = context->records.remove_owner(&file);
    removed |= context->flocks.remove_owner(&file);
    if (removed) wake_waiters(*context);
    drop_if_unused(*context);
}

}  // namespace locks
