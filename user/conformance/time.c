/*
 * Strix conformance suite — time: the clocks (values, resolutions, monotonicity, how
 * they relate), the vDSO that serves them without a system call (its ELF image, its
 * mappings, and its answers against the system calls'), sleeping (nanosleep,
 * clock_nanosleep relative and absolute, early wake-up by signals), interval timers (real
 * and CPU-time) and alarm, POSIX timers with every notification kind (signal, none, thread
 * id, the default), and the errors of each.
 */
#include <elf.h>
#include <pthread.h>
#include <sys/auxv.h>
#include <sys/time.h>
#include <sys/timex.h>

#include "common.h"

static const struct {
    clockid_t id;
    const char* name;
    long max_resolution_ns;
} g_clocks[] = {
    {CLOCK_REALTIME, "CLOCK_REALTIME", 10000000},
    {CLOCK_MONOTONIC, "CLOCK_MONOTONIC", 10000000},
    {CLOCK_BOOTTIME, "CLOCK_BOOTTIME", 10000000},
    {CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW", 10000000},
    {CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID", 10000000},
    {CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID", 10000000},
    {CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE", 100000000},
    {CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE", 100000000},
};
#define CLOCK_COUNT (sizeof g_clocks / sizeof g_clocks[0])

static long long raw_clock_ns(clockid_t clock) {
    struct timespec now;
    if (syscall(SYS_clock_gettime, clock, &now) != 0) return -1;
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

static void burn_cpu_ms(long milliseconds) {
    long long start = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    volatile unsigned long sink = 0;
    while (clock_ns(CLOCK_THREAD_CPUTIME_ID) - start < milliseconds * 1000000LL)
        for (int i = 0; i < 1000; i++) sink += (unsigned long)i;
}

static struct timespec timespec_from_ns(long long ns) {
    struct timespec value = {(time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL)};
    return value;
}

CASE(clock_gettime_every_clock) {
    for (size_t i = 0; i < CLOCK_COUNT; i++) {
        struct timespec value = {-1, -1};
        CHECK(syscall(SYS_clock_gettime, g_clocks[i].id, &value) == 0, "%s: %s", g_clocks[i].name,
              errno_name(errno));
        CHECK(value.tv_sec >= 0 && value.tv_nsec >= 0 && value.tv_nsec < 1000000000L, "%s returned %ld.%09ld",
              g_clocks[i].name, (long)value.tv_sec, value.tv_nsec);
        struct timespec via_libc;
        CHECK_OK(clock_gettime(g_clocks[i].id, &via_libc));
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    CHECK(now.tv_sec > 1577836800, "CLOCK_REALTIME %ld is before 2020: no wall clock set", (long)now.tv_sec);
    CHECK_ERRNO(syscall(SYS_clock_gettime, 16, &now), EINVAL);
    CHECK_ERRNO(syscall(SYS_clock_gettime, 1000, &now), EINVAL);
}

CASE(clock_getres_values) {
    for (size_t i = 0; i < CLOCK_COUNT; i++) {
        struct timespec resolution = {-1, -1};
        CHECK(syscall(SYS_clock_getres, g_clocks[i].id, &resolution) == 0, "%s: %s", g_clocks[i].name,
              errno_name(errno));
        CHECK(resolution.tv_sec == 0 && resolution.tv_nsec > 0 &&
                  resolution.tv_nsec <= g_clocks[i].max_resolution_ns,
              "%s resolution %ld.%09ld", g_clocks[i].name, (long)resolution.tv_sec, resolution.tv_nsec);
    }
    CHECK_OK(syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL));
    struct timespec resolution;
    CHECK_ERRNO(syscall(SYS_clock_getres, 1000, &resolution), EINVAL);
}

CASE(monotonic_never_goes_backwards) {
    long long previous = 0;
    for (int i = 0; i < 100000; i++) {
        /* Alternate the libc path (vDSO where there is one) with the system call. */
        long long now = (i & 1) ? raw_clock_ns(CLOCK_MONOTONIC) : monotonic_ns();
        CHECK(now >= previous, "CLOCK_MONOTONIC went back by %lld ns at read %d", previous - now, i);
        previous = now;
    }
    long long monotonic = raw_clock_ns(CLOCK_MONOTONIC);
    long long boot = raw_clock_ns(CLOCK_BOOTTIME);
    CHECK(boot >= monotonic, "CLOCK_BOOTTIME %lld < CLOCK_MONOTONIC %lld", boot, monotonic);
}

/* Reads MONOTONIC and `other` back to back; retries until no preemption split the pair. */
static void read_pair(clockid_t other, long long* monotonic, long long* value) {
    for (int attempt = 0; attempt < 100; attempt++) {
        long long before = monotonic_ns();
        *value = clock_ns(other);
        *monotonic = monotonic_ns();
        if (*monotonic - before < 1000000LL) return;
    }
}

CASE(clocks_agree_on_rate) {
    static const clockid_t others[] = {CLOCK_REALTIME, CLOCK_BOOTTIME, CLOCK_MONOTONIC_RAW};
    static const char* const names[] = {"REALTIME", "BOOTTIME", "MONOTONIC_RAW"};
    long long monotonic_start[3], other_start[3];
    for (int i = 0; i < 3; i++) read_pair(others[i], &monotonic_start[i], &other_start[i]);
    sleep_ms(200);
    for (int i = 0; i < 3; i++) {
        long long monotonic_end, other_end;
        read_pair(others[i], &monotonic_end, &other_end);
        long long monotonic = monotonic_end - monotonic_start[i], other = other_end - other_start[i];
        CHECK(monotonic >= 200000000LL, "slept 200 ms, CLOCK_MONOTONIC advanced %lld ns", monotonic);
        /* 5% (NTP slews by at most 0.05%), plus the 1 ms pair-reading window. */
        CHECK(llabs(other - monotonic) < monotonic / 20 + 2000000LL,
              "CLOCK_%s advanced %lld ns, MONOTONIC %lld", names[i], other, monotonic);
    }
}

CASE(realtime_interfaces_consistent) {
    struct timeval via_gettimeofday;
    struct timezone zone;
    CHECK_OK(syscall(SYS_gettimeofday, &via_gettimeofday, &zone));
    CHECK(via_gettimeofday.tv_usec >= 0 && via_gettimeofday.tv_usec < 1000000, "tv_usec %ld",
          (long)via_gettimeofday.tv_usec);
    CHECK_OK(syscall(SYS_gettimeofday, NULL, NULL));
    time_t stored = 0;
    long via_time = syscall(SYS_time, &stored);
    CHECK(via_time == (long)stored, "time() returned %ld but stored %ld", via_time, (long)stored);
    struct timespec via_clock;
    clock_gettime(CLOCK_REALTIME, &via_clock);
    CHECK(labs(via_time - (long)via_gettimeofday.tv_sec) <= 1 && labs((long)via_clock.tv_sec - via_time) <= 1,
          "time %ld, gettimeofday %ld, clock_gettime %ld disagree", via_time, (long)via_gettimeofday.tv_sec,
          (long)via_clock.tv_sec);
    CHECK(syscall(SYS_time, NULL) >= via_time, "time(NULL) went backwards");
}

/* ---- The vDSO: found as glibc and musl find it, by name and version in its dynamic symbols ---- */

typedef int (*vdso_clock_fn)(clockid_t, struct timespec*);
typedef int (*vdso_timeofday_fn)(struct timeval*, void*);
typedef time_t (*vdso_time_fn)(time_t*);
typedef long (*vdso_getcpu_fn)(unsigned*, unsigned*, void*);

/* The address of `name`@LINUX_2.6 in the vDSO at `base`, or NULL (with *why set). */
static void* vdso_symbol(uintptr_t base, const char* name, const char** why) {
    const Elf64_Ehdr* header = (const Elf64_Ehdr*)base;
    const Elf64_Phdr* phdrs = (const Elf64_Phdr*)(base + header->e_phoff);
    uintptr_t bias = 0;
    const Elf64_Dyn* dynamic = NULL;
    int loads = 0;
    for (int i = 0; i < header->e_phnum; i++) {
        if (phdrs[i].p_type == PT_LOAD && loads++ == 0) bias = base + phdrs[i].p_offset - phdrs[i].p_vaddr;
        if (phdrs[i].p_type == PT_DYNAMIC) dynamic = (const Elf64_Dyn*)(base + phdrs[i].p_offset);
    }
    if (!loads || !dynamic) return *why = "no PT_LOAD or no PT_DYNAMIC", NULL;
    const Elf64_Sym* symbols = NULL;
    const char* strings = NULL;
    const Elf32_Word* hash = NULL;
    const Elf64_Half* versym = NULL;
    const Elf64_Verdef* verdef = NULL;
    for (const Elf64_Dyn* d = dynamic; d->d_tag != DT_NULL; d++) {
        uintptr_t at = bias + d->d_un.d_ptr;
        switch (d->d_tag) {
        case DT_SYMTAB: symbols = (const Elf64_Sym*)at; break;
        case DT_STRTAB: strings = (const char*)at; break;
        case DT_HASH: hash = (const Elf32_Word*)at; break;
        case DT_VERSYM: versym = (const Elf64_Half*)at; break;
        case DT_VERDEF: verdef = (const Elf64_Verdef*)at; break;
        }
    }
    if (!symbols || !strings || !hash || !versym || !verdef)
        return *why = "DT_SYMTAB, DT_STRTAB, DT_HASH, DT_VERSYM or DT_VERDEF missing", NULL;
    for (Elf32_Word i = 1; i < hash[1]; i++) {
        if (strcmp(strings + symbols[i].st_name, name) != 0 || symbols[i].st_shndx == SHN_UNDEF) continue;
        for (const Elf64_Verdef* v = verdef;; v = (const Elf64_Verdef*)((const char*)v + v->vd_next)) {
            const Elf64_Verdaux* aux = (const Elf64_Verdaux*)((const char*)v + v->vd_aux);
            if (v->vd_ndx == (versym[i] & 0x7fff) && strcmp(strings + aux->vda_name, "LINUX_2.6") == 0)
                return (void*)(bias + symbols[i].st_value);
            if (!v->vd_next) break;
        }
        return *why = "not under the version LINUX_2.6", NULL;
    }
    return *why = "not exported", NULL;
}

struct vdso_functions {
    vdso_clock_fn clock_gettime, clock_getres;
    vdso_timeofday_fn gettimeofday;
    vdso_time_fn time;
    vdso_getcpu_fn getcpu;
};

/* Fills `out` from AT_SYSINFO_EHDR; returns NULL or what is wrong. */
static const char* find_vdso(struct vdso_functions* out) {
    uintptr_t base = getauxval(AT_SYSINFO_EHDR);
    if (!base) return "no AT_SYSINFO_EHDR in the auxiliary vector";
    const Elf64_Ehdr* header = (const Elf64_Ehdr*)base;
    if (memcmp(header->e_ident, ELFMAG, SELFMAG) != 0 || header->e_ident[EI_CLASS] != ELFCLASS64 ||
        header->e_type != ET_DYN || header->e_machine != EM_X86_64)
        return "AT_SYSINFO_EHDR does not point at an x86_64 ELF shared object";
    static const char* const names[] = {"__vdso_clock_gettime", "__vdso_clock_getres", "__vdso_gettimeofday",
                                        "__vdso_time", "__vdso_getcpu"};
    void* found[5];
    static char message[160];
    for (int i = 0; i < 5; i++) {
        const char* why = "";
        if (!(found[i] = vdso_symbol(base, names[i], &why))) {
            snprintf(message, sizeof message, "%s: %s", names[i], why);
            return message;
        }
    }
    out->clock_gettime = (vdso_clock_fn)found[0];
    out->clock_getres = (vdso_clock_fn)found[1];
    out->gettimeofday = (vdso_timeofday_fn)found[2];
    out->time = (vdso_time_fn)found[3];
    out->getcpu = (vdso_getcpu_fn)found[4];
    return NULL;
}

static long long timespec_ns(struct timespec value) { return (long long)value.tv_sec * 1000000000LL + value.tv_nsec; }

CASE(vdso_image_and_mappings) {
    struct vdso_functions vdso;
    const char* problem = find_vdso(&vdso);
    CHECK(!problem, "%s", problem);
    /* /proc/self/maps names it [vdso] (read+execute, at AT_SYSINFO_EHDR) and its data [vvar]
     * (read-only; Linux 6.13 and later add [vvar_vclock] beside it). */
    FILE* maps = fopen("/proc/self/maps", "r");
    CHECK(maps, "/proc/self/maps: %s", errno_name(errno));
    char line[512];
    unsigned long vdso_start = 0, vvar_start = 0;
    char vdso_perms[5] = "", vvar_perms[5] = "";
    while (fgets(line, sizeof line, maps)) {
        unsigned long start, end;
        char perms[5];
        if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) != 3) continue;
        if (strstr(line, "[vdso]")) vdso_start = start, memcpy(vdso_perms, perms, 5);
        if (strstr(line, "[vvar]")) vvar_start = start, memcpy(vvar_perms, perms, 5);
    }
    fclose(maps);
    CHECK(vdso_start == getauxval(AT_SYSINFO_EHDR), "[vdso] at %#lx, AT_SYSINFO_EHDR %#lx", vdso_start,
          getauxval(AT_SYSINFO_EHDR));
    CHECK(strcmp(vdso_perms, "r-xp") == 0, "[vdso] mapped %s, expected r-xp", vdso_perms);
    CHECK(vvar_start != 0, "no [vvar] line in /proc/self/maps");
    CHECK(strcmp(vvar_perms, "r--p") == 0, "[vvar] mapped %s, expected r--p", vvar_perms);
    /* The data page can never become writable (Linux: no VM_MAYWRITE). */
    CHECK_ERRNO(mprotect((void*)vvar_start, 4096, PROT_READ | PROT_WRITE), EACCES);
}

static const clockid_t g_vdso_clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                          CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
                                          CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_TAI};

CASE(vdso_agrees_with_syscalls) {
    struct vdso_functions vdso;
    const char* problem = find_vdso(&vdso);
    CHECK(!problem, "%s", problem);
    for (size_t i = 0; i < sizeof g_vdso_clocks / sizeof g_vdso_clocks[0]; i++) {
        clockid_t clock = g_vdso_clocks[i];
        /* Every answer falls between two system calls' (the vDSO and the kernel count alike). */
        for (int round = 0; round < 100; round++) {
            struct timespec value = {-1, -1}, via_libc;
            long long before = raw_clock_ns(clock);
            CHECK(vdso.clock_gettime(clock, &value) == 0, "__vdso_clock_gettime(%d) failed", (int)clock);
            CHECK_OK(clock_gettime(clock, &via_libc));
            long long after = raw_clock_ns(clock);
            CHECK(value.tv_nsec >= 0 && value.tv_nsec < 1000000000L, "clock %d: tv_nsec %ld", (int)clock,
                  value.tv_nsec);
            CHECK(before <= timespec_ns(value) && timespec_ns(value) <= timespec_ns(via_libc) &&
                      timespec_ns(via_libc) <= after,
                  "clock %d: syscall %lld, vDSO %lld, libc %lld, syscall %lld", (int)clock, before,
                  timespec_ns(value), timespec_ns(via_libc), after);
        }
        struct timespec vdso_resolution = {-1, -1}, kernel_resolution = {-2, -2};
        CHECK(vdso.clock_getres(clock, &vdso_resolution) == 0, "__vdso_clock_getres(%d) failed", (int)clock);
        CHECK_OK(syscall(SYS_clock_getres, clock, &kernel_resolution));
        CHECK(timespec_ns(vdso_resolution) == timespec_ns(kernel_resolution),
              "clock %d: resolution %lld ns from the vDSO, %lld from the kernel", (int)clock,
              timespec_ns(vdso_resolution), timespec_ns(kernel_resolution));
    }
    struct timespec ignored;
    CHECK(vdso.clock_gettime(1000, &ignored) == -EINVAL, "__vdso_clock_gettime(1000) did not return -EINVAL");
    CHECK(vdso.clock_getres(1000, &ignored) == -EINVAL, "__vdso_clock_getres(1000) did not return -EINVAL");

    for (int round = 0; round < 100; round++) {
        struct timeval before, value, via_libc, after;
        CHECK_OK(syscall(SYS_gettimeofday, &before, NULL));
        CHECK(vdso.gettimeofday(&value, NULL) == 0, "__vdso_gettimeofday failed");
        CHECK_OK(gettimeofday(&via_libc, NULL));
        CHECK_OK(syscall(SYS_gettimeofday, &after, NULL));
        long long b = before.tv_sec * 1000000LL + before.tv_usec, v = value.tv_sec * 1000000LL + value.tv_usec,
                  l = via_libc.tv_sec * 1000000LL + via_libc.tv_usec, a = after.tv_sec * 1000000LL + after.tv_usec;
        CHECK(value.tv_usec >= 0 && value.tv_usec < 1000000, "tv_usec %ld", (long)value.tv_usec);
        CHECK(b <= v && v <= l && l <= a, "gettimeofday: syscall %lld, vDSO %lld, libc %lld, syscall %lld us", b,
              v, l, a);

        time_t stored = 0;
        long first = syscall(SYS_time, NULL);
        time_t seconds = vdso.time(&stored);
        time_t via_libc_time = time(NULL);
        long last = syscall(SYS_time, NULL);
        CHECK(seconds == stored, "__vdso_time returned %ld, stored %ld", (long)seconds, (long)stored);
        CHECK(first <= seconds && seconds <= via_libc_time && via_libc_time <= last,
              "time: syscall %ld, vDSO %ld, libc %ld, syscall %ld", first, (long)seconds, (long)via_libc_time, last);
    }
    unsigned cpu = ~0u, node = ~0u;
    CHECK(vdso.getcpu(&cpu, &node, NULL) == 0, "__vdso_getcpu failed");
    CHECK(cpu < (unsigned)sysconf(_SC_NPROCESSORS_CONF), "__vdso_getcpu: CPU %u of %ld", cpu,
          sysconf(_SC_NPROCESSORS_CONF));
    CHECK(vdso.getcpu(NULL, NULL, NULL) == 0, "__vdso_getcpu(NULL, NULL) failed");
}

CASE(vdso_monotonic_and_kept_across_fork) {
    struct vdso_functions vdso;
    const char* problem = find_vdso(&vdso);
    CHECK(!problem, "%s", problem);
    long long previous = 0;
    for (int i = 0; i < 50000; i++) {
        struct timespec now;
        if (i % 3 == 0) vdso.clock_gettime(CLOCK_MONOTONIC, &now);
        else if (i % 3 == 1) syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &now);
        else clock_gettime(CLOCK_MONOTONIC, &now);
        CHECK(timespec_ns(now) >= previous, "CLOCK_MONOTONIC went back by %lld ns at read %d (%s)",
              previous - timespec_ns(now), i, i % 3 == 0 ? "vDSO" : i % 3 == 1 ? "syscall" : "libc");
        previous = timespec_ns(now);
    }
    /* A child keeps its parent's vDSO, at the same address, and it still works there. */
    uintptr_t base = getauxval(AT_SYSINFO_EHDR);
    pid_t child = CHECK_OK(fork());
    if (child == 0) {
        struct vdso_functions again;
        SUB_CHECK(getauxval(AT_SYSINFO_EHDR) == base, "the child's AT_SYSINFO_EHDR moved");
        SUB_CHECK(find_vdso(&again) == NULL, "the child's vDSO image is broken");
        struct timespec value;
        long long before = raw_clock_ns(CLOCK_MONOTONIC);
        SUB_CHECK(again.clock_gettime(CLOCK_MONOTONIC, &value) == 0, "the child's __vdso_clock_gettime failed");
        SUB_CHECK(before <= timespec_ns(value) && timespec_ns(value) <= raw_clock_ns(CLOCK_MONOTONIC),
                  "the child's vDSO disagrees with the system call");
        _exit(0);
    }
    CHECK_EXIT(child, 0);
}

static void* burn_thread(void* argument) {
    burn_cpu_ms(60);
    *(long long*)argument = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    return NULL;
}

CASE(cpu_time_clocks) {
    long long process_start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    long long wall_start = monotonic_ns();
    burn_cpu_ms(50);
    long long process_used = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - process_start;
    long long wall = monotonic_ns() - wall_start;
    CHECK(process_used >= 45000000LL, "process CPU clock advanced %lld ns over 50 ms of work", process_used);
    CHECK(process_used <= wall + 10000000LL, "CPU time %lld ns exceeds wall time %lld ns", process_used,
          wall);
    long long thread_now = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    CHECK(clock_ns(CLOCK_PROCESS_CPUTIME_ID) >= thread_now, "thread > process CPU time");

    long long thread_final = 0;
    pthread_t thread;
    CHECK_RETURNS(pthread_create(&thread, NULL, burn_thread, &thread_final), 0);
    clockid_t thread_clock;
    CHECK_RETURNS(pthread_getcpuclockid(thread, &thread_clock), 0);
    pthread_join(thread, NULL);
    CHECK(thread_final >= 55000000LL, "other thread's CPU clock %lld ns after 60 ms", thread_final);
    CHECK(clock_ns(CLOCK_PROCESS_CPUTIME_ID) - process_start >= 100000000LL,
          "process CPU clock does not include the thread's time");

    int burnt[2];
    CHECK_OK(pipe(burnt));
    pid_t child = fork();
    if (child == 0) {
        burn_cpu_ms(40);
        (void)!write(burnt[1], "b", 1);
        pause();
        _exit(0);
    }
    char byte;
    CHECK(read(burnt[0], &byte, 1) == 1, "child did not burn its CPU time");
    clockid_t child_clock;
    CHECK_RETURNS(clock_getcpuclockid(child, &child_clock), 0);
    struct timespec child_time;
    int result = clock_gettime(child_clock, &child_time);
    kill(child, SIGKILL);
    wait_status(child);
    CHECK(result == 0, "reading another process's CPU clock: %s", errno_name(errno));
    CHECK(child_time.tv_sec > 0 || child_time.tv_nsec >= 30000000L, "child CPU clock %ld.%09ld",
          (long)child_time.tv_sec, child_time.tv_nsec);
}

CASE(nanosleep_duration_and_errors) {
    struct timespec request = {0, 50 * 1000 * 1000};
    long long start = monotonic_ns();
    CHECK_OK(syscall(SYS_nanosleep, &request, NULL));
    long long slept = monotonic_ns() - start;
    CHECK(slept >= 50000000LL, "nanosleep(50 ms) returned after %lld ns", slept);
    CHECK(slept < 2000000000LL, "nanosleep(50 ms) took %lld ms", slept / 1000000);
    struct timespec zero = {0, 0};
    CHECK_OK(syscall(SYS_nanosleep, &zero, NULL));
    struct timespec bad_nsec = {0, 1000000000L}, negative_nsec = {0, -1}, negative_sec = {-1, 0};
    CHECK_ERRNO(syscall(SYS_nanosleep, &bad_nsec, NULL), EINVAL);
    CHECK_ERRNO(syscall(SYS_nanosleep, &negative_nsec, NULL), EINVAL);
    CHECK_ERRNO(syscall(SYS_nanosleep, &negative_sec, NULL), EINVAL);
}

static volatile int g_signals;
static void count_signal(int signal_number) {
    (void)signal_number;
    g_signals++;
}

CASE(nanosleep_interrupted_reports_remaining) {
    /* Even with SA_RESTART, an interrupted nanosleep returns EINTR and the time left. */
    struct sigaction action = {.sa_handler = count_signal, .sa_flags = SA_RESTART};
    sigaction(SIGUSR1, &action, NULL);
    pid_t target = getpid();
    pid_t child = fork();
    if (child == 0) {
        sleep_ms(50);
        kill(target, SIGUSR1);
        _exit(0);
    }
    struct timespec request = {2, 0}, remaining = {-1, -1};
    CHECK_ERRNO(syscall(SYS_nanosleep, &request, &remaining), EINTR);
    wait_status(child);
    long long left = (long long)remaining.tv_sec * 1000000000LL + remaining.tv_nsec;
    CHECK(left > 1000000000LL && left < 2000000000LL, "remaining time %lld ns after ~50 ms of 2 s", left);
    CHECK(g_signals == 1, "handler ran %d times", g_signals);
}

CASE(clock_nanosleep_relative) {
    static const clockid_t clocks[] = {CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME};
    for (size_t i = 0; i < 3; i++) {
        struct timespec request = {0, 30 * 1000 * 1000};
        long long start = monotonic_ns();
        CHECK(syscall(SYS_clock_nanosleep, clocks[i], 0, &request, NULL) == 0, "clock %d: %s", (int)clocks[i],
              errno_name(errno));
        CHECK(monotonic_ns() - start >= 30000000LL, "clock %d slept only %lld ns", (int)clocks[i],
              monotonic_ns() - start);
    }
}

CASE(clock_nanosleep_absolute) {
    long long deadline = monotonic_ns() + 50000000LL;
    struct timespec absolute = timespec_from_ns(deadline);
    CHECK_OK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &absolute, NULL));
    CHECK(monotonic_ns() >= deadline, "woke %lld ns before the absolute deadline", deadline - monotonic_ns());
    long long real_deadline = clock_ns(CLOCK_REALTIME) + 30000000LL;
    absolute = timespec_from_ns(real_deadline);
    CHECK_OK(syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &absolute, NULL));
    CHECK(clock_ns(CLOCK_REALTIME) >= real_deadline, "woke before the CLOCK_REALTIME deadline");
    struct timespec past = {1, 0};
    long long start = monotonic_ns();
    CHECK_OK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL));
    CHECK(monotonic_ns() - start < 100000000LL, "a deadline in the past still slept");
}

