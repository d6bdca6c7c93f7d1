/*
 * Strix conformance suite — user_pointers: every pointer a system call takes is hostile
 * until checked. NULL, kernel-half, non-canonical, vsyscall, unmapped, PROT_NONE,
 * read-only and unterminated arguments must give EFAULT (or Linux's own errno), leave
 * no side effect behind (no leaked fd, no consumed data) and never crash the caller.
 * Unaligned but valid pointers must simply work. The same goes for bad file
 * descriptors (EBADF) and flags (EINVAL), checked at the end.
 */
#include <linux/fs.h>
#include <linux/futex.h>
#include <linux/openat2.h>
#include <linux/stat.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/times.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/xattr.h>

#include "common.h"

#define PAGE 4096UL

/* How the kernel uses a pointer argument. OPTIONAL: NULL is a valid value (a query, "no
 * timeout", "no result wanted") and is left out of the hostile set. */
enum direction { KERNEL_READS = 1, KERNEL_WRITES = 2, OPTIONAL = 4 };

struct bad_pointer {
    const char* name;
    void* address;
};

/* Whether the legacy vsyscall page can be read (vsyscall=emulate) or is execute-only. */
static bool vsyscall_page_readable(void) {
    char maps[65536];
    if (read_file("/proc/self/maps", maps, sizeof maps) <= 0) return false;
    char* line = strstr(maps, "ffffffffff600000-");
    return line && line[34] == 'r';
}

/* Pointers the kernel must refuse; for KERNEL_WRITES also memory that is only readable. */
static int bad_pointers(int direction, struct bad_pointer* out) {
    static char *none, *read_only;
    if (!none) {
        none = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        read_only = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    }
    int count = 0;
    if (!(direction & OPTIONAL)) out[count++] = (struct bad_pointer){"NULL", NULL};
    out[count++] = (struct bad_pointer){"kernel-half", KERNEL_HALF_ADDRESS};
    out[count++] = (struct bad_pointer){"top-of-kernel", (void*)0xfffffffffffff000UL};
    out[count++] = (struct bad_pointer){"non-canonical", (void*)0x0000800000000000UL};
    out[count++] = (struct bad_pointer){"non-canonical-high", (void*)0x8000000000000000UL};
    out[count++] = (struct bad_pointer){"unmapped", unmapped_address()};
    out[count++] = (struct bad_pointer){"PROT_NONE", none};
    if ((direction & KERNEL_WRITES) || !vsyscall_page_readable())
        out[count++] = (struct bad_pointer){"vsyscall", VSYSCALL_ADDRESS};
    if (direction & KERNEL_WRITES) {
        out[count++] = (struct bad_pointer){"read-only", read_only};
        out[count++] = (struct bad_pointer){"program-text", (void*)(uintptr_t)&bad_pointers};
    }
    return count;
}

/* Run `statement` (which uses `bad`) once per bad pointer; each must fail with EFAULT. */
#define FOR_EACH_BAD(direction, call)                                                                   \
    do {                                                                                                \
        struct bad_pointer list[12];                                                                    \
        int list_count = bad_pointers(direction, list);                                                 \
        for (int index = 0; index < list_count; index++) {                                              \
            void* bad = list[index].address;                                                            \
            errno = 0;                                                                                  \
            long result = (long)(call);                                                                 \
            int error = errno;                                                                          \
            CHECK(result == -1 && error == EFAULT, "%s with a %s pointer: %s", #call, list[index].name, \
                  result == -1 ? errno_name(error) : "succeeded");                                      \
        }                                                                                               \
    } while (0)

/* A string ending exactly at the end of a page followed by an unmapped page. */
static char* unterminated_string(void) {
    char* pages = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(pages + PAGE, PAGE);
    memset(pages, 'a', PAGE);
    return pages + PAGE - 8;
}

/* A buffer whose first page is mapped and whose second is not. */
static char* half_mapped_buffer(void) {
    char* pages = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(pages + PAGE, PAGE);
    memset(pages, 'h', PAGE);
    return pages;
}

