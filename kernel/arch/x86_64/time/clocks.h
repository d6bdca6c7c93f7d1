// x86_64 time: the PC's clocks — the TSC (the kernel's clock source), the HPET and the
// PIT (references for calibrating the TSC and the LAPIC timer), and the CMOS RTC.
#pragma once

#include "acpi/tables.h"
#include "lib/types.h"

namespace x86 {

// HPET: false when absent or unusable.
bool hpet_init(const acpi::HpetInfo& info);
bool hpet_ready();
u64 hpet_read_ns();

// Busy-waits `ns` using PIT channel 2; the fallback reference when there is no HPET.
void pit_wait_ns(u64 ns);

// Records the TSC at kernel entry: the origin of monotonic time.
void tsc_mark_boot();
// Measures the TSC against the HPET (or the PIT) and installs it as the clock source.
void tsc_init();
u64 tsc_frequency_hz();
u64 tsc_read_ns();
// The conversion's parameters (vdso/vdso_data.h): the TSC at monotonic 0, ns per tick in
// 32.32 fixed point (0 until calibrated).
u64 tsc_base();
u64 tsc_mult();

// Seconds since the Unix epoch from the CMOS real-time clock; 0 if unreadable.
i64 rtc_read_unix_seconds(u8 century_register);

}  // namespace x86
