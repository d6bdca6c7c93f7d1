// Processes: sending signals and choosing what to deliver (see signal.h).
// Semantics follow Linux's kernel/signal.c: standard signals merge, real-time ones queue;
// SIGCONT and the stop signals cancel each other at send time; SIGKILL and SIGSTOP can
// be neither caught, blocked nor ignored; init receives only the signals it handles.
#include "proc/signal.h"

#include <asm/unistd_64.h>
#include <linux/poll.h>

#include "arch/signal_frame.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "proc/exit.h"
#include "proc/process.h"
#include "proc/scheduler.h"

RefPtr<SignalHandlers> SignalHandlers::create() { return try_make_ref<SignalHandlers>(); }

RefPtr<SignalHandlers> SignalHandlers::clone() const {
    RefPtr<SignalHandlers> copy = create();
    if (copy) memcpy(copy->m_actions, m_actions, sizeof(m_actions));
    return copy;
}

void SignalHandlers::reset_for_exec() {
    for (KernelSigaction& action : m_actions) {
        if (action.sa_handler != SIG_IGN) action.sa_handler = SIG_DFL;
        action.sa_flags = 0;
        action.sa_restorer = nullptr;
        action.sa_mask = 0;
    }
}

DefaultAction default_action(int signal) {
    switch (signal) {
    case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
    case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
        return DefaultAction::CoreDump;
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
        return DefaultAction::Stop;
    case SIGCONT:
        return DefaultAction::Continue;
    case SIGCHLD: case SIGURG: case SIGWINCH:
        return DefaultAction::Ignore;
    default:
        return DefaultAction::Terminate;
    }
}

namespace {

bool is_stop_signal(int signal) {
    return signal == SIGSTOP || signal == SIGTSTP || signal == SIGTTIN || signal == SIGTTOU;
}

void wake_for_signal(Thread& thread, int signal) {
    if (thread.state() == ThreadState::Interruptible ||
        (signal == SIGKILL && (thread.state() == ThreadState::Stopped)))
        sched::wake_up(thread);
}

// SIGCONT and stop signals cancel each other while pending (Linux: prepare_signal).
void cancel_opposites(Process& process, int signal) {
    auto discard_everywhere = [&](int victim) {
        process.shared_pending.discard(victim);
        for (Thread& thread : process.threads()) thread.pending_signals().discard(victim);
    };
    if (signal == SIGCONT) {
        for (int stop : {SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU}) discard_everywhere(stop);
        continue_process(process);
    } else if (is_stop_signal(signal)) {
        discard_everywhere(SIGCONT);
    }
}

}  // namespace

SignalInfo make_signal_info(int signal, int code) {
    SignalInfo info;
    memset(&info, 0, sizeof(info));
    info.si_signo = signal;
    info.si_code = code;
    return info;
}

bool signal_ignored(Process& process, int signal) {
    if (!process.signal_handlers) return true;
    KernelSigaction action = process.signal_handlers->get(signal);
    if (action.sa_handler == SIG_IGN) return signal != SIGKILL && signal != SIGSTOP;
    return action.sa_handler == SIG_DFL && default_action(signal) == DefaultAction::Ignore;
}

namespace {
bool init_drops(Process& process, int signal) {
    if (process.pid() != 1 || !process.signal_handlers) return false;
    if (process.signal_handlers->get(signal).sa_handler != SIG_DFL) return false;
    for (Thread& thread : process.threads()) {
        if (thread.state() == ThreadState::Dead) continue;
        if (thread.blocked_signals().has(signal) || thread.real_blocked_signals().has(signal)) return false;
    }
    return true;
}
}  // namespace

ErrorOr send_signal_to_process(Process& process, const SignalInfo& info) {
    int signal = info.si_signo;
    if (!SignalSet::valid(signal)) return err(EINVAL);
    arch::InterruptGuard guard;
    if (process.state != ProcessState::Alive || process.exiting) return {};
    cancel_opposites(process, signal);
    // Init (pid 1) is protected: a signal it neither handles nor blocks is dropped, SIGKILL
    // too (Linux's SIGNAL_UNKILLABLE; a blocked one is kept: init may wait for it with
    // sigtimedwait, as busybox init waits for SIGUSR2 from poweroff).
    if (init_drops(process, signal)) return {};
    Thread* main = process.main_thread();
    bool blocked_everywhere = main && main->blocked_signals().has(signal);
    if (signal_ignored(process, signal) && !blocked_everywhere) return {};
    if (!process.shared_pending.enqueue(info)) return err(EAGAIN);
    process.signalfd_wait.wake_all(POLLIN);  // signalfd readers (fs/signalfd.h)
    // Wake a thread that can take it; for SIGKILL, every thread.
    for (Thread& thread : process.threads()) {
        if (thread.state() == ThreadState::Dead) continue;
        if (signal == SIGKILL || !thread.blocked_signals().has(signal)) {
            wake_for_signal(thread, signal);
            if (signal != SIGKILL) break;
        }
    }
    return {};
}

