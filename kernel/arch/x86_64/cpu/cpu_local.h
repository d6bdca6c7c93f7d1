// x86_64 CPU: per-CPU data, reached through the GS base.
//
// In the kernel GS points at this CPU's CpuLocal; SWAPGS on every entry from and exit to
// user mode exchanges it with the user's GS base. The first fields have fixed offsets
// because the syscall entry (entry/syscall_entry.S) uses them before any C++ runs.
#pragma once

#include <stddef.h>

#include "arch/x86_64/cpu/gdt.h"
#include "lib/types.h"

namespace x86 {

struct CpuLocal {
    CpuLocal* self;        // %gs:0 — lets C++ find the structure with one load
    u64 user_rsp_scratch;  // %gs:8 — the user stack pointer during syscall entry
    u64 kernel_stack_top;  // %gs:16 — the current thread's kernel stack
    void* current_thread;  // %gs:24
    u32 cpu_index;
    u32 apic_id;
    Gdt gdt;
    Tss tss;
};

#define CPU_LOCAL_USER_RSP 8
#define CPU_LOCAL_KERNEL_STACK 16

inline CpuLocal* this_cpu() {
    CpuLocal* self;
    asm volatile("mov %%gs:0, %0" : "=r"(self));
    return self;
}

// Loads the GDT/TSS/IDT for the boot CPU and points GS at its CpuLocal.
void init_boot_cpu();

}  // namespace x86
