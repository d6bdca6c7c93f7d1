// x86_64 CPU: feature detection (CPUID) and the control-register hardening built on it.
#pragma once

#include "lib/types.h"

namespace x86 {

struct CpuFeatures {
    char vendor[13];
    char model_name[49];
    u32 family, model, stepping;
    bool nx, smep, smap, umip, pge, pcid, fsgsbase;
    bool xsave, avx, rdrand, rdseed, x2apic, tsc_deadline, invariant_tsc, huge_pages;
    bool apic, hypervisor;
    bool rdtscp, rdpid;  // user-readable IA32_TSC_AUX (the vDSO's getcpu)
    u32 xsave_size;  // bytes for the XSAVE area of the enabled components
    u64 xcr0;        // components the kernel enables for user space
};

extern CpuFeatures g_cpu;
// Read by entry/user_copy.S: whether STAC/CLAC must bracket user accesses.
extern "C" u8 x86_smap_enabled;

void detect_cpu_features();
// NX (EFER), WP, SMEP, SMAP, UMIP, PGE, and SSE/XSAVE for user programs.
void enable_cpu_protections();

}  // namespace x86
