// Processes: the load averages (see load_average.h).
#include "proc/load_average.h"

#include "proc/scheduler.h"
#include "time/clock.h"
#include "time/timer.h"

namespace load_average {
namespace {

constexpr u64 FIXED_1 = u64(1) << FSHIFT;
// Linux: LOAD_FREQ is 5 s and a tick (so the samples do not beat with 5-second activity);
// EXP_n = FIXED_1 / exp(5 s / n min).
constexpr u64 SAMPLE_PERIOD_NS = 5 * ktime::NSEC_PER_SEC + 4 * ktime::NSEC_PER_MSEC;
constexpr u64 DECAY[3] = {1884, 2014, 2037};

Timer g_timer;
u64 g_loads[3] = {};

u64 decay(u64 load, u64 exp, u64 active) {
    u64 next = load * exp + active * (FIXED_1 - exp);
    if (active >= load) next += FIXED_1 - 1;  // rounds up towards a rising load, as Linux
    return next / FIXED_1;
}

void sample(Timer&, void*) {
    u64 active = sched::active_count() * FIXED_1;
    for (usize i = 0; i < 3; i++) g_loads[i] = decay(g_loads[i], DECAY[i], active);
    g_timer.arm(g_timer.deadline() + SAMPLE_PERIOD_NS, sample, nullptr);
}

}  // namespace

void start() { g_timer.arm(ktime::monotonic_ns() + SAMPLE_PERIOD_NS, sample, nullptr); }

void get(u64 (&loads)[3]) {
    for (usize i = 0; i < 3; i++) loads[i] = g_loads[i];
}

}  // namespace load_average
