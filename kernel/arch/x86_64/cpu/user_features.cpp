// x86_64 CPU: the auxiliary-vector facts about the CPU (see arch/cpu_features.h).
#include "arch/cpu_features.h"
#include "arch/x86_64/cpu/features.h"
#include "arch/x86_64/cpu/x86.h"
#include "lib/kstd.h"

namespace arch {
u64 hwcap() { return x86::cpuid(1).edx; }
// HWCAP2_RING3MWAIT and HWCAP2_FSGSBASE: neither is offered (FSGSBASE stays off).
u64 hwcap2() { return 0; }
// The signal frame (Linux's rt_sigframe plus the XSAVE area), rounded up generously.
u64 minimum_signal_stack_size() { return kstd::align_up<u64>(x86::g_cpu.xsave_size + 1024, 64); }
}  // namespace arch
