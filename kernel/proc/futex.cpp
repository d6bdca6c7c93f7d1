// Processes: futexes (see futex.h).
//
// The value check and the enqueue happen with no sleep in between, and no other thread
// can run there on one CPU with a non-preemptible kernel: that is what makes the wait
// atomic with respect to wakers (Linux gets the same from its hash-bucket lock).
#include "proc/futex.h"

#include <linux/futex.h>

#include "arch/paging.h"
#include "lib/list.h"
#include "mm/address_space.h"
#include "mm/user_copy.h"
#include "proc/process.h"
#include "proc/scheduler.h"
#include "proc/signal.h"
#include "sync/spinlock.h"
#include "time/clock.h"

namespace {

struct FutexKey {
    uptr space;   // the AddressSpace for private futexes, 0 for shared ones
    u64 address;  // the user address (private) or physical address (shared)
    bool operator==(const FutexKey&) const = default;
};

struct FutexWaiter {
    Thread* thread;
    FutexKey key;
    u32 bitset;
    bool woken;
    ListNode node;
};

SpinLock g_lock;
IntrusiveList<FutexWaiter, &FutexWaiter::node> g_waiters;

Result<FutexKey> key_for(uptr address, bool shared) {
    if (address & 3) return err(EINVAL);
    Process* process = current_process();
    if (!shared) return FutexKey{reinterpret_cast<uptr>(process->address_space.get()), address};
    // Touch the word so its page is present, then key by where it lives in memory.
    TRY(mm::load_user_u32(UserPtr<const u32>(address)));
    auto t = arch::translate(process->address_space->page_table(), address);
    if (!t) return err(EFAULT);
    return FutexKey{0, t->phys};
}

void wake_waiter(FutexWaiter& waiter) {
    g_waiters.remove(waiter);
    waiter.woken = true;
    sched::wake_up(*waiter.thread);
}

void timeout_expired(Timer&, void* context) { sched::wake_up(*static_cast<Thread*>(context)); }

}  // namespace

ErrorOr futex_wait(uptr address, u32 expected, u64 deadline_ns, u32 bitset, bool shared) {
    if (bitset == 0) return err(EINVAL);
    FutexKey key = TRY(key_for(address, shared));
    u32 value = TRY(mm::load_user_u32(UserPtr<const u32>(address)));
    if (value != expected) return err(EAGAIN);
    Thread* self = current_thread();
    FutexWaiter waiter{self, key, bitset, false, {}};
    {
        SpinLockGuard guard(g_lock);
        g_waiters.push_back(waiter);
    }
    if (deadline_ns) self->m_sleep_timer.arm(deadline_ns, timeout_expired, self);
    ErrorOr result;
    for (;;) {
        arch::InterruptGuard guard;
        if (waiter.woken) break;
        if (signal_pending(*self)) {
            result = err(ERESTARTSYS);
            break;
        }
        if (deadline_ns && ktime::monotonic_ns() >= deadline_ns) {
            result = err(ETIMEDOUT);
            break;
        }
        self->set_state(ThreadState::Interruptible);
        sched::schedule();
    }
    if (deadline_ns) self->m_sleep_timer.cancel();
    SpinLockGuard guard(g_lock);
    if (waiter.node.is_linked()) g_waiters.remove(waiter);
    if (waiter.woken) return {};  // a wake that raced with a signal or timeout still counts
    return result;
}

Result<i64> futex_wake(uptr address, u32 count, u32 bitset, bool shared) {
    if (bitset == 0) return err(EINVAL);
    FutexKey key = TRY(key_for(address, shared));
    SpinLockGuard guard(g_lock);
    i64 woken = 0;
    for (auto it = g_waiters.begin(); it != g_waiters.end() && static_cast<u32>(woken) < count;) {
        FutexWaiter& waiter = *it;
        ++it;
        if (waiter.key == key && (waiter.bitset & bitset)) {
            wake_waiter(waiter);
            woken++;
        }
    }
    return woken;
}

