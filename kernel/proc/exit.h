// Processes: how threads and processes end — exit, exit_group, death by signal — and
// what the parent learns (SIGCHLD, wait statuses).
#pragma once

#include "lib/types.h"
#include "proc/signal_types.h"

class Process;

// The calling thread exits (exit(2)); the process ends with it if it was the last.
[[noreturn]] void exit_current_thread(int status);
// exit_group(2): every thread of the process exits with `status` (already a wait status).
[[noreturn]] void exit_group(int wait_status);
// Death by signal `info`. For a core-dumping signal (`core`) a core file is written first
// (proc/coredump.h); the wait status carries the core flag (0x80) only when one was.
[[noreturn]] void exit_group_from_signal(const SignalInfo& info, bool core);
// The same for a signal the kernel raises itself (SI_KERNEL).
[[noreturn]] void exit_group_from_signal(int signal, bool core);
// Another thread started exit_group: this one follows.
[[noreturn]] void exit_current_thread_for_group();

// Tells the parent about a stop (CLD_STOPPED) or continue (CLD_CONTINUED): SIGCHLD
// (unless SA_NOCLDSTOP) and a wake-up of its wait.
void notify_parent_of_state_change(Process& child, int code, int signal);
