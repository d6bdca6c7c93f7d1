// x86_64 CPU: segment descriptors and the task state segment (see gdt.h).
#include "arch/x86_64/cpu/gdt.h"

#include "lib/string.h"

namespace x86 {
namespace {
// Long mode ignores base and limit for code/data; only type, DPL and L matter.
constexpr u64 KERNEL_CODE = 0x00af9a000000ffff;  // P, DPL0, code exec/read, L
constexpr u64 KERNEL_DATA = 0x00cf92000000ffff;  // P, DPL0, data read/write
constexpr u64 USER_DATA = 0x00cff2000000ffff;    // P, DPL3, data read/write
constexpr u64 USER_CODE = 0x00affa000000ffff;    // P, DPL3, code exec/read, L

struct [[gnu::packed]] DescriptorPointer {
    u16 limit;
    u64 base;
};
}  // namespace

void load_gdt(Gdt& gdt, Tss& tss, const uptr ist_stack_tops[3]) {
    memset(&tss, 0, sizeof(tss));
    for (int i = 0; i < 3; i++) tss.ist[i] = ist_stack_tops[i];
    tss.iopb_offset = sizeof(Tss);  // no I/O permission bitmap: user port I/O faults

    auto base = reinterpret_cast<u64>(&tss);
    u64 limit = sizeof(Tss) - 1;
    gdt.entries[0] = 0;
    gdt.entries[1] = KERNEL_CODE;
    gdt.entries[2] = KERNEL_DATA;
    gdt.entries[3] = USER_DATA;
    gdt.entries[4] = USER_CODE;
    // 64-bit available TSS (type 9), present: a 16-byte system descriptor.
    gdt.entries[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (u64(0x89) << 40) |
                     (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt.entries[6] = base >> 32;

    DescriptorPointer pointer{sizeof(gdt.entries) - 1, reinterpret_cast<u64>(gdt.entries)};
    asm volatile(
        "lgdt %0\n"
        "pushq %1\n"
        "leaq 1f(%%rip), %%rax\n"
        "pushq %%rax\n"
        "lretq\n"
        "1:\n"
        "mov %2, %%ds\n"
        "mov %2, %%es\n"
        "mov %2, %%ss\n"
        "ltr %w3\n"
        :
        : "m"(pointer), "i"(KERNEL_CS), "r"(u32(KERNEL_DS)), "r"(u32(TSS_SELECTOR))
        : "rax", "memory");
}

void set_kernel_stack(Tss& tss, uptr stack_top) { tss.rsp[0] = stack_top; }

}  // namespace x86
