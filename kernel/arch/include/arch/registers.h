// Architecture interface: the saved user register frame, as generic code sees it.
//
// Generic code (signals, fork, exec, ptrace-style dumps) names the frame InterruptFrame
// and reaches its fields through these accessors; the architecture defines the layout.
#pragma once

#include "arch/x86_64/cpu/interrupt_frame.h"

namespace arch {
inline uptr instruction_pointer(const InterruptFrame& f) { return f.rip; }
inline uptr stack_pointer(const InterruptFrame& f) { return f.rsp; }
inline void set_stack_pointer(InterruptFrame& f, uptr sp) { f.rsp = sp; }
// The syscall number as the thread entered the kernel (Linux's orig_ax), or -1.
inline i64 syscall_number(const InterruptFrame& f) { return f.vector == 256 ? static_cast<i64>(f.error_code) : -1; }
inline i64 syscall_return_value(const InterruptFrame& f) { return static_cast<i64>(f.rax); }
inline void set_syscall_return_value(InterruptFrame& f, i64 value) { f.rax = static_cast<u64>(value); }
// A fresh user frame: start at `entry` with stack `sp`, every other register zero.
void init_user_frame(InterruptFrame& f, uptr entry, uptr sp);
// Rewinds the frame to re-execute the syscall instruction with its original number.
void restart_syscall(InterruptFrame& f, i64 number);
}  // namespace arch
