// Kernel library: Linux errno values, taken from the UAPI headers (never hand-typed),
// plus the kernel-internal restart codes that never reach user space.
#pragma once

#include <linux/errno.h>

// Linux's include/linux/errno.h (not part of the UAPI): a syscall interrupted by a signal
// returns one of these; signal delivery turns it into EINTR or restarts the call.
#define ERESTARTSYS 512             // restart if the handler has SA_RESTART (or no handler ran)
#define ERESTARTNOINTR 513          // always restart
#define ERESTARTNOHAND 514          // restart only if no handler ran
#define ERESTART_RESTARTBLOCK 516   // restart through restart_syscall (nanosleep)
