// Syscalls: signals — handlers, masks, waiting, sending, the alternate stack, return
// from a handler.
#include <asm/unistd_64.h>

#include "arch/signal_frame.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/user_copy.h"
#include "proc/exit.h"
#include "proc/process.h"
#include "proc/scheduler.h"
#include "proc/signal.h"
#include "proc/thread_table.h"
#include "syscalls/syscall.h"
#include "time/clock.h"

namespace {

constexpr usize KERNEL_SIGSET_SIZE = 8;  // rt_sig* calls demand sigsetsize == 8 on x86_64

Process& self() { return *current_process(); }

// kill(2) permission (Linux's kill_ok_by_cred): root, or real/effective uid matching the
// target's real or saved uid; SIGCONT within a session is always allowed.
bool may_signal(Process& target, int signal) {
    const Credentials& c = self().credentials;
    const Credentials& t = target.credentials;
    if (c.euid == 0) return true;
    if (c.euid == t.uid || c.euid == t.suid || c.uid == t.uid || c.uid == t.suid) return true;
    return signal == SIGCONT && target.sid == self().sid;
}

SignalInfo user_signal_info(int signal) {
    SignalInfo info = make_signal_info(signal, SI_USER);
    info.si_pid = static_cast<int>(self().pid());
    info.si_uid = self().credentials.uid;
    return info;
}

ErrorOr signal_process(Process& target, int signal, const SignalInfo& info) {
    if (!may_signal(target, signal)) return err(EPERM);
    if (signal == 0) return {};  // existence and permission check only
    return send_signal_to_process(target, info);
}

}  // namespace

SyscallResult sys_rt_sigaction(int signal, UserPtr<const KernelSigaction> action, UserPtr<KernelSigaction> old_action,
                               usize sigset_size) {
    if (sigset_size != KERNEL_SIGSET_SIZE) return err(EINVAL);
    if (!SignalSet::valid(signal)) return err(EINVAL);
    SignalHandlers& handlers = *self().signal_handlers;
    KernelSigaction previous = handlers.get(signal);
    if (!action.is_null()) {
        if (signal == SIGKILL || signal == SIGSTOP) return err(EINVAL);
        KernelSigaction updated;
        TRY(mm::copy_from_user(&updated, action));
        updated.sa_mask &= ~UNBLOCKABLE.bits();
        {
            arch::InterruptGuard guard;
            handlers.set(signal, updated);
            // POSIX: setting SIG_IGN (or SIG_DFL for a default-ignored signal) discards it.
            if (signal_ignored(self(), signal)) {
                self().shared_pending.discard(signal);
                for (Thread& thread : self().threads()) thread.pending_signals().discard(signal);
            }
        }
    }
    if (!old_action.is_null()) TRY(mm::copy_to_user(old_action, &previous));
    return 0;
}

SyscallResult sys_rt_sigprocmask(int how, UserPtr<const u64> set, UserPtr<u64> old_set, usize sigset_size) {
    if (sigset_size != KERNEL_SIGSET_SIZE) return err(EINVAL);
    Thread& thread = *current_thread();
    u64 previous = thread.blocked_signals().bits();
    if (!set.is_null()) {
        u64 bits;
        TRY(mm::copy_from_user(&bits, set));
        SignalSet requested(bits);
        SignalSet blocked = thread.blocked_signals();
        switch (how) {
        case SIG_BLOCK: blocked = blocked | requested; break;
        case SIG_UNBLOCK: blocked = blocked & ~requested; break;
        case SIG_SETMASK: blocked = requested; break;
        default: return err(EINVAL);
        }
        thread.blocked_signals() = blocked & ~UNBLOCKABLE;
    }
    if (!old_set.is_null()) TRY(mm::copy_to_user(old_set, &previous));
    return 0;
}

SyscallResult sys_rt_sigpending(UserPtr<u64> set, usize sigset_size) {
    if (sigset_size > KERNEL_SIGSET_SIZE) return err(EINVAL);
    Thread& thread = *current_thread();
    u64 pending = ((thread.pending_signals().pending() | self().shared_pending.pending()) & thread.blocked_signals()).bits();
    TRY(mm::copy_to_user(set.cast<void>(), &pending, sigset_size));
    return 0;
}

