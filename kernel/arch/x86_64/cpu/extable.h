// x86_64 CPU: the exception fixup table.
//
// An instruction that may fault on purpose (the user-memory copies in
// entry/user_copy.S) has an entry {faulting instruction, continuation}; a fault there
// resumes at the continuation instead of panicking. Linux calls this __ex_table.
#pragma once

#include "arch/x86_64/cpu/interrupt_frame.h"

namespace x86 {
// True when the faulting RIP has a fixup; the frame then resumes there.
bool apply_exception_fixup(InterruptFrame& frame);
// Whether an instruction may fault on purpose (it has a fixup).
bool has_exception_fixup(uptr rip);
}  // namespace x86