CASE(read_write_buffers) {
    int fds[2];
    CHECK_OK(pipe(fds));
    CHECK(write(fds[1], "0123456789", 10) == 10, "pipe write");
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_read, fds[0], bad, 10));
    int queued = -1;
    CHECK_OK(ioctl(fds[0], FIONREAD, &queued));
    CHECK(queued == 10, "a failed read consumed data: %d bytes left of 10", queued);
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_write, fds[1], bad, 10));
    CHECK_OK(ioctl(fds[0], FIONREAD, &queued));
    CHECK(queued == 10, "a failed write added data: %d bytes queued", queued);
    CHECK_OK(write_file("file", "0123456789", 10, 0600));
    int file = CHECK_OK(open("file", O_RDWR));
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_pread64, file, bad, 10, 0L));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_pwrite64, file, bad, 10, 0L));
    char check[16] = "";
    CHECK(pread(file, check, sizeof check, 0) == 10 && memcmp(check, "0123456789", 10) == 0,
          "a failed pwrite64 changed the file");
    close(file);
    /* A length running past the end of the address space is refused outright. */
    char buffer[16];
    CHECK_ERRNO(syscall(SYS_read, fds[0], buffer, (size_t)-1), EFAULT);
    CHECK_ERRNO(syscall(SYS_write, fds[1], buffer, (size_t)-1), EFAULT);
    /* An absurd but addressable length reads what is there. */
    static char large[64];
    long got = syscall(SYS_read, fds[0], large, 0x7fffffffL);
    CHECK(got == 10, "read(2 GiB) from a pipe holding 10 bytes: %ld (%s)", got, errno_name(errno));
    /* Unaligned buffers are fine. */
    CHECK(write(fds[1], "xyz", 3) == 3 && read(fds[0], buffer + 1, 3) == 3 && buffer[1] == 'x',
          "unaligned buffer");
}

CASE(partial_buffers_stop_at_the_hole) {
    char* half = half_mapped_buffer();
    int fds[2];
    CHECK_OK(pipe2(fds, O_NONBLOCK));
    long written = write(fds[1], half, 2 * PAGE);
    CHECK(written == (long)PAGE || (written == -1 && errno == EFAULT),
          "write from a buffer whose second page is unmapped: %ld (%s)", written, errno_name(errno));
    char* data = malloc(2 * PAGE);
    memset(data, 'd', 2 * PAGE);
    int file = CHECK_OK(open("file", O_CREAT | O_RDWR, 0600));
    CHECK(write(file, data, 2 * PAGE) == (long)(2 * PAGE), "file write");
    long got = pread(file, half, 2 * PAGE, 0);
    CHECK(got == (long)PAGE, "pread into a half-mapped buffer: %ld (%s), Linux returns the mapped part", got,
          errno_name(errno));
    close(file);
}

CASE(iovec_pointers) {
    int fds[2];
    CHECK_OK(pipe(fds));
    CHECK(write(fds[1], "abcdef", 6) == 6, "pipe write");
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_readv, fds[0], bad, 1));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_writev, fds[1], bad, 1));
    struct iovec vector[2];
    char buffer[8];
    vector[0] = (struct iovec){buffer, 2};
    FOR_EACH_BAD(KERNEL_WRITES, (vector[1] = (struct iovec){bad, 4}, syscall(SYS_readv, fds[0], vector, 2)));
    CHECK(buffer[0] == 'a', "the good first segment was not filled before the bad one");
    struct iovec one = {buffer, 1};
    CHECK_ERRNO(syscall(SYS_readv, fds[0], &one, -1), EINVAL);
    CHECK_ERRNO(syscall(SYS_readv, fds[0], &one, 1025), EINVAL);
    struct iovec negative = {buffer, (size_t)-1};
    CHECK_ERRNO(syscall(SYS_writev, fds[1], &negative, 1), EINVAL);
    CHECK(syscall(SYS_readv, fds[0], &one, 0) == 0, "readv with no segments did not return 0");
    int file = CHECK_OK(open("file", O_CREAT | O_RDWR, 0600));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_preadv, file, bad, 1, 0, 0));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_pwritev, file, bad, 1, 0, 0));
    close(file);
}

CASE(stat_family) {
    struct stat status;
    struct statx extended;
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_stat, bad, &status));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_lstat, bad, &status));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_newfstatat, AT_FDCWD, bad, &status, 0));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_statx, AT_FDCWD, bad, 0, STATX_BASIC_STATS, &extended));
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_stat, "/", bad));
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_lstat, "/", bad));
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_fstat, 0, bad));
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_newfstatat, AT_FDCWD, "/", bad, 0));
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_statx, AT_FDCWD, "/", 0, STATX_BASIC_STATS, bad));
    CHECK_ERRNO(syscall(SYS_stat, unterminated_string(), &status), EFAULT);
    char long_path[PATH_MAX + 2];
    memset(long_path, 'p', sizeof long_path - 1);
    long_path[sizeof long_path - 1] = 0;
    CHECK_ERRNO(syscall(SYS_stat, long_path, &status), ENAMETOOLONG);
    CHECK_ERRNO(syscall(SYS_stat, "", &status), ENOENT);
    char unaligned[sizeof(struct stat) + 8] __attribute__((aligned(8)));
    CHECK_OK(syscall(SYS_stat, "/", unaligned + 1));
}

