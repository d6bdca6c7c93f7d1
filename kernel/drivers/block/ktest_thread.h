// Drivers, block layer: running part of an in-kernel test in a kernel thread. Tests run
// on the idle thread, which must never sleep (drivers poll there instead); code that
// should sleep on interrupts, or several threads at once, runs through this. The idle
// thread meanwhile does what its loop does: halt until an interrupt, then schedule.
#pragma once

#include "arch/cpu.h"
#include "proc/scheduler.h"
#include "proc/thread.h"

namespace block::ktest {

template <typename Fn>
bool run_in_threads(const char* name, usize count, Fn&& fn) {
    struct Context {
        Fn* fn;
        usize index;
        bool done;
    };
    constexpr usize MAX_THREADS = 8;
    Context contexts[MAX_THREADS];
    count = count > MAX_THREADS ? MAX_THREADS : count;
    usize started = 0;
    for (usize i = 0; i < count; i++) {
        contexts[i] = Context{&fn, i, false};
        auto thread = Thread::create_kernel_thread(
            name,
            [](void* argument) {
                auto* context = static_cast<Context*>(argument);
                (*context->fn)(context->index);
                context->done = true;
            },
            &contexts[i]);
        if (thread.is_error()) {
            contexts[i].done = true;
            continue;
        }
        sched::wake_up(*thread.value());
        started++;
    }
    for (;;) {
        bool all = true;
        for (usize i = 0; i < count; i++) all = all && __atomic_load_n(&contexts[i].done, __ATOMIC_ACQUIRE);
        if (all) break;
        arch::disable_interrupts();
        if (sched::runnable_count() == 0) arch::wait_for_interrupt();
        sched::schedule();
        arch::enable_interrupts();
    }
    return started == count;
}

}  // namespace block::ktest
