// Processes: core dumps (Linux's fs/coredump.c) — when a core-dumping signal kills a
// process, its memory and registers are written to an ELF core file (proc/core_format.h)
// named by /proc/sys/kernel/core_pattern, in the process's working directory, before the
// address space is torn down. Only a file written earns the wait status's core bit.
#pragma once

#include "lib/kstd.h"
#include "lib/result.h"
#include "proc/signal_types.h"

class Thread;

namespace coredump {

// /proc/sys/kernel/core_pattern and core_uses_pid.
kstd::string_view core_pattern();
ErrorOr set_core_pattern(kstd::string_view pattern);
bool core_uses_pid();
void set_core_uses_pid(bool value);

// The current thread took a core-dumping signal (`info`): stops the other threads and
// writes the core file. Returns whether a file was written. Nothing is written when
// RLIMIT_CORE is below a page, the process is not dumpable (PR_SET_DUMPABLE, set-user-ID
// programs), the pattern pipes to a helper, another thread is already taking the process
// down, or the file cannot be created safely.
bool dump_core(const SignalInfo& info);

// A thread leaving because another one dumps core: it stops here, its registers saved on
// its kernel stack, until the dump is written (Linux's coredump_task_exit).
void wait_for_core_dump(Thread& thread);

}  // namespace coredump