CASE(open_paths) {
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_open, bad, O_RDONLY));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_openat, AT_FDCWD, bad, O_RDONLY));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_openat, AT_FDCWD, bad, O_WRONLY | O_CREAT, 0600));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_mkdir, bad, 0700));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_unlink, bad));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_chdir, bad));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_access, bad, F_OK));
    struct open_how how = {.flags = O_RDONLY};
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_openat2, AT_FDCWD, bad, &how, sizeof how));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_openat2, AT_FDCWD, "/", bad, sizeof how));
    CHECK_ERRNO(syscall(SYS_openat2, AT_FDCWD, "/", &how, 8), EINVAL);
    CHECK_ERRNO(syscall(SYS_open, unterminated_string(), O_RDONLY), EFAULT);
    char buffer[64];
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_readlink, bad, buffer, sizeof buffer));
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_readlink, "/proc/self/exe", bad, sizeof buffer));
}

CASE(system_information_outputs) {
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_uname, bad));
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_sysinfo, bad));
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_getrusage, RUSAGE_SELF, bad));
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_getrlimit, RLIMIT_NOFILE, bad));
    FOR_EACH_BAD(KERNEL_WRITES | OPTIONAL, syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, bad));
    FOR_EACH_BAD(KERNEL_READS | OPTIONAL, syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, bad, NULL));
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_getrandom, bad, 16, 0));
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_getcwd, bad, 4096));
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_sched_getaffinity, 0, 128, bad));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_sched_setaffinity, 0, 128, bad));
    FOR_EACH_BAD(KERNEL_READS, prctl(PR_SET_NAME, bad));
    FOR_EACH_BAD(KERNEL_WRITES, prctl(PR_GET_NAME, bad));
    unsigned cpu;
    FOR_EACH_BAD(KERNEL_WRITES | OPTIONAL, syscall(SYS_getcpu, bad, &cpu, NULL));
    char small[8];
    CHECK_ERRNO(syscall(SYS_getcwd, small, 1), ERANGE);
    CHECK_ERRNO(syscall(SYS_getcwd, small, 0), ERANGE);
    /* times() with a bad buffer: Linux reports EFAULT rather than a tick count. */
    FOR_EACH_BAD(KERNEL_WRITES | OPTIONAL, syscall(SYS_times, bad));
}

CASE(time_pointers) {
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_clock_gettime, CLOCK_MONOTONIC, bad));
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_clock_gettime, CLOCK_REALTIME, bad));
    FOR_EACH_BAD(KERNEL_WRITES | OPTIONAL, syscall(SYS_clock_getres, CLOCK_MONOTONIC, bad));
    FOR_EACH_BAD(KERNEL_WRITES | OPTIONAL, syscall(SYS_gettimeofday, bad, NULL));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_nanosleep, bad, NULL));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, bad, NULL));
    struct itimerval value;
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_getitimer, ITIMER_REAL, bad));
    FOR_EACH_BAD(KERNEL_READS | OPTIONAL, syscall(SYS_setitimer, ITIMER_VIRTUAL, bad, &value));
    FOR_EACH_BAD(KERNEL_WRITES | OPTIONAL, syscall(SYS_time, bad));
}

