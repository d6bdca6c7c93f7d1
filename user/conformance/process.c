/*
 * Strix conformance suite — process: fork/vfork/clone/clone3, exit statuses, wait4 and
 * waitid in all their modes, orphans and reapers, process groups and sessions, user and
 * group ids, prctl, RLIMIT_NPROC, and the scheduler queries.
 */
#include <elf.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/procfs.h>
#include <sys/resource.h>

#include "common.h"

static pid_t fork_exit(int code) {
    pid_t child = fork();
    if (child == 0) _exit(code);
    return child;
}

/* A child that waits to be killed. */
static pid_t fork_pause(void) {
    pid_t child = fork();
    if (child == 0) {
        for (;;) pause();
    }
    return child;
}

CASE(exit_status_values) {
    static const int codes[] = {0, 1, 42, 255, 256, 0x1ff};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        pid_t child = fork_exit(codes[i]);
        CHECK(child > 0, "fork: %s", errno_name(errno));
        CHECK_EXIT(child, codes[i] & 0xff);
    }
}

CASE(killed_by_signal_status) {
    static const int signals[] = {SIGKILL, SIGTERM, SIGUSR1, SIGHUP};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        pid_t child = fork_pause();
        CHECK(child > 0, "fork: %s", errno_name(errno));
        CHECK_OK(kill(child, signals[i]));
        int status = wait_status(child);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == signals[i] && !WCOREDUMP(status),
              "child sent %s: %s", signal_name(signals[i]), describe_status(status));
    }
}

/* SIGSEGV and SIGABRT kill with a core dump; when none is written the core bit stays
 * clear. RLIMIT_CORE 0 alone is not enough: Linux still pipes a dump to a core_pattern
 * helper (systemd-coredump, apport), so the child also makes itself non-dumpable. */
CASE(core_signals_without_dump) {
    for (int which = 0; which < 2; which++) {
        pid_t child = fork();
        CHECK(child >= 0, "fork: %s", errno_name(errno));
        if (child == 0) {
            struct rlimit none = {0, 0};
            setrlimit(RLIMIT_CORE, &none);
            prctl(PR_SET_DUMPABLE, 0);
            if (which == 0) write_to_unmapped_page_zero();
            abort();
        }
        int expected = which == 0 ? SIGSEGV : SIGABRT;
        int status = wait_status(child);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == expected && !WCOREDUMP(status),
              "expected killed by %s without core: %s", signal_name(expected), describe_status(status));
    }
}

/* ---- Core files ---- */

/* The core file's name for `pid` under the configured core_pattern, or NULL (with `why`)
 * when the pattern is one these cases do not exercise: a helper pipe, another directory,
 * or specifiers other than %p and %%. */
static const char* core_file_name(pid_t pid, char* name, size_t size, const char** why) {
    static char reason[200];
    char pattern[256] = "", uses_pid[16] = "0";
    *why = reason;
    if (read_file("/proc/sys/kernel/core_pattern", pattern, sizeof pattern) <= 0) {
        snprintf(reason, sizeof reason, "no /proc/sys/kernel/core_pattern: core dumps not configured");
        return NULL;
    }
    pattern[strcspn(pattern, "\n")] = 0;
    if (pattern[0] == '|' || strchr(pattern, '/')) {
        snprintf(reason, sizeof reason, "core_pattern \"%s\" pipes to a helper or writes elsewhere: not ours to exercise",
                 pattern);
        return NULL;
    }
    read_file("/proc/sys/kernel/core_uses_pid", uses_pid, sizeof uses_pid);
    size_t used = 0;
    bool pid_in_pattern = false;
    for (const char* p = pattern; *p && used + 24 < size; p++) {
        if (*p != '%') {
            name[used++] = *p;
            continue;
        }
        p++;
        if (*p == '%') {
            name[used++] = '%';
        } else if (*p == 'p') {
            used += (size_t)snprintf(name + used, size - used, "%d", (int)pid);
            pid_in_pattern = true;
        } else {
            snprintf(reason, sizeof reason, "core_pattern \"%s\" has specifiers this case does not expand", pattern);
            return NULL;
        }
    }
    name[used] = 0;
    if (atoi(uses_pid) != 0 && !pid_in_pattern) snprintf(name + used, size - used, ".%d", (int)pid);
    return name;
}

/* A child that makes itself dumpable with RLIMIT_CORE `limit` (capped by the hard limit;
 * exit 77 when that is below `needed`) and dies of SIGSEGV. Returns its pid. */
static pid_t fork_segfault(rlim_t limit, rlim_t needed) {
    pid_t child = fork();
    if (child == 0) {
        struct rlimit current;
        getrlimit(RLIMIT_CORE, &current);
        if (current.rlim_max != RLIM_INFINITY && current.rlim_max < needed)
            _exit(77); /* a container's hard limit forbids the dump */
        current.rlim_cur = limit == RLIM_INFINITY ? current.rlim_max : limit;
        setrlimit(RLIMIT_CORE, &current);
        prctl(PR_SET_DUMPABLE, 1);
        write_to_unmapped_page_zero();
        _exit(0);
    }
    return child;
}

/* Checks an ELF core file: ET_CORE for x86_64, with (`whole`) a PT_NOTE holding
 * `expected_threads` NT_PRSTATUS notes, the first naming `pid`, all with SIGSEGV.
 * Returns NULL when it is right, else what is wrong. */
