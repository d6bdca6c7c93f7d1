/*
 * Strix conformance suite — syscall_basics: identity, system information, randomness,
 * resource limits and accounting, and the dispatcher's answer to numbers it lacks.
 */
#include <asm/prctl.h>
#include <sys/personality.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>

#include "common.h"

static void burn_cpu_ms(long milliseconds) {
    long long start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    volatile unsigned long sink = 0;
    while (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - start < milliseconds * 1000000LL)
        for (int i = 0; i < 10000; i++) sink += (unsigned long)i;
}

static long timeval_ms(struct timeval value) { return value.tv_sec * 1000 + value.tv_usec / 1000; }

CASE(getpid_family) {
    pid_t pid = getpid();
    CHECK(pid > 0, "getpid() = %d", (int)pid);
    CHECK(syscall(SYS_getpid) == pid, "raw getpid disagrees with libc");
    CHECK(getppid() == g_harness_pid, "getppid() = %d, expected the harness %d", (int)getppid(),
          (int)g_harness_pid);
    CHECK(syscall(SYS_gettid) == pid, "gettid() = %ld in a single-threaded process, pid %d",
          syscall(SYS_gettid), (int)pid);
}

CASE(getpid_in_child) {
    pid_t parent = getpid();
    pid_t child = fork();
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    if (child == 0) {
        SUB_CHECK(getpid() != parent, "child has the parent's pid");
        SUB_CHECK(getppid() == parent, "getppid() = %d, expected %d", (int)getppid(), (int)parent);
        SUB_CHECK(syscall(SYS_gettid) == getpid(), "child's tid differs from its pid");
        _exit(0);
    }
    CHECK(child != parent, "fork returned the parent's own pid");
    CHECK_EXIT(child, 0);
}

CASE(uname_fields) {
    struct utsname names;
    memset(&names, 0x55, sizeof names);
    CHECK_OK(syscall(SYS_uname, &names));
    CHECK(memchr(names.sysname, 0, sizeof names.sysname), "sysname not NUL-terminated");
    CHECK(memchr(names.release, 0, sizeof names.release), "release not NUL-terminated");
    CHECK(memchr(names.version, 0, sizeof names.version), "version not NUL-terminated");
    CHECK(memchr(names.nodename, 0, sizeof names.nodename), "nodename not NUL-terminated");
    CHECK(memchr(names.domainname, 0, sizeof names.domainname), "domainname not NUL-terminated");
    CHECK(strcmp(names.sysname, "Linux") == 0, "sysname \"%s\", programs expect \"Linux\"", names.sysname);
    CHECK(strcmp(names.machine, "x86_64") == 0, "machine \"%s\"", names.machine);
    int major = 0, minor = 0;
    CHECK(sscanf(names.release, "%d.%d", &major, &minor) == 2 && major >= 3,
          "release \"%s\" is not <major>.<minor>... with major >= 3", names.release);
    char hostname[HOST_NAME_MAX + 1];
    CHECK_OK(gethostname(hostname, sizeof hostname));
    CHECK(strcmp(hostname, names.nodename) == 0, "gethostname \"%s\" != nodename \"%s\"", hostname,
          names.nodename);
}

CASE(sysinfo_sane) {
    struct sysinfo info;
    memset(&info, 0, sizeof info);
    CHECK_OK(syscall(SYS_sysinfo, &info));
    CHECK(info.uptime > 0, "uptime %ld", info.uptime);
    CHECK(info.mem_unit >= 1, "mem_unit %u", info.mem_unit);
    CHECK(info.totalram > 0, "totalram 0");
    CHECK(info.freeram <= info.totalram, "freeram %lu > totalram %lu", info.freeram, info.totalram);
    CHECK(info.procs >= 1, "procs %u", info.procs);
    unsigned long long total_bytes = (unsigned long long)info.totalram * info.mem_unit;
    CHECK(total_bytes >= 16ULL << 20, "totalram * mem_unit = %llu bytes", total_bytes);
    struct timespec boot;
    clock_gettime(CLOCK_BOOTTIME, &boot);
    CHECK((long)info.uptime <= boot.tv_sec + 1 && (long)info.uptime >= boot.tv_sec - 1,
          "uptime %ld disagrees with CLOCK_BOOTTIME %ld", info.uptime, (long)boot.tv_sec);
}

