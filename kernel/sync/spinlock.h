// Synchronisation: spinlocks, and Guarded<T> which hands out its data only under the lock.
//
// A SpinLock disables interrupts while held, so it may be taken from interrupt handlers.
// It is a ticket lock: fair once Strix runs on several CPUs.
#pragma once

#include "arch/cpu.h"
#include "lib/kstd.h"
#include "lib/types.h"

class SpinLock {
public:
    constexpr SpinLock() = default;
    SpinLock(const SpinLock&) = delete;
    SpinLock& operator=(const SpinLock&) = delete;

    // Returns whether interrupts were enabled, for unlock() to restore.
    [[nodiscard]] bool lock() {
        bool were_enabled = arch::interrupts_enabled();
        arch::disable_interrupts();
        u32 ticket = m_next.fetch_add(1, kstd::memory_order_relaxed);
        while (m_serving.load(kstd::memory_order_acquire) != ticket) arch::cpu_relax();
        return were_enabled;
    }
    void unlock(bool restore_interrupts) {
        m_serving.fetch_add(1, kstd::memory_order_release);
        if (restore_interrupts) arch::enable_interrupts();
    }
    bool is_locked() const {
        return m_serving.load(kstd::memory_order_relaxed) != m_next.load(kstd::memory_order_relaxed);
    }

private:
    kstd::atomic<u32> m_next{0};
    kstd::atomic<u32> m_serving{0};
};

class SpinLockGuard {
public:
    explicit SpinLockGuard(SpinLock& lock) : m_lock(lock), m_restore(lock.lock()) {}
    ~SpinLockGuard() { m_lock.unlock(m_restore); }
    SpinLockGuard(const SpinLockGuard&) = delete;
    SpinLockGuard& operator=(const SpinLockGuard&) = delete;

private:
    SpinLock& m_lock;
    bool m_restore;
};

// Data that may be touched only with its lock held: `guarded.with([](T& data) { ... })`.
template <typename T, typename Lock = SpinLock>
class Guarded {
public:
    template <typename... Args>
    constexpr explicit Guarded(Args&&... args) : m_data(kstd::forward<Args>(args)...) {}

    template <typename Fn>
    decltype(auto) with(Fn&& fn) {
        SpinLockGuard guard(m_lock);
        return fn(m_data);
    }
    // For code that already proved exclusive access (early boot, panic).
    T& unsafe_get() { return m_data; }

private:
    Lock m_lock;
    T m_data;
};