static const char* check_core_file(const char* path, pid_t pid, bool whole, int expected_threads) {
    static char problem[160];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(problem, sizeof problem, "open(%s): %s", path, errno_name(errno));
        return problem;
    }
    const char* verdict = NULL;
    Elf64_Ehdr header;
    char* notes = NULL;
    if (pread(fd, &header, sizeof header, 0) != (ssize_t)sizeof header || memcmp(header.e_ident, ELFMAG, SELFMAG) ||
        header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_type != ET_CORE || header.e_machine != EM_X86_64) {
        verdict = "not an ELF64 x86_64 ET_CORE file";
        goto out;
    }
    if (!whole) goto out;
    Elf64_Phdr note = {0};
    for (int i = 0; i < header.e_phnum; i++) {
        Elf64_Phdr phdr;
        if (pread(fd, &phdr, sizeof phdr, (off_t)(header.e_phoff + (size_t)i * header.e_phentsize)) != sizeof phdr)
            break;
        if (phdr.p_type == PT_NOTE) {
            note = phdr;
            break;
        }
    }
    if (!note.p_filesz || note.p_filesz > (1 << 20) || !(notes = malloc(note.p_filesz)) ||
        pread(fd, notes, note.p_filesz, (off_t)note.p_offset) != (ssize_t)note.p_filesz) {
        verdict = "no readable PT_NOTE";
        goto out;
    }
    /* One NT_PRSTATUS per thread, the dumping thread's first; all carry the signal. */
    int threads = 0;
    for (size_t at = 0; at + sizeof(Elf64_Nhdr) <= note.p_filesz;) {
        Elf64_Nhdr nhdr;
        memcpy(&nhdr, notes + at, sizeof nhdr);
        size_t desc = at + sizeof nhdr + ((nhdr.n_namesz + 3) & ~3u);
        if (desc + nhdr.n_descsz > note.p_filesz) break;
        if (nhdr.n_type == NT_PRSTATUS && nhdr.n_namesz == 5 && !memcmp(notes + at + sizeof nhdr, "CORE", 5) &&
            nhdr.n_descsz >= sizeof(struct elf_prstatus)) {
            struct elf_prstatus status;
            memcpy(&status, notes + desc, sizeof status);
            if ((threads == 0 && status.pr_pid != pid) || status.pr_cursig != SIGSEGV) {
                snprintf(problem, sizeof problem, "NT_PRSTATUS %d says pid %d signal %d, expected %s%d and SIGSEGV",
                         threads, (int)status.pr_pid, status.pr_cursig, threads ? "any, not " : "", (int)pid);
                verdict = problem;
                goto out;
            }
            threads++;
        }
        at = desc + ((nhdr.n_descsz + 3) & ~3u);
    }
    if (threads != expected_threads) {
        snprintf(problem, sizeof problem, "%d NT_PRSTATUS notes, expected %d", threads, expected_threads);
        verdict = problem;
    }
out:
    free(notes);
    close(fd);
    return verdict;
}

CASE(core_bit_when_dumped) {
    char name[300];
    const char* why;
    if (!core_file_name(getpid(), name, sizeof name, &why)) SKIP("%s", why);
    CHECK_OK(chmod(".", 0777));
    pid_t child = fork_segfault(RLIM_INFINITY, 64 << 20);
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    int status = wait_status(child);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
        SKIP("the hard RLIMIT_CORE is too small for a core dump");
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV && WCOREDUMP(status),
          "expected killed by SIGSEGV with core: %s", describe_status(status));
    /* The file, in the dying process's working directory: mode 0600, its owner's. */
    core_file_name(child, name, sizeof name, &why);
    struct stat st;
    CHECK(stat(name, &st) == 0, "stat(%s) after the dump: %s", name, errno_name(errno));
    CHECK(S_ISREG(st.st_mode) && (st.st_mode & 0777) == (0600 & ~(mode_t)022) && st.st_uid == geteuid(),
          "core file %s: mode 0%o uid %d", name, (unsigned)st.st_mode, (int)st.st_uid);
    const char* problem = check_core_file(name, child, true, 1);
    CHECK(!problem, "core file %s: %s", name, problem);
    unlink(name);
}

static int g_core_pipe[2];

static void* crash_in_thread(void* unused) {
    (void)unused;
    pid_t tid = (pid_t)syscall(SYS_gettid);
    if (write(g_core_pipe[1], &tid, sizeof tid) != sizeof tid) _exit(3);
    write_to_unmapped_page_zero();
    return NULL;
}

static void* spin_forever(void* unused) {
    (void)unused;
    for (;;) sched_yield();
    return NULL;
}

/* A thread of a three-thread process crashes while one sleeps and one yields: the core
 * has all three, the crashing thread's first. */