CASE(getrandom_basic) {
    unsigned char first[64], second[64], zero[64] = {0};
    memset(first, 0, sizeof first);
    memset(second, 0, sizeof second);
    CHECK(syscall(SYS_getrandom, first, sizeof first, 0) == 64, "getrandom(64): %s", errno_name(errno));
    CHECK(syscall(SYS_getrandom, second, sizeof second, GRND_NONBLOCK) == 64,
          "getrandom(64, GRND_NONBLOCK): %s", errno_name(errno));
    CHECK(memcmp(first, zero, sizeof first) != 0, "64 random bytes are all zero");
    CHECK(memcmp(first, second, sizeof first) != 0, "two getrandom calls returned the same bytes");
    CHECK(syscall(SYS_getrandom, first, 0, 0) == 0, "getrandom of 0 bytes did not return 0");
}

CASE(getrandom_large) {
    size_t length = 1 << 20;
    unsigned char* buffer = calloc(1, length);
    CHECK(buffer, "calloc");
    long got = syscall(SYS_getrandom, buffer, length, 0);
    CHECK(got >= 256 && got <= (long)length, "getrandom(1 MiB) returned %ld (%s)", got, errno_name(errno));
    size_t zeros = 0;
    for (long i = 0; i < got; i++) zeros += buffer[i] == 0;
    CHECK(zeros < (size_t)got / 64, "%zu of %ld random bytes are zero", zeros, got);
    free(buffer);
}

CASE(getrandom_bad_flags) {
    unsigned char buffer[16];
    CHECK_ERRNO(syscall(SYS_getrandom, buffer, sizeof buffer, 0x80), EINVAL);
    CHECK_ERRNO(syscall(SYS_getrandom, buffer, sizeof buffer, ~0U), EINVAL);
#ifdef GRND_INSECURE
    CHECK_ERRNO(syscall(SYS_getrandom, buffer, sizeof buffer, GRND_RANDOM | GRND_INSECURE), EINVAL);
#endif
}

CASE(umask_semantics) {
    mode_t original = umask(027);
    CHECK(umask(022) == 027, "umask did not return the previous mask");
    /* Linux: only the permission bits are kept (mask & 0777). */
    umask(0xffff);
    mode_t kept = umask(022);
    CHECK(kept == 0777, "umask(0xffff) stored 0%o, expected 0777", (unsigned)kept);
    umask(original);
}

CASE(rlimit_nofile_enforced) {
    struct rlimit limit;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &limit));
    CHECK(limit.rlim_cur <= limit.rlim_max, "soft %llu > hard %llu", (unsigned long long)limit.rlim_cur,
          (unsigned long long)limit.rlim_max);
    struct rlimit small = {16, limit.rlim_max};
    CHECK_OK(setrlimit(RLIMIT_NOFILE, &small));
    struct rlimit check;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &check));
    CHECK(check.rlim_cur == 16, "soft limit reads back as %llu", (unsigned long long)check.rlim_cur);
    int highest = -1, fd;
    while ((fd = dup(0)) >= 0) highest = fd;
    CHECK(errno == EMFILE, "dup beyond RLIMIT_NOFILE: %s, expected EMFILE", errno_name(errno));
    CHECK(highest == 15, "highest fd under a limit of 16 was %d", highest);
    CHECK_ERRNO(dup2(0, 16), EBADF);
    CHECK_ERRNO(fcntl(0, F_DUPFD, 16), EINVAL);
    close(15);
    CHECK_OK(dup2(0, 15));
}

