// In-kernel tests: the x86_64 CPU set-up (descriptor tables, per-CPU data, hardening).
#include "arch/x86_64/cpu/cpu_local.h"
#include "arch/x86_64/cpu/features.h"
#include "arch/x86_64/cpu/gdt.h"
#include "arch/x86_64/cpu/x86.h"
#include "ktest/ktest.h"

KTEST(x86, gdt_order_matches_syscall_sysret) {
    x86::CpuLocal* cpu = x86::this_cpu();
    KASSERT_TRUE(cpu != nullptr && cpu->self == cpu);
    u64* gdt = cpu->gdt.entries;
    auto dpl = [](u64 descriptor) { return (descriptor >> 45) & 3; };
    auto is_code = [](u64 descriptor) { return (descriptor >> 43) & 1; };
    KEXPECT(is_code(gdt[1]) && dpl(gdt[1]) == 0);   // 0x08 kernel code
    KEXPECT(!is_code(gdt[2]) && dpl(gdt[2]) == 0);  // 0x10 kernel data
    KEXPECT(!is_code(gdt[3]) && dpl(gdt[3]) == 3);  // 0x18 user data
    KEXPECT(is_code(gdt[4]) && dpl(gdt[4]) == 3);   // 0x20 user code
    KEXPECT_EQ((gdt[5] >> 40) & 0xf, 0xbu);         // 0x28 TSS, busy once loaded
    u16 cs;
    asm volatile("mov %%cs, %0" : "=r"(cs));
    KEXPECT_EQ(cs, x86::KERNEL_CS);
}

KTEST(x86, protections_are_on_where_the_cpu_has_them) {
    u64 cr0 = x86::read_cr0(), cr4 = x86::read_cr4();
    KEXPECT(cr0 & x86::CR0_WP);
    if (x86::g_cpu.smep) KEXPECT(cr4 & x86::CR4_SMEP);
    if (x86::g_cpu.smap) KEXPECT(cr4 & x86::CR4_SMAP);
    if (x86::g_cpu.umip) KEXPECT(cr4 & x86::CR4_UMIP);
    if (x86::g_cpu.nx) KEXPECT(x86::rdmsr(x86::MSR_EFER) & x86::EFER_NXE);
}

KTEST(x86, interrupt_stacks_are_set_for_fatal_exceptions) {
    x86::CpuLocal* cpu = x86::this_cpu();
    KEXPECT(cpu->tss.ist[x86::IST_DOUBLE_FAULT - 1] != 0);
    KEXPECT(cpu->tss.ist[x86::IST_NMI - 1] != 0);
    KEXPECT(cpu->tss.ist[x86::IST_MACHINE_CHECK - 1] != 0);
}
