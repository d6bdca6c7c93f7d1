// Time: the kernel's clocks.
//
//  monotonic_ns()  nanoseconds since boot, from the CPU's invariant counter (TSC on x86);
//  realtime_ns()   nanoseconds since the Unix epoch: the RTC read at boot plus monotonic,
//                  adjusted by clock_settime/settimeofday.
#pragma once

#include "lib/types.h"

namespace ktime {

constexpr u64 NSEC_PER_SEC = 1000000000;
constexpr u64 NSEC_PER_MSEC = 1000000;
constexpr u64 NSEC_PER_USEC = 1000;

bool clock_ready();
u64 monotonic_ns();
u64 realtime_ns();
void set_realtime_ns(u64 ns_since_epoch);
// realtime - monotonic: what the vDSO adds to its monotonic reading.
i64 realtime_offset_ns();

// Called by the architecture once its counter is calibrated.
void install_clock_source(u64 (*read_ns)(), const char* name);
// Busy-waits; for drivers during bring-up, never on a path a thread could sleep on.
void busy_wait_ns(u64 ns);

}  // namespace ktime