CASE(clock_nanosleep_errors) {
    struct timespec request = {0, 1000};
    /* The kernel has no sleep on a thread's CPU clock (EOPNOTSUPP); libcs map it to EINVAL. */
    CHECK_ERRNO(syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &request, NULL), EOPNOTSUPP);
    CHECK_RETURNS(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &request, NULL), EINVAL);
    CHECK_ERRNO(syscall(SYS_clock_nanosleep, 1000, 0, &request, NULL), EINVAL);
    struct timespec bad = {0, 1000000000L};
    CHECK_ERRNO(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &bad, NULL), EINVAL);
    CHECK_ERRNO(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &bad, NULL), EINVAL);
    /* The libc wrapper returns the error number instead of setting errno. */
    CHECK_RETURNS(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL), EINVAL);
}

CASE(clock_settime_refused) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    CHECK_ERRNO(syscall(SYS_clock_settime, CLOCK_MONOTONIC, &now), EINVAL);
    pid_t child = fork();
    if (child == 0) {
        if (running_as_root() && drop_privileges(unprivileged_uid()) != 0) _exit(2);
        struct timespec real;
        clock_gettime(CLOCK_REALTIME, &real);
        if (syscall(SYS_clock_settime, CLOCK_REALTIME, &real) != -1 || errno != EPERM) _exit(3);
        struct timeval tv;
        gettimeofday(&tv, NULL);
        _exit(settimeofday(&tv, NULL) == -1 && errno == EPERM ? 0 : 4);
    }
    CHECK_EXIT(child, 0);
    struct timex state;
    memset(&state, 0, sizeof state);
    int clock_state = adjtimex(&state);
    CHECK(clock_state >= TIME_OK && clock_state <= TIME_ERROR, "adjtimex(read-only) returned %d (%s)",
          clock_state, errno_name(errno));
}