CASE(core_of_threaded_process) {
    char name[300];
    const char* why;
    if (!core_file_name(getpid(), name, sizeof name, &why)) SKIP("%s", why);
    CHECK_OK(chmod(".", 0777));
    CHECK_OK(pipe(g_core_pipe));
    pid_t child = fork();
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    if (child == 0) {
        struct rlimit limit;
        getrlimit(RLIMIT_CORE, &limit);
        if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < (64 << 20)) _exit(77);
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_CORE, &limit);
        prctl(PR_SET_DUMPABLE, 1);
        pthread_t spinner, crasher;
        if (pthread_create(&spinner, NULL, spin_forever, NULL) != 0) _exit(2);
        usleep(20000);
        if (pthread_create(&crasher, NULL, crash_in_thread, NULL) != 0) _exit(2);
        for (;;) pause();
    }
    close(g_core_pipe[1]);
    pid_t crashing_tid = 0;
    ssize_t got = read(g_core_pipe[0], &crashing_tid, sizeof crashing_tid);
    close(g_core_pipe[0]);
    int status = wait_status(child);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) SKIP("the hard RLIMIT_CORE is too small for a core dump");
    CHECK(got == sizeof crashing_tid, "the crashing thread did not report its id");
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV && WCOREDUMP(status),
          "expected killed by SIGSEGV with core: %s", describe_status(status));
    core_file_name(child, name, sizeof name, &why);
    const char* problem = check_core_file(name, crashing_tid, true, 3);
    CHECK(!problem, "core file %s: %s", name, problem);
    unlink(name);
}

/* RLIMIT_CORE 0 with a file pattern: no file, and so no core bit. */
CASE(no_core_file_at_limit_zero) {
    char name[300];
    const char* why;
    if (!core_file_name(getpid(), name, sizeof name, &why)) SKIP("%s", why);
    pid_t child = fork_segfault(0, 0);
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    int status = wait_status(child);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV && !WCOREDUMP(status),
          "expected killed by SIGSEGV without core: %s", describe_status(status));
    core_file_name(child, name, sizeof name, &why);
    CHECK(access(name, F_OK) != 0 && errno == ENOENT, "a core file %s appeared at RLIMIT_CORE 0", name);
}

/* A limit of a few pages: the file stops where the limit falls (with Linux's large
 * NT_X86_XSTATE notes that can be inside the notes), yet it counts as a dump. */
CASE(core_file_truncated_at_limit) {
    char name[300];
    const char* why;
    if (!core_file_name(getpid(), name, sizeof name, &why)) SKIP("%s", why);
    CHECK_OK(chmod(".", 0777));
    const rlim_t limit = 3 * 4096;
    pid_t child = fork_segfault(limit, limit);
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    int status = wait_status(child);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) SKIP("the hard RLIMIT_CORE is too small");
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV && WCOREDUMP(status),
          "expected killed by SIGSEGV with core: %s", describe_status(status));
    core_file_name(child, name, sizeof name, &why);
    struct stat st;
    CHECK(stat(name, &st) == 0, "stat(%s): %s", name, errno_name(errno));
    CHECK(st.st_size > 0 && st.st_size <= (off_t)limit, "core file of %lld bytes under a limit of %lld",
          (long long)st.st_size, (long long)limit);
    const char* problem = check_core_file(name, child, false, 0);
    CHECK(!problem, "core file %s: %s", name, problem);
    unlink(name);
}

CASE(wait4_rusage_and_errors) {
    CHECK_ERRNO(wait4(-1, NULL, WNOHANG, NULL), ECHILD);
    CHECK_ERRNO(waitpid(1, NULL, WNOHANG), ECHILD);
    CHECK_ERRNO(syscall(SYS_wait4, -1, NULL, 0x00100000 | WNOHANG, NULL), EINVAL);
    CHECK_ERRNO(syscall(SYS_wait4, -1, NULL, WEXITED, NULL), EINVAL);
    CHECK_ERRNO(syscall(SYS_wait4, -1, NULL, WNOWAIT, NULL), EINVAL);
    pid_t child = fork();
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    if (child == 0) {
        volatile char* memory =
            mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        for (size_t offset = 0; memory != MAP_FAILED && offset < (4 << 20); offset += 4096)
            memory[offset] = 1;
        _exit(7);
    }
    struct rusage usage;
    memset(&usage, 0, sizeof usage);
    int status;
    CHECK(wait4(child, &status, 0, &usage) == child, "wait4: %s", errno_name(errno));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7, "%s", describe_status(status));
    CHECK(usage.ru_maxrss >= 1024, "child's ru_maxrss %ld KiB after touching 4 MiB", usage.ru_maxrss);
    CHECK(usage.ru_minflt > 0, "child's ru_minflt is 0");
}

CASE(wait_nohang_and_any_order) {
    pid_t sleeper = fork_pause();
    CHECK(sleeper > 0, "fork: %s", errno_name(errno));
    CHECK(waitpid(sleeper, NULL, WNOHANG) == 0, "WNOHANG on a running child did not return 0");
    kill(sleeper, SIGKILL);
    wait_status(sleeper);
    pid_t children[5];
    for (int i = 0; i < 5; i++) {
        children[i] = fork_exit(10 + i);
        CHECK(children[i] > 0, "fork: %s", errno_name(errno));
    }
    int seen = 0;
    for (int reaped = 0; reaped < 5; reaped++) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        CHECK(pid > 0, "waitpid(-1): %s", errno_name(errno));
        int index = -1;
        for (int i = 0; i < 5; i++)
            if (children[i] == pid) index = i;
        CHECK(index >= 0 && !(seen & (1 << index)), "waitpid returned unknown or repeated pid %d", (int)pid);
        seen |= 1 << index;
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 10 + index, "child %d: %s", index,
              describe_status(status));
    }
    CHECK_ERRNO(waitpid(-1, NULL, 0), ECHILD);
}

