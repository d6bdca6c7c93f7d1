// Processes: futexes — the kernel half of user-space locks (pthread mutexes, condition
// variables, thread joins). A thread sleeps on a user word only while it still holds the
// value it expects; wakers name the word. Private futexes are keyed by address space and
// address, shared ones by the physical page, so processes sharing memory meet.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

class Thread;

// FUTEX_WAIT / FUTEX_WAIT_BITSET: EAGAIN when *address != expected, ETIMEDOUT at the
// deadline (monotonic ns, 0 = none), ERESTARTSYS when a signal interrupts.
ErrorOr futex_wait(uptr address, u32 expected, u64 deadline_ns, u32 bitset, bool shared);
// Wakes up to `count` waiters whose bitset intersects `bitset`; returns how many.
Result<i64> futex_wake(uptr address, u32 count, u32 bitset, bool shared);
// FUTEX_REQUEUE / FUTEX_CMP_REQUEUE (compare when `expected` is given).
Result<i64> futex_requeue(uptr address, u32 wake_count, u32 requeue_count, uptr target, const u32* expected,
                          bool shared);
// FUTEX_WAKE_OP: wakes on `address`, applies the encoded operation to `target` and
// conditionally wakes there too.
Result<i64> futex_wake_op(uptr address, u32 wake_count, uptr target, u32 wake_count2, u32 encoded_op, bool shared);

// At thread exit: walks the robust list (set_robust_list) and marks locks the thread
// still held as FUTEX_OWNER_DIED, waking one waiter of each.
void exit_robust_list(Thread& thread);
