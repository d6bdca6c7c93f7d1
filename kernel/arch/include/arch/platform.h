// Architecture interface: bringing the machine up, and the last-resort ways down.
#pragma once

#include "init/boot_info.h"

namespace arch {
// Descriptor tables, per-CPU data, CPU feature set-up; runs before memory management.
void early_init();
// Interrupt controllers, clocks and timers; runs once memory and ACPI are up.
void platform_init();
// Legacy ways to reset the machine when ACPI could not (never returns).
[[noreturn]] void reset_fallback();
// One line per CPU property, for boot logs and /proc/cpuinfo.
const char* cpu_model_name();
}  // namespace arch