CASE(waitpid_by_process_group) {
    pid_t in_group = fork();
    CHECK(in_group >= 0, "fork: %s", errno_name(errno));
    if (in_group == 0) {
        setpgid(0, 0);
        sleep_ms(100);
        _exit(3);
    }
    setpgid(in_group, in_group);
    pid_t other = fork_exit(4);
    CHECK(waitpid(-in_group, NULL, WNOHANG) == 0, "child of the group is still running");
    int status;
    CHECK(waitpid(-in_group, &status, 0) == in_group, "waitpid(-pgid) did not reap the group's child");
    CHECK(WEXITSTATUS(status) == 3, "%s", describe_status(status));
    CHECK(waitpid(0, &status, 0) == other, "waitpid(0) did not reap the child in our group");
}

CASE(waitid_exited_fields) {
    pid_t child = fork_exit(9);
    CHECK(child > 0, "fork: %s", errno_name(errno));
    siginfo_t info;
    memset(&info, 0, sizeof info);
    CHECK_OK(waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT));
    CHECK(info.si_pid == child && info.si_code == CLD_EXITED && info.si_status == 9,
          "WNOWAIT siginfo pid %d code %d status %d", (int)info.si_pid, info.si_code, info.si_status);
    memset(&info, 0, sizeof info);
    CHECK_OK(waitid(P_ALL, 0, &info, WEXITED));
    CHECK(info.si_signo == SIGCHLD, "si_signo %d", info.si_signo);
    CHECK(info.si_pid == child, "si_pid %d, expected %d (WNOWAIT must leave it waitable)", (int)info.si_pid,
          (int)child);
    CHECK(info.si_uid == getuid(), "si_uid %d", (int)info.si_uid);
    CHECK(info.si_code == CLD_EXITED && info.si_status == 9, "code %d status %d", info.si_code,
          info.si_status);
    CHECK_ERRNO(waitid(P_PID, (id_t)child, &info, WEXITED), ECHILD);
}

CASE(waitid_killed_pgid_and_errors) {
    pid_t child = fork_pause();
    CHECK(child > 0, "fork: %s", errno_name(errno));
    setpgid(child, child);
    siginfo_t info;
    memset(&info, 0xff, sizeof info);
    CHECK_OK(waitid(P_PID, (id_t)child, &info, WEXITED | WNOHANG));
    CHECK(info.si_pid == 0, "WNOHANG without a waitable child left si_pid %d (Linux zeroes it)",
          (int)info.si_pid);
    kill(child, SIGTERM);
    memset(&info, 0, sizeof info);
    CHECK_OK(waitid(P_PGID, (id_t)child, &info, WEXITED));
    CHECK(info.si_pid == child && info.si_code == CLD_KILLED && info.si_status == SIGTERM,
          "pid %d code %d status %d", (int)info.si_pid, info.si_code, info.si_status);
    CHECK_ERRNO(waitid(P_ALL, 0, &info, 0), EINVAL);
    CHECK_ERRNO(waitid((idtype_t)42, 0, &info, WEXITED), EINVAL);
    CHECK_ERRNO(waitid(P_PID, (id_t)getpid(), &info, WEXITED), ECHILD);
}

CASE(stop_and_continue_reported) {
    pid_t child = fork_pause();
    CHECK(child > 0, "fork: %s", errno_name(errno));
    CHECK_OK(kill(child, SIGSTOP));
    int status;
    CHECK(waitpid(child, &status, WUNTRACED) == child, "waitpid WUNTRACED: %s", errno_name(errno));
    CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP, "%s", describe_status(status));
    CHECK(waitpid(child, &status, WUNTRACED | WNOHANG) == 0, "a stop was reported twice");
    CHECK_OK(kill(child, SIGCONT));
    CHECK(waitpid(child, &status, WCONTINUED) == child, "waitpid WCONTINUED: %s", errno_name(errno));
    CHECK(WIFCONTINUED(status), "%s", describe_status(status));

    CHECK_OK(kill(child, SIGTSTP));
    siginfo_t info;
    memset(&info, 0, sizeof info);
    CHECK_OK(waitid(P_PID, (id_t)child, &info, WSTOPPED));
    CHECK(info.si_code == CLD_STOPPED && info.si_status == SIGTSTP, "waitid WSTOPPED code %d status %d",
          info.si_code, info.si_status);
    CHECK_OK(kill(child, SIGCONT));
    memset(&info, 0, sizeof info);
    CHECK_OK(waitid(P_PID, (id_t)child, &info, WCONTINUED));
    CHECK(info.si_code == CLD_CONTINUED && info.si_status == SIGCONT, "waitid WCONTINUED code %d status %d",
          info.si_code, info.si_status);
    kill(child, SIGKILL);
    status = wait_status(child);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "%s", describe_status(status));
}

CASE(zombie_until_reaped) {
    pid_t child = fork_exit(0);
    CHECK(child > 0, "fork: %s", errno_name(errno));
    siginfo_t info;
    memset(&info, 0, sizeof info);
    CHECK_OK(waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT));
    CHECK_OK(kill(child, 0)); /* a zombie still exists */
    CHECK_EXIT(child, 0);
    CHECK_ERRNO(kill(child, 0), ESRCH);
}

static volatile int g_vfork_flag;

CASE(vfork_shares_and_suspends) {
    volatile int* flag = &g_vfork_flag;
    *flag = 0;
    pid_t child = vfork();
    if (child == 0) {
        /* The parent is suspended until we exit: it must see this write afterwards. */
        struct timespec pause_time = {0, 50 * 1000 * 1000};
        syscall(SYS_nanosleep, &pause_time, NULL);
        *flag = 1;
        _exit(33);
    }
    CHECK(child > 0, "vfork: %s", errno_name(errno));
    CHECK(*flag == 1, "parent ran before the vfork child exited (or memory is not shared)");
    CHECK_EXIT(child, 33);
}

