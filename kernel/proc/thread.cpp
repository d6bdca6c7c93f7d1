// Processes: threads (see thread.h).
#include "proc/thread.h"

#include "arch/x86_64/cpu/cpu_local.h"
#include "lib/string.h"
#include "proc/process.h"
#include "proc/scheduler.h"
#include "proc/thread_table.h"
#include "time/clock.h"

Thread* current_thread() { return static_cast<Thread*>(x86::this_cpu()->current_thread); }

u64 Thread::cpu_time() const {
    if (this != current_thread() || !last_switch_in_ns) return cpu_time_ns;
    return cpu_time_ns + (ktime::monotonic_ns() - last_switch_in_ns);
}

void Thread::set_name(const char* name) { klib::strlcpy(m_name, name, sizeof(m_name)); }

ErrorOr Thread::init_common(const char* name, bool allocate_stack) {
    set_name(name);
    TRY(arch::init_thread_state(m_arch));
    if (allocate_stack) m_stack = TRY(mm::allocate_kernel_stack());
    return {};
}

Result<RefPtr<Thread>> Thread::create_kernel_thread(const char* name, void (*entry)(void*), void* argument) {
    RefPtr<Thread> thread(adopt, new (kstd::nothrow) Thread);
    if (!thread) return err(ENOMEM);
    TRY(thread->init_common(name, true));
    thread->m_tid = TRY(thread_table::allocate_id());
    arch::prepare_kernel_thread(thread->m_arch, thread->m_stack.top, entry, argument);
    thread_table::add(*thread);
    return thread;
}

Result<RefPtr<Thread>> Thread::create_idle_thread(const mm::KernelStack& boot_stack) {
    RefPtr<Thread> thread(adopt, new (kstd::nothrow) Thread);
    if (!thread) return err(ENOMEM);
    TRY(thread->init_common("swapper/0", false));
    thread->m_stack = boot_stack;
    thread->m_arch.kernel_stack_top = boot_stack.top;
    thread->m_tid = 0;
    thread_table::add(*thread);
    return thread;
}

Result<RefPtr<Thread>> Thread::create_user_thread(Process& process, const InterruptFrame& frame, u32 tid) {
    RefPtr<Thread> thread(adopt, new (kstd::nothrow) Thread);
    if (!thread) return err(ENOMEM);
    TRY(thread->init_common(process.comm(), true));
    thread->m_tid = tid ? tid : TRY(thread_table::allocate_id());
    thread->m_process = &process;
    arch::prepare_user_thread(thread->m_arch, thread->m_stack.top, frame);
    thread_table::add(*thread);
    return thread;
}

void Thread::release_resources() {
    if (m_stack.top && m_tid != 0) mm::free_kernel_stack(m_stack);
    m_stack = {};
    arch::destroy_thread_state(m_arch);
}

Thread::~Thread() {
    if (m_arch.fpu_allocation) arch::destroy_thread_state(m_arch);
}
