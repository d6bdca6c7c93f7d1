/*
 * x86_64 vDSO: the code the kernel maps into every process ([vdso]) so that reading the
 * clocks needs no system call. User-space code, built freestanding and position independent
 * into a shared object (vdso.lds), exported under the version LINUX_2.6 with the names
 * Linux's x86_64 vDSO uses, which is what glibc and musl look up.
 *
 * The clocks are computed from the TSC and the parameters the kernel publishes in the data
 * page just below the text ([vvar], vdso_data.h), exactly as the kernel computes them, so a
 * vDSO read and a system call agree. A clock the data page cannot serve (CPU-time clocks,
 * unknown ids, or no usable TSC) is a real system call: the caller sees Linux's result,
 * errors included (-errno, as the vDSO ABI returns them).
 */
#include <asm/unistd.h>
#include <linux/time.h>
#include <linux/types.h>

#include "vdso_data.h"

/* The data page, placed one page below the vDSO's first byte by vdso.lds. */
extern const volatile struct vdso_data vvar_data __attribute__((visibility("hidden")));

struct getcpu_cache;

static long syscall2(long number, long first, long second) {
    long result;
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "0"(number), "D"(first), "S"(second)
                     : "rcx", "r11", "memory");
    return result;
}

static long syscall3(long number, long first, long second, long third) {
    long result;
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "0"(number), "D"(first), "S"(second), "d"(third)
                     : "rcx", "r11", "memory");
    return result;
}

/* LFENCE keeps RDTSC from running ahead of the loads before it (Linux's rdtsc_ordered). */
static inline uint64_t read_tsc(void) {
    uint32_t low, high;
    __asm__ volatile("lfence\n\trdtsc" : "=a"(low), "=d"(high) : : "memory");
    return ((uint64_t)high << 32) | low;
}

/* Nanoseconds on `base`'s clock; 0 with *ok clear when the data page cannot serve it. */
static inline __attribute__((always_inline)) uint64_t read_clock_ns(enum vdso_clock_base base, int* ok) {
    struct vdso_clock_snapshot clock;
    uint64_t tsc;
    uint32_t seq;
    do {
        seq = vdso_read_begin(&vvar_data);
        vdso_copy_snapshot(&vvar_data, &clock);
        tsc = read_tsc();
    } while (vdso_read_retry(&vvar_data, seq));
    *ok = clock.clock_mode == VDSO_CLOCK_MODE_TSC;
    return *ok ? vdso_clock_ns(&clock, tsc, base) : 0;
}

int __vdso_clock_gettime(int clock, struct __kernel_timespec* ts) {
    enum vdso_clock_base base = vdso_clock_base_of(clock);
    int ok = 0;
    uint64_t now = base == VDSO_BASE_NONE ? 0 : read_clock_ns(base, &ok);
    if (!ok) return (int)syscall2(__NR_clock_gettime, clock, (long)ts);
    ts->tv_sec = (long long)(now / VDSO_NSEC_PER_SEC);
    ts->tv_nsec = (long long)(now % VDSO_NSEC_PER_SEC);
    return 0;
}

int __vdso_gettimeofday(struct __kernel_old_timeval* tv, struct timezone* tz) {
    int ok = 0;
    uint64_t now = tv ? read_clock_ns(VDSO_BASE_REALTIME, &ok) : 0;
    if (tv && !ok) return (int)syscall2(__NR_gettimeofday, (long)tv, (long)tz);
    if (tv) {
        tv->tv_sec = (long)(now / VDSO_NSEC_PER_SEC);
        tv->tv_usec = (long)(now / 1000 % 1000000);
    }
    if (tz) { /* Strix keeps the zone at UTC, as sys_gettimeofday reports it */
        tz->tz_minuteswest = 0;
        tz->tz_dsttime = 0;
    }
    return 0;
}

__kernel_old_time_t __vdso_time(__kernel_old_time_t* out) {
    int ok = 0;
    uint64_t now = read_clock_ns(VDSO_BASE_REALTIME, &ok);
    if (!ok) return syscall2(__NR_time, (long)out, 0);
    __kernel_old_time_t seconds = (__kernel_old_time_t)(now / VDSO_NSEC_PER_SEC);
    if (out) *out = seconds;
    return seconds;
}

int __vdso_clock_getres(int clock, struct __kernel_timespec* resolution) {
    if (vdso_clock_base_of(clock) == VDSO_BASE_NONE || vvar_data.clock_mode != VDSO_CLOCK_MODE_TSC)
        return (int)syscall2(__NR_clock_getres, clock, (long)resolution);
    if (resolution) {
        resolution->tv_sec = 0;
        resolution->tv_nsec = vdso_clock_is_coarse(clock) ? VDSO_COARSE_RESOLUTION_NS : VDSO_HIGH_RESOLUTION_NS;
    }
    return 0;
}

long __vdso_getcpu(unsigned* cpu, unsigned* node, struct getcpu_cache* cache) {
    uint32_t mode = vvar_data.cpu_mode;
    uint64_t aux;
    if (mode == VDSO_CPU_MODE_RDPID) {
        __asm__ volatile("rdpid %0" : "=r"(aux));
    } else if (mode == VDSO_CPU_MODE_RDTSCP) {
        uint32_t low, high, ecx;
        __asm__ volatile("rdtscp" : "=a"(low), "=d"(high), "=c"(ecx));
        aux = ecx;
    } else {
        return syscall3(__NR_getcpu, (long)cpu, (long)node, (long)cache);
    }
    if (cpu) *cpu = (unsigned)(aux & 0xfff);
    if (node) *node = (unsigned)(aux >> 12);
    return 0;
}

/* The plain names Linux exports as weak aliases beside the __vdso_ ones. */
int clock_gettime(int, struct __kernel_timespec*) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct __kernel_old_timeval*, struct timezone*) __attribute__((weak, alias("__vdso_gettimeofday")));
__kernel_old_time_t time(__kernel_old_time_t*) __attribute__((weak, alias("__vdso_time")));
int clock_getres(int, struct __kernel_timespec*) __attribute__((weak, alias("__vdso_clock_getres")));
long getcpu(unsigned*, unsigned*, struct getcpu_cache*) __attribute__((weak, alias("__vdso_getcpu")));
