// x86_64 CPU: feature detection and control-register set-up (see features.h).
// Bit positions: Intel SDM vol. 2A, CPUID; vol. 3A, 2.5 (control registers).
#include "arch/x86_64/cpu/features.h"

#include "arch/x86_64/cpu/x86.h"
#include "lib/string.h"
#include "log/klog.h"

namespace x86 {

CpuFeatures g_cpu;
u8 x86_smap_enabled = 0;

void detect_cpu_features() {
    CpuidResult leaf0 = cpuid(0);
    memcpy(g_cpu.vendor, &leaf0.ebx, 4);
    memcpy(g_cpu.vendor + 4, &leaf0.edx, 4);
    memcpy(g_cpu.vendor + 8, &leaf0.ecx, 4);
    g_cpu.vendor[12] = '\0';

    CpuidResult leaf1 = cpuid(1);
    g_cpu.stepping = leaf1.eax & 0xf;
    g_cpu.model = ((leaf1.eax >> 4) & 0xf) | (((leaf1.eax >> 16) & 0xf) << 4);
    g_cpu.family = ((leaf1.eax >> 8) & 0xf) + ((leaf1.eax >> 20) & 0xff);
    g_cpu.pge = leaf1.edx & (1u << 13);
    g_cpu.apic = leaf1.edx & (1u << 9);
    g_cpu.pcid = leaf1.ecx & (1u << 17);
    g_cpu.x2apic = leaf1.ecx & (1u << 21);
    g_cpu.tsc_deadline = leaf1.ecx & (1u << 24);
    g_cpu.xsave = leaf1.ecx & (1u << 26);
    g_cpu.avx = leaf1.ecx & (1u << 28);
    g_cpu.rdrand = leaf1.ecx & (1u << 30);
    g_cpu.hypervisor = leaf1.ecx & (1u << 31);

    if (leaf0.eax >= 7) {
        CpuidResult leaf7 = cpuid(7, 0);
        g_cpu.fsgsbase = leaf7.ebx & (1u << 0);
        g_cpu.smep = leaf7.ebx & (1u << 7);
        g_cpu.rdseed = leaf7.ebx & (1u << 18);
        g_cpu.smap = leaf7.ebx & (1u << 20);
        g_cpu.umip = leaf7.ecx & (1u << 2);
        g_cpu.rdpid = leaf7.ecx & (1u << 22);
    }

    u32 max_extended = cpuid(0x80000000).eax;
    if (max_extended >= 0x80000001) {
        CpuidResult ext1 = cpuid(0x80000001);
        g_cpu.nx = ext1.edx & (1u << 20);
        g_cpu.huge_pages = ext1.edx & (1u << 26);
        g_cpu.rdtscp = ext1.edx & (1u << 27);
    }
    if (max_extended >= 0x80000004) {
        for (u32 i = 0; i < 3; i++) {
            CpuidResult r = cpuid(0x80000002 + i);
            memcpy(g_cpu.model_name + i * 16, &r, 16);
        }
        g_cpu.model_name[48] = '\0';
    }
    if (max_extended >= 0x80000007) g_cpu.invariant_tsc = cpuid(0x80000007).edx & (1u << 8);
}

void enable_cpu_protections() {
    u64 efer = rdmsr(MSR_EFER);
    if (g_cpu.nx) efer |= EFER_NXE;
    wrmsr(MSR_EFER, efer);

    // WP: the kernel honours read-only pages too (copy-on-write relies on it).
    // NE/MP with EM and TS clear: native x87/SSE exceptions, FPU always available.
    u64 cr0 = read_cr0();
    cr0 |= CR0_WP | CR0_NE | CR0_MP;
    cr0 &= ~(CR0_EM | CR0_TS);
    write_cr0(cr0);

    u64 cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
    if (g_cpu.pge) cr4 |= CR4_PGE;
    if (g_cpu.smep) cr4 |= CR4_SMEP;
    if (g_cpu.smap) cr4 |= CR4_SMAP;
    if (g_cpu.umip) cr4 |= CR4_UMIP;
    // CR4.FSGSBASE stays off: user space changes its FS/GS bases only through
    // arch_prctl, so the kernel always knows them and need not read them back on a switch.
    if (g_cpu.xsave) cr4 |= CR4_OSXSAVE;
    write_cr4(cr4);
    x86_smap_enabled = g_cpu.smap;

    // XSAVE: x87, SSE and AVX state for user programs (what glibc's string functions use).
    g_cpu.xsave_size = 512;  // FXSAVE area
    g_cpu.xcr0 = 0;
    if (g_cpu.xsave) {
        u64 supported = cpuid(0xd, 0).eax | (u64(cpuid(0xd, 0).edx) << 32);
        g_cpu.xcr0 = supported & 0x7;  // x87 | SSE | AVX
        write_xcr0(g_cpu.xcr0);
        g_cpu.xsave_size = cpuid(0xd, 0).ebx;  // size for the components now enabled
    }

    pr_info("cpu: %s %s (family %u model %u stepping %u)", g_cpu.vendor, g_cpu.model_name,
            g_cpu.family, g_cpu.model, g_cpu.stepping);
    pr_info("cpu: protections: NX %s, SMEP %s, SMAP %s, UMIP %s, WP on; XSAVE %s (%u bytes)",
            g_cpu.nx ? "on" : "absent", g_cpu.smep ? "on" : "absent", g_cpu.smap ? "on" : "absent",
            g_cpu.umip ? "on" : "absent", g_cpu.xsave ? "on" : "absent", g_cpu.xsave_size);
}

}  // namespace x86
