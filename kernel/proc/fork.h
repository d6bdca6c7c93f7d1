// Processes: clone, fork and vfork — new threads and new processes, sharing or copying
// the parent's memory, files, filesystem context and signal handlers per clone flags.
#pragma once

#include <linux/sched.h>

#include "arch/registers.h"
#include "lib/result.h"

struct CloneRequest {
    u64 flags = 0;          // CLONE_* (without the exit signal)
    int exit_signal = 0;    // signal to the parent at exit (SIGCHLD for fork)
    uptr stack = 0;         // new user stack pointer (0: the parent's)
    uptr tls = 0;           // CLONE_SETTLS: the new thread's FS base
    uptr parent_tid = 0;    // CLONE_PARENT_SETTID
    uptr child_tid = 0;     // CLONE_CHILD_SETTID / CLONE_CHILD_CLEARTID
};

// Returns the new thread's tid (the new process's pid) to the parent; the child returns 0.
Result<i64> do_clone(const CloneRequest& request, const InterruptFrame& parent_frame);