CASE(clone_fork_flags) {
    pid_t child_tid = 0, parent_tid = 0;
    long flags = CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | CLONE_PARENT_SETTID | SIGCHLD;
    long child = syscall(SYS_clone, flags, NULL, &parent_tid, &child_tid, 0);
    if (child == 0) {
        if (child_tid != syscall(SYS_gettid)) _exit(1);
        _exit(0);
    }
    CHECK(child > 0, "clone: %s", errno_name(errno));
    CHECK(parent_tid == child, "CLONE_PARENT_SETTID stored %d, expected %ld", (int)parent_tid, child);
    CHECK(child_tid == 0, "CLONE_CHILD_SETTID wrote into the parent's copy");
    CHECK_EXIT((pid_t)child, 0);
}

static volatile pid_t g_thread_tid_seen, g_thread_pid_seen;

static int clone_thread_body(void* argument) {
    g_thread_pid_seen = (pid_t)syscall(SYS_getpid);
    g_thread_tid_seen = (pid_t)syscall(SYS_gettid);
    *(volatile int*)argument = 99;
    return 0;
}

CASE(clone_thread_flags) {
    size_t stack_size = 64 * 1024;
    char* stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(stack != MAP_FAILED, "mmap: %s", errno_name(errno));
    volatile int shared_value = 0;
    static volatile pid_t parent_tid, child_tid;
    int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
                CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
    child_tid = -1;
    int tid = clone(clone_thread_body, stack + stack_size, flags, (void*)&shared_value, &parent_tid, NULL,
                    &child_tid);
    CHECK(tid > 0, "clone: %s", errno_name(errno));
    /* CLONE_CHILD_CLEARTID: the kernel zeroes child_tid and futex-wakes it at exit. */
    long long deadline = monotonic_ns() + 3000000000LL;
    while (child_tid != 0 && monotonic_ns() < deadline) {
        struct timespec wait_time = {0, 100 * 1000 * 1000};
        pid_t seen = child_tid;
        if (seen != 0) syscall(SYS_futex, &child_tid, FUTEX_WAIT, seen, &wait_time, NULL, 0);
    }
    CHECK(child_tid == 0, "CLONE_CHILD_CLEARTID never cleared the tid");
    CHECK(parent_tid == tid, "CLONE_PARENT_SETTID stored %d, expected %d", (int)parent_tid, tid);
    CHECK(shared_value == 99, "CLONE_VM child's write not visible");
    CHECK(g_thread_pid_seen == getpid(), "thread's getpid %d != %d", (int)g_thread_pid_seen, (int)getpid());
    CHECK(g_thread_tid_seen == tid, "thread's gettid %d != %d", (int)g_thread_tid_seen, tid);
    CHECK_ERRNO(waitpid(tid, NULL, __WALL | WNOHANG), ECHILD);
    munmap(stack, stack_size);
}

CASE(clone_invalid_flag_combinations) {
    CHECK_ERRNO(syscall(SYS_clone, (long)(CLONE_THREAD | SIGCHLD), NULL, NULL, NULL, 0), EINVAL);
    CHECK_ERRNO(syscall(SYS_clone, (long)(CLONE_SIGHAND | SIGCHLD), NULL, NULL, NULL, 0), EINVAL);
    CHECK_ERRNO(syscall(SYS_clone, (long)(CLONE_NEWNS | CLONE_FS | SIGCHLD), NULL, NULL, NULL, 0), EINVAL);
}

CASE(clone3_fork_like) {
    struct clone_args arguments;
    memset(&arguments, 0, sizeof arguments);
    arguments.exit_signal = SIGCHLD;
    long child = syscall(SYS_clone3, &arguments, sizeof arguments);
    if (child == 0) _exit(21);
    CHECK(child > 0, "clone3: %s", errno_name(errno));
    CHECK_EXIT((pid_t)child, 21);
    CHECK_ERRNO(syscall(SYS_clone3, &arguments, (size_t)8), EINVAL);
    arguments.flags = 1ULL << 62;
    CHECK_ERRNO(syscall(SYS_clone3, &arguments, sizeof arguments), EINVAL);
    arguments.flags = 0;
    arguments.exit_signal = 1000;
    CHECK_ERRNO(syscall(SYS_clone3, &arguments, sizeof arguments), EINVAL);
}

/* Reads the parent pid of `pid` from /proc/<pid>/stat; -1 if unavailable. */
static pid_t parent_of(pid_t pid) {
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if (read_file(path, text, sizeof text) <= 0) return -1;
    char* after_name = strrchr(text, ')');
    char state;
    int parent;
    if (!after_name || sscanf(after_name + 1, " %c %d", &state, &parent) != 2) return -1;
    return parent;
}

/* Forks A, which forks B and exits; B reports its new parent through the pipe. */
static pid_t orphan_new_parent(pid_t* orphan_out) {
    int report[2];
    if (pipe(report) != 0) return -1;
    pid_t middle = fork();
    if (middle == 0) {
        pid_t original = getpid();
        pid_t orphan = fork();
        if (orphan == 0) {
            (void)!write(report[1], &(pid_t){getpid()}, sizeof(pid_t));
            while (getppid() == original) sleep_ms(5);
            pid_t adopted = getppid();
            (void)!write(report[1], &adopted, sizeof adopted);
            _exit(0);
        }
        _exit(orphan > 0 ? 0 : 1);
    }
    if (middle < 0 || wait_status(middle) != 0) return -1;
    pid_t adopted = -1;
    if (read(report[0], orphan_out, sizeof(pid_t)) != sizeof(pid_t) ||
        read(report[0], &adopted, sizeof adopted) != sizeof adopted)
        return -1;
    close(report[0]);
    close(report[1]);
    return adopted;
}

