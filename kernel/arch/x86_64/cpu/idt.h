// x86_64 CPU: the interrupt descriptor table and the dispatch of vectors to handlers.
#pragma once

#include "arch/x86_64/cpu/interrupt_frame.h"
#include "lib/types.h"

namespace x86 {

constexpr u8 FIRST_EXTERNAL_VECTOR = 32;
constexpr u8 SPURIOUS_VECTOR = 0xff;

void load_idt();

using InterruptHandler = void (*)(InterruptFrame& frame, void* context);
// Installs a handler for an external vector (32..254).
void set_interrupt_handler(u8 vector, InterruptHandler handler, void* context);
// A free vector for a device interrupt, or 0 when none is left.
u8 allocate_vector();

// Exceptions in kernel mode that a fixup can recover from (user copies) and faults that the
// memory manager resolves are routed through these hooks before anything panics.
using PageFaultHandler = bool (*)(InterruptFrame& frame, uptr address);
void set_page_fault_handler(PageFaultHandler handler);
// Called for every exception raised in user mode (vector, frame); returns after
// arranging a signal. Until processes exist, user exceptions panic.
using UserExceptionHandler = void (*)(InterruptFrame& frame);
void set_user_exception_handler(UserExceptionHandler handler);
// Runs after every interrupt or exception that returns to user mode (signals, preemption).
using ReturnToUserHook = void (*)(InterruptFrame& frame);
void set_return_to_user_hook(ReturnToUserHook hook);

[[noreturn]] void panic_with_frame(const InterruptFrame& frame, const char* what);

}  // namespace x86
