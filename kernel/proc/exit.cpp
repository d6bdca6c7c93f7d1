// Processes: exit, exit_group and death by signal (see exit.h). Linux's kernel/exit.c:
// the last thread to leave turns the process into a zombie that keeps its pid and wait
// status until the parent reaps it; its children go to init (or a subreaper); the
// parent gets its exit signal (SIGCHLD) unless it ignores it, in which case the zombie is
// reaped at once; init's death panics, with the exit status in the message.
#include "proc/exit.h"

#include <linux/futex.h>
#include <linux/poll.h>

#include "arch/paging.h"
#include "debug/panic.h"
#include "drivers/tty/job_control.h"
#include "fs/file_table.h"
#include "fs/fs_context.h"
#include "mm/address_space.h"
#include "mm/user_copy.h"
#include "proc/coredump.h"
#include "proc/futex.h"
#include "proc/process.h"
#include "proc/scheduler.h"
#include "proc/signal.h"
#include "proc/wait.h"
#include "time/process_timers.h"

namespace {

// CLONE_CHILD_CLEARTID / set_tid_address: zero the word and wake one waiter (pthread_join).
void clear_child_tid(Thread& thread) {
    if (!thread.clear_child_tid) return;
    u32 zero = 0;
    UserPtr<u32> address(thread.clear_child_tid);
    if (!mm::copy_to_user(address, &zero).is_error()) (void)futex_wake(address.address(), 1, FUTEX_BITSET_MATCH_ANY, true);
    thread.clear_child_tid = 0;
}

bool parent_reaps_automatically(Process& parent) {
    // SIGCHLD set to SIG_IGN, or SA_NOCLDWAIT: children are reaped at once (POSIX.1-2001).
    if (!parent.signal_handlers) return false;
    KernelSigaction action = parent.signal_handlers->get(SIGCHLD);
    return action.sa_handler == SIG_IGN || (action.sa_flags & SA_NOCLDWAIT);
}

int child_code(int wait_status) {
    if ((wait_status & 0x7f) == 0) return CLD_EXITED;
    return (wait_status & 0x80) ? CLD_DUMPED : CLD_KILLED;
}

// The process's last thread is leaving: release what it holds and tell the parent.
void finish_process(Process& process, Thread& last_thread) {
    if (process.pid() == 1)
        panic("Attempted to kill init! exitcode=0x%08x", static_cast<unsigned>(process.wait_status));

    // Run on the kernel's page tables from here: the address space may be freed below.
    arch::activate_page_table(arch::kernel_page_table());
    if (process.address_space)
        process.peak_resident_pages = kstd::max(process.peak_resident_pages, process.address_space->peak_resident_pages());
    process_timers_exit(process);
    // epoll entries outliving the process must leave its signalfd queue (POLLFREE).
    process.signalfd_wait.wake_all(POLLFREE);
    process.address_space.clear();
    if (process.files) process.files->close_all();
    process.files.clear();
    process.fs.clear();

    job_control::process_exiting(process);  // hang-up of a session leader's terminal, orphaned groups
    process_table::reparent_children(process);
    if (Process* init = process_table::init_process()) init->child_wait.wake_all();

    Process* parent = process.parent();
    arch::InterruptGuard guard;
    process.state = ProcessState::Zombie;
    process.vfork_released = true;
    process.vfork_done.wake_all();
    last_thread.cpu_time_ns += 0;
    if (!parent) return;
    if (process.exit_signal && !signal_ignored(*parent, process.exit_signal)) {
        SignalInfo info = make_signal_info(process.exit_signal, child_code(process.wait_status));
        info.si_pid = static_cast<int>(process.pid());
        info.si_uid = process.credentials.uid;
        info.si_status = (process.wait_status & 0x7f) ? (process.wait_status & 0x7f) : (process.wait_status >> 8) & 0xff;
        (void)send_signal_to_process(*parent, info);
    }
    parent->child_wait.wake_all();
    if (parent_reaps_automatically(*parent)) process.state = ProcessState::Zombie, reap_zombie(process);
}

[[noreturn]] void exit_thread(Thread& thread) {
    Process* process = thread.process();
    // While another thread writes a core file, this one's registers and memory must stay
    // as they are: wait before touching either (clear_child_tid writes user memory).
    coredump::wait_for_core_dump(thread);
    clear_child_tid(thread);
    exit_robust_list(thread);
    if (process->remove_thread(thread)) finish_process(*process, thread);
    sched::exit_current_thread();
}

}  // namespace

void exit_current_thread(int status) {
    Thread* thread = current_thread();
    Process* process = thread->process();
    {
        arch::InterruptGuard guard;
        // The last thread's exit code becomes the process's (unless a group exit set it).
        if (!process->exiting) process->wait_status = (status & 0xff) << 8;
    }
    exit_thread(*thread);
}

void exit_group(int wait_status) {
    Thread* self = current_thread();
    Process* process = self->process();
    {
        arch::InterruptGuard guard;
        if (!process->exiting) {
            process->exiting = true;
            process->wait_status = wait_status;
        }
        // Every other thread dies on its way back to user mode; wake the sleepers.
        for (Thread& thread : process->threads()) {
            if (&thread != self && thread.state() != ThreadState::Dead &&
                thread.state() != ThreadState::Uninterruptible)
                sched::wake_up(thread);
        }
    }
    exit_thread(*self);
}

void exit_group_from_signal(const SignalInfo& info, bool core) {
    // Linux sets WCOREDUMP only when a core file was written.
    if (core) core = coredump::dump_core(info);
    exit_group((info.si_signo & 0x7f) | (core ? 0x80 : 0));
}

void exit_group_from_signal(int signal, bool core) {
    exit_group_from_signal(make_signal_info(signal, SI_KERNEL), core);
}

void exit_current_thread_for_group() { exit_thread(*current_thread()); }

void notify_parent_of_state_change(Process& child, int code, int signal) {
    Process* parent = child.parent();
    if (!parent) return;
    KernelSigaction action = parent->signal_handlers ? parent->signal_handlers->get(SIGCHLD) : KernelSigaction{};
    if (!(action.sa_flags & SA_NOCLDSTOP)) {
        SignalInfo info = make_signal_info(SIGCHLD, code);
        info.si_pid = static_cast<int>(child.pid());
        info.si_uid = child.credentials.uid;
        info.si_status = signal;
        (void)send_signal_to_process(*parent, info);
    }
    parent->child_wait.wake_all();
}
