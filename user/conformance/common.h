/*
 * Strix conformance suite — the test harness shared by every program.
 *
 * Each program is a list of cases. Every case runs in a forked child of its own
 * (its own process group, an alarm() deadline), so a crash, a hang or a stray signal
 * fails that case only, and a misbehaving kernel cannot stall the suite. The child
 * sends its verdict to the harness through a pipe; the harness prints exactly one line
 * per case:
 *     PASS <program>.<case>
 *     FAIL <program>.<case>: <reason with errno name>
 *     SKIP <program>.<case>: <why this environment cannot run it>
 * and finally `SUMMARY <program> passed=N failed=M skipped=K`; exit status 0 iff M == 0.
 *
 * Writing a case:
 *     CASE(name) { ... CHECK(cond, "fmt", ...); CHECK_ERRNO(expr, EINVAL); ... }
 * A case passes when it returns without FAIL/SKIP. The case process is a process-group
 * leader (so setsid() fails there: fork first). Processes a case forks report with
 * exit codes or with sub_fail(), which sends a FAIL verdict of their own.
 * Usage: <program> [-l] [case-name-substring ...]
 */
#ifndef STRIX_CONFORMANCE_COMMON_H
#define STRIX_CONFORMANCE_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- Names for errno values and signals, from the libc headers' own macros. ---- */

struct conformance_name {
    int value;
    const char* name;
};

