// x86_64 time: the HPET main counter (IA-PC HPET specification 1.0a, section 2.3).
#include "arch/x86_64/time/clocks.h"
#include "log/klog.h"
#include "mm/kernel_vm.h"

namespace x86 {
namespace {
volatile u64* g_hpet = nullptr;
u64 g_period_fs = 0;  // femtoseconds per tick
u64 g_ns_mult = 0;    // nanoseconds per tick, 32.32 fixed point

constexpr usize CAPABILITIES = 0x00 / 8;
constexpr usize CONFIGURATION = 0x10 / 8;
constexpr usize MAIN_COUNTER = 0xf0 / 8;
constexpr u64 ENABLE = 1;
}  // namespace

bool hpet_init(const acpi::HpetInfo& info) {
    auto mapped = mm::ioremap(info.address, 1024);
    if (mapped.is_error()) return false;
    g_hpet = static_cast<volatile u64*>(mapped.value());
    g_period_fs = g_hpet[CAPABILITIES] >> 32;
    // The specification caps the period at 100 ns; zero or more means a broken device.
    if (g_period_fs == 0 || g_period_fs > 100000000) {
        pr_warn("hpet: bad period %lu fs, not using it", g_period_fs);
        g_hpet = nullptr;
        return false;
    }
    g_ns_mult = (g_period_fs << 32) / 1000000;
    g_hpet[CONFIGURATION] = g_hpet[CONFIGURATION] | ENABLE;
    constexpr u64 FS_PER_SECOND = 1000000000000000;
    pr_info("hpet: %lu.%03lu MHz counter at %#lx", FS_PER_SECOND / g_period_fs / 1000000,
            FS_PER_SECOND / g_period_fs / 1000 % 1000, info.address);
    return true;
}

bool hpet_ready() { return g_hpet != nullptr; }

u64 hpet_read_ns() {
    return static_cast<u64>((static_cast<unsigned __int128>(g_hpet[MAIN_COUNTER]) * g_ns_mult) >> 32);
}
}  // namespace x86
