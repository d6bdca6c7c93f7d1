// Processes: the work done on every return to user mode (see return_to_user.h).
#include "proc/return_to_user.h"

#include "proc/process.h"
#include "proc/scheduler.h"
#include "proc/signal.h"

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
        } else if (from_syscall) {
            // No signal, but a restart code may still need its rewind (a stop and continue).
            deliver_pending_signals(frame, true);
            from_syscall = false;
        }
        break;
    }
    return kstd::exchange(thread->full_register_restore, false);
}
