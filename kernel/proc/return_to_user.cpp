// Processes: the work done on every return to user mode (see return_to_user.h).
#include "proc/return_to_user.h"

#include "arch/registers.h"
#include "lib/errno.h"
#include "proc/process.h"
#include "proc/scheduler.h"
#include "proc/signal.h"

namespace {
// Whether a syscall's return needs deliver_pending_signals although no signal is pending:
// most do not, and skipping it keeps the null syscall short.
bool signal_work_after_syscall(Thread& thread, const InterruptFrame& frame) {
    i64 result = arch::syscall_return_value(frame);
    bool restart_code = result == -ERESTARTSYS || result == -ERESTARTNOINTR || result == -ERESTARTNOHAND ||
                        result == -ERESTART_RESTARTBLOCK;
    Process* process = thread.process();
    return restart_code || thread.saved_mask || (process && process->stopped);
}
}  // namespace

bool return_to_user(InterruptFrame& frame, ReturnFrom from) {
    Thread* thread = current_thread();
    bool from_syscall = from == ReturnFrom::Syscall && arch::syscall_number(frame) >= 0;
    for (;;) {
        if (sched::need_resched()) {
            sched::schedule();
            continue;
        }
        if (thread->process() && signal_pending(*thread)) {
            deliver_pending_signals(frame, from_syscall);
            from_syscall = false;  // restart decisions are made once
            if (sched::need_resched()) continue;
        } else if (from_syscall && signal_work_after_syscall(*thread, frame)) {
            // No signal, but a restart code may still need its rewind (a stop and continue),
            // a saved mask its restoring, or a stopping process this thread.
            deliver_pending_signals(frame, true);
            from_syscall = false;
        }
        break;
    }
    return kstd::exchange(thread->full_register_restore, false);
}