static volatile int g_virtual_signals, g_profile_signals;
static void count_cpu_timer_signal(int signal_number) {
    if (signal_number == SIGVTALRM) g_virtual_signals++;
    if (signal_number == SIGPROF) g_profile_signals++;
}

CASE(interval_timers) {
    /* ITIMER_REAL shares the alarm the harness armed: re-arm that when done. */
    struct sigaction action = {.sa_handler = count_signal};
    sigaction(SIGALRM, &action, NULL);
    struct itimerval value = {{0, 0}, {0, 100000}}, current;
    long long start = monotonic_ns();
    CHECK_OK(setitimer(ITIMER_REAL, &value, NULL));
    CHECK_OK(getitimer(ITIMER_REAL, &current));
    CHECK(current.it_value.tv_sec == 0 && current.it_value.tv_usec > 0 && current.it_value.tv_usec <= 100000,
          "getitimer shows %ld.%06ld", (long)current.it_value.tv_sec, (long)current.it_value.tv_usec);
    while (g_signals == 0 && monotonic_ns() - start < 2000000000LL) sleep_ms(5);
    CHECK(g_signals == 1, "ITIMER_REAL did not fire");
    CHECK(monotonic_ns() - start >= 100000000LL, "ITIMER_REAL fired early");

    /* The CPU-time timers count only the time the process runs: sleeping fires nothing. */
    struct sigaction cpu_action = {.sa_handler = count_cpu_timer_signal};
    sigaction(SIGVTALRM, &cpu_action, NULL);
    sigaction(SIGPROF, &cpu_action, NULL);
    struct itimerval cpu = {{0, 0}, {0, 30000}};
    CHECK_OK(setitimer(ITIMER_VIRTUAL, &cpu, NULL));
    CHECK_OK(setitimer(ITIMER_PROF, &cpu, NULL));
    sleep_ms(60);
    CHECK(g_virtual_signals == 0 && g_profile_signals == 0, "CPU timers fired while the process slept");
    long long cpu_start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    while ((g_virtual_signals == 0 || g_profile_signals == 0) &&
           clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu_start < 2000000000LL)
        burn_cpu_ms(5);
    CHECK(g_virtual_signals == 1 && g_profile_signals == 1, "ITIMER_VIRTUAL %d, ITIMER_PROF %d signals",
          g_virtual_signals, g_profile_signals);
    CHECK(clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu_start >= 25000000LL, "CPU timers fired early");
    CHECK_OK(getitimer(ITIMER_PROF, &current));
    CHECK(current.it_value.tv_sec == 0 && current.it_value.tv_usec == 0, "a fired CPU timer is still armed");
    CHECK_ERRNO(syscall(SYS_setitimer, 7, &value, NULL), EINVAL);
    CHECK_ERRNO(syscall(SYS_getitimer, 3, &current), EINVAL);
    struct itimerval bad = {{0, 0}, {0, 1000000}};
    CHECK_ERRNO(setitimer(ITIMER_REAL, &bad, NULL), EINVAL);

    signal(SIGALRM, SIG_DFL);
    CHECK(alarm(10) == 0, "alarm after the timer expired");
    unsigned left = alarm(3);
    CHECK(left >= 9 && left <= 10, "alarm returned %u seconds left of 10", left);
    alarm(CONFORMANCE_DEFAULT_TIMEOUT * g_timeout_scale);
}