SyscallResult sys_rt_sigsuspend(UserPtr<const u64> mask, usize sigset_size) {
    if (sigset_size != KERNEL_SIGSET_SIZE) return err(EINVAL);
    u64 bits;
    TRY(mm::copy_from_user(&bits, mask));
    Thread& thread = *current_thread();
    // The old mask comes back after the handler runs (signal frame / return path).
    thread.saved_mask = thread.blocked_signals();
    thread.blocked_signals() = SignalSet(bits) & ~UNBLOCKABLE;
    while (!signal_pending(thread)) {
        arch::InterruptGuard guard;
        if (signal_pending(thread)) break;
        thread.set_state(ThreadState::Interruptible);
        sched::schedule();
    }
    return err(ERESTARTNOHAND);
}

SyscallResult sys_pause() {
    Thread& thread = *current_thread();
    while (!signal_pending(thread)) {
        arch::InterruptGuard guard;
        if (signal_pending(thread)) break;
        thread.set_state(ThreadState::Interruptible);
        sched::schedule();
    }
    return err(ERESTARTNOHAND);
}

SyscallResult sys_rt_sigtimedwait(UserPtr<const u64> set, UserPtr<siginfo_t> info,
                                  UserPtr<const struct __kernel_timespec> timeout, usize sigset_size) {
    if (sigset_size != KERNEL_SIGSET_SIZE) return err(EINVAL);
    u64 bits;
    TRY(mm::copy_from_user(&bits, set));
    SignalSet wanted = SignalSet(bits) & ~UNBLOCKABLE;
    u64 deadline = 0;
    if (!timeout.is_null()) {
        struct __kernel_timespec ts;
        TRY(mm::copy_from_user(&ts, timeout));
        if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) return err(EINVAL);
        deadline = ktime::monotonic_ns() + static_cast<u64>(ts.tv_sec) * 1000000000 + static_cast<u64>(ts.tv_nsec);
        if (deadline == 0) deadline = 1;
    }
    Thread& thread = *current_thread();
    SignalSet saved = thread.blocked_signals();
    // While waiting, the awaited signals are unblocked only for this wait.
    for (;;) {
        SignalInfo taken;
        bool got;
        {
            arch::InterruptGuard guard;
            got = thread.pending_signals().dequeue(wanted, taken) || self().shared_pending.dequeue(wanted, taken);
        }
        if (got) {
            if (!info.is_null()) TRY(mm::copy_to_user(info, &taken));
            return taken.si_signo;
        }
        if (timeout.is_null() == false && ktime::monotonic_ns() >= deadline) return err(EAGAIN);
        if (signal_pending(thread)) return err(EINTR);
        arch::InterruptGuard guard;
        thread.blocked_signals() = saved & ~wanted;
        thread.real_blocked_signals() = saved;
        if (signal_pending(thread)) {
            thread.blocked_signals() = saved;
            thread.real_blocked_signals() = SignalSet();
            continue;
        }
        thread.set_state(ThreadState::Interruptible);
        if (deadline) thread.m_sleep_timer.arm(deadline, [](Timer&, void* t) { sched::wake_up(*static_cast<Thread*>(t)); }, &thread);
        sched::schedule();
        if (deadline) thread.m_sleep_timer.cancel();
        thread.blocked_signals() = saved;
        thread.real_blocked_signals() = SignalSet();
    }
}

SyscallResult sys_rt_sigreturn() {
    Thread& thread = *current_thread();
    if (arch::restore_signal_frame(thread.user_frame(), thread).is_error()) {
        // A corrupt frame cannot be returned to: Linux kills with SIGSEGV.
        exit_group_from_signal(SIGSEGV, false);
    }
    thread.full_register_restore = true;
    return static_cast<i64>(thread.user_frame().rax);
}

SyscallResult sys_sigaltstack(UserPtr<const stack_t> new_stack, UserPtr<stack_t> old_stack) {
    Thread& thread = *current_thread();
    uptr sp = thread.user_frame().rsp;
    bool on_stack = thread.alt_stack.flags != SS_DISABLE && sp > thread.alt_stack.base &&
                    sp - thread.alt_stack.base <= thread.alt_stack.size;
    if (!old_stack.is_null()) {
        stack_t old{};
        old.ss_sp = reinterpret_cast<void*>(thread.alt_stack.base);
        old.ss_size = thread.alt_stack.size;
        old.ss_flags = on_stack ? SS_ONSTACK : thread.alt_stack.flags;
        TRY(mm::copy_to_user(old_stack, &old));
    }
    if (!new_stack.is_null()) {
        stack_t requested;
        TRY(mm::copy_from_user(&requested, new_stack));
        if (on_stack) return err(EPERM);
        int mode = requested.ss_flags & ~SS_AUTODISARM;
        if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK) return err(EINVAL);
        if (mode == SS_DISABLE) {
            thread.alt_stack = AltStack{};
        } else {
            if (requested.ss_size < MINSIGSTKSZ) return err(ENOMEM);
            thread.alt_stack = AltStack{reinterpret_cast<uptr>(requested.ss_sp), requested.ss_size,
                                        static_cast<int>(requested.ss_flags & SS_AUTODISARM)};
        }
    }
    return 0;
}

