// Host tests: the vDSO's clock arithmetic and its sequence count (arch/x86_64/vdso/vdso_data.h),
// which the kernel's TSC clock and the user-space vDSO share.
#include <gtest/gtest.h>

#include <ctime>

#include "arch/x86_64/vdso/vdso_data.h"

namespace {

constexpr uint64_t NSEC = 1000000000ull;

TEST(VdsoTime, MultiplierForRoundFrequencies) {
    EXPECT_EQ(vdso_mult_for_frequency(1000000000ull), uint64_t(1) << 32);  // 1 tick = 1 ns
    EXPECT_EQ(vdso_mult_for_frequency(2000000000ull), uint64_t(1) << 31);
    EXPECT_EQ(vdso_mult_for_frequency(500000000ull), uint64_t(1) << 33);
}

TEST(VdsoTime, OneSecondOfTicksIsOneSecond) {
    for (uint64_t hz : {1000000000ull, 2400000000ull, 2994371000ull, 3000000001ull, 1193182ull, 14318180ull}) {
        uint64_t mult = vdso_mult_for_frequency(hz);
        uint64_t base = 123456789ull;
        uint64_t ns = vdso_cycles_to_ns(base + hz, base, mult);
        // mult is rounded down: at most one nanosecond short per 2^32 / hz ns of error... per second.
        EXPECT_LE(ns, NSEC) << hz;
        EXPECT_GE(ns, NSEC - 1) << hz;
        // An hour, and a century of uptime, stay exact to the rounding of mult (no overflow).
        uint64_t hour = vdso_cycles_to_ns(base + hz * 3600, base, mult);
        EXPECT_NEAR(static_cast<double>(hour), 3600.0 * NSEC, 3600.0) << hz;
        uint64_t century_ticks = hz * 3155760000ull;  // 100 years
        uint64_t century = vdso_cycles_to_ns(base + century_ticks, base, mult);
        EXPECT_NEAR(static_cast<double>(century), 3155760000.0 * NSEC, 3155760000.0 * 2) << hz;
    }
}

TEST(VdsoTime, NeverGoesBackwards) {
    uint64_t mult = vdso_mult_for_frequency(2994371000ull);
    uint64_t previous = 0;
    for (uint64_t tsc = 1000; tsc < 1000 + 200000; tsc += 7) {
        uint64_t now = vdso_cycles_to_ns(tsc, 1000, mult);
        ASSERT_GE(now, previous);
        previous = now;
    }
}

TEST(VdsoTime, RealtimeAddsTheOffset) {
    vdso_clock_snapshot clock{VDSO_CLOCK_MODE_TSC, 0, uint64_t(1) << 32, 1700000000ll * int64_t(NSEC)};
    EXPECT_EQ(vdso_clock_ns(&clock, 5 * NSEC, VDSO_BASE_MONOTONIC), 5 * NSEC);
    EXPECT_EQ(vdso_clock_ns(&clock, 5 * NSEC, VDSO_BASE_REALTIME), 1700000005ull * NSEC);
    clock.realtime_offset_ns = -int64_t(NSEC);  // the wall clock set before the boot's epoch
    EXPECT_EQ(vdso_clock_ns(&clock, 5 * NSEC, VDSO_BASE_REALTIME), 4 * NSEC);
}

TEST(VdsoTime, ClocksServedAsTheSyscallServesThem) {
    EXPECT_EQ(vdso_clock_base_of(CLOCK_REALTIME), VDSO_BASE_REALTIME);
    EXPECT_EQ(vdso_clock_base_of(CLOCK_REALTIME_COARSE), VDSO_BASE_REALTIME);
    EXPECT_EQ(vdso_clock_base_of(CLOCK_TAI), VDSO_BASE_REALTIME);
    EXPECT_EQ(vdso_clock_base_of(CLOCK_MONOTONIC), VDSO_BASE_MONOTONIC);
    EXPECT_EQ(vdso_clock_base_of(CLOCK_MONOTONIC_RAW), VDSO_BASE_MONOTONIC);
    EXPECT_EQ(vdso_clock_base_of(CLOCK_MONOTONIC_COARSE), VDSO_BASE_MONOTONIC);
    EXPECT_EQ(vdso_clock_base_of(CLOCK_BOOTTIME), VDSO_BASE_MONOTONIC);
    // CPU-time clocks, alarm clocks, dynamic (negative) ids and nonsense go to the kernel.
    for (int clock : {CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, 8, 9, 10, 12, 16, 1000, -1, -6})
        EXPECT_EQ(vdso_clock_base_of(clock), VDSO_BASE_NONE) << clock;
    EXPECT_TRUE(vdso_clock_is_coarse(CLOCK_MONOTONIC_COARSE));
    EXPECT_TRUE(vdso_clock_is_coarse(CLOCK_REALTIME_COARSE));
    EXPECT_FALSE(vdso_clock_is_coarse(CLOCK_MONOTONIC));
}

TEST(VdsoTime, ReaderRetriesAcrossAnUpdate) {
    vdso_data data{};
    uint32_t seq = vdso_read_begin(&data);
    EXPECT_FALSE(vdso_read_retry(&data, seq));  // nothing changed: the snapshot stands

    seq = vdso_read_begin(&data);
    vdso_write_begin(&data);                    // the kernel starts an update mid-read
    EXPECT_TRUE(vdso_read_retry(&data, seq));
    uint32_t during = vdso_read_begin(&data);   // a read that starts during the update
    data.tsc_mult = 42;
    vdso_write_end(&data);
    EXPECT_TRUE(vdso_read_retry(&data, during)) << "an odd count means a write in progress";

    seq = vdso_read_begin(&data);
    vdso_clock_snapshot snapshot;
    vdso_copy_snapshot(&data, &snapshot);
    EXPECT_FALSE(vdso_read_retry(&data, seq));
    EXPECT_EQ(snapshot.tsc_mult, 42u);
    EXPECT_EQ(data.seq % 2, 0u);
}

}  // namespace
