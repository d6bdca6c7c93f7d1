// Architecture interface: entering user mode for the first time (the init thread, which
// starts as a kernel thread and becomes process 1's program).
#pragma once

#include "arch/registers.h"

namespace arch {
[[noreturn]] void enter_user_mode(InterruptFrame& frame);
}  // namespace arch