SyscallResult sys_kill(int pid, int signal) {
    if (signal < 0 || signal > NSIG_KERNEL) return err(EINVAL);
    SignalInfo info = user_signal_info(signal);
    if (pid > 0) {
        // A zombie still exists until reaped: signalling it succeeds and does nothing.
        RefPtr<Process> target = process_table::find(static_cast<u32>(pid));
        if (!target) return err(ESRCH);
        TRY(signal_process(*target, signal, info));
        return 0;
    }
    if (pid == -1) {
        // Every process the caller may signal, except init and itself.
        bool any = false;
        ErrorOr last;
        process_table::for_each([&](Process& p) {
            if (p.pid() == 1 || &p == &self() || p.state != ProcessState::Alive) return;
            any = true;
            auto sent = signal_process(p, signal, info);
            if (sent.is_error()) last = sent;
        });
        if (!any) return err(ESRCH);
        TRY(last);
        return 0;
    }
    u32 group = pid == 0 ? self().pgid : static_cast<u32>(-static_cast<i64>(pid));
    bool any = false, permitted = false;
    process_table::for_each([&](Process& p) {
        if (p.pgid != group || p.state != ProcessState::Alive) return;
        any = true;
        if (!signal_process(p, signal, info).is_error()) permitted = true;
    });
    if (!any) return err(ESRCH);
    if (!permitted) return err(EPERM);
    return 0;
}

namespace {
SyscallResult signal_thread(int tgid, int tid, int signal, const SignalInfo& info) {
    if (tid <= 0 || (tgid != -1 && tgid <= 0)) return err(EINVAL);
    if (signal < 0 || signal > NSIG_KERNEL) return err(EINVAL);
    RefPtr<Thread> thread = thread_table::find(static_cast<u32>(tid));
    if (!thread || !thread->process()) return err(ESRCH);
    if (tgid != -1 && thread->process()->pid() != static_cast<u32>(tgid)) return err(ESRCH);
    if (!may_signal(*thread->process(), signal)) return err(EPERM);
    if (signal == 0) return 0;
    TRY(send_signal_to_thread(*thread, info));
    return 0;
}
}  // namespace

SyscallResult sys_tgkill(int tgid, int tid, int signal) {
    SignalInfo info = make_signal_info(signal, SI_TKILL);
    info.si_pid = static_cast<int>(self().pid());
    info.si_uid = self().credentials.uid;
    return signal_thread(tgid, tid, signal, info);
}

SyscallResult sys_tkill(int tid, int signal) { return sys_tgkill(-1, tid, signal); }

SyscallResult sys_rt_sigqueueinfo(int pid, int signal, UserPtr<const siginfo_t> user_info) {
    SignalInfo info;
    TRY(mm::copy_from_user(&info, user_info));
    // Only the kernel may claim SI_USER or a positive code for someone else (Linux's rule).
    if ((info.si_code >= 0 || info.si_code == SI_TKILL) && static_cast<u32>(pid) != self().pid()) return err(EPERM);
    info.si_signo = signal;
    if (signal < 0 || signal > NSIG_KERNEL) return err(EINVAL);
    RefPtr<Process> target = process_table::find(static_cast<u32>(pid));
    if (!target || target->state != ProcessState::Alive) return err(ESRCH);
    TRY(signal_process(*target, signal, info));
    return 0;
}

SyscallResult sys_rt_tgsigqueueinfo(int tgid, int tid, int signal, UserPtr<const siginfo_t> user_info) {
    SignalInfo info;
    TRY(mm::copy_from_user(&info, user_info));
    if ((info.si_code >= 0 || info.si_code == SI_TKILL) && static_cast<u32>(tgid) != self().pid()) return err(EPERM);
    info.si_signo = signal;
    return signal_thread(tgid, tid, signal, info);
}