CASE(signal_pointers) {
    FOR_EACH_BAD(KERNEL_READS | OPTIONAL, syscall(SYS_rt_sigaction, SIGUSR1, bad, NULL, 8));
    FOR_EACH_BAD(KERNEL_WRITES | OPTIONAL, syscall(SYS_rt_sigaction, SIGUSR1, NULL, bad, 8));
    FOR_EACH_BAD(KERNEL_READS | OPTIONAL, syscall(SYS_rt_sigprocmask, SIG_BLOCK, bad, NULL, 8));
    FOR_EACH_BAD(KERNEL_WRITES | OPTIONAL, syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, bad, 8));
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_rt_sigpending, bad, 8));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_rt_sigsuspend, bad, 8));
    FOR_EACH_BAD(KERNEL_READS | OPTIONAL, syscall(SYS_sigaltstack, bad, NULL));
    FOR_EACH_BAD(KERNEL_WRITES | OPTIONAL, syscall(SYS_sigaltstack, NULL, bad));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, bad));
    struct timespec zero = {0, 0};
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_rt_sigtimedwait, bad, NULL, &zero, 8));
    uint64_t set = 1ULL << (SIGUSR1 - 1);
    FOR_EACH_BAD(KERNEL_READS | OPTIONAL, syscall(SYS_rt_sigtimedwait, &set, NULL, bad, 8));
    /* A pending signal and a bad siginfo pointer: EFAULT (Linux has dequeued it). */
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    kill(getpid(), SIGUSR1);
    CHECK_ERRNO(syscall(SYS_rt_sigtimedwait, &set, KERNEL_HALF_ADDRESS, &zero, 8), EFAULT);
}

/* wait4 copies out after reaping: every attempt needs a fresh zombie. */
static bool wait4_faults(void* status, void* usage, const char** outcome) {
    pid_t child = fork();
    if (child == 0) _exit(0);
    siginfo_t info;
    waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT);
    errno = 0;
    long result = syscall(SYS_wait4, child, status, 0, usage);
    int error = errno;
    waitpid(child, NULL, WNOHANG); /* Linux reaps even when the copy-out fails */
    *outcome = result == -1 ? errno_name(error) : "succeeded";
    return result == -1 && error == EFAULT;
}

CASE(wait_status_pointers) {
    struct bad_pointer list[12];
    int count = bad_pointers(KERNEL_WRITES | OPTIONAL, list);
    const char* outcome;
    for (int i = 0; i < count; i++) {
        CHECK(wait4_faults(list[i].address, NULL, &outcome), "wait4 status=%s: %s", list[i].name, outcome);
        CHECK(wait4_faults(NULL, list[i].address, &outcome), "wait4 rusage=%s: %s", list[i].name, outcome);
    }
    pid_t child = fork();
    if (child == 0) _exit(0);
    FOR_EACH_BAD(KERNEL_WRITES | OPTIONAL, syscall(SYS_waitid, P_PID, child, bad, WEXITED | WNOWAIT, NULL));
    waitpid(child, NULL, 0);
}

CASE(pipe2_fd_array) {
    int lowest_before = fcntl(0, F_DUPFD, 0);
    close(lowest_before);
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_pipe2, bad, 0));
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_pipe, bad));
    int lowest_after = fcntl(0, F_DUPFD, 0);
    close(lowest_after);
    CHECK(lowest_after == lowest_before, "failed pipe2 calls leaked fds (lowest free %d, was %d)",
          lowest_after, lowest_before);
    int unaligned[3];
    CHECK_OK(syscall(SYS_pipe2, (char*)unaligned + 2, 0));
}

CASE(futex_pointers) {
    struct timespec limit = {0, 1000};
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_futex, bad, FUTEX_WAIT, 0, &limit, NULL, 0));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_futex, bad, FUTEX_WAIT_PRIVATE, 0, &limit, NULL, 0));
    static int word;
    FOR_EACH_BAD(KERNEL_READS | OPTIONAL, syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, bad, NULL, 0));
}

CASE(exec_pointers) {
    struct bad_pointer list[12];
    int count = bad_pointers(KERNEL_READS, list);
    for (int i = 0; i < count; i++) {
        /* NULL is a valid argv, envp or terminator: only the path may not be NULL. */
        for (int variant = 0; variant < (list[i].address ? 4 : 1); variant++) {
            pid_t child = fork();
            if (child == 0) {
                char* good_env[] = {"CONFORMANCE_USER_POINTERS_EXEC=1", NULL};
                char* good_argv[] = {"user_pointers", NULL};
                char* argv_with_bad[] = {"user_pointers", list[i].address, NULL};
                char* env_with_bad[] = {list[i].address, NULL};
                if (variant == 0)
                    syscall(SYS_execve, list[i].address, good_argv, good_env);
                else if (variant == 1)
                    syscall(SYS_execve, g_self_path, list[i].address, good_env);
                else if (variant == 2)
                    syscall(SYS_execve, g_self_path, argv_with_bad, good_env);
                else
                    syscall(SYS_execve, g_self_path, good_argv, env_with_bad);
                _exit(errno == EFAULT ? 0 : errno);
            }
            int status = wait_status(child);
            static const char* const what[] = {"path", "argv", "argv[1]", "envp[0]"};
            CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "execve with a %s %s: %s (%s)", list[i].name,
                  what[variant], describe_status(status),
                  WIFEXITED(status) ? errno_name(WEXITSTATUS(status)) : "");
        }
    }
}

