// x86_64 time: the TSC as the kernel's monotonic clock.
//
// Nanoseconds = (tsc - tsc_at_boot) * mult >> 32, with mult fixed at calibration; a
// 128-bit product keeps it exact for centuries of uptime. The arithmetic lives in
// vdso/vdso_data.h because the vDSO repeats it in user space and must agree to the
// nanosecond; the parameters are published to it once calibrated.
#include "arch/vdso.h"
#include "arch/x86_64/cpu/features.h"
#include "arch/x86_64/cpu/x86.h"
#include "arch/x86_64/time/clocks.h"
#include "arch/x86_64/vdso/vdso_data.h"
#include "debug/panic.h"
#include "log/klog.h"
#include "time/clock.h"

namespace x86 {
namespace {
u64 g_tsc_hz = 0;
u64 g_tsc_base = 0;  // the TSC when the kernel started: monotonic time 0
u64 g_mult = 0;  // ns per tick, 32.32 fixed point
}  // namespace

u64 tsc_read_ns() { return vdso_cycles_to_ns(rdtsc(), g_tsc_base, g_mult); }
u64 tsc_base() { return g_tsc_base; }
u64 tsc_mult() { return g_mult; }

u64 tsc_frequency_hz() { return g_tsc_hz; }
void tsc_mark_boot() { g_tsc_base = rdtsc(); }

void tsc_init() {
    constexpr u64 WINDOW_NS = 20 * ktime::NSEC_PER_MSEC;
    u64 tsc_start, tsc_end, elapsed_ns;
    const char* reference;
    if (hpet_ready()) {
        reference = "HPET";
        u64 ref_start = hpet_read_ns();
        tsc_start = rdtsc();
        while (hpet_read_ns() - ref_start < WINDOW_NS) pause();
        tsc_end = rdtsc();
        elapsed_ns = hpet_read_ns() - ref_start;
    } else {
        reference = "PIT";
        tsc_start = rdtsc();
        pit_wait_ns(WINDOW_NS);
        tsc_end = rdtsc();
        elapsed_ns = WINDOW_NS;
    }
    g_tsc_hz = (tsc_end - tsc_start) * ktime::NSEC_PER_SEC / elapsed_ns;
    if (g_tsc_hz == 0) panic("tsc: does not count");
    g_mult = vdso_mult_for_frequency(g_tsc_hz);
    pr_info("tsc: %lu.%03lu MHz, calibrated against the %s%s", g_tsc_hz / 1000000, g_tsc_hz / 1000 % 1000,
            reference, g_cpu.invariant_tsc ? "" : " (not invariant)");
    ktime::install_clock_source(tsc_read_ns, "tsc");
    arch::vdso_update_clock();
}
}  // namespace x86