CASE(orphan_reparented_to_subreaper) {
    CHECK_OK(prctl(PR_SET_CHILD_SUBREAPER, 1));
    int flag = 0;
    CHECK_OK(prctl(PR_GET_CHILD_SUBREAPER, &flag));
    CHECK(flag == 1, "PR_GET_CHILD_SUBREAPER = %d", flag);
    pid_t orphan = 0;
    pid_t adopted = orphan_new_parent(&orphan);
    CHECK(adopted == getpid(), "orphan adopted by %d, expected the subreaper %d", (int)adopted,
          (int)getpid());
    CHECK_EXIT(orphan, 0); /* the adopted orphan is now our child */
}

CASE(orphan_reparented_to_init) {
    pid_t orphan = 0;
    pid_t adopted = orphan_new_parent(&orphan);
    CHECK(adopted > 0, "orphan's new parent unknown");
    if (adopted == 1) return;
    /* A subreaper above us (a container's init shim, systemd --user) may adopt instead:
     * accept it only if it really is one of our ancestors. */
    for (pid_t ancestor = getppid(); ancestor > 1; ancestor = parent_of(ancestor))
        if (ancestor == adopted) return;
    FAIL("orphan adopted by %d, which is neither init nor an ancestor subreaper", (int)adopted);
}

CASE(parent_death_signal) {
    int report[2];
    CHECK_OK(pipe(report));
    pid_t middle = fork();
    CHECK(middle >= 0, "fork: %s", errno_name(errno));
    if (middle == 0) {
        pid_t watcher = fork();
        if (watcher == 0) {
            sigset_t set;
            sigemptyset(&set);
            sigaddset(&set, SIGUSR1);
            sigprocmask(SIG_BLOCK, &set, NULL);
            prctl(PR_SET_PDEATHSIG, SIGUSR1);
            (void)!write(report[1], "r", 1);
            struct timespec limit = {3, 0};
            int received = sigtimedwait(&set, NULL, &limit);
            char verdict = received == SIGUSR1 ? 'y' : 'n';
            (void)!write(report[1], &verdict, 1);
            _exit(0);
        }
        char ready;
        (void)!read(report[0], &ready, 1);
        _exit(0);
    }
    CHECK_EXIT(middle, 0);
    char verdict = 0;
    CHECK(read(report[0], &verdict, 1) == 1, "watcher did not report");
    CHECK(verdict == 'y', "PR_SET_PDEATHSIG signal not delivered when the parent exited");
}

CASE(process_groups) {
    CHECK(getpgrp() == getpid(), "case process is not its group's leader");
    CHECK(getpgid(0) == getpgrp(), "getpgid(0) != getpgrp()");
    pid_t child = fork_pause();
    CHECK(child > 0, "fork: %s", errno_name(errno));
    CHECK(getpgid(child) == getpgrp(), "child did not inherit the process group");
    CHECK_OK(setpgid(child, child));
    CHECK(getpgid(child) == child, "setpgid(child, child) not applied");
    CHECK_OK(setpgid(child, getpgrp())); /* back into our group: same session */
    CHECK(getpgid(child) == getpgrp(), "moving back failed");
    CHECK_ERRNO(setpgid(child, -1), EINVAL);
    CHECK_ERRNO(setpgid(-5, 0), EINVAL);
    pid_t stranger = fork_pause();
    CHECK_ERRNO(setpgid(child, stranger), EPERM); /* no such group in our session */
    kill(stranger, SIGKILL);
    wait_status(stranger);
    kill(child, SIGKILL);
    wait_status(child);
    CHECK_ERRNO(setpgid(child, child), ESRCH);
    CHECK_ERRNO(getpgid(child), ESRCH);
    CHECK_ERRNO(setpgid(g_harness_pid, 0), ESRCH); /* not our child */
}

CASE(zombie_keeps_its_process_group) {
    /* Until it is reaped, an exited group leader keeps its group alive (Linux): a shell
     * puts a pipeline's later processes into the group of one that may have exited. */
    fflush(stdout);
    pid_t leader = fork();
    CHECK(leader >= 0, "fork: %s", errno_name(errno));
    if (leader == 0) {
        setpgid(0, 0);
        _exit(0);
    }
    setpgid(leader, leader); /* the child does it too: whichever comes first */
    siginfo_t info;
    CHECK_OK(waitid(P_PID, (id_t)leader, &info, WEXITED | WNOWAIT)); /* a zombie, not reaped */
    pid_t member = fork_pause();
    CHECK_OK(setpgid(member, leader));
    CHECK(getpgid(member) == leader, "member's group %d, expected %d", (int)getpgid(member), (int)leader);
    CHECK(getsid(leader) == getsid(0), "getsid of a zombie: %s", errno_name(errno));
    kill(member, SIGKILL);
    wait_status(member);
    wait_status(leader);
}