CASE(real_timer_periodic_and_alarm) {
    /* ITIMER_REAL is the harness's alarm too: re-armed at the end. */
    struct sigaction action = {.sa_handler = count_signal};
    sigaction(SIGALRM, &action, NULL);
    struct itimerval once = {{0, 0}, {0, 20000}}, current;
    CHECK_OK(setitimer(ITIMER_REAL, &once, NULL));
    long long start = monotonic_ns();
    while (g_signals == 0 && monotonic_ns() - start < 2000000000LL) sleep_ms(5);
    CHECK(g_signals == 1, "one-shot ITIMER_REAL did not fire");
    CHECK_OK(getitimer(ITIMER_REAL, &current));
    CHECK(current.it_value.tv_sec == 0 && current.it_value.tv_usec == 0, "a fired one-shot is still armed");
    /* Periodic: several signals, then disarmed through setitimer, which returns the old value. */
    struct itimerval periodic = {{0, 20000}, {0, 20000}}, old;
    CHECK_OK(setitimer(ITIMER_REAL, &periodic, NULL));
    start = monotonic_ns();
    while (g_signals < 5 && monotonic_ns() - start < 3000000000LL) sleep_ms(5);
    CHECK(g_signals >= 5, "periodic ITIMER_REAL: %d signals", g_signals - 1);
    struct itimerval off = {{0, 0}, {0, 0}};
    CHECK_OK(setitimer(ITIMER_REAL, &off, &old));
    CHECK(old.it_interval.tv_sec == 0 && old.it_interval.tv_usec == 20000, "old interval %ld.%06ld",
          (long)old.it_interval.tv_sec, (long)old.it_interval.tv_usec);
    CHECK_OK(getitimer(ITIMER_REAL, &current));
    CHECK(current.it_value.tv_sec == 0 && current.it_value.tv_usec == 0 && current.it_interval.tv_usec == 0,
          "a disarmed timer shows a value");
    /* alarm() is ITIMER_REAL in whole seconds: it returns the seconds left, rounded. */
    signal(SIGALRM, SIG_IGN);
    CHECK(alarm(10) == 0, "alarm with nothing armed");
    CHECK_OK(getitimer(ITIMER_REAL, &current));
    CHECK(current.it_value.tv_sec >= 9 && current.it_value.tv_sec <= 10, "alarm(10) shows %ld s",
          (long)current.it_value.tv_sec);
    CHECK(alarm(0) >= 9, "alarm(0) does not return the time left");
    CHECK(alarm(0) == 0, "alarm(0) left a timer armed");
    /* A forked child has no interval timer; SIGALRM's default action kills it. */
    CHECK_OK(setitimer(ITIMER_REAL, &once, NULL));
    pid_t child = fork();
    if (child == 0) {
        struct itimerval inherited;
        getitimer(ITIMER_REAL, &inherited);
        if (inherited.it_value.tv_sec || inherited.it_value.tv_usec) _exit(3);
        signal(SIGALRM, SIG_DFL);
        alarm(1);
        pause();
        _exit(4);
    }
    int status = wait_status(child);
    CHECK(status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM, "child %s, expected SIGALRM",
          describe_status(status));
    alarm(CONFORMANCE_DEFAULT_TIMEOUT * g_timeout_scale);
}

