// x86_64 interrupts: the local APIC (xAPIC, memory mapped) — this CPU's interrupt
// acceptance, end-of-interrupt, and its timer, used as the kernel's one-shot clock event.
#pragma once

#include "lib/types.h"

namespace x86::lapic {

constexpr u8 TIMER_VECTOR = 32;

void init(PhysAddr base);
bool ready();
void end_of_interrupt();
u32 id();

// The timer counts down at bus frequency / divider; calibrate() measures it against a
// reference clock (monotonic nanoseconds) over `window_ns`.
void calibrate_timer(u64 (*reference_ns)(), u64 window_ns);
u64 timer_frequency_hz();
// Fires TIMER_VECTOR once after `ns` (clamped to the counter's range); 0 disarms.
void arm_timer_ns(u64 ns);

}  // namespace x86::lapic
