// Synchronisation: the sleeping mutex (see mutex.h).
#include "sync/mutex.h"

#include "debug/panic.h"
#include "proc/thread.h"

void Mutex::lock() {
    Thread* self = current_thread();
    KASSERT(m_owner != self);  // not recursive: a second lock would sleep forever
    (void)m_waiters.wait_until(
        [&] {
            if (m_owner) return false;
            m_owner = self;
            return true;
        },
        WaitMode::Uninterruptible);
}

bool Mutex::try_lock() {
    arch::InterruptGuard guard;
    if (m_owner) return false;
    m_owner = current_thread();
    return true;
}

void Mutex::unlock() {
    KASSERT(m_owner == current_thread());
    {
        arch::InterruptGuard guard;
        m_owner = nullptr;
    }
    m_waiters.wake_one();
}

bool Mutex::is_locked_by_current() const { return m_owner == current_thread(); }