CASE(sessions) {
    CHECK_ERRNO(setsid(), EPERM); /* a process-group leader cannot start a session */
    /* 0 when our session's leader lives in an ancestor pid namespace (a container). */
    errno = 0;
    pid_t old_session = getsid(0);
    CHECK(old_session >= 0, "getsid(0): %s", errno_name(errno));
    pid_t child = fork();
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    if (child == 0) {
        pid_t session = setsid();
        SUB_CHECK(session == getpid(), "setsid returned %d (%s)", (int)session, errno_name(errno));
        SUB_CHECK(getsid(0) == getpid() && getpgrp() == getpid(), "not leader of session and group");
        SUB_CHECK(getsid(getppid()) == old_session, "parent's session changed");
        int tty = open("/dev/tty", O_RDWR);
        SUB_CHECK(tty == -1 && errno == ENXIO, "/dev/tty in a new session: %s",
                  tty >= 0 ? "opened" : errno_name(errno));
        SUB_CHECK(setpgid(0, 0) == -1 && errno == EPERM, "setpgid by a session leader: %s",
                  errno_name(errno));
        SUB_CHECK(setsid() == -1 && errno == EPERM, "second setsid: %s", errno_name(errno));
        _exit(0);
    }
    CHECK_EXIT(child, 0);
    pid_t leader = fork();
    if (leader == 0) {
        setsid();
        pause();
        _exit(0);
    }
    sleep_ms(50);
    CHECK_ERRNO(setpgid(leader, getpgrp()), EPERM); /* child in another session */
    kill(leader, SIGKILL);
    wait_status(leader);
    CHECK_ERRNO(getsid(leader), ESRCH);
}

CASE(user_and_group_ids) {
    uid_t real, effective, saved;
    gid_t real_group, effective_group, saved_group;
    CHECK_OK(getresuid(&real, &effective, &saved));
    CHECK_OK(getresgid(&real_group, &effective_group, &saved_group));
    CHECK(real == getuid() && effective == geteuid(), "getresuid disagrees with getuid/geteuid");
    CHECK(real_group == getgid() && effective_group == getegid(), "getresgid disagrees");
    int group_count = getgroups(0, NULL);
    CHECK(group_count >= 0, "getgroups(0): %s", errno_name(errno));
    if (!running_as_root()) SKIP("identity changes need root");
    pid_t child = fork();
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    if (child == 0) {
        gid_t groups[2] = {1234, 5678}, back[4];
        SUB_CHECK(setgroups(2, groups) == 0, "setgroups: %s", errno_name(errno));
        SUB_CHECK(getgroups(4, back) == 2 && back[0] == 1234 && back[1] == 5678, "getgroups wrong");
        SUB_CHECK(getgroups(1, back) == -1 && errno == EINVAL, "getgroups with a short list: %s",
                  errno_name(errno));
        SUB_CHECK(setresgid(2000, 2001, 2002) == 0, "setresgid: %s", errno_name(errno));
        SUB_CHECK(setresuid(1000, 1001, 0) == 0, "setresuid keeping saved 0: %s", errno_name(errno));
        uid_t r, e, s;
        getresuid(&r, &e, &s);
        SUB_CHECK(r == 1000 && e == 1001 && s == 0, "getresuid %d/%d/%d", (int)r, (int)e, (int)s);
        SUB_CHECK(seteuid(0) == 0, "regaining euid 0 from the saved uid: %s", errno_name(errno));
        SUB_CHECK(setresuid(1000, 1000, 1000) == 0, "full drop: %s", errno_name(errno));
        SUB_CHECK(setuid(0) == -1 && errno == EPERM, "setuid(0) after dropping: %s", errno_name(errno));
        SUB_CHECK(seteuid(0) == -1 && errno == EPERM, "seteuid(0) after dropping: %s", errno_name(errno));
        SUB_CHECK(setgroups(0, NULL) == -1 && errno == EPERM, "setgroups unprivileged: %s",
                  errno_name(errno));
        SUB_CHECK(setresuid((uid_t)-1, (uid_t)-1, (uid_t)-1) == 0, "setresuid(-1,-1,-1): %s",
                  errno_name(errno));
        SUB_CHECK(setresuid(1000, 1000, 1000) == 0, "setresuid to the same ids: %s", errno_name(errno));
        SUB_CHECK(setresuid(1000, 1000, 77) == -1 && errno == EPERM, "setresuid to a new id: %s",
                  errno_name(errno));
        _exit(0);
    }
    CHECK_EXIT(child, 0);
}

CASE(prctl_name_and_errors) {
    CHECK_OK(prctl(PR_SET_NAME, "conformance-name-that-is-long"));
    char name[32];
    memset(name, 0x7f, sizeof name);
    CHECK_OK(prctl(PR_GET_NAME, name));
    CHECK(strcmp(name, "conformance-nam") == 0, "PR_GET_NAME \"%.20s\", expected the first 15 bytes", name);
    CHECK(strlen(name) == 15, "name length %zu, expected 15", strlen(name));
    CHECK(prctl(PR_GET_DUMPABLE) == 1, "PR_GET_DUMPABLE = %d", prctl(PR_GET_DUMPABLE));
    CHECK_ERRNO(prctl(0x7fff0000), EINVAL);
    CHECK_ERRNO(prctl(PR_SET_PDEATHSIG, 1000), EINVAL);
    int signal_number = -1;
    CHECK_OK(prctl(PR_GET_PDEATHSIG, &signal_number));
    CHECK(signal_number == 0, "PR_GET_PDEATHSIG = %d", signal_number);
}

