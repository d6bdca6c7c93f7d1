// Time: the kernel's clocks (see clock.h).
#include "time/clock.h"

#include "arch/cpu.h"
#include "arch/vdso.h"
#include "log/klog.h"

namespace ktime {
namespace {
u64 (*g_read_ns)() = nullptr;
const char* g_source_name = "none";
kstd::atomic<i64> g_realtime_offset_ns{0};  // realtime = monotonic + offset
}  // namespace

bool clock_ready() { return g_read_ns != nullptr; }
u64 monotonic_ns() { return g_read_ns ? g_read_ns() : 0; }
u64 realtime_ns() {
    return monotonic_ns() + g_realtime_offset_ns.load(kstd::memory_order_relaxed);
}
void set_realtime_ns(u64 ns_since_epoch) {
    g_realtime_offset_ns.store(static_cast<i64>(ns_since_epoch - monotonic_ns()),
                               kstd::memory_order_relaxed);
    arch::vdso_update_clock();  // processes read the wall clock from the vDSO's data page
}
i64 realtime_offset_ns() { return g_realtime_offset_ns.load(kstd::memory_order_relaxed); }

void install_clock_source(u64 (*read_ns)(), const char* name) {
    g_read_ns = read_ns;
    g_source_name = name;
    klog_set_clock(read_ns);
    pr_info("clocksource: switched to %s", g_source_name);
}

void busy_wait_ns(u64 ns) {
    if (!g_read_ns) return;
    u64 deadline = g_read_ns() + ns;
    while (g_read_ns() < deadline) arch::cpu_relax();
}

}  // namespace ktime