// clang-format off
#define NAME_ENTRY(x) { x, #x }
static const struct conformance_name conformance_errno_names[] = {
    NAME_ENTRY(EPERM), NAME_ENTRY(ENOENT), NAME_ENTRY(ESRCH), NAME_ENTRY(EINTR), NAME_ENTRY(EIO),
    NAME_ENTRY(ENXIO), NAME_ENTRY(E2BIG), NAME_ENTRY(ENOEXEC), NAME_ENTRY(EBADF),
    NAME_ENTRY(ECHILD), NAME_ENTRY(EAGAIN), NAME_ENTRY(ENOMEM), NAME_ENTRY(EACCES),
    NAME_ENTRY(EFAULT), NAME_ENTRY(ENOTBLK), NAME_ENTRY(EBUSY), NAME_ENTRY(EEXIST),
    NAME_ENTRY(EXDEV), NAME_ENTRY(ENODEV), NAME_ENTRY(ENOTDIR), NAME_ENTRY(EISDIR),
    NAME_ENTRY(EINVAL), NAME_ENTRY(ENFILE), NAME_ENTRY(EMFILE), NAME_ENTRY(ENOTTY),
    NAME_ENTRY(ETXTBSY), NAME_ENTRY(EFBIG), NAME_ENTRY(ENOSPC), NAME_ENTRY(ESPIPE),
    NAME_ENTRY(EROFS), NAME_ENTRY(EMLINK), NAME_ENTRY(EPIPE), NAME_ENTRY(EDOM), NAME_ENTRY(ERANGE),
    NAME_ENTRY(EDEADLK), NAME_ENTRY(ENAMETOOLONG), NAME_ENTRY(ENOLCK), NAME_ENTRY(ENOSYS),
    NAME_ENTRY(ENOTEMPTY), NAME_ENTRY(ELOOP), NAME_ENTRY(ENOMSG), NAME_ENTRY(EIDRM),
    NAME_ENTRY(ECHRNG), NAME_ENTRY(EL2NSYNC), NAME_ENTRY(EL3HLT), NAME_ENTRY(EL3RST),
    NAME_ENTRY(ELNRNG), NAME_ENTRY(EUNATCH), NAME_ENTRY(ENOCSI), NAME_ENTRY(EL2HLT),
    NAME_ENTRY(EBADE), NAME_ENTRY(EBADR), NAME_ENTRY(EXFULL), NAME_ENTRY(ENOANO),
    NAME_ENTRY(EBADRQC), NAME_ENTRY(EBADSLT), NAME_ENTRY(EBFONT), NAME_ENTRY(ENOSTR),
    NAME_ENTRY(ENODATA), NAME_ENTRY(ETIME), NAME_ENTRY(ENOSR), NAME_ENTRY(ENONET),
    NAME_ENTRY(ENOPKG), NAME_ENTRY(EREMOTE), NAME_ENTRY(ENOLINK), NAME_ENTRY(EADV),
    NAME_ENTRY(ESRMNT), NAME_ENTRY(ECOMM), NAME_ENTRY(EPROTO), NAME_ENTRY(EMULTIHOP),
    NAME_ENTRY(EDOTDOT), NAME_ENTRY(EBADMSG), NAME_ENTRY(EOVERFLOW), NAME_ENTRY(ENOTUNIQ),
    NAME_ENTRY(EBADFD), NAME_ENTRY(EREMCHG), NAME_ENTRY(ELIBACC), NAME_ENTRY(ELIBBAD),
    NAME_ENTRY(ELIBSCN), NAME_ENTRY(ELIBMAX), NAME_ENTRY(ELIBEXEC), NAME_ENTRY(EILSEQ),
    NAME_ENTRY(ERESTART), NAME_ENTRY(ESTRPIPE), NAME_ENTRY(EUSERS), NAME_ENTRY(ENOTSOCK),
    NAME_ENTRY(EDESTADDRREQ), NAME_ENTRY(EMSGSIZE), NAME_ENTRY(EPROTOTYPE), NAME_ENTRY(ENOPROTOOPT),
    NAME_ENTRY(EPROTONOSUPPORT), NAME_ENTRY(ESOCKTNOSUPPORT), NAME_ENTRY(EOPNOTSUPP),
    NAME_ENTRY(EPFNOSUPPORT), NAME_ENTRY(EAFNOSUPPORT), NAME_ENTRY(EADDRINUSE),
    NAME_ENTRY(EADDRNOTAVAIL), NAME_ENTRY(ENETDOWN), NAME_ENTRY(ENETUNREACH), NAME_ENTRY(ENETRESET),
    NAME_ENTRY(ECONNABORTED), NAME_ENTRY(ECONNRESET), NAME_ENTRY(ENOBUFS), NAME_ENTRY(EISCONN),
    NAME_ENTRY(ENOTCONN), NAME_ENTRY(ESHUTDOWN), NAME_ENTRY(ETOOMANYREFS), NAME_ENTRY(ETIMEDOUT),
    NAME_ENTRY(ECONNREFUSED), NAME_ENTRY(EHOSTDOWN), NAME_ENTRY(EHOSTUNREACH), NAME_ENTRY(EALREADY),
    NAME_ENTRY(EINPROGRESS), NAME_ENTRY(ESTALE), NAME_ENTRY(EUCLEAN), NAME_ENTRY(ENOTNAM),
    NAME_ENTRY(ENAVAIL), NAME_ENTRY(EISNAM), NAME_ENTRY(EREMOTEIO), NAME_ENTRY(EDQUOT),
    NAME_ENTRY(ENOMEDIUM), NAME_ENTRY(EMEDIUMTYPE), NAME_ENTRY(ECANCELED), NAME_ENTRY(ENOKEY),
    NAME_ENTRY(EKEYEXPIRED), NAME_ENTRY(EKEYREVOKED), NAME_ENTRY(EKEYREJECTED),
    NAME_ENTRY(EOWNERDEAD), NAME_ENTRY(ENOTRECOVERABLE), NAME_ENTRY(ERFKILL), NAME_ENTRY(EHWPOISON),
};

static const struct conformance_name conformance_signal_names[] = {
    NAME_ENTRY(SIGHUP), NAME_ENTRY(SIGINT), NAME_ENTRY(SIGQUIT), NAME_ENTRY(SIGILL),
    NAME_ENTRY(SIGTRAP), NAME_ENTRY(SIGABRT), NAME_ENTRY(SIGBUS), NAME_ENTRY(SIGFPE),
    NAME_ENTRY(SIGKILL), NAME_ENTRY(SIGUSR1), NAME_ENTRY(SIGSEGV), NAME_ENTRY(SIGUSR2),
    NAME_ENTRY(SIGPIPE), NAME_ENTRY(SIGALRM), NAME_ENTRY(SIGTERM), NAME_ENTRY(SIGSTKFLT),
    NAME_ENTRY(SIGCHLD), NAME_ENTRY(SIGCONT), NAME_ENTRY(SIGSTOP), NAME_ENTRY(SIGTSTP),
    NAME_ENTRY(SIGTTIN), NAME_ENTRY(SIGTTOU), NAME_ENTRY(SIGURG), NAME_ENTRY(SIGXCPU),
    NAME_ENTRY(SIGXFSZ), NAME_ENTRY(SIGVTALRM), NAME_ENTRY(SIGPROF), NAME_ENTRY(SIGWINCH),
    NAME_ENTRY(SIGIO), NAME_ENTRY(SIGPWR), NAME_ENTRY(SIGSYS),
};
#undef NAME_ENTRY
// clang-format on

