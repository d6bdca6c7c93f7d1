// x86_64 CPU: inline implementations of arch/cpu.h.
#pragma once

#include "arch/x86_64/cpu/x86.h"

namespace arch {

[[noreturn]] inline void halt_forever() {
    for (;;) asm volatile("cli; hlt");
}
inline void wait_for_interrupt() { asm volatile("sti; hlt; cli" ::: "memory"); }
inline void disable_interrupts() { asm volatile("cli" ::: "memory"); }
inline void enable_interrupts() { asm volatile("sti" ::: "memory"); }
inline bool interrupts_enabled() { return x86::read_rflags() & x86::RFLAGS_IF; }
inline void cpu_relax() { x86::pause(); }
inline u64 read_cycle_counter() { return x86::rdtsc(); }
[[noreturn]] inline void run_on_stack(uptr stack_top, void (*fn)()) {
    asm volatile("mov %0, %%rsp\n xor %%ebp, %%ebp\n call *%1\n ud2" : : "r"(stack_top), "r"(fn) : "memory");
    __builtin_unreachable();
}

}  // namespace arch