ErrorOr send_signal_to_thread(Thread& thread, const SignalInfo& info) {
    int signal = info.si_signo;
    if (!SignalSet::valid(signal)) return err(EINVAL);
    Process* process = thread.process();
    if (!process) return err(ESRCH);
    arch::InterruptGuard guard;
    if (process->state != ProcessState::Alive || process->exiting || thread.state() == ThreadState::Dead) return {};
    cancel_opposites(*process, signal);
    if (init_drops(*process, signal)) return {};
    if (signal_ignored(*process, signal) && !thread.blocked_signals().has(signal)) return {};
    if (!thread.pending_signals().enqueue(info)) return err(EAGAIN);
    process->signalfd_wait.wake_all(POLLIN);  // signalfd readers (fs/signalfd.h)
    if (signal == SIGKILL) {
        for (Thread& other : process->threads()) wake_for_signal(other, signal);
    } else if (!thread.blocked_signals().has(signal)) {
        wake_for_signal(thread, signal);
    }
    return {};
}

void send_kernel_signal(Process& process, int signal) {
    SignalInfo info = make_signal_info(signal, SI_KERNEL);
    (void)send_signal_to_process(process, info);
}

void force_fault_signal(int signal, int code, uptr address) {
    Thread* thread = current_thread();
    Process* process = thread->process();
    SignalInfo info = make_signal_info(signal, code);
    info.si_addr = reinterpret_cast<void*>(address);
    arch::InterruptGuard guard;
    // A fault must not be ignored or blocked: it would fault again at once. Linux
    // resets the action to the default in that case, and init dies like anyone else.
    KernelSigaction action = process->signal_handlers->get(signal);
    if (action.sa_handler == SIG_IGN || thread->blocked_signals().has(signal)) {
        action.sa_handler = SIG_DFL;
        process->signal_handlers->set(signal, action);
        thread->blocked_signals().remove(signal);
    }
    thread->pending_signals().enqueue(info);
}

bool signal_pending(Thread& thread) {
    Process* process = thread.process();
    if (!process) return false;
    if (process->exiting || thread.exit_requested) return true;
    SignalSet pending = thread.pending_signals().pending() | process->shared_pending.pending();
    return !(pending & ~thread.blocked_signals()).empty() || pending.has(SIGKILL);
}

bool fatal_signal_pending(Thread& thread) {
    Process* process = thread.process();
    if (!process) return false;
    return process->exiting || thread.exit_requested || thread.pending_signals().pending().has(SIGKILL) ||
           process->shared_pending.pending().has(SIGKILL);
}

void continue_process(Process& process) {
    if (!process.stopped) return;
    process.stopped = false;
    process.continue_reported = false;
    for (Thread& thread : process.threads()) {
        if (thread.state() == ThreadState::Stopped) sched::wake_up(thread);
    }
    notify_parent_of_state_change(process, CLD_CONTINUED, SIGCONT);
}