static const char* conformance_lookup(const struct conformance_name* table, size_t count, int value,
                                      char* fallback, size_t fallback_size, const char* prefix) {
    for (size_t i = 0; i < count; i++)
        if (table[i].value == value) return table[i].name;
    snprintf(fallback, fallback_size, "%s%d", prefix, value);
    return fallback;
}

/* Rotating buffers so that one message can name several unknown values. */
static char* conformance_scratch(void) {
    static char buffers[4][24];
    static unsigned next;
    return buffers[next++ % 4];
}

static const char* errno_name(int value) {
    if (value == 0) return "no error";
    return conformance_lookup(conformance_errno_names,
                              sizeof conformance_errno_names / sizeof conformance_errno_names[0], value,
                              conformance_scratch(), 24, "errno ");
}

static const char* signal_name(int value) {
    if (value >= SIGRTMIN && value <= SIGRTMAX) {
        char* buffer = conformance_scratch();
        snprintf(buffer, 24, "SIGRTMIN+%d", value - SIGRTMIN);
        return buffer;
    }
    return conformance_lookup(conformance_signal_names,
                              sizeof conformance_signal_names / sizeof conformance_signal_names[0], value,
                              conformance_scratch(), 24, "signal ");
}

/* ---- Verdicts ---- */

enum case_outcome { OUTCOME_PASS = 0, OUTCOME_FAIL = 1, OUTCOME_SKIP = 2 };

struct case_report {
    int outcome;
    char message[500];
};

enum case_flags {
    /* The harness normally adopts orphans (PR_SET_CHILD_SUBREAPER) so it can kill what a
     * case leaves behind; this flag lets orphans of the case go to init instead. */
    CASE_WITHOUT_SUBREAPER = 1,
};

struct test_case {
    const char* name;
    void (*run)(void);
    unsigned timeout_seconds;
    unsigned flags;
};

#define CONFORMANCE_DEFAULT_TIMEOUT 5

static const char* g_program = "?";
static unsigned g_timeout_scale = 1; /* CONFORMANCE_TIMEOUT_SCALE, for slow emulators */
static const char* g_case_name = "?";
static char g_self_path[PATH_MAX]; /* absolute path of this program, for re-exec */
static char g_tmp_root[PATH_MAX];  /* per-program scratch directory, if any */
static bool g_use_tmpdir;          /* set by a program before conformance_main() */
static int g_report_fd = -1;       /* pipe to the harness, in case processes */
static pid_t g_case_pid;           /* the case process itself (not its children) */
static pid_t g_harness_pid;
static struct case_report g_report;

static void case_record(int outcome, const char* format, va_list args) {
    if (g_report.outcome == OUTCOME_FAIL) return; /* the first failure is the one worth reading */
    if (g_report.outcome == OUTCOME_SKIP && outcome != OUTCOME_FAIL) return;
    g_report.outcome = outcome;
    vsnprintf(g_report.message, sizeof g_report.message, format, args);
}

__attribute__((format(printf, 1, 2))) static void case_fail(const char* format, ...) {
    va_list args;
    va_start(args, format);
    case_record(OUTCOME_FAIL, format, args);
    va_end(args);
}

__attribute__((format(printf, 1, 2))) static void case_skip(const char* format, ...) {
    va_list args;
    va_start(args, format);
    case_record(OUTCOME_SKIP, format, args);
    va_end(args);
}

