// Processes: waiting for children — wait4 and waitid, with Linux's status words and the
// reaping of zombies.
#pragma once

#include <linux/wait.h>

#include "lib/result.h"

class Process;

enum class WaitWho : u8 { Pid, ProcessGroup, Any };

struct WaitResult {
    u32 pid = 0;
    int status = 0;     // wait4's status word
    int code = 0;       // waitid's si_code: CLD_EXITED, CLD_KILLED, CLD_DUMPED, CLD_STOPPED, CLD_CONTINUED
    int status_value = 0;  // waitid's si_status: exit code or signal
    u32 uid = 0;
    u64 user_ns = 0, system_ns = 0;
    u64 max_resident_kib = 0;
    u64 minor_faults = 0;
};

// options: WNOHANG, WUNTRACED/WSTOPPED, WCONTINUED, WEXITED, WNOWAIT. Returns the pid
// reported, 0 with WNOHANG when nothing is ready, ECHILD without matching children,
// ERESTARTSYS when a signal interrupts the wait.
Result<u32> do_wait(WaitWho who, u32 id, int options, WaitResult& result);

// Frees a zombie: its times go to the parent's children totals, its pid is released.
void reap_zombie(Process& zombie);