CASE(posix_timers) {
    signal(SIGRTMIN, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &set, NULL);
    struct sigevent event = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN};
    event.sigev_value.sival_int = 42;
    timer_t timer;
    CHECK_OK(timer_create(CLOCK_MONOTONIC, &event, &timer));
    struct itimerspec once = {{0, 0}, {0, 30 * 1000 * 1000}}, current;
    long long start = monotonic_ns();
    CHECK_OK(timer_settime(timer, 0, &once, NULL));
    CHECK_OK(timer_gettime(timer, &current));
    CHECK(current.it_value.tv_sec == 0 && current.it_value.tv_nsec > 0, "timer_gettime shows nothing armed");
    siginfo_t info;
    struct timespec limit = {2, 0};
    CHECK(sigtimedwait(&set, &info, &limit) == SIGRTMIN, "timer signal: %s", errno_name(errno));
    CHECK(monotonic_ns() - start >= 30000000LL, "timer fired early");
    CHECK(info.si_code == SI_TIMER && info.si_value.sival_int == 42 && info.si_overrun == 0,
          "si_code %d si_value %d si_overrun %d", info.si_code, info.si_value.sival_int, info.si_overrun);
    CHECK_OK(timer_gettime(timer, &current));
    CHECK(current.it_value.tv_sec == 0 && current.it_value.tv_nsec == 0, "a fired one-shot is still armed");

    /* A periodic timer whose signal stays pending counts overruns instead of queueing. */
    struct itimerspec periodic = {{0, 5 * 1000 * 1000}, {0, 5 * 1000 * 1000}};
    CHECK_OK(timer_settime(timer, 0, &periodic, NULL));
    sleep_ms(100);
    CHECK(sigtimedwait(&set, &info, &limit) == SIGRTMIN, "periodic timer signal missing");
    int overrun = timer_getoverrun(timer);
    CHECK(info.si_overrun >= 5 && overrun >= 5,
          "overruns %d (siginfo) / %d (timer_getoverrun) after ~20 periods", info.si_overrun, overrun);
    struct itimerspec disarm = {{0, 0}, {0, 0}}, old;
    CHECK_OK(timer_settime(timer, 0, &disarm, &old));
    CHECK(old.it_interval.tv_sec == 0 && old.it_interval.tv_nsec == 5000000, "old interval %ld",
          old.it_interval.tv_nsec);
    CHECK_OK(timer_delete(timer));
    CHECK_ERRNO(timer_gettime(timer, &current), EINVAL);
    CHECK_ERRNO(syscall(SYS_timer_delete, (long)123456), EINVAL);
    CHECK_ERRNO(syscall(SYS_timer_create, 1000, NULL, &timer), EINVAL);
    struct sigevent bad_signal = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = 99};
    CHECK_ERRNO(timer_create(CLOCK_MONOTONIC, &bad_signal, &timer), EINVAL);
}

