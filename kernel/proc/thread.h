// Processes: threads, the unit the scheduler runs.
//
// Every thread has a kernel stack (with a guard page) and the architecture's saved state;
// a user thread also belongs to a Process (its thread group). Threads are reference
// counted: the scheduler, wait queues and the process each hold a reference while they
// need the thread.
#pragma once

#include "arch/thread.h"
#include "lib/list.h"
#include "lib/ref_ptr.h"
#include "lib/result.h"
#include "mm/kernel_vm.h"
#include "proc/signal_types.h"
#include "time/timer.h"

class Process;
class WaitQueue;

enum class ThreadState : u8 {
    Runnable,       // on the run queue, or running
    Interruptible,  // asleep; a signal wakes it
    Uninterruptible,
    Stopped,        // job-control stop or ptrace
    Dead,           // exited; waiting to be reaped by the scheduler
};

class Thread : public RefCounted<Thread> {
public:
    static Result<RefPtr<Thread>> create_kernel_thread(const char* name, void (*entry)(void*), void* argument);
    // The boot context, adopted as this CPU's idle thread (tid 0; it already has a stack).
    static Result<RefPtr<Thread>> create_idle_thread(const mm::KernelStack& boot_stack);
    // A thread of `process` that starts by returning to user mode with `frame`; tid 0
    // allocates a fresh id (a new process's first thread takes the pid as its tid).
    static Result<RefPtr<Thread>> create_user_thread(Process& process, const InterruptFrame& frame, u32 tid = 0);
    ~Thread();
    // Frees the kernel stack and machine state once the thread died and nothing runs on it.
    void release_resources();

    u32 tid() const { return m_tid; }
    // execve from a secondary thread: the survivor takes over the leader's id (Linux's de_thread).
    void take_over_tid(u32 tid) { m_tid = tid; }
    const char* name() const { return m_name; }
    void set_name(const char* name);
    Process* process() const { return m_process; }
    bool is_kernel_thread() const { return m_process == nullptr; }
    // The init thread starts as a kernel thread of process 1 and execs its program.
    void attach_to_process(Process& process) { m_process = &process; }

    ThreadState state() const { return m_state; }
    void set_state(ThreadState state) { m_state = state; }
    arch::ThreadState& arch_state() { return m_arch; }
    InterruptFrame& user_frame() { return arch::user_frame(m_arch); }

    // Signals directed at this thread, and the mask it blocks.
    SignalQueue& pending_signals() { return m_pending; }
    SignalSet& blocked_signals() { return m_blocked; }
    // While rt_sigtimedwait unblocks the awaited signals, the mask it will restore
    // (Linux's real_blocked): those signals still count as blocked for init's protection.
    SignalSet& real_blocked_signals() { return m_real_blocked; }

    // CLONE_CHILD_CLEARTID / set_tid_address: cleared and futex-woken at exit.
    uptr clear_child_tid = 0;
    // CLONE_CHILD_SETTID: written in the child's own memory when it first runs.
    uptr set_child_tid = 0;
    uptr robust_list = 0;
    usize robust_list_length = 0;
    AltStack alt_stack;
    // Set by rt_sigreturn and execve: every register must be restored as saved (no
    // fast syscall return, which clobbers two of them).
    bool full_register_restore = false;
    // Set by execve for the other threads of the process: leave at once, without taking
    // the process down (a SIGKILL would end the whole group).
    bool exit_requested = false;
    // Saved mask for rt_sigsuspend/ppoll/pselect, restored after the handler runs.
    kstd::optional<SignalSet> saved_mask;

    // nanosleep interrupted without a handler resumes through restart_syscall.
    u64 restart_deadline_ns = 0;
    u64 cpu_time_ns = 0;  // user + system time consumed before the current run
    // CPU time so far, including the current run when the thread is on the CPU.
    u64 cpu_time() const;
    u64 user_time_ns = 0;
    u64 last_switch_in_ns = 0;
    u64 voluntary_switches = 0;
    u64 involuntary_switches = 0;

    // Intrusive links: the run queue (or a wait queue) and the owning process's thread list.
    ListNode m_run_node;
    ListNode m_process_node;
    ListNode m_all_node;
    WaitQueue* m_waiting_on = nullptr;
    Timer m_sleep_timer;
    bool m_wakeup_pending = false;
    int m_exit_code = 0;

private:
    Thread() = default;
    ErrorOr init_common(const char* name, bool allocate_stack);

    u32 m_tid = 0;
    char m_name[16] = {};
    Process* m_process = nullptr;
    ThreadState m_state = ThreadState::Runnable;
    mm::KernelStack m_stack;
    arch::ThreadState m_arch;
    SignalQueue m_pending;
    SignalSet m_blocked;
    SignalSet m_real_blocked;
};

// The thread running on this CPU.
Thread* current_thread();
