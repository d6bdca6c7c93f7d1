// Processes: the scheduler — which thread runs next.
//
// Round robin among runnable threads with a 10 ms time slice (a tick that runs while
// threads wait in the queue): fair for equal threads and O(1). A thread runs in the
// kernel until it sleeps or returns to user mode (no kernel preemption, as Linux's
// PREEMPT_NONE); the slice timer only asks for a switch, which happens on the way back
// to user mode. The idle thread halts the CPU.
#pragma once

#include "proc/thread.h"

namespace sched {

constexpr u64 TIME_SLICE_NS = 10 * 1000 * 1000;

// Turns the boot context, running on `boot_stack`, into this CPU's idle thread (tid 0).
void init(const mm::KernelStack& boot_stack);
// Makes a thread runnable (no effect on a thread that already is).
void wake_up(Thread& thread);
// Runs another thread if one is runnable; the current one keeps its state (a sleeping
// thread sets its state before calling).
void schedule();
void yield();
bool need_resched();
void set_need_resched();
// For the idle thread: never returns.
[[noreturn]] void idle_loop();

// Called when a thread exits: it never runs again and is freed once switched away from.
[[noreturn]] void exit_current_thread();

// The second half of a context switch (releases a thread that just died).
void finish_switch();
usize runnable_count();
// Threads runnable or running (the idle thread aside): what the load averages count.
usize active_count();
u64 context_switches();
// Time this CPU spent in the idle thread since boot (/proc/stat, /proc/uptime).
u64 idle_time_ns();

}  // namespace sched