/* The kernel's struct sigevent: glibc before 2.41 names no field for the thread id. */
struct kernel_sigevent {
    union sigval value;
    int signo;
    int notify;
    int thread_id;
    int padding[11];
};

static volatile pid_t g_signalled_tid;
static void record_tid(int signal_number) {
    (void)signal_number;
    g_signalled_tid = (pid_t)syscall(SYS_gettid);
}

CASE(posix_timer_notifications) {
    /* No sigevent: SIGALRM with the timer's id as the value (raw call: the id is the kernel's). */
    int id = -1;
    CHECK_OK(syscall(SYS_timer_create, CLOCK_REALTIME, NULL, &id));
    sigset_t alarm_only;
    sigemptyset(&alarm_only);
    sigaddset(&alarm_only, SIGALRM);
    sigprocmask(SIG_BLOCK, &alarm_only, NULL);
    struct itimerspec soon = {{0, 0}, {0, 10 * 1000 * 1000}}, current;
    CHECK_OK(syscall(SYS_timer_settime, id, 0, &soon, NULL));
    siginfo_t info;
    struct timespec limit = {2, 0};
    CHECK(sigtimedwait(&alarm_only, &info, &limit) == SIGALRM && info.si_code == SI_TIMER &&
              info.si_value.sival_int == id,
          "default sigevent: code %d value %d id %d", info.si_code, info.si_value.sival_int, id);

    /* SIGEV_NONE: nothing is sent; the expiry shows only in timer_gettime. */
    struct sigevent quiet = {.sigev_notify = SIGEV_NONE};
    timer_t silent;
    CHECK_OK(timer_create(CLOCK_MONOTONIC, &quiet, &silent));
    struct itimerspec absolute;
    clock_gettime(CLOCK_MONOTONIC, &absolute.it_value);
    absolute.it_value.tv_sec += 100;
    absolute.it_interval = (struct timespec){0, 0};
    CHECK_OK(timer_settime(silent, TIMER_ABSTIME, &absolute, NULL));
    CHECK_OK(timer_gettime(silent, &current));
    CHECK(current.it_value.tv_sec >= 98 && current.it_value.tv_sec <= 100, "absolute SIGEV_NONE shows %ld s",
          (long)current.it_value.tv_sec);
    struct itimerspec brief = {{0, 0}, {0, 1000000}};
    CHECK_OK(timer_settime(silent, 0, &brief, NULL));
    sleep_ms(10);
    CHECK_OK(timer_gettime(silent, &current));
    CHECK(current.it_value.tv_sec == 0 && current.it_value.tv_nsec == 0, "expired SIGEV_NONE shows %ld ns",
          current.it_value.tv_nsec);
    sigset_t everything;
    sigfillset(&everything);
    struct timespec none = {0, 0};
    CHECK_ERRNO(sigtimedwait(&everything, &info, &none), EAGAIN);

    /* SIGEV_THREAD_ID: the signal goes to the named thread of the process. */
    struct sigaction action = {.sa_handler = record_tid};
    sigaction(SIGUSR2, &action, NULL);
    struct kernel_sigevent to_thread = {.signo = SIGUSR2, .notify = SIGEV_THREAD_ID};
    to_thread.thread_id = (pid_t)syscall(SYS_gettid);
    int timer = -1;
    CHECK_OK(syscall(SYS_timer_create, CLOCK_MONOTONIC, &to_thread, &timer));
    CHECK_OK(syscall(SYS_timer_settime, timer, 0, &soon, NULL));
    long long start = monotonic_ns();
    while (!g_signalled_tid && monotonic_ns() - start < 2000000000LL) sleep_ms(2);
    CHECK(g_signalled_tid == (pid_t)syscall(SYS_gettid), "SIGEV_THREAD_ID went to %d", (int)g_signalled_tid);
    struct kernel_sigevent to_stranger = to_thread;
    to_stranger.thread_id = 999999;
    int refused;
    CHECK_ERRNO(syscall(SYS_timer_create, CLOCK_MONOTONIC, &to_stranger, &refused), EINVAL);
    /* A forked child has none of its parent's POSIX timers. */
    pid_t child = fork();
    if (child == 0) {
        struct itimerspec seen;
        _exit(syscall(SYS_timer_gettime, timer, &seen) == -1 && errno == EINVAL ? 0 : 2);
    }
    CHECK_EXIT(child, 0);
}