CASE(rlimit_errors) {
    struct rlimit limit;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &limit));
    struct rlimit inverted = {limit.rlim_max, limit.rlim_max == RLIM_INFINITY ? 1 : limit.rlim_max - 1};
    if (limit.rlim_max == RLIM_INFINITY) {
        inverted.rlim_cur = 100;
        inverted.rlim_max = 10;
    }
    CHECK_ERRNO(setrlimit(RLIMIT_NOFILE, &inverted), EINVAL);
    CHECK_ERRNO(syscall(SYS_prlimit64, 0, 100, NULL, &limit), EINVAL);
    CHECK_ERRNO(syscall(SYS_prlimit64, 0, RLIM_NLIMITS, &limit, NULL), EINVAL);
    /* Linux caps RLIMIT_NOFILE at fs.nr_open (1 Mi by default). */
    struct rlimit huge = {RLIM_INFINITY, RLIM_INFINITY};
    if (running_as_root()) CHECK_ERRNO(setrlimit(RLIMIT_NOFILE, &huge), EPERM);
}

CASE(rlimit_unprivileged_raise) {
    if (running_as_root()) {
        pid_t child = fork();
        CHECK(child >= 0, "fork: %s", errno_name(errno));
        if (child == 0) {
            struct rlimit limit = {64, 128};
            SUB_CHECK(setrlimit(RLIMIT_NOFILE, &limit) == 0, "lowering: %s", errno_name(errno));
            SUB_CHECK(drop_privileges(unprivileged_uid()) == 0, "drop: %s", errno_name(errno));
            limit.rlim_max = 256;
            SUB_CHECK(setrlimit(RLIMIT_NOFILE, &limit) == -1 && errno == EPERM,
                      "raising the hard limit unprivileged: %s", errno_name(errno));
            limit.rlim_cur = 128;
            limit.rlim_max = 128;
            SUB_CHECK(setrlimit(RLIMIT_NOFILE, &limit) == 0, "raising soft to hard: %s", errno_name(errno));
            _exit(0);
        }
        CHECK_EXIT(child, 0);
    } else {
        struct rlimit limit;
        CHECK_OK(getrlimit(RLIMIT_NOFILE, &limit));
        if (limit.rlim_max == RLIM_INFINITY) SKIP("hard RLIMIT_NOFILE is unlimited and we are not root");
        limit.rlim_max++;
        CHECK_ERRNO(setrlimit(RLIMIT_NOFILE, &limit), EPERM);
    }
}

CASE(prlimit64_semantics) {
    struct rlimit old_limit, new_limit = {100, 200}, check;
    CHECK_OK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &old_limit));
    struct rlimit via_get;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &via_get));
    CHECK(via_get.rlim_cur == old_limit.rlim_cur && via_get.rlim_max == old_limit.rlim_max,
          "prlimit64 and getrlimit disagree");
    CHECK_OK(syscall(SYS_prlimit64, getpid(), RLIMIT_NOFILE, &new_limit, &check));
    CHECK(check.rlim_cur == old_limit.rlim_cur && check.rlim_max == old_limit.rlim_max,
          "prlimit64 did not return the previous limit");
    CHECK_OK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &check));
    CHECK(check.rlim_cur == 100 && check.rlim_max == 200, "new limit reads back %llu/%llu",
          (unsigned long long)check.rlim_cur, (unsigned long long)check.rlim_max);

    pid_t child = fork();
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    if (child == 0) {
        pause();
        _exit(0);
    }
    struct rlimit child_limit;
    long result = syscall(SYS_prlimit64, child, RLIMIT_NOFILE, NULL, &child_limit);
    kill(child, SIGKILL);
    wait_status(child);
    CHECK(result == 0, "prlimit64 on a child: %s", errno_name(errno));
    CHECK(child_limit.rlim_cur == 100, "child did not inherit the limit (%llu)",
          (unsigned long long)child_limit.rlim_cur);
    CHECK_ERRNO(syscall(SYS_prlimit64, child, RLIMIT_NOFILE, NULL, &child_limit), ESRCH);
}

