// Syscalls: terminals — the calls of their own (their ioctls live in drivers/tty/).
#include "drivers/tty/job_control.h"
#include "lib/errno.h"
#include "proc/process.h"
#include "syscalls/syscall.h"

// Linux: needs CAP_SYS_TTY_CONFIG; hangs up the caller's controlling terminal, if any, as
// if its line had dropped (tty_vhangup_self).
SyscallResult sys_vhangup() {
    if (!current_process()->credentials.is_superuser()) return err(EPERM);
    if (Tty* tty = job_control::current_controlling_tty()) job_control::hang_up(*tty, false);
    return 0;
}
