// x86_64 CPU: per-CPU data and the boot CPU's descriptor tables (see cpu_local.h).
#include "arch/x86_64/cpu/cpu_local.h"

#include "arch/x86_64/cpu/idt.h"
#include "arch/x86_64/cpu/x86.h"

static_assert(offsetof(x86::CpuLocal, user_rsp_scratch) == CPU_LOCAL_USER_RSP);
static_assert(offsetof(x86::CpuLocal, kernel_stack_top) == CPU_LOCAL_KERNEL_STACK);

namespace x86 {
namespace {
CpuLocal g_boot_cpu;
alignas(16) u8 g_ist_stacks[3][IST_STACK_SIZE];
}  // namespace

void init_boot_cpu() {
    g_boot_cpu.self = &g_boot_cpu;
    g_boot_cpu.cpu_index = 0;
    uptr ist_tops[3];
    for (int i = 0; i < 3; i++) ist_tops[i] = reinterpret_cast<uptr>(g_ist_stacks[i] + IST_STACK_SIZE);
    load_gdt(g_boot_cpu.gdt, g_boot_cpu.tss, ist_tops);
    // After the segment reloads in load_gdt: loading GS would clear its base.
    wrmsr(MSR_GS_BASE, reinterpret_cast<u64>(&g_boot_cpu));
    wrmsr(MSR_KERNEL_GS_BASE, 0);
    load_idt();
}
}  // namespace x86
