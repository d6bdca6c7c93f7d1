// Synchronisation: a sleeping mutex, for long critical sections in thread context
// (filesystems, address spaces). Never taken in interrupt handlers.
//
// Uncontended, lock and unlock are one atomic operation each (the owner is claimed with a
// compare-and-swap; unlock wakes only when someone is waiting); only a contended lock goes
// through the wait queue. m_waiting is raised before a waiter's claim is retried and is read
// after the owner is cleared (both sequentially consistent), so an unlock cannot miss a
// waiter that is about to sleep.
#pragma once

#include "lib/kstd.h"
#include "sync/wait_queue.h"

class Thread;

class Mutex {
public:
    Mutex() = default;
    Mutex(const Mutex&) = delete;
    Mutex& operator=(const Mutex&) = delete;

    void lock();
    void unlock();
    bool try_lock();
    bool is_locked_by_current() const;

private:
    bool try_claim(Thread* self);

    kstd::atomic<Thread*> m_owner{nullptr};
    kstd::atomic<u32> m_waiting{0};
    WaitQueue m_waiters;
};

class MutexGuard {
public:
    explicit MutexGuard(Mutex& mutex) : m_mutex(mutex) { m_mutex.lock(); }
    ~MutexGuard() { m_mutex.unlock(); }
    MutexGuard(const MutexGuard&) = delete;
    MutexGuard& operator=(const MutexGuard&) = delete;

private:
    Mutex& m_mutex;
};
