// Processes: a process is a thread group sharing an address space, file table,
// filesystem context and signal handlers (each shared or copied per clone flags), with
// its place in the process tree, its process group and session, credentials, resource
// limits, and the exit status its parent collects with wait4/waitid.
#pragma once

#include <asm/resource.h>
#include <linux/resource.h>

#include "lib/list.h"
#include "lib/ref_ptr.h"
#include "proc/credentials.h"
#include "proc/signal_types.h"
#include "proc/thread.h"
#include "sync/wait_queue.h"

class AddressSpace;
class FileTable;
class FsContext;
class ProcessTimers;
class SignalHandlers;
class Tty;

struct ResourceLimit {
    u64 current;
    u64 maximum;
};

class Process;
namespace process_table {
void reparent_children(Process& dying);
void remove(Process& process);
}  // namespace process_table

enum class ProcessState : u8 {
    Alive,
    Zombie,  // every thread exited; the parent has not reaped it yet
};

class Process : public RefCounted<Process> {
public:
    ListNode m_sibling_node;  // in the parent's children (first: the list type names it)
    ListNode m_all_node;      // in the process table

    ~Process();

    u32 pid() const { return m_pid; }
    const char* comm() const { return m_comm; }
    void set_comm(const char* name);

    // The process tree (guarded by process_tree_lock()).
    Process* parent() const { return m_parent; }
    IntrusiveList<Process, &Process::m_sibling_node>& children() { return m_children; }
    IntrusiveList<Thread, &Thread::m_process_node>& threads() { return m_threads; }
    Thread* main_thread() { return m_threads.first(); }
    usize live_thread_count() const { return m_live_threads; }

    u32 pgid = 0;
    u32 sid = 0;
    Credentials credentials;
    ResourceLimit limits[RLIM_NLIMITS];

    RefPtr<AddressSpace> address_space;
    RefPtr<FileTable> files;
    RefPtr<FsContext> fs;
    RefPtr<SignalHandlers> signal_handlers;
    // Signals sent to the process as a whole (kill), delivered to any thread that does not block them.
    SignalQueue shared_pending;
    // A controlling terminal (the session's), for job control and /dev/tty.
    Tty* controlling_tty = nullptr;

    // Exit and wait state.
    ProcessState state = ProcessState::Alive;
    bool exiting = false;     // exit_group in progress: other threads must die
    int exit_signal = 0;      // signal sent to the parent at death (SIGCHLD, or clone's)
    int wait_status = 0;      // Linux's wait status word
    bool stop_reported = true;       // a stop not yet reported to wait (WUNTRACED)
    bool continue_reported = true;   // a continue not yet reported (WCONTINUED)
    bool stopped = false;
    int stop_signal = 0;
    WaitQueue child_wait;     // parent sleeps here in wait4/waitid
    WaitQueue vfork_done;     // a vfork parent sleeps here until the child execs or exits
    bool vfork_released = true;
    // Readers and pollers of signalfds (fs/signalfd.h), woken when a signal is queued
    // (Linux's sighand->signalfd_wqh).
    WaitQueue signalfd_wait;
    // Interval and POSIX timers (time/process_timers.h), made on first use.
    OwnPtr<ProcessTimers> timers;

    // Accumulated times of reaped children (getrusage(RUSAGE_CHILDREN), times()).
    u64 children_user_ns = 0;
    u64 children_system_ns = 0;
    u64 children_peak_resident_pages = 0;
    u64 start_time_ns = 0;
    u64 minor_faults = 0;
    u64 major_faults = 0;
    bool did_exec = false;
    bool dumpable = true;  // PR_SET_DUMPABLE
    // A core dump in progress (proc/coredump.h, Linux's core_state): the dumping thread,
    // how many other threads have yet to stop, and where both sides wait.
    Thread* core_dumper = nullptr;
    usize core_threads_to_stop = 0;
    bool core_dump_done = false;
    WaitQueue core_dump_wait;
    u64 peak_resident_pages = 0;  // ru_maxrss
    char exe_path[256] = {};
    bool no_new_privs = false;
    int pdeath_signal = 0;
    bool child_subreaper = false;
    int personality = 0;
    int nice = 0;

    static Result<RefPtr<Process>> create(Process* parent, u32 pid);
    void add_thread(Thread& thread);
    // After execve killed the other threads: forget the dead ones and make `survivor`
    // the main thread, with the process's pid as its tid.
    void become_single_threaded(Thread& survivor);
    // A thread finished; returns whether it was the last one.
    bool remove_thread(Thread& thread);

private:
    u32 m_pid = 0;
    char m_comm[16] = {};
    Process* m_parent = nullptr;
    IntrusiveList<Process, &Process::m_sibling_node> m_children;
    IntrusiveList<Thread, &Thread::m_process_node> m_threads;
    usize m_live_threads = 0;

    friend void process_table::reparent_children(Process& dying);
    friend void process_table::remove(Process& process);
};

// The process table and tree.
namespace process_table {
SpinLock& lock();
void remove(Process& process);
RefPtr<Process> find(u32 pid);
Process* init_process();
void set_init_process(Process& process);
// Moves every child of `dying` to init (or the nearest subreaper), as Linux does.
void reparent_children(Process& dying);
template <typename Fn>
void for_each(Fn&& fn);
Process* first();
Process* next(Process& process);
}  // namespace process_table

template <typename Fn>
void process_table::for_each(Fn&& fn) {
    SpinLockGuard guard(lock());
    for (Process* p = first(); p; p = next(*p)) fn(*p);
}

inline Process* current_process() { return current_thread()->process(); }
