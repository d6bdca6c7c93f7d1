/*
 * x86_64 vDSO: the data page ([vvar]) the kernel shares read-only with every process, and
 * the arithmetic both sides use on it. Included by the kernel (C++), by the vDSO itself
 * (freestanding C, vclock.c) and by the host unit tests, so it is plain C with inline
 * functions and no kernel headers.
 *
 * The kernel's monotonic clock is (tsc - tsc_base) * mult >> 32 (arch/x86_64/time/tsc.cpp
 * calls vdso_cycles_to_ns too), realtime is monotonic + realtime_offset_ns. The vDSO reads
 * the same parameters under a sequence count (Linux's seqcount_t): the writer makes `seq`
 * odd, updates, makes it even again; a reader retries if it saw an odd count or the count
 * changed under it, so it never combines the fields of two updates.
 */
#ifndef STRIX_ARCH_X86_64_VDSO_DATA_H
#define STRIX_ARCH_X86_64_VDSO_DATA_H

#include <stdint.h>
#ifndef CLOCK_REALTIME /* a C library's <time.h> defines the same values */
#include <linux/time.h>
#endif

/* How the vDSO may read the clock: not at all (every call is a syscall), or the TSC. */
#define VDSO_CLOCK_MODE_NONE 0u
#define VDSO_CLOCK_MODE_TSC 1u

/* How __vdso_getcpu learns the CPU: a syscall, or IA32_TSC_AUX (which the kernel loads with
 * Linux's encoding, node << 12 | cpu) through RDPID or RDTSCP. */
#define VDSO_CPU_MODE_SYSCALL 0u
#define VDSO_CPU_MODE_RDPID 1u
#define VDSO_CPU_MODE_RDTSCP 2u

/* clock_getres: the TSC clocks report 1 ns as Linux's high-resolution clocks do; the coarse
 * ones the tick of Linux's default HZ=250. sys_clock_getres uses the same values. */
#define VDSO_HIGH_RESOLUTION_NS 1
#define VDSO_COARSE_RESOLUTION_NS 4000000

#define VDSO_NSEC_PER_SEC 1000000000ull

struct vdso_data {
    uint32_t seq;        /* odd while the kernel rewrites the fields below */
    uint32_t clock_mode; /* VDSO_CLOCK_MODE_* */
    uint64_t tsc_base;   /* the TSC at monotonic time 0 */
    uint64_t tsc_mult;   /* nanoseconds per tick, 32.32 fixed point */
    int64_t realtime_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
    uint32_t cpu_mode;   /* VDSO_CPU_MODE_*; set once at boot */
    uint32_t reserved;
};

/* Which base a clock id counts from, as sys_clock_gettime answers it; others are syscalls. */
enum vdso_clock_base { VDSO_BASE_NONE, VDSO_BASE_MONOTONIC, VDSO_BASE_REALTIME };

static inline enum vdso_clock_base vdso_clock_base_of(int clock) {
    switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_TAI: /* Strix keeps no leap-second offset */
        return VDSO_BASE_REALTIME;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:    /* the TSC is not slewed */
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:         /* no suspend, so equal to monotonic */
        return VDSO_BASE_MONOTONIC;
    default:
        return VDSO_BASE_NONE;
    }
}

static inline int vdso_clock_is_coarse(int clock) {
    return clock == CLOCK_REALTIME_COARSE || clock == CLOCK_MONOTONIC_COARSE;
}

/* Ticks since tsc_base to nanoseconds; the 128-bit product cannot overflow. */
static inline uint64_t vdso_cycles_to_ns(uint64_t tsc, uint64_t tsc_base, uint64_t tsc_mult) {
    uint64_t delta = tsc - tsc_base;
    return (uint64_t)(((unsigned __int128)delta * tsc_mult) >> 32);
}

/* 32.32 nanoseconds per tick for a counter of `hz` ticks per second (hz > 0). */
static inline uint64_t vdso_mult_for_frequency(uint64_t hz) {
    return (uint64_t)(((unsigned __int128)VDSO_NSEC_PER_SEC << 32) / hz);
}

/* A consistent snapshot of the clock parameters. */
struct vdso_clock_snapshot {
    uint32_t clock_mode;
    uint64_t tsc_base;
    uint64_t tsc_mult;
    int64_t realtime_offset_ns;
};

static inline uint32_t vdso_read_begin(const volatile struct vdso_data* data) {
    uint32_t seq = __atomic_load_n(&data->seq, __ATOMIC_ACQUIRE);
    return seq;
}

static inline int vdso_read_retry(const volatile struct vdso_data* data, uint32_t start) {
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return (start & 1) || __atomic_load_n(&data->seq, __ATOMIC_RELAXED) != start;
}

static inline void vdso_copy_snapshot(const volatile struct vdso_data* data, struct vdso_clock_snapshot* out) {
    out->clock_mode = data->clock_mode;
    out->tsc_base = data->tsc_base;
    out->tsc_mult = data->tsc_mult;
    out->realtime_offset_ns = data->realtime_offset_ns;
}

/* The writer's half (kernel only): bracket every update with these two. */
static inline void vdso_write_begin(volatile struct vdso_data* data) {
    __atomic_store_n(&data->seq, data->seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void vdso_write_end(volatile struct vdso_data* data) {
    __atomic_store_n(&data->seq, data->seq + 1, __ATOMIC_RELEASE);
}

/* Nanoseconds since the clock's epoch for a clock whose base is known. */
static inline uint64_t vdso_clock_ns(const struct vdso_clock_snapshot* clock, uint64_t tsc,
                                     enum vdso_clock_base base) {
    uint64_t monotonic = vdso_cycles_to_ns(tsc, clock->tsc_base, clock->tsc_mult);
    return base == VDSO_BASE_REALTIME ? monotonic + (uint64_t)clock->realtime_offset_ns : monotonic;
}

#endif