CASE(rlimit_fsize) {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = {1000, RLIM_INFINITY};
    CHECK_OK(setrlimit(RLIMIT_FSIZE, &limit));
    int fd = CHECK_OK(open("big", O_WRONLY | O_CREAT | O_TRUNC, 0644));
    char buffer[2000];
    memset(buffer, 'x', sizeof buffer);
    long written = write(fd, buffer, sizeof buffer);
    CHECK(written == 1000, "write across RLIMIT_FSIZE returned %ld (%s), expected 1000", written,
          errno_name(errno));
    CHECK_ERRNO(write(fd, buffer, 1), EFBIG);
    close(fd);

    pid_t child = fork();
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    if (child == 0) {
        signal(SIGXFSZ, SIG_DFL);
        int out = open("big", O_WRONLY | O_APPEND);
        (void)!write(out, buffer, 10);
        _exit(0);
    }
    int status = wait_status(child);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ,
          "writing past RLIMIT_FSIZE with SIGXFSZ default: %s", describe_status(status));
}

CASE(getrusage_self_and_children) {
    /* RSS counters are batched per CPU: touch enough pages to make maxrss visible. */
    size_t touched_size = 8 << 20;
    volatile char* touched = malloc(touched_size);
    CHECK(touched, "malloc");
    for (size_t offset = 0; offset < touched_size; offset += 4096) touched[offset] = 1;
    burn_cpu_ms(60);
    struct rusage usage;
    CHECK_OK(getrusage(RUSAGE_SELF, &usage));
    long cpu = timeval_ms(usage.ru_utime) + timeval_ms(usage.ru_stime);
    CHECK(cpu >= 30, "RUSAGE_SELF shows %ld ms after burning 60 ms", cpu);
    CHECK(usage.ru_maxrss > 0, "ru_maxrss %ld", usage.ru_maxrss);
    CHECK_OK(getrusage(RUSAGE_THREAD, &usage));
    CHECK(timeval_ms(usage.ru_utime) + timeval_ms(usage.ru_stime) >= 30, "RUSAGE_THREAD too small");

    CHECK_OK(getrusage(RUSAGE_CHILDREN, &usage));
    long before = timeval_ms(usage.ru_utime) + timeval_ms(usage.ru_stime);
    pid_t child = fork();
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    if (child == 0) {
        burn_cpu_ms(60);
        _exit(0);
    }
    CHECK_EXIT(child, 0);
    CHECK_OK(getrusage(RUSAGE_CHILDREN, &usage));
    long after = timeval_ms(usage.ru_utime) + timeval_ms(usage.ru_stime);
    CHECK(after - before >= 30, "RUSAGE_CHILDREN grew by %ld ms after a 60 ms child", after - before);
    CHECK_ERRNO(getrusage(42, &usage), EINVAL);
}

CASE(times_counts) {
    struct tms before, after;
    errno = 0;
    clock_t start = times(&before);
    CHECK(start != (clock_t)-1 || errno == 0, "times: %s", errno_name(errno));
    burn_cpu_ms(80);
    sleep_ms(50);
    clock_t end = times(&after);
    long ticks_per_second = sysconf(_SC_CLK_TCK);
    CHECK(ticks_per_second == 100, "_SC_CLK_TCK = %ld (Linux USER_HZ is 100)", ticks_per_second);
    long elapsed = (long)(end - start);
    CHECK(elapsed >= 10 && elapsed <= 3000, "times() advanced %ld ticks over ~130 ms", elapsed);
    long cpu = (long)(after.tms_utime + after.tms_stime - before.tms_utime - before.tms_stime);
    CHECK(cpu >= 4, "tms_utime+tms_stime advanced %ld ticks over 80 ms of CPU", cpu);
    clock_t null_result = (clock_t)syscall(SYS_times, NULL);
    CHECK(null_result >= end, "times(NULL) went backwards");
}