namespace {

// Stops the process (every thread stops at its next return to user mode) until SIGCONT.
void stop_current_process(int signal) {
    Thread* thread = current_thread();
    Process* process = thread->process();
    {
        arch::InterruptGuard guard;
        if (!process->stopped) {
            process->stopped = true;
            process->stop_signal = signal;
            process->stop_reported = false;
            notify_parent_of_state_change(*process, CLD_STOPPED, signal);
        }
    }
    while (process->stopped && !fatal_signal_pending(*thread)) {
        arch::InterruptGuard guard;
        if (!process->stopped) break;
        thread->set_state(ThreadState::Stopped);
        sched::schedule();
    }
}

void restart_without_handler(InterruptFrame& frame) {
    i64 result = arch::syscall_return_value(frame);
    if (result == -ERESTARTNOHAND || result == -ERESTARTSYS || result == -ERESTARTNOINTR)
        arch::restart_syscall(frame, arch::syscall_number(frame));
    else if (result == -ERESTART_RESTARTBLOCK)
        arch::restart_syscall(frame, __NR_restart_syscall);
}

void prepare_restart_for_handler(InterruptFrame& frame, const KernelSigaction& action) {
    i64 result = arch::syscall_return_value(frame);
    switch (result) {
    case -ERESTART_RESTARTBLOCK:
    case -ERESTARTNOHAND:
        arch::set_syscall_return_value(frame, -EINTR);
        break;
    case -ERESTARTSYS:
        if (!(action.sa_flags & SA_RESTART)) {
            arch::set_syscall_return_value(frame, -EINTR);
            break;
        }
        [[fallthrough]];
    case -ERESTARTNOINTR:
        arch::restart_syscall(frame, arch::syscall_number(frame));
        break;
    default: break;
    }
}

bool dequeue_signal(Thread& thread, SignalInfo& info) {
    arch::InterruptGuard guard;
    SignalSet allowed = ~thread.blocked_signals() | UNBLOCKABLE;
    // Signals aimed at this thread (faults among them) come first.
    if (thread.pending_signals().dequeue(allowed, info)) return true;
    return thread.process()->shared_pending.dequeue(allowed, info);
}

}  // namespace

bool deliver_pending_signals(InterruptFrame& frame, bool from_syscall) {
    Thread* thread = current_thread();
    Process* process = thread->process();
    for (;;) {
        if (process->exiting || thread->exit_requested) exit_current_thread_for_group();
        if (process->stopped && !fatal_signal_pending(*thread)) {
            stop_current_process(process->stop_signal);
            continue;
        }
        SignalInfo info;
        if (!dequeue_signal(*thread, info)) break;
        int signal = info.si_signo;
        KernelSigaction action = process->signal_handlers->get(signal);
        if (signal == SIGKILL || signal == SIGSTOP) action.sa_handler = SIG_DFL;
        if (action.sa_handler == SIG_IGN) continue;
        if (action.sa_handler == SIG_DFL) {
            switch (default_action(signal)) {
            case DefaultAction::Ignore:
            case DefaultAction::Continue:
                continue;
            case DefaultAction::Stop:
                stop_current_process(signal);
                continue;
            case DefaultAction::Terminate:
                exit_group_from_signal(info, false);
            case DefaultAction::CoreDump:
                exit_group_from_signal(info, true);
            }
            continue;
        }

        // A handler: restart or interrupt the syscall, then build the frame.
        if (from_syscall) prepare_restart_for_handler(frame, action);
        SignalSet old_mask = thread->saved_mask.value_or(thread->blocked_signals());
        thread->saved_mask.reset();
        if (arch::setup_signal_frame(frame, *thread, signal, info, action, old_mask).is_error()) {
            // No room for the frame (a bad stack pointer): Linux kills with SIGSEGV.
            exit_group_from_signal(SIGSEGV, true);
        }
        {
            arch::InterruptGuard guard;
            SignalSet blocked = thread->blocked_signals() | SignalSet(action.sa_mask);
            if (!(action.sa_flags & SA_NODEFER)) blocked.add(signal);
            thread->blocked_signals() = blocked & ~UNBLOCKABLE;
            if (action.sa_flags & SA_RESETHAND) {
                KernelSigaction reset = action;
                reset.sa_handler = SIG_DFL;
                reset.sa_flags &= ~SA_SIGINFO;
                process->signal_handlers->set(signal, reset);
            }
        }
        return true;
    }
    if (from_syscall) restart_without_handler(frame);
    if (thread->saved_mask) {
        thread->blocked_signals() = *thread->saved_mask;
        thread->saved_mask.reset();
    }
    return false;
}

ErrorOr send_signal_to_group(u32 pgid, const SignalInfo& info) {
    bool found = false;
    ErrorOr result;
    // Sending never sleeps, so it may run under the process table's lock.
    process_table::for_each([&](Process& process) {
        if (process.pgid != pgid || process.state != ProcessState::Alive) return;
        found = true;
        auto sent = send_signal_to_process(process, info);
        if (sent.is_error()) result = sent;
    });
    if (!found) return err(ESRCH);
    return result;
}
