// Architecture interface: what user space is told about the CPU (the auxiliary vector).
#pragma once

#include "lib/types.h"

namespace arch {
u64 hwcap();    // AT_HWCAP: on x86_64, CPUID.1:EDX
u64 hwcap2();   // AT_HWCAP2
u64 minimum_signal_stack_size();  // AT_MINSIGSTKSZ: what a signal frame needs
}  // namespace arch
