// Architecture interface: a thread's user registers as a core file records them —
// Linux's elf_gregset_t (NT_PRSTATUS's pr_reg) and the FPU image of NT_PRFPREG.
#pragma once

#include "arch/registers.h"
#include "arch/thread.h"

namespace arch {
// The general registers in the order of Linux's struct user_regs_struct (REGISTER_COUNT
// of them, proc/core_format.h).
void core_registers(const InterruptFrame& frame, const ThreadState& state, u64* registers);
// The 512-byte FXSAVE image of the thread's user FPU state. `live` when the thread is
// the one running: its registers are newer than the saved area.
void core_fpu_image(ThreadState& state, bool live, u8* image);
}  // namespace arch