/* For a process forked by a case: send a FAIL verdict of its own, then exit(1). */
__attribute__((format(printf, 1, 2), noreturn)) static void sub_fail(const char* format, ...) {
    struct case_report report = {.outcome = OUTCOME_FAIL};
    int length = snprintf(report.message, sizeof report.message, "[child %d] ", (int)getpid());
    va_list args;
    va_start(args, format);
    vsnprintf(report.message + length, sizeof report.message - (size_t)length, format, args);
    va_end(args);
    if (g_report_fd >= 0) (void)!write(g_report_fd, &report, sizeof report);
    _exit(1);
}

#define FAIL(...)               \
    do {                        \
        case_fail(__VA_ARGS__); \
        return;                 \
    } while (0)
#define SKIP(...)               \
    do {                        \
        case_skip(__VA_ARGS__); \
        return;                 \
    } while (0)
#define CHECK(condition, ...)                \
    do {                                     \
        if (!(condition)) FAIL(__VA_ARGS__); \
    } while (0)

/* `expr` must not fail (return -1 / negative); yields its value. */
#define CHECK_OK(expr)                                                            \
    ({                                                                            \
        errno = 0;                                                                \
        long check_ok_result = (long)(expr);                                      \
        if (check_ok_result < 0) FAIL("%s failed: %s", #expr, errno_name(errno)); \
        check_ok_result;                                                          \
    })

/* `expr` must fail with -1 and errno == expected. */
#define CHECK_ERRNO(expr, expected)                                                          \
    do {                                                                                     \
        errno = 0;                                                                           \
        long check_result = (long)(expr);                                                    \
        int check_errno = errno;                                                             \
        if (check_result != -1 || check_errno != (expected))                                 \
            FAIL("%s: expected %s, got %ld (%s)", #expr, errno_name(expected), check_result, \
                 check_result == -1 ? errno_name(check_errno) : "success");                  \
    } while (0)

/* `expr` returns an error number directly (pthread_*, posix_*): must equal expected. */
#define CHECK_RETURNS(expr, expected)                                                                  \
    do {                                                                                               \
        int check_value = (int)(expr);                                                                 \
        if (check_value != (expected))                                                                 \
            FAIL("%s returned %s, expected %s", #expr, errno_name(check_value), errno_name(expected)); \
    } while (0)

/* In a forked helper process: exit with a failure message unless condition holds. */
#define SUB_CHECK(condition, ...)                \
    do {                                         \
        if (!(condition)) sub_fail(__VA_ARGS__); \
    } while (0)

/* ---- Helpers for cases ---- */

static long long clock_ns(clockid_t clock) {
    struct timespec now;
    clock_gettime(clock, &now);
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

static long long monotonic_ns(void) { return clock_ns(CLOCK_MONOTONIC); }

static void sleep_ms(long milliseconds) {
    struct timespec request = {milliseconds / 1000, (milliseconds % 1000) * 1000000L};
    while (nanosleep(&request, &request) == -1 && errno == EINTR) {
    }
}

static bool running_as_root(void) { return geteuid() == 0; }

/* A uid no other process uses, so per-user limits (RLIMIT_NPROC) see only ours. */
static uid_t unprivileged_uid(void) { return 40000 + (uid_t)(getpid() % 20000); }

/* Become an ordinary user: no supplementary groups, all uids/gids replaced. */
static int drop_privileges(uid_t uid) {
    if (setgroups(0, NULL) != 0) return -1;
    if (setresgid(uid, uid, uid) != 0) return -1;
    return setresuid(uid, uid, uid);
}

static const char* describe_status(int status) {
    static char text[80];
    if (WIFEXITED(status))
        snprintf(text, sizeof text, "exited with %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(text, sizeof text, "killed by %s%s", signal_name(WTERMSIG(status)),
                 WCOREDUMP(status) ? " (core)" : "");
    else if (WIFSTOPPED(status))
        snprintf(text, sizeof text, "stopped by %s", signal_name(WSTOPSIG(status)));
    else
        snprintf(text, sizeof text, "status 0x%x", status);
    return text;
}

/* waitpid() retrying EINTR; returns the status or -1 (errno set). */
static int wait_status(pid_t pid) {
    int status;
    pid_t result;
    do result = waitpid(pid, &status, __WALL);
    while (result == -1 && errno == EINTR);
    return result == pid ? status : -1;
}

/* Wait for pid; FAIL the case unless it exited with `code`. */
#define CHECK_EXIT(pid, code)                                                           \
    do {                                                                                \
        int check_status = wait_status(pid);                                            \
        if (check_status == -1) FAIL("waitpid(%d): %s", (int)(pid), errno_name(errno)); \
        if (!WIFEXITED(check_status) || WEXITSTATUS(check_status) != (code))            \
            FAIL("child %s, expected exit %d", describe_status(check_status), (code));  \
    } while (0)

static int write_file(const char* path, const void* data, size_t length, mode_t mode) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return -1;
    ssize_t written = write(fd, data, length);
    int saved = errno;
    close(fd);
    errno = saved;
    return written == (ssize_t)length ? 0 : -1;
}

/* Reads up to size-1 bytes and terminates them; returns the length or -1. */
static ssize_t read_file(const char* path, char* buffer, size_t size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t total = 0;
    while (total + 1 < size) {
        ssize_t got = read(fd, buffer + total, size - 1 - total);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        total += (size_t)got;
    }
    close(fd);
    buffer[total] = 0;
    return (ssize_t)total;
}

/* Waits (up to 5 s) until `pid` sleeps in the kernel ('S' in /proc/<pid>/stat); false if
 * it never does or /proc is missing. For signalling a process only once it has blocked. */
static bool wait_until_sleeping(pid_t pid) {
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    for (int attempt = 0; attempt < 500; attempt++) {
        if (read_file(path, text, sizeof text) <= 0) return false;
        char* after_name = strrchr(text, ')');
        if (after_name && after_name[1] == ' ' && after_name[2] == 'S') return true;
        sleep_ms(10);
    }
    return false;
}

/* A page that is guaranteed unmapped: mapped, then unmapped again. */
static void* unmapped_address(void) {
    void* page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(page, 4096);
    return page;
}

/* Dies of SIGSEGV (SEGV_MAPERR at address 16) unless a handler intervenes. */
static void write_to_unmapped_page_zero(void) {
    volatile int* volatile pointer = (volatile int*)16;
    *pointer = 1;
}

#define KERNEL_HALF_ADDRESS ((void*)0xffff800000000000UL)
#define VSYSCALL_ADDRESS ((void*)0xffffffffff600000UL)

/* ---- The harness ---- */

static volatile sig_atomic_t g_harness_alarm;
static void harness_on_alarm(int signal_number) {
    (void)signal_number;
    g_harness_alarm = 1;
}

static void remove_tree(int parent_fd, const char* name) {
    int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        DIR* directory = fdopendir(fd);
        struct dirent* entry;
        while (directory && (entry = readdir(directory)) != NULL) {
            if (strcmp(entry->d_name, ".") && strcmp(entry->d_name, "..")) remove_tree(fd, entry->d_name);
        }
        if (directory)
            closedir(directory);
        else
            close(fd);
        unlinkat(parent_fd, name, AT_REMOVEDIR);
    } else {
        unlinkat(parent_fd, name, 0);
    }
}

/* Pids of the harness's living children, from procfs; returns how many were found. */
static int harness_children(pid_t* children, int capacity) {
    char path[64], text[4096];
    int count = 0;
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)g_harness_pid, (int)g_harness_pid);
    if (read_file(path, text, sizeof text) >= 0) {
        char* cursor = text;
        while (count < capacity && *cursor) {
            char* end;
            long pid = strtol(cursor, &end, 10);
            if (end == cursor) break;
            children[count++] = (pid_t)pid;
            cursor = end;
        }
        return count;
    }
    DIR* proc = opendir("/proc"); /* no "children" file: scan every process */
    struct dirent* entry;
    while (proc && count < capacity && (entry = readdir(proc)) != NULL) {
        if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
        snprintf(path, sizeof path, "/proc/%s/stat", entry->d_name);
        if (read_file(path, text, sizeof text) <= 0) continue;
        char* after_name = strrchr(text, ')');
        char state;
        int parent;
        if (after_name && sscanf(after_name + 1, " %c %d", &state, &parent) == 2 && parent == g_harness_pid)
            children[count++] = (pid_t)atoi(entry->d_name);
    }
    if (proc) closedir(proc);
    return count;
}

