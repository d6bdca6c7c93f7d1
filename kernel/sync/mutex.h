// Synchronisation: a sleeping mutex, for long critical sections in thread context
// (filesystems, address spaces). Never taken in interrupt handlers.
#pragma once

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
    Thread* m_owner = nullptr;
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
