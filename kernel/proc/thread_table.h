// Processes: thread ids and the table of live threads.
//
// Linux numbers threads and processes from one space (a process's pid is its first
// thread's tid). An id stays taken while anything may still name it: a thread's until it
// is released after death, a thread-group leader's until its process is reaped.
#pragma once

#include "lib/ref_ptr.h"
#include "lib/result.h"

class Thread;

namespace thread_table {

constexpr u32 PID_MAX = 32768;  // Linux's default /proc/sys/kernel/pid_max

Result<u32> allocate_id();
void free_id(u32 id);
// For /proc/loadavg and /proc/stat: the id handed out last, and how many ever were
// (Linux's total_forks: every process and thread created).
u32 last_allocated_id();
u64 allocated_count();

// The table keeps a reference to each live thread until release_dead.
void add(Thread& thread);
RefPtr<Thread> find(u32 tid);
// After a thread died and was switched away from: frees its stack, drops the table's
// reference, and frees its id unless it leads a process (the process frees that).
void release_dead(Thread& thread);

template <typename Fn>
void for_each(Fn&& fn);
usize count();

// Internal: the list for for_each.
struct Iteration;
void lock();
void unlock();
Thread* first();
Thread* next(Thread& thread);

template <typename Fn>
void for_each(Fn&& fn) {
    lock();
    for (Thread* t = first(); t; t = next(*t)) fn(*t);
    unlock();
}

}  // namespace thread_table
