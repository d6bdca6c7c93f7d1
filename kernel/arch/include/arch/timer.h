// Architecture interface: the per-CPU one-shot timer the kernel's timer queue runs on.
#pragma once

#include "lib/types.h"

namespace arch {
// Called in interrupt context when the armed timer fires.
void timer_set_callback(void (*callback)());
// Fires once at (or soon after) monotonic time `deadline_ns`; 0 disarms.
void timer_arm(u64 deadline_ns);
}  // namespace arch
