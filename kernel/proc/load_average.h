// Processes: the load averages of /proc/loadavg and sysinfo(2), as Linux's
// kernel/sched/loadavg.c computes them: every 5 seconds the number of runnable threads (the
// running one included) is folded into three exponentially decaying averages over 1, 5 and
// 15 minutes, in fixed point with FSHIFT fractional bits.
#pragma once

#include "lib/types.h"

namespace load_average {

constexpr u32 FSHIFT = 11;  // Linux's FSHIFT: /proc/loadavg's figures have 11 fractional bits

// Starts the 5-second sampling (timers must work).
void start();
// The 1, 5 and 15 minute averages, fixed point (FSHIFT).
void get(u64 (&loads)[3]);

}  // namespace load_average
