// Processes: the round-robin scheduler (see scheduler.h).
//
// The run queue holds raw pointers: a thread that is runnable is alive by construction
// (threads are freed only after they died and were switched away from).
#include "proc/scheduler.h"

#include "arch/cpu.h"
#include "arch/x86_64/cpu/cpu_local.h"
#include "debug/panic.h"
#include "mm/user_copy.h"
#include "proc/process.h"
#include "proc/thread_table.h"
#include "mm/address_space.h"
#include "time/clock.h"

namespace sched {
namespace {

IntrusiveList<Thread, &Thread::m_run_node> g_run_queue;
Thread* g_idle = nullptr;
bool g_need_resched = false;
u64 g_switches = 0;
usize g_runnable = 0;
Timer g_slice_timer;
// A thread that exited: its stack is released by the next thread to run.
Thread* g_dead = nullptr;

void slice_expired(Timer&, void*) { g_need_resched = true; }

void set_current(Thread* thread) { x86::this_cpu()->current_thread = thread; }

void enqueue(Thread& thread) {
    if (&thread == g_idle || thread.m_run_node.is_linked()) return;
    g_run_queue.push_back(thread);
    g_runnable++;
}

Thread* dequeue() {
    Thread* next = g_run_queue.pop_front();
    if (next) g_runnable--;
    return next;
}

}  // namespace

// The second half of every switch, on the new thread's stack.
void finish_switch() {
    if (Thread* dead = kstd::exchange(g_dead, nullptr)) thread_table::release_dead(*dead);
}

void init(const mm::KernelStack& boot_stack) {
    auto idle = Thread::create_idle_thread(boot_stack);
    if (idle.is_error()) panic("sched: cannot create the idle thread");
    g_idle = idle.value().get();
    set_current(g_idle);
}

void wake_up(Thread& thread) {
    arch::InterruptGuard guard;
    if (thread.state() == ThreadState::Dead) return;
    thread.set_state(ThreadState::Runnable);
    if (&thread == current_thread()) return;
    enqueue(thread);
    // The CPU must come back to the queue: at once from the idle thread, and within a
    // time slice from a thread that may never enter the kernel again (a loop in user mode),
    // so a wake-up starts the slice timer if it is not running.
    if (current_thread() == g_idle) g_need_resched = true;
    else if (!g_slice_timer.pending()) g_slice_timer.arm(ktime::monotonic_ns() + TIME_SLICE_NS, slice_expired, nullptr);
}

void schedule() {
    arch::InterruptGuard guard;
    g_need_resched = false;
    Thread* previous = current_thread();
    Thread* next = dequeue();
    if (!next) {
        if (previous->state() == ThreadState::Runnable) return;  // nobody else: keep going
        next = g_idle;
    }
    if (next == previous) return;
    if (previous->state() == ThreadState::Runnable) {
        enqueue(*previous);  // gave up the CPU: to the back of the queue
        previous->involuntary_switches++;
    } else {
        previous->voluntary_switches++;
    }

    u64 now = ktime::monotonic_ns();
    if (previous->last_switch_in_ns) previous->cpu_time_ns += now - previous->last_switch_in_ns;
    next->last_switch_in_ns = now;
    // The slice timer works as a tick while threads wait: armed when none is pending and
    // left to expire otherwise (re-arming or cancelling it on every switch costs more than
    // the occasional early switch it saves).
    if (!g_run_queue.is_empty() && !g_slice_timer.pending())
        g_slice_timer.arm(now + TIME_SLICE_NS, slice_expired, nullptr);

    g_switches++;
    // User threads run on their process's page tables; kernel threads borrow whatever is
    // loaded (they touch only the shared kernel half).
    if (Process* process = next->process(); process && process->address_space) {
        arch::PageTableRoot root = process->address_space->page_table();
        if (arch::active_page_table() != root) arch::activate_page_table(root);
    }
    set_current(next);
    if (previous->state() == ThreadState::Dead) {
        KASSERT(!g_dead);
        g_dead = previous;
    }
    arch::switch_threads(previous->arch_state(), next->arch_state());
    finish_switch();
}

void yield() { schedule(); }
bool need_resched() { return g_need_resched; }
void set_need_resched() { g_need_resched = true; }
usize runnable_count() { return g_runnable; }
usize active_count() { return g_runnable + (current_thread() != g_idle ? 1 : 0); }
u64 context_switches() { return g_switches; }
u64 idle_time_ns() { return g_idle ? g_idle->cpu_time() : 0; }

void idle_loop() {
    for (;;) {
        arch::disable_interrupts();
        // sti; hlt keeps interrupts off until the halt, so no wake-up slips between.
        if (g_run_queue.is_empty()) arch::wait_for_interrupt();
        schedule();
        arch::enable_interrupts();
    }
}

void exit_current_thread() {
    arch::disable_interrupts();
    current_thread()->set_state(ThreadState::Dead);
    schedule();
    panic("sched: a dead thread was scheduled");
}

}  // namespace sched

// Called first on a new thread's stack (entry/switch.S), to finish the switch to it.
extern "C" void thread_start_hook() {
    sched::finish_switch();
    arch::enable_interrupts();
    Thread* self = current_thread();
    if (self->set_child_tid) {
        u32 tid = self->tid();
        (void)mm::copy_to_user(UserPtr<u32>(self->set_child_tid), &tid);
        self->set_child_tid = 0;
    }
}

// A kernel thread's entry function returned (entry/switch.S): the thread ends.
extern "C" [[noreturn]] void thread_exit_from_kernel() { sched::exit_current_thread(); }
