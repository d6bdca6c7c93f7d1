// Processes: the process object and the process table (see process.h).
#include "proc/process.h"

#include "lib/string.h"
#include "mm/address_space.h"
#include "fs/file_table.h"
#include "fs/fs_context.h"
#include "proc/signal.h"
#include "proc/thread_table.h"
#include "time/clock.h"
#include "time/process_timers.h"

namespace {
SpinLock g_table_lock;
IntrusiveList<Process, &Process::m_all_node> g_processes;
Process* g_init = nullptr;

// Linux's defaults for a process started by the kernel (init/init_task.c, asm-generic
// resource.h): 8 MiB stack, 1024 open files, no core files, the rest unlimited.
void default_limits(ResourceLimit* limits) {
    for (int i = 0; i < RLIM_NLIMITS; i++) limits[i] = {RLIM_INFINITY, RLIM_INFINITY};
    limits[RLIMIT_STACK] = {8 * MiB, RLIM_INFINITY};
    limits[RLIMIT_NOFILE] = {1024, 4096};
    limits[RLIMIT_CORE] = {0, RLIM_INFINITY};
    limits[RLIMIT_MEMLOCK] = {8 * MiB, 8 * MiB};
    limits[RLIMIT_NPROC] = {thread_table::PID_MAX / 2, thread_table::PID_MAX / 2};
    limits[RLIMIT_SIGPENDING] = {SignalQueue::MAX_QUEUED, SignalQueue::MAX_QUEUED};
    limits[RLIMIT_MSGQUEUE] = {819200, 819200};
    limits[RLIMIT_RTPRIO] = {0, 0};
}
}  // namespace

Result<RefPtr<Process>> Process::create(Process* parent, u32 pid) {
    RefPtr<Process> process(adopt, new (kstd::nothrow) Process);
    if (!process) return err(ENOMEM);
    process->m_pid = pid;
    process->start_time_ns = ktime::monotonic_ns();
    process->exit_signal = SIGCHLD;
    if (parent) {
        process->pgid = parent->pgid;
        process->sid = parent->sid;
        process->credentials = parent->credentials;
        memcpy(process->limits, parent->limits, sizeof(process->limits));
        process->set_comm(parent->comm());
        process->controlling_tty = parent->controlling_tty;
        process->personality = parent->personality;
        process->no_new_privs = parent->no_new_privs;
        klib::strlcpy(process->exe_path, parent->exe_path, sizeof(process->exe_path));
    } else {
        // Linux's init starts in the idle task's session and group (0): it leads neither,
        // so `setsid` works in it as it does on Linux.
        process->pgid = 0;
        process->sid = 0;
        default_limits(process->limits);
    }
    {
        SpinLockGuard guard(g_table_lock);
        process->m_parent = parent;
        if (parent) parent->m_children.push_back(*process);
        process->ref();  // the table's reference, dropped when the process is reaped
        g_processes.push_back(*process);
    }
    return process;
}

Process::~Process() {
    while (Thread* thread = m_threads.pop_front()) {
        if (thread->unref()) delete thread;
    }
    thread_table::free_id(m_pid);
}

void Process::set_comm(const char* name) { klib::strlcpy(m_comm, name, sizeof(m_comm)); }

void Process::add_thread(Thread& thread) {
    thread.ref();  // the process keeps its threads until it is reaped
    arch::InterruptGuard guard;
    m_threads.push_back(thread);
    m_live_threads++;
}

void Process::become_single_threaded(Thread& survivor) {
    u32 old_tid = survivor.tid();
    {
        arch::InterruptGuard guard;
        for (auto it = m_threads.begin(); it != m_threads.end();) {
            Thread& thread = *it;
            ++it;
            if (&thread == &survivor) continue;
            m_threads.remove(thread);
            if (thread.unref()) delete &thread;
        }
    }
    if (old_tid != m_pid) {
        survivor.take_over_tid(m_pid);
        thread_table::free_id(old_tid);
    }
}

bool Process::remove_thread(Thread&) {
    arch::InterruptGuard guard;
    return --m_live_threads == 0;
}

namespace process_table {

SpinLock& lock() { return g_table_lock; }

void remove(Process& process) {
    {
        SpinLockGuard guard(g_table_lock);
        if (process.m_all_node.is_linked()) g_processes.remove(process);
        if (process.m_sibling_node.is_linked()) IntrusiveList<Process, &Process::m_sibling_node>::remove(process);
    }
    if (process.unref()) delete &process;
}

RefPtr<Process> find(u32 pid) {
    SpinLockGuard guard(g_table_lock);
    for (Process& process : g_processes) {
        if (process.pid() == pid) return RefPtr<Process>(&process);
    }
    return nullptr;
}

Process* init_process() { return g_init; }
void set_init_process(Process& process) { g_init = &process; }
Process* first() { return g_processes.first(); }
Process* next(Process& process) { return g_processes.next(process); }

void reparent_children(Process& dying) {
    SpinLockGuard guard(g_table_lock);
    // The nearest living ancestor marked as a child subreaper (PR_SET_CHILD_SUBREAPER), else init.
    Process* heir = g_init;
    for (Process* p = dying.parent(); p; p = p->parent()) {
        if (p->child_subreaper && p->state == ProcessState::Alive && !p->exiting) {
            heir = p;
            break;
        }
    }
    while (Process* child = dying.m_children.pop_front()) {
        child->m_parent = heir;
        if (heir) heir->m_children.push_back(*child);
        // PR_SET_PDEATHSIG: the child asked to hear of its parent's death.
        if (child->pdeath_signal && child->state == ProcessState::Alive)
            (void)send_signal_to_process(*child, make_signal_info(child->pdeath_signal, SI_USER));
    }
}

}  // namespace process_table