/* Kills and reaps whatever a case left behind (adopted by the harness as subreaper). */
static void harness_reap_leftovers(void) {
    for (int round = 0; round < 100; round++) {
        while (waitpid(-1, NULL, WNOHANG) > 0) {
        }
        pid_t children[256];
        int count = harness_children(children, 256);
        if (count <= 0) return;
        for (int i = 0; i < count; i++) kill(children[i], SIGKILL);
        sleep_ms(10);
    }
}

static void case_finish(void) {
    if (getpid() != g_case_pid) _exit(125); /* a forked helper fell out of its case: never report for it */
    if (write(g_report_fd, &g_report, sizeof g_report) != (ssize_t)sizeof g_report) _exit(124);
    _exit(0);
}

static void run_case_in_child(const struct test_case* test, int report_fd) {
    g_report_fd = report_fd;
    g_case_pid = getpid();
    g_case_name = test->name;
    setpgid(0, 0);
    /* Cases print nothing: their stdin/stdout go to /dev/null so that a stray process
     * can never hold the harness's output pipe open (ctest and tee wait for EOF). */
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd >= 0) {
        dup2(null_fd, 0);
        dup2(null_fd, 1);
        close(null_fd);
    }
    signal(SIGALRM, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    alarm(test->timeout_seconds * g_timeout_scale);
    if (g_use_tmpdir) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", g_tmp_root, test->name);
        if (mkdir(path, 0755) != 0 || chdir(path) != 0) {
            case_fail("cannot create case directory %s: %s", path, errno_name(errno));
            case_finish();
        }
    }
    test->run();
    case_finish();
}

