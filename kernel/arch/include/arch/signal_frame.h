// Architecture interface: the signal frame on the user stack (Linux's rt_sigframe) —
// built when a handler is entered, read back by rt_sigreturn.
#pragma once

#include "arch/registers.h"
#include "lib/result.h"
#include "proc/signal.h"

namespace arch {
// Pushes the frame (on the alternate stack when the handler asks for it and one is set)
// and points the registers at the handler. EFAULT when the stack cannot take it.
ErrorOr setup_signal_frame(InterruptFrame& frame, Thread& thread, int signal, const SignalInfo& info,
                           const KernelSigaction& action, SignalSet old_mask);
// rt_sigreturn: restores registers, FPU state, mask and alternate stack from the frame at
// the user stack pointer. EFAULT when it is unreadable or would return to the kernel.
ErrorOr restore_signal_frame(InterruptFrame& frame, Thread& thread);
}  // namespace arch