/* RLIMIT_NPROC stops a fork bomb of an unprivileged user with EAGAIN; every process of
 * the bomb is killed and reaped before the case ends. */
CASE(fork_bomb_bounded_by_rlimit_nproc) {
    if (!running_as_root()) SKIP("needs root to switch to a dedicated unprivileged uid");
    pid_t bomb = fork();
    CHECK(bomb >= 0, "fork: %s", errno_name(errno));
    if (bomb == 0) {
        SUB_CHECK(drop_privileges(unprivileged_uid()) == 0, "drop: %s", errno_name(errno));
        struct rlimit limit = {8, 8};
        SUB_CHECK(setrlimit(RLIMIT_NPROC, &limit) == 0, "setrlimit: %s", errno_name(errno));
        pid_t children[64];
        int count = 0, error = 0;
        while (count < 64) {
            pid_t child = fork();
            if (child == 0) {
                for (;;) pause();
            }
            if (child < 0) {
                error = errno;
                break;
            }
            children[count++] = child;
        }
        for (int i = 0; i < count; i++) kill(children[i], SIGKILL);
        for (int i = 0; i < count; i++) wait_status(children[i]);
        SUB_CHECK(error == EAGAIN, "fork stopped with %s after %d children, expected EAGAIN",
                  errno_name(error), count);
        SUB_CHECK(count <= 8, "RLIMIT_NPROC 8 allowed %d children", count);
        _exit(0);
    }
    CHECK_EXIT(bomb, 0);
}

CASE(scheduler_queries) {
    CHECK_OK(sched_yield());
    unsigned long mask[16];
    memset(mask, 0, sizeof mask);
    long size = syscall(SYS_sched_getaffinity, 0, sizeof mask, mask);
    CHECK(size > 0 && size % (long)sizeof(long) == 0 && size <= (long)sizeof mask,
          "sched_getaffinity returned %ld (%s)", size, errno_name(errno));
    int cpus = 0;
    for (size_t i = 0; i < sizeof mask / sizeof mask[0]; i++) cpus += __builtin_popcountl(mask[i]);
    CHECK(cpus >= 1, "empty affinity mask");
    int current = sched_getcpu();
    CHECK(current >= 0 && (mask[current / 64] >> (current % 64) & 1), "running on cpu %d outside the mask",
          current);
    CHECK_ERRNO(syscall(SYS_sched_getaffinity, 0, 4, mask), EINVAL);
    CHECK_OK(syscall(SYS_sched_setaffinity, 0, (size_t)size, mask));
    unsigned long empty[16] = {0};
    CHECK_ERRNO(syscall(SYS_sched_setaffinity, 0, sizeof empty, empty), EINVAL);
    CHECK_ERRNO(syscall(SYS_sched_getaffinity, 999999999, sizeof mask, mask), ESRCH);
    long policy = syscall(SYS_sched_getscheduler, 0); /* musl's wrapper is a stub */
    CHECK(policy == SCHED_OTHER, "sched_getscheduler: %ld (%s)", policy, errno_name(errno));
    CHECK(sched_get_priority_max(SCHED_FIFO) == 99 && sched_get_priority_min(SCHED_FIFO) == 1,
          "SCHED_FIFO priority range");
    errno = 0;
    int nice_value = getpriority(PRIO_PROCESS, 0);
    CHECK(errno == 0, "getpriority: %s", errno_name(errno));
    CHECK_OK(setpriority(PRIO_PROCESS, 0, nice_value + 1));
    CHECK(getpriority(PRIO_PROCESS, 0) == nice_value + 1, "nice value not raised");
}

static const struct test_case cases[] = {
    CASE_ENTRY(exit_status_values),
    CASE_ENTRY(killed_by_signal_status),
    CASE_ENTRY(core_signals_without_dump),
    CASE_ENTRY(core_bit_when_dumped),
    CASE_ENTRY(no_core_file_at_limit_zero),
    CASE_ENTRY(core_of_threaded_process),
    CASE_ENTRY(core_file_truncated_at_limit),
    CASE_ENTRY(wait4_rusage_and_errors),
    CASE_ENTRY(wait_nohang_and_any_order),
    CASE_ENTRY(waitpid_by_process_group),
    CASE_ENTRY(waitid_exited_fields),
    CASE_ENTRY(waitid_killed_pgid_and_errors),
    CASE_ENTRY(stop_and_continue_reported),
    CASE_ENTRY(zombie_until_reaped),
    CASE_ENTRY(vfork_shares_and_suspends),
    CASE_ENTRY(clone_fork_flags),
    CASE_ENTRY(clone_thread_flags),
    CASE_ENTRY(clone_invalid_flag_combinations),
    CASE_ENTRY(clone3_fork_like),
    CASE_ENTRY(orphan_reparented_to_subreaper),
    CASE_ENTRY_FLAGS(orphan_reparented_to_init, CASE_WITHOUT_SUBREAPER),
    CASE_ENTRY(parent_death_signal),
    CASE_ENTRY(process_groups),
    CASE_ENTRY(zombie_keeps_its_process_group),
    CASE_ENTRY(sessions),
    CASE_ENTRY(user_and_group_ids),
    CASE_ENTRY(prctl_name_and_errors),
    CASE_ENTRY(fork_bomb_bounded_by_rlimit_nproc),
    CASE_ENTRY(scheduler_queries),
};

int main(int argc, char** argv) {
    g_use_tmpdir = true;
    return CONFORMANCE_MAIN("process", cases, argc, argv);
}