/* Returns the outcome and prints the case's line. */
static int run_case(const struct test_case* test) {
    struct case_report report = {.outcome = OUTCOME_FAIL};
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
        printf("FAIL %s.%s: harness pipe2: %s\n", g_program, test->name, errno_name(errno));
        fflush(stdout);
        return OUTCOME_FAIL;
    }
    fflush(stdout);
    fflush(stderr);
    if (test->flags & CASE_WITHOUT_SUBREAPER) prctl(PR_SET_CHILD_SUBREAPER, 0);
    pid_t child = fork();
    if (child == 0) {
        close(pipe_fds[0]);
        run_case_in_child(test, pipe_fds[1]);
    }
    close(pipe_fds[1]);
    if (child < 0) {
        printf("FAIL %s.%s: harness fork: %s\n", g_program, test->name, errno_name(errno));
        fflush(stdout);
        close(pipe_fds[0]);
        return OUTCOME_FAIL;
    }
    setpgid(child, child);
    fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);

    g_harness_alarm = 0;
    alarm(test->timeout_seconds * g_timeout_scale + 3);
    int status = 0;
    bool timed_out = false;
    for (;;) {
        pid_t result = waitpid(child, &status, 0);
        if (result == child) break;
        if (result == -1 && errno == EINTR && g_harness_alarm) {
            timed_out = true;
            kill(-child, SIGKILL);
            kill(child, SIGKILL);
            g_harness_alarm = 0;
            alarm(5);
            continue;
        }
        if (result == -1 && errno != EINTR) {
            status = -1;
            break;
        }
    }
    alarm(0);
    kill(-child, SIGKILL); /* leftovers of the case in its process group */
    harness_reap_leftovers();
    prctl(PR_SET_CHILD_SUBREAPER, 1);

    /* Verdicts in the pipe: helpers' FAIL verdicts first, then the case's own. */
    bool have_report = false;
    struct case_report incoming;
    while (read(pipe_fds[0], &incoming, sizeof incoming) == (ssize_t)sizeof incoming) {
        incoming.message[sizeof incoming.message - 1] = 0;
        if (!have_report || (report.outcome != OUTCOME_FAIL && incoming.outcome == OUTCOME_FAIL))
            report = incoming;
        have_report = true;
    }
    close(pipe_fds[0]);

    if (timed_out || (status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)) {
        report.outcome = OUTCOME_FAIL;
        snprintf(report.message, sizeof report.message,
                 "timed out after %u s (hung in the kernel or a lost wake-up)%s%s",
                 test->timeout_seconds * g_timeout_scale, have_report ? "; earlier: " : "",
                 have_report ? incoming.message : "");
    } else if (!have_report) {
        report.outcome = OUTCOME_FAIL;
        if (status == -1)
            snprintf(report.message, sizeof report.message, "harness waitpid: %s", errno_name(errno));
        else
            snprintf(report.message, sizeof report.message, "case process %s without a verdict",
                     describe_status(status));
    }

    if (report.outcome == OUTCOME_PASS)
        printf("PASS %s.%s\n", g_program, test->name);
    else
        printf("%s %s.%s: %s\n", report.outcome == OUTCOME_FAIL ? "FAIL" : "SKIP", g_program, test->name,
               report.message);
    fflush(stdout);
    return report.outcome;
}