CASE(polling_pointers) {
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_poll, bad, 1, 0));
    CHECK(syscall(SYS_poll, NULL, 0, 0) == 0, "poll(NULL, 0) must be a plain sleep");
    struct rlimit limit;
    getrlimit(RLIMIT_NOFILE, &limit);
    struct pollfd one = {.fd = 0};
    CHECK_ERRNO(syscall(SYS_poll, &one, (unsigned long)limit.rlim_cur + 1, 0), EINVAL);
    FOR_EACH_BAD(KERNEL_READS | OPTIONAL, syscall(SYS_select, 1, bad, NULL, NULL, &(struct timeval){0, 0}));
    fd_set readable;
    FD_ZERO(&readable);
    FOR_EACH_BAD(KERNEL_READS | OPTIONAL, syscall(SYS_select, 1, &readable, NULL, NULL, bad));
    int epoll_fd = CHECK_OK(epoll_create1(0));
    int fds[2];
    CHECK_OK(pipe(fds));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_epoll_ctl, epoll_fd, EPOLL_CTL_ADD, fds[0], bad));
    struct epoll_event event = {.events = EPOLLIN};
    CHECK_OK(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fds[0], &event));
    CHECK(write(fds[1], "x", 1) == 1, "write");
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_epoll_wait, epoll_fd, bad, 1, 0));
    int queued = 0;
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_ioctl, fds[0], FIONREAD, bad));
    CHECK_OK(ioctl(fds[0], FIONREAD, &queued));
    CHECK(queued == 1, "FIONREAD %d", queued);
}

CASE(directory_and_xattr_pointers) {
    int directory = CHECK_OK(open("/", O_RDONLY | O_DIRECTORY));
    FOR_EACH_BAD(KERNEL_WRITES, syscall(SYS_getdents64, directory, bad, 4096));
    char value[64];
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_getxattr, "/", bad, value, sizeof value));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_getxattr, bad, "user.x", value, sizeof value));
    CHECK_OK(write_file("file", "x", 1, 0600));
    FOR_EACH_BAD(KERNEL_READS, syscall(SYS_setxattr, "file", "user.x", bad, 4, 0));
    close(directory);
}

/* ---- Bad file descriptors and flags ---- */

CASE(bad_file_descriptors) {
    char buffer[8];
    struct stat status;
    static const int bad_fds[] = {-1, -1000, 4095, 1 << 20, INT_MAX};
    for (size_t i = 0; i < sizeof bad_fds / sizeof bad_fds[0]; i++) {
        int fd = bad_fds[i];
        CHECK_ERRNO(syscall(SYS_read, fd, buffer, 1), EBADF);
        CHECK_ERRNO(syscall(SYS_write, fd, buffer, 1), EBADF);
        CHECK_ERRNO(syscall(SYS_close, fd), EBADF);
        CHECK_ERRNO(syscall(SYS_fstat, fd, &status), EBADF);
        CHECK_ERRNO(syscall(SYS_dup, fd), EBADF);
        CHECK_ERRNO(syscall(SYS_fcntl, fd, F_GETFD), EBADF);
        CHECK_ERRNO(syscall(SYS_lseek, fd, 0L, SEEK_SET), EBADF);
        CHECK_ERRNO(syscall(SYS_fchdir, fd), EBADF);
        CHECK_ERRNO(syscall(SYS_getdents64, fd, buffer, sizeof buffer), EBADF);
        CHECK_ERRNO(syscall(SYS_ioctl, fd, FIONREAD, buffer), EBADF);
        CHECK_ERRNO(syscall(SYS_openat, fd, "relative", O_RDONLY), EBADF);
    }
    CHECK_ERRNO(syscall(SYS_dup2, 0, -1), EBADF);
    CHECK_ERRNO(syscall(SYS_dup2, 0, 1 << 30), EBADF);
    CHECK_OK(write_file("file", "data", 4, 0644));
    int read_only = CHECK_OK(open("file", O_RDONLY));
    int write_only = CHECK_OK(open("file", O_WRONLY));
    int path_only = CHECK_OK(open("file", O_PATH));
    CHECK_ERRNO(write(read_only, "x", 1), EBADF);
    CHECK_ERRNO(read(write_only, buffer, 1), EBADF);
    CHECK_ERRNO(read(path_only, buffer, 1), EBADF);
    CHECK_ERRNO(syscall(SYS_fchmod, path_only, 0600), EBADF); /* musl would retry via /proc */
    CHECK_ERRNO(ftruncate(read_only, 0), EINVAL);             /* Linux: not open for writing */
    CHECK_OK(close(read_only));
    CHECK_ERRNO(close(read_only), EBADF);
    int fds[2];
    CHECK_OK(pipe(fds));
    CHECK_ERRNO(lseek(fds[0], 0, SEEK_SET), ESPIPE);
    CHECK_ERRNO(pread(fds[0], buffer, 1, 0), ESPIPE);
    int epoll_fd = CHECK_OK(epoll_create1(0));
    struct epoll_event event = {.events = EPOLLIN};
    CHECK_ERRNO(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, 4095, &event), EBADF);
    CHECK_ERRNO(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, write_only, &event), EPERM); /* regular file */
    CHECK_ERRNO(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, epoll_fd, &event), EINVAL);
    CHECK_ERRNO(epoll_wait(write_only, &event, 1, 0), EINVAL); /* not an epoll fd */
}