static const struct test_case cases[] = {
    CASE_ENTRY(clock_gettime_every_clock),
    CASE_ENTRY(clock_getres_values),
    CASE_ENTRY(monotonic_never_goes_backwards),
    CASE_ENTRY(clocks_agree_on_rate),
    CASE_ENTRY(realtime_interfaces_consistent),
    CASE_ENTRY(vdso_image_and_mappings),
    CASE_ENTRY(vdso_agrees_with_syscalls),
    CASE_ENTRY(vdso_monotonic_and_kept_across_fork),
    CASE_ENTRY(cpu_time_clocks),
    CASE_ENTRY(nanosleep_duration_and_errors),
    CASE_ENTRY(nanosleep_interrupted_reports_remaining),
    CASE_ENTRY(clock_nanosleep_relative),
    CASE_ENTRY(clock_nanosleep_absolute),
    CASE_ENTRY(clock_nanosleep_errors),
    CASE_ENTRY(clock_settime_refused),
    CASE_ENTRY(interval_timers),
    CASE_ENTRY(real_timer_periodic_and_alarm),
    CASE_ENTRY(posix_timers),
    CASE_ENTRY(posix_timer_notifications),
};

int main(int argc, char** argv) { return CONFORMANCE_MAIN("time", cases, argc, argv); }