CASE(unknown_syscall_enosys) {
    /* Past the end of the x86_64 table (335 is no longer free: Linux 6.11's uretprobe). */
    CHECK_ERRNO(syscall(1000), ENOSYS);
    CHECK_ERRNO(syscall(4096), ENOSYS);
    CHECK_ERRNO(syscall(1 << 20), ENOSYS);
}

CASE(huge_syscall_enosys) {
    CHECK_ERRNO(syscall(0x3fffffffL), ENOSYS);
    CHECK_ERRNO(syscall(0x7fffffffL), ENOSYS);
    CHECK_ERRNO(syscall(-1L), ENOSYS);
    CHECK_ERRNO(syscall(-1000L), ENOSYS);
    CHECK_ERRNO(syscall((long)INT32_MIN), ENOSYS);
}

CASE(getcpu_and_sysconf) {
    unsigned cpu = ~0U, node = ~0U;
    CHECK_OK(syscall(SYS_getcpu, &cpu, &node, NULL));
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    long configured = sysconf(_SC_NPROCESSORS_CONF);
    CHECK(online >= 1, "_SC_NPROCESSORS_ONLN = %ld", online);
    CHECK(configured >= online, "configured %ld < online %ld", configured, online);
    CHECK(cpu < (unsigned)configured, "getcpu says cpu %u of %ld", cpu, configured);
    CHECK(sysconf(_SC_PAGESIZE) == 4096, "page size %ld", sysconf(_SC_PAGESIZE));
    CHECK_OK(syscall(SYS_getcpu, NULL, NULL, NULL));
}

CASE(personality_query) {
    long persona = syscall(SYS_personality, 0xffffffffUL);
    CHECK(persona >= 0, "personality(query): %s", errno_name(errno));
    CHECK((persona & PER_MASK) == PER_LINUX, "personality 0x%lx is not PER_LINUX", persona);
}

CASE(arch_prctl_fs) {
    unsigned long fs_base = 0;
    CHECK_OK(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_base));
    unsigned long self_pointer;
    /* glibc and musl both keep the thread pointer's own address at %fs:0. */
    __asm__ volatile("mov %%fs:0, %0" : "=r"(self_pointer));
    CHECK(fs_base == self_pointer, "ARCH_GET_FS 0x%lx but %%fs:0 holds 0x%lx", fs_base, self_pointer);
    CHECK_OK(syscall(SYS_arch_prctl, ARCH_SET_FS, fs_base));
    unsigned long gs_base = 1;
    CHECK_OK(syscall(SYS_arch_prctl, ARCH_GET_GS, &gs_base));
    CHECK_ERRNO(syscall(SYS_arch_prctl, 0x9999, &fs_base), EINVAL);
    CHECK_ERRNO(syscall(SYS_arch_prctl, ARCH_SET_FS, 0xffff800000000000UL), EPERM);
}

static const struct test_case cases[] = {
    CASE_ENTRY(getpid_family),
    CASE_ENTRY(getpid_in_child),
    CASE_ENTRY(uname_fields),
    CASE_ENTRY(sysinfo_sane),
    CASE_ENTRY(getrandom_basic),
    CASE_ENTRY(getrandom_large),
    CASE_ENTRY(getrandom_bad_flags),
    CASE_ENTRY(umask_semantics),
    CASE_ENTRY(rlimit_nofile_enforced),
    CASE_ENTRY(rlimit_errors),
    CASE_ENTRY(rlimit_unprivileged_raise),
    CASE_ENTRY(prlimit64_semantics),
    CASE_ENTRY(rlimit_fsize),
    CASE_ENTRY(getrusage_self_and_children),
    CASE_ENTRY(times_counts),
    CASE_ENTRY(unknown_syscall_enosys),
    CASE_ENTRY(huge_syscall_enosys),
    CASE_ENTRY(getcpu_and_sysconf),
    CASE_ENTRY(personality_query),
    CASE_ENTRY(arch_prctl_fs),
};

int main(int argc, char** argv) {
    g_use_tmpdir = true;
    return CONFORMANCE_MAIN("syscall_basics", cases, argc, argv);
}
