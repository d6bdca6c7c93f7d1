// x86_64 CPU: the register frame saved on every entry to the kernel.
//
// Interrupts, exceptions and syscalls all save the same layout (entry/*.S), so signal
// delivery, fork and ptrace-style dumps handle one structure. The last five fields are
// what the CPU pushes for an interrupt; syscall entry fills them to match.
#pragma once

#include "lib/types.h"

struct InterruptFrame {
    u64 r15, r14, r13, r12, r11, r10, r9, r8;
    u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
    u64 vector;
    u64 error_code;  // syscalls: the original rax (syscall number), as Linux's orig_ax
    u64 rip, cs, rflags, rsp, ss;

    bool from_user() const { return (cs & 3) == 3; }
};
static_assert(sizeof(InterruptFrame) == 22 * 8);
