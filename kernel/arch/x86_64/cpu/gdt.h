// x86_64 CPU: segment descriptors and the task state segment.
//
// The GDT order is fixed by SYSCALL/SYSRET: STAR[47:32]=0x08 gives kernel CS 0x08 and
// SS 0x10; STAR[63:48]=0x10 gives user SS 0x10+8=0x18 and user CS 0x10+16=0x20.
#pragma once

#include "lib/types.h"

namespace x86 {

constexpr u16 KERNEL_CS = 0x08;
constexpr u16 KERNEL_DS = 0x10;
constexpr u16 USER_DS = 0x18 | 3;
constexpr u16 USER_CS = 0x20 | 3;
constexpr u16 TSS_SELECTOR = 0x28;

// Interrupt stack table slots (1-based, as the IDT encodes them).
constexpr u8 IST_DOUBLE_FAULT = 1;
constexpr u8 IST_NMI = 2;
constexpr u8 IST_MACHINE_CHECK = 3;
constexpr usize IST_STACK_SIZE = 16 * KiB;

struct [[gnu::packed]] Tss {
    u32 reserved0;
    u64 rsp[3];
    u64 reserved1;
    u64 ist[7];
    u64 reserved2;
    u16 reserved3;
    u16 iopb_offset;
};
static_assert(sizeof(Tss) == 104);

struct Gdt {
    u64 entries[7];  // null, kcode, kdata, udata, ucode, tss (2 slots)
};

// Builds and loads the GDT and TSS for this CPU; ist_stacks[i] is the top of IST i+1.
void load_gdt(Gdt& gdt, Tss& tss, const uptr ist_stack_tops[3]);
// The stack the CPU switches to on an interrupt from user mode.
void set_kernel_stack(Tss& tss, uptr stack_top);

}  // namespace x86