CASE(bad_flags_on_fd_calls) {
    int fds[2];
    CHECK_ERRNO(syscall(SYS_pipe2, fds, 0xdead0000), EINVAL);
    CHECK_OK(pipe(fds));
    CHECK_ERRNO(syscall(SYS_dup3, fds[0], fds[0], 0), EINVAL);
    CHECK_ERRNO(syscall(SYS_dup3, fds[0], 100, 1), EINVAL);
    CHECK_ERRNO(syscall(SYS_eventfd2, 0, 0xdead0000), EINVAL);
    CHECK_ERRNO(syscall(SYS_epoll_create1, 0xdead0000), EINVAL);
    CHECK_ERRNO(syscall(SYS_epoll_create, 0), EINVAL);
    CHECK_ERRNO(syscall(SYS_epoll_create, -1), EINVAL);
    uint64_t mask = 1ULL << (SIGUSR1 - 1);
    CHECK_ERRNO(syscall(SYS_signalfd4, -1, &mask, 8, 0xdead0000), EINVAL);
    CHECK_ERRNO(syscall(SYS_signalfd4, -1, &mask, 4, 0), EINVAL);
    CHECK_ERRNO(syscall(SYS_timerfd_create, 1000, 0), EINVAL);
    CHECK_ERRNO(syscall(SYS_timerfd_create, CLOCK_MONOTONIC, 0xdead0000), EINVAL);
    CHECK_ERRNO(syscall(SYS_memfd_create, "x", 0xdead0000), EINVAL);
    CHECK_ERRNO(syscall(SYS_close_range, 10, 5, 0), EINVAL);
    CHECK_ERRNO(syscall(SYS_close_range, 10, 20, 0xdead0000), EINVAL);
    CHECK_ERRNO(syscall(SYS_lseek, 0, 0L, 7), EINVAL);
    CHECK_OK(write_file("file", "data", 4, 0644));
    int file = CHECK_OK(open("file", O_RDWR));
    CHECK_ERRNO(lseek(file, -10, SEEK_SET), EINVAL);
    CHECK_ERRNO(lseek(file, -10, SEEK_CUR), EINVAL);
    CHECK_ERRNO(syscall(SYS_fcntl, file, 9999), EINVAL);
    CHECK_ERRNO(flock(file, 0x40), EINVAL);
    CHECK_ERRNO(syscall(SYS_fcntl, file, F_DUPFD, -1), EINVAL);
    CHECK_ERRNO(syscall(SYS_fallocate, file, 0xdead0000, 0L, 10L), EOPNOTSUPP);
    CHECK_ERRNO(syscall(SYS_fallocate, file, 0, -1L, 10L), EINVAL);
    CHECK_ERRNO(syscall(SYS_fallocate, file, 0, 0L, 0L), EINVAL);
    CHECK_ERRNO(syscall(SYS_ftruncate, file, -1L), EINVAL);
    CHECK_ERRNO(syscall(SYS_ioctl, file, 0x5401 /* TCGETS */, &mask), ENOTTY);
}

