// Processes: signals — sending, the default actions, and choosing what to deliver on the
// way back to user mode (the frame building itself is the architecture's,
// arch/signal_frame.h).
#pragma once

#include "arch/registers.h"
#include "lib/ref_ptr.h"
#include "lib/result.h"
#include "proc/signal_types.h"
#include "sync/spinlock.h"

class Process;
class Thread;

// Linux's k_sigaction for x86_64: struct sigaction of <asm/signal.h>.
using KernelSigaction = struct sigaction;

// The handler table, shared by threads of a process and by CLONE_SIGHAND children.
class SignalHandlers : public RefCounted<SignalHandlers> {
public:
    static RefPtr<SignalHandlers> create();
    RefPtr<SignalHandlers> clone() const;
    // execve: caught signals return to their default action; ignored ones stay ignored.
    void reset_for_exec();

    KernelSigaction get(int signal) const { return m_actions[signal - 1]; }
    void set(int signal, const KernelSigaction& action) { m_actions[signal - 1] = action; }

private:
    KernelSigaction m_actions[NSIG_KERNEL] = {};
};

enum class DefaultAction : u8 { Terminate, CoreDump, Stop, Continue, Ignore };
DefaultAction default_action(int signal);

// Whether a signal would be ignored by the receiver right now (SIG_IGN, or a default
// action of Ignore), so senders can drop it early as Linux does.
bool signal_ignored(Process& process, int signal);

// Sending. `info` is the siginfo to deliver (si_signo must be set).
ErrorOr send_signal_to_process(Process& process, const SignalInfo& info);
ErrorOr send_signal_to_thread(Thread& thread, const SignalInfo& info);
// A signal from the kernel with a plain siginfo (SI_KERNEL), e.g. SIGPIPE, SIGCHLD.
void send_kernel_signal(Process& process, int signal);
// A synchronous fault signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP) for the current
// thread: it cannot be blocked or ignored (Linux's force_sig_fault).
void force_fault_signal(int signal, int code, uptr address);
SignalInfo make_signal_info(int signal, int code);

// Whether the thread has an unblocked signal pending (its own or its process's).
bool signal_pending(Thread& thread);
bool fatal_signal_pending(Thread& thread);

// Called on the way back to user mode: handles default actions (stop, terminate, …) and
// sets up at most one handler frame. Returns whether the frame was rewritten in full.
bool deliver_pending_signals(InterruptFrame& frame, bool from_syscall);

// Job control: wakes every thread of a stopped process (SIGCONT).
void continue_process(Process& process);

// Sends `signal` to every process of a process group; ESRCH when it is empty.
ErrorOr send_signal_to_group(u32 pgid, const SignalInfo& info);
