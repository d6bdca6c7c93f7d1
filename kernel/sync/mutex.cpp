// Synchronisation: the sleeping mutex (see mutex.h).
#include "sync/mutex.h"

#include "debug/panic.h"
#include "proc/thread.h"

bool Mutex::try_claim(Thread* self) {
    Thread* expected = nullptr;
    return m_owner.compare_exchange_strong(expected, self, kstd::memory_order_seq_cst);
}

void Mutex::lock() {
    Thread* self = current_thread();
    KASSERT(m_owner.load(kstd::memory_order_relaxed) != self);  // not recursive: it would sleep forever
    if (try_claim(self)) return;
    m_waiting.fetch_add(1, kstd::memory_order_seq_cst);
    (void)m_waiters.wait_until([&] { return try_claim(self); }, WaitMode::Uninterruptible);
    m_waiting.fetch_sub(1, kstd::memory_order_relaxed);
}

bool Mutex::try_lock() { return try_claim(current_thread()); }

void Mutex::unlock() {
    KASSERT(m_owner.load(kstd::memory_order_relaxed) == current_thread());
    m_owner.store(nullptr, kstd::memory_order_seq_cst);
    if (m_waiting.load(kstd::memory_order_seq_cst)) m_waiters.wake_one();
}

bool Mutex::is_locked_by_current() const { return m_owner.load(kstd::memory_order_relaxed) == current_thread(); }