Result<i64> futex_requeue(uptr address, u32 wake_count, u32 requeue_count, uptr target, const u32* expected,
                          bool shared) {
    FutexKey from = TRY(key_for(address, shared));
    FutexKey to = TRY(key_for(target, shared));
    if (expected) {
        u32 value = TRY(mm::load_user_u32(UserPtr<const u32>(address)));
        if (value != *expected) return err(EAGAIN);
    }
    SpinLockGuard guard(g_lock);
    i64 woken = 0, moved = 0;
    for (auto it = g_waiters.begin(); it != g_waiters.end();) {
        FutexWaiter& waiter = *it;
        ++it;
        if (!(waiter.key == from)) continue;
        if (static_cast<u32>(woken) < wake_count) {
            wake_waiter(waiter);
            woken++;
        } else if (static_cast<u32>(moved) < requeue_count) {
            waiter.key = to;
            moved++;
        } else {
            break;
        }
    }
    return woken + moved;
}

Result<i64> futex_wake_op(uptr address, u32 wake_count, uptr target, u32 wake_count2, u32 encoded_op, bool shared) {
    // FUTEX_OP encoding (linux/futex.h): op 4 bits, cmp 4 bits, oparg 12, cmparg 12.
    u32 op = (encoded_op >> 28) & 7;
    bool shift = (encoded_op >> 31) & 1;
    u32 cmp = (encoded_op >> 24) & 15;
    u32 oparg = (encoded_op >> 12) & 0xfff;
    u32 cmparg = encoded_op & 0xfff;
    if (shift) oparg = 1u << (oparg & 31);
    u32 old = TRY(mm::load_user_u32(UserPtr<const u32>(target)));
    for (;;) {
        u32 updated;
        switch (op) {
        case FUTEX_OP_SET: updated = oparg; break;
        case FUTEX_OP_ADD: updated = old + oparg; break;
        case FUTEX_OP_OR: updated = old | oparg; break;
        case FUTEX_OP_ANDN: updated = old & ~oparg; break;
        case FUTEX_OP_XOR: updated = old ^ oparg; break;
        default: return err(ENOSYS);
        }
        u32 seen = TRY(mm::cmpxchg_user_u32(UserPtr<u32>(target), old, updated));
        if (seen == old) break;
        old = seen;
    }
    bool condition;
    switch (cmp) {
    case FUTEX_OP_CMP_EQ: condition = old == cmparg; break;
    case FUTEX_OP_CMP_NE: condition = old != cmparg; break;
    case FUTEX_OP_CMP_LT: condition = static_cast<i32>(old) < static_cast<i32>(cmparg); break;
    case FUTEX_OP_CMP_LE: condition = static_cast<i32>(old) <= static_cast<i32>(cmparg); break;
    case FUTEX_OP_CMP_GT: condition = static_cast<i32>(old) > static_cast<i32>(cmparg); break;
    case FUTEX_OP_CMP_GE: condition = static_cast<i32>(old) >= static_cast<i32>(cmparg); break;
    default: return err(ENOSYS);
    }
    i64 woken = TRY(futex_wake(address, wake_count, FUTEX_BITSET_MATCH_ANY, shared));
    if (condition) woken += TRY(futex_wake(target, wake_count2, FUTEX_BITSET_MATCH_ANY, shared));
    return woken;
}

void exit_robust_list(Thread& thread) {
    if (!thread.robust_list) return;
    robust_list_head head;
    if (mm::copy_from_user(&head, UserPtr<const void>(thread.robust_list), sizeof(head)).is_error()) return;
    auto handle = [&](uptr entry) {
        uptr word = entry + head.futex_offset;
        auto value = mm::load_user_u32(UserPtr<const u32>(word));
        if (value.is_error() || (value.value() & FUTEX_TID_MASK) != thread.tid()) return;
        u32 old = value.value();
        u32 updated = (old & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
        auto swapped = mm::cmpxchg_user_u32(UserPtr<u32>(word), old, updated);
        if (!swapped.is_error() && swapped.value() == old && (old & FUTEX_WAITERS))
            (void)futex_wake(word, 1, FUTEX_BITSET_MATCH_ANY, true);
    };
    uptr entry = reinterpret_cast<uptr>(head.list.next);
    uptr pending = reinterpret_cast<uptr>(head.list_op_pending);
    for (int limit = ROBUST_LIST_LIMIT; entry && entry != thread.robust_list && limit > 0; limit--) {
        uptr next;
        if (mm::copy_from_user(&next, UserPtr<const void>(entry), sizeof(next)).is_error()) break;
        if (entry != pending) handle(entry & ~uptr(1));
        entry = next;
    }
    if (pending) handle(pending & ~uptr(1));
    thread.robust_list = 0;
}
