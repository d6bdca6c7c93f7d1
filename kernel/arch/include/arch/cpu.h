// Architecture interface: the CPU operations generic code may use.
//
// Every architecture provides these (x86_64 in arch/x86_64/cpu/cpu_inline.h); generic
// code includes only this header, never an architecture's own.
#pragma once

#include "lib/types.h"

namespace arch {

[[noreturn]] void halt_forever();
// Waits for the next interrupt with interrupts enabled (the idle loop's step).
void wait_for_interrupt();
void disable_interrupts();
void enable_interrupts();
bool interrupts_enabled();
void cpu_relax();
// Raw cycle-ish counter for short busy-waits and entropy; not a clock.
u64 read_cycle_counter();
// Switches to a new stack and calls `fn` there; the old stack is abandoned.
[[noreturn]] void run_on_stack(uptr stack_top, void (*fn)());
// A hardware random number (RDRAND), or nullopt when the CPU has none or it failed.
bool hardware_random(u64* out);

// Saves the interrupt state and disables interrupts; restores on destruction.
class InterruptGuard {
public:
    InterruptGuard() : m_were_enabled(interrupts_enabled()) { disable_interrupts(); }
    ~InterruptGuard() {
        if (m_were_enabled) enable_interrupts();
    }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    bool m_were_enabled;
};

}  // namespace arch

#include "arch/x86_64/cpu/cpu_inline.h"