CASE(bad_flags_on_path_calls) {
    CHECK_OK(write_file("file", "data", 4, 0644));
    struct stat status;
    CHECK_ERRNO(syscall(SYS_newfstatat, AT_FDCWD, "file", &status, 0x40000000), EINVAL);
    CHECK_ERRNO(syscall(SYS_unlinkat, AT_FDCWD, "file", 1), EINVAL);
    CHECK_ERRNO(syscall(SYS_linkat, AT_FDCWD, "file", AT_FDCWD, "link", 0x40000000), EINVAL);
    CHECK_ERRNO(syscall(SYS_faccessat, AT_FDCWD, "file", 0x100), EINVAL);
    CHECK_ERRNO(syscall(SYS_faccessat2, AT_FDCWD, "file", F_OK, 0x40000000), EINVAL);
    CHECK_ERRNO(syscall(SYS_renameat2, AT_FDCWD, "file", AT_FDCWD, "other", 0x40000000), EINVAL);
    CHECK_ERRNO(
        syscall(SYS_renameat2, AT_FDCWD, "file", AT_FDCWD, "other", RENAME_NOREPLACE | RENAME_EXCHANGE),
        EINVAL);
    CHECK_ERRNO(syscall(SYS_utimensat, AT_FDCWD, "file", NULL, 0x40000000), EINVAL);
    struct timespec bad_times[2] = {{0, 2000000000L}, {0, 0}};
    CHECK_ERRNO(syscall(SYS_utimensat, AT_FDCWD, "file", bad_times, 0), EINVAL);
    struct open_how how = {.flags = O_RDONLY, .resolve = 1ULL << 40};
    CHECK_ERRNO(syscall(SYS_openat2, AT_FDCWD, "file", &how, sizeof how), EINVAL);
    how = (struct open_how){.flags = 1ULL << 40};
    CHECK_ERRNO(syscall(SYS_openat2, AT_FDCWD, "file", &how, sizeof how), EINVAL);
    how = (struct open_how){.flags = O_RDONLY, .mode = 0644}; /* mode without O_CREAT */
    CHECK_ERRNO(syscall(SYS_openat2, AT_FDCWD, "file", &how, sizeof how), EINVAL);
    struct statx extended;
    CHECK_ERRNO(syscall(SYS_statx, AT_FDCWD, "file", 0x40000000, STATX_BASIC_STATS, &extended), EINVAL);
    CHECK_ERRNO(syscall(SYS_statx, AT_FDCWD, "file", 0, 0x80000000U, &extended), EINVAL);
    CHECK_ERRNO(syscall(SYS_open, "file", O_RDONLY | O_TMPFILE), EINVAL);
    CHECK_ERRNO(syscall(SYS_mknodat, AT_FDCWD, "node", 0xf000 | 0644, 0), EINVAL);
    CHECK_ERRNO(syscall(SYS_setxattr, "file", "user.x", "v", 1, 0x40), EINVAL);
    CHECK_ERRNO(syscall(SYS_setxattr, "file", "nonamespace", "v", 1, 0), EOPNOTSUPP);
}

static const struct test_case cases[] = {
    CASE_ENTRY(read_write_buffers),
    CASE_ENTRY(partial_buffers_stop_at_the_hole),
    CASE_ENTRY(iovec_pointers),
    CASE_ENTRY(stat_family),
    CASE_ENTRY(open_paths),
    CASE_ENTRY(system_information_outputs),
    CASE_ENTRY(time_pointers),
    CASE_ENTRY(signal_pointers),
    CASE_ENTRY(wait_status_pointers),
    CASE_ENTRY(pipe2_fd_array),
    CASE_ENTRY(futex_pointers),
    CASE_ENTRY(exec_pointers),
    CASE_ENTRY(polling_pointers),
    CASE_ENTRY(directory_and_xattr_pointers),
    CASE_ENTRY(bad_file_descriptors),
    CASE_ENTRY(bad_flags_on_fd_calls),
    CASE_ENTRY(bad_flags_on_path_calls),
};

int main(int argc, char** argv) {
    if (getenv("CONFORMANCE_USER_POINTERS_EXEC"))
        return 99; /* an execve that should have failed got through */
    g_use_tmpdir = true;
    return CONFORMANCE_MAIN("user_pointers", cases, argc, argv);
}