static void resolve_self_path(const char* argv0) {
    ssize_t length = readlink("/proc/self/exe", g_self_path, sizeof g_self_path - 1);
    if (length > 0) {
        g_self_path[length] = 0;
        return;
    }
    if (argv0[0] == '/') {
        snprintf(g_self_path, sizeof g_self_path, "%s", argv0);
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd)) cwd[0] = 0;
        snprintf(g_self_path, sizeof g_self_path, "%s/%s", cwd, argv0);
    }
}

static bool case_selected(const char* name, int argc, char** argv) {
    bool any_filter = false;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-') continue;
        any_filter = true;
        if (strstr(name, argv[i])) return true;
    }
    return !any_filter;
}

static int conformance_main(const char* program, const struct test_case* cases, size_t count, int argc,
                            char** argv) {
    g_program = program;
    g_harness_pid = getpid();
    const char* scale = getenv("CONFORMANCE_TIMEOUT_SCALE");
    if (scale && atoi(scale) > 0) g_timeout_scale = (unsigned)atoi(scale);
    resolve_self_path(argv[0]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-l") == 0) {
            for (size_t c = 0; c < count; c++) printf("%s.%s\n", program, cases[c].name);
            return 0;
        }
    }

    prctl(PR_SET_CHILD_SUBREAPER, 1); /* orphans of cases come to us, to be killed */
    struct sigaction on_alarm = {.sa_handler = harness_on_alarm};
    sigaction(SIGALRM, &on_alarm, NULL); /* no SA_RESTART: interrupts waitpid */
    signal(SIGPIPE, SIG_DFL);

    int passed = 0, failed = 0, skipped = 0;
    if (g_use_tmpdir) {
        /* CONFORMANCE_TMPDIR picks another file system to test (default /tmp). */
        const char* base = getenv("CONFORMANCE_TMPDIR");
        snprintf(g_tmp_root, sizeof g_tmp_root, "%s/conformance-%s-XXXXXX", base ? base : "/tmp", program);
        if (!mkdtemp(g_tmp_root) || chmod(g_tmp_root, 0755) != 0) {
            printf("FAIL %s.setup: mkdtemp(%s): %s\n", program, g_tmp_root, errno_name(errno));
            printf("SUMMARY %s passed=0 failed=1 skipped=0\n", program);
            return 1;
        }
    }
    for (size_t i = 0; i < count; i++) {
        if (!case_selected(cases[i].name, argc, argv)) continue;
        switch (run_case(&cases[i])) {
            case OUTCOME_PASS: passed++; break;
            case OUTCOME_SKIP: skipped++; break;
            default: failed++; break;
        }
    }
    if (g_use_tmpdir) remove_tree(AT_FDCWD, g_tmp_root);
    printf("SUMMARY %s passed=%d failed=%d skipped=%d\n", program, passed, failed, skipped);
    fflush(stdout);
    return failed ? 1 : 0;
}

#define CASE(name) static void conformance_case_##name(void)
#define CASE_ENTRY(name) \
    { #name, conformance_case_##name, CONFORMANCE_DEFAULT_TIMEOUT, 0 }
#define CASE_ENTRY_TIMEOUT(name, seconds) \
    { #name, conformance_case_##name, seconds, 0 }
#define CASE_ENTRY_FLAGS(name, flags) \
    { #name, conformance_case_##name, CONFORMANCE_DEFAULT_TIMEOUT, flags }
#define CONFORMANCE_MAIN(program, cases, argc, argv) \
    conformance_main(program, cases, sizeof cases / sizeof cases[0], argc, argv)

#endif
