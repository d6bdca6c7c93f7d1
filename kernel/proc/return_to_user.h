// Processes: the work done on every return to user mode — rescheduling when the time
// slice is used up, and delivering pending signals (which may rewrite the frame).
#pragma once

#include "arch/registers.h"

enum class ReturnFrom : u8 { Syscall, Interrupt };

// Returns whether the frame must be restored in full (no fast syscall return).
bool return_to_user(InterruptFrame& frame, ReturnFrom from);
