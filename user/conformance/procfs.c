/*
 * Strix conformance suite — procfs: the files real programs parse (ps, top, free,
 * findmnt, shells, language runtimes). Checks formats and the values the caller can
 * verify about itself (pids, ids, masks, mappings, fds), not Linux's particular numbers.
 */
#include <elf.h>
#include <pthread.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

#include "common.h"

static char g_text[1 << 16];
static int g_argc;
static char** g_argv;
static char g_initial_environment_first[256];

#define READ_PROC(path) \
    CHECK(read_file(path, g_text, sizeof g_text) > 0, "reading %s: %s", path, errno_name(errno))

/* The value after "Key:" in a status-style file, or NULL. */
static const char* field(const char* text, const char* key) {
    size_t length = strlen(key);
    for (const char* line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, key, length) == 0 && line[length] == ':') return line + length + 1;
    return NULL;
}

static int count_lines_starting(const char* text, const char* prefix) {
    int count = 0;
    size_t length = strlen(prefix);
    for (const char* line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        count += strncmp(line, prefix, length) == 0;
    return count;
}

CASE(self_links) {
    char target[PATH_MAX], expected[64];
    ssize_t length = readlink("/proc/self", target, sizeof target - 1);
    CHECK(length > 0, "readlink /proc/self: %s", errno_name(errno));
    target[length] = 0;
    snprintf(expected, sizeof expected, "%d", (int)getpid());
    CHECK(strcmp(target, expected) == 0, "/proc/self -> %s, expected %s", target, expected);
    length = readlink("/proc/thread-self", target, sizeof target - 1);
    CHECK(length > 0, "readlink /proc/thread-self: %s", errno_name(errno));
    target[length] = 0;
    snprintf(expected, sizeof expected, "%d/task/%ld", (int)getpid(), syscall(SYS_gettid));
    CHECK(strcmp(target, expected) == 0, "/proc/thread-self -> %s", target);
    length = readlink("/proc/self/exe", target, sizeof target - 1);
    CHECK(length > 0, "readlink /proc/self/exe: %s", errno_name(errno));
    target[length] = 0;
    char resolved[PATH_MAX];
    CHECK(realpath(g_self_path, resolved) && strcmp(resolved, target) == 0, "/proc/self/exe -> %s, not %s",
          target, g_self_path);
    CHECK_OK(chdir("/tmp"));
    char cwd[PATH_MAX];
    CHECK(getcwd(cwd, sizeof cwd), "getcwd");
    length = readlink("/proc/self/cwd", target, sizeof target - 1);
    CHECK(length > 0 && (target[length] = 0, strcmp(target, cwd) == 0), "/proc/self/cwd -> %s, cwd %s",
          target, cwd);
    length = readlink("/proc/self/root", target, sizeof target - 1);
    CHECK(length == 1 && target[0] == '/', "/proc/self/root");
    CHECK_ERRNO(readlink("/proc/self/stat", target, sizeof target), EINVAL);
}

CASE(stat_fields) {
    /* RSS counters are batched per CPU: touch enough pages for rss to show. */
    volatile char* touched = mmap(NULL, 8 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(touched != MAP_FAILED, "mmap");
    for (size_t offset = 0; offset < (8 << 20); offset += 4096) touched[offset] = 1;
    CHECK_OK(prctl(PR_SET_NAME, "a) b (c"));
    READ_PROC("/proc/self/stat");
    int pid = 0;
    CHECK(sscanf(g_text, "%d", &pid) == 1 && pid == getpid(), "pid field %d", pid);
    char *open_paren = strchr(g_text, '('), *close_paren = strrchr(g_text, ')');
    CHECK(open_paren && close_paren && close_paren > open_paren, "no (comm)");
    CHECK((size_t)(close_paren - open_paren - 1) == strlen("a) b (c") &&
              strncmp(open_paren + 1, "a) b (c", 7) == 0,
          "comm is not reported raw inside the outer parentheses");
    char state;
    int ppid, pgrp, session, tty_nr, tpgid;
    unsigned long fields[44];
    CHECK(sscanf(close_paren + 2, "%c %d %d %d %d %d", &state, &ppid, &pgrp, &session, &tty_nr, &tpgid) == 6,
          "fields after comm");
    CHECK(state == 'R', "a process reading its own stat is in state %c", state);
    CHECK(ppid == getppid() && pgrp == getpgrp() && session == getsid(0), "ppid %d pgrp %d session %d", ppid,
          pgrp, session);
    /* Count the fields: Linux has printed 52 since 3.5. */
    int count = 2;
    for (char* cursor = close_paren + 1; *cursor && *cursor != '\n';) {
        while (*cursor == ' ') cursor++;
        if (!*cursor || *cursor == '\n') break;
        count++;
        while (*cursor && *cursor != ' ' && *cursor != '\n') cursor++;
    }
    CHECK(count >= 52, "/proc/self/stat has %d fields", count);
    char* cursor = close_paren + 2;
    for (int i = 0; i < 44; i++) {
        while (*cursor && *cursor != ' ') cursor++;
        fields[i] = strtoul(cursor, &cursor, 10);
    }
    /* fields[k] is stat field k + 4 (1-based): 20 num_threads, 21 itrealvalue (always 0),
     * 22 starttime, 23 vsize, 24 rss. */
    CHECK(fields[16] == 1, "num_threads %lu", fields[16]);
    CHECK(fields[17] == 0 && fields[18] > 0 && fields[19] > 0, "itrealvalue %lu starttime %lu vsize %lu",
          fields[17], fields[18], fields[19]);
    CHECK(fields[20] > 0, "rss %lu pages", fields[20]);
}

CASE(status_fields) {
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    signal(SIGUSR2, SIG_IGN);
    READ_PROC("/proc/self/status");
    static const char* const keys[] = {"Name",   "State",  "Tgid",   "Pid",    "PPid",
                                       "Uid",    "Gid",    "Groups", "VmRSS",  "Threads",
                                       "SigPnd", "SigBlk", "SigIgn", "SigCgt", "Cpus_allowed_list"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        CHECK(field(g_text, keys[i]), "status has no %s: line", keys[i]);
    CHECK(atoi(field(g_text, "Pid")) == getpid() && atoi(field(g_text, "Tgid")) == getpid(), "Pid/Tgid");
    CHECK(atoi(field(g_text, "PPid")) == getppid(), "PPid");
    unsigned uids[4];
    CHECK(sscanf(field(g_text, "Uid"), "%u %u %u %u", &uids[0], &uids[1], &uids[2], &uids[3]) == 4,
          "Uid: format");
    CHECK(uids[0] == getuid() && uids[1] == geteuid(), "Uid: %u %u", uids[0], uids[1]);
    CHECK(atoi(field(g_text, "Threads")) == 1, "Threads: %d", atoi(field(g_text, "Threads")));
    unsigned long long blocked = strtoull(field(g_text, "SigBlk"), NULL, 16);
    unsigned long long ignored = strtoull(field(g_text, "SigIgn"), NULL, 16);
    CHECK(blocked & (1ULL << (SIGUSR1 - 1)), "SigBlk %llx lacks SIGUSR1", blocked);
    CHECK(ignored & (1ULL << (SIGUSR2 - 1)), "SigIgn %llx lacks SIGUSR2", ignored);
    const char* state = field(g_text, "State");
    while (*state == ' ' || *state == '\t') state++;
    CHECK(state[0] == 'R', "State: %.12s", state);
    CHECK(strstr(field(g_text, "VmRSS"), "kB"), "VmRSS without a kB unit");
    READ_PROC("/proc/self/statm");
    unsigned long statm[7];
    CHECK(sscanf(g_text, "%lu %lu %lu %lu %lu %lu %lu", &statm[0], &statm[1], &statm[2], &statm[3], &statm[4],
                 &statm[5], &statm[6]) == 7,
          "statm format \"%.40s\"", g_text);
    CHECK(statm[0] >= statm[1] && statm[1] > 0, "statm size %lu resident %lu", statm[0], statm[1]);
}

CASE(cmdline_environ_auxv) {
    ssize_t length = read_file("/proc/self/cmdline", g_text, sizeof g_text);
    CHECK(length > 0, "reading cmdline: %s", errno_name(errno));
    const char* cursor = g_text;
    for (int i = 0; i < g_argc; i++) {
        CHECK(cursor < g_text + length && strcmp(cursor, g_argv[i]) == 0,
              "cmdline argument %d is \"%s\", not \"%s\"", i, cursor, g_argv[i]);
        cursor += strlen(cursor) + 1;
    }
    CHECK(cursor == g_text + length, "cmdline has extra bytes");
    length = read_file("/proc/self/environ", g_text, sizeof g_text);
    CHECK(length >= 0, "reading environ: %s", errno_name(errno));
    if (g_initial_environment_first[0])
        CHECK(strcmp(g_text, g_initial_environment_first) == 0, "environ starts with \"%.40s\"", g_text);
    int fd = CHECK_OK(open("/proc/self/auxv", O_RDONLY));
    Elf64_auxv_t entries[64];
    length = read(fd, entries, sizeof entries);
    CHECK(length > 0 && length % (ssize_t)sizeof entries[0] == 0, "auxv length %zd", length);
    bool saw_pagesz = false, terminated = false;
    for (size_t i = 0; i < (size_t)length / sizeof entries[0]; i++) {
        if (entries[i].a_type == AT_PAGESZ) saw_pagesz = entries[i].a_un.a_val == getauxval(AT_PAGESZ);
        terminated |= entries[i].a_type == AT_NULL;
    }
    CHECK(saw_pagesz && terminated, "auxv lacks AT_PAGESZ or AT_NULL");
}

CASE(maps_lists_stack_and_executable) {
    char* marker = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(marker != MAP_FAILED, "mmap");
    CHECK_OK(mprotect(marker + 4096, 4096, PROT_READ));
    READ_PROC("/proc/self/maps");
    char executable[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", executable, sizeof executable - 1);
    CHECK(length > 0, "readlink exe");
    executable[length] = 0;
    bool stack = false, exec_text = false, marker_rw = false, marker_ro = false;
    unsigned long previous_end = 0;
    for (char* line = g_text; *line;) {
        char* next = strchr(line, '\n');
        if (next) *next = 0;
        unsigned long start, end, offset, inode;
        char perms[8], device[16];
        int path_at = 0;
        CHECK(sscanf(line, "%lx-%lx %7s %lx %15s %lu %n", &start, &end, perms, &offset, device, &inode,
                     &path_at) == 6,
              "maps line \"%s\"", line);
        CHECK(start < end && start >= previous_end, "maps not sorted or overlapping at \"%s\"", line);
        CHECK(strlen(perms) == 4 && strchr("r-", perms[0]) && strchr("w-", perms[1]) &&
                  strchr("x-", perms[2]) && strchr("ps", perms[3]),
              "permissions \"%s\"", perms);
        previous_end = end;
        const char* path = line + path_at;
        stack |= strcmp(path, "[stack]") == 0;
        exec_text |= strcmp(path, executable) == 0 && perms[2] == 'x';
        marker_rw |=
            start <= (unsigned long)marker && (unsigned long)marker < end && strncmp(perms, "rw-p", 4) == 0;
        marker_ro |= start <= (unsigned long)marker + 4096 && (unsigned long)marker + 4096 < end &&
                     strncmp(perms, "r--p", 4) == 0;
        if (!next) break;
        line = next + 1;
    }
    CHECK(stack, "maps lists no [stack]");
    CHECK(exec_text, "maps lists no executable mapping of %s", executable);
    CHECK(marker_rw && marker_ro, "our mapping and its mprotect'ed page are not shown (rw %d, r %d)",
          marker_rw, marker_ro);
}

CASE(fd_directory_and_fdinfo) {
    int fds[2];
    CHECK_OK(pipe(fds));
    CHECK_OK(write_file("fdfile", "x", 1, 0600));
    int file = CHECK_OK(open("fdfile", O_RDWR | O_APPEND));
    CHECK_OK(unlink("fdfile"));
    char cwd[PATH_MAX], expected[PATH_MAX + 32];
    CHECK(getcwd(cwd, sizeof cwd), "getcwd");
    snprintf(expected, sizeof expected, "%s/fdfile (deleted)", cwd);
    char path[64], target[PATH_MAX];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fds[0]);
    ssize_t length = readlink(path, target, sizeof target - 1);
    CHECK(length > 0, "readlink %s: %s", path, errno_name(errno));
    target[length] = 0;
    CHECK(strncmp(target, "pipe:[", 6) == 0 && target[length - 1] == ']', "pipe fd link \"%s\"", target);
    snprintf(path, sizeof path, "/proc/self/fd/%d", file);
    length = readlink(path, target, sizeof target - 1);
    target[length > 0 ? length : 0] = 0;
    CHECK(strcmp(target, expected) == 0, "deleted file link \"%s\"", target);
    int reopened = open(path, O_RDONLY); /* opening the magic link reaches the deleted file */
    CHECK(reopened >= 0, "opening /proc/self/fd/N of a deleted file: %s", errno_name(errno));
    DIR* directory = opendir("/proc/self/fd");
    CHECK(directory, "opendir /proc/self/fd: %s", errno_name(errno));
    bool saw[3] = {false, false, false};
    struct dirent* entry;
    while ((entry = readdir(directory)) != NULL) {
        int number = atoi(entry->d_name);
        saw[0] |= number == fds[0];
        saw[1] |= number == fds[1];
        saw[2] |= number == file;
    }
    closedir(directory);
    CHECK(saw[0] && saw[1] && saw[2], "/proc/self/fd misses open fds");
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", file);
    READ_PROC(path);
    const char *flags = field(g_text, "flags"), *position = field(g_text, "pos");
    CHECK(flags && position, "fdinfo lacks pos:/flags:");
    unsigned long octal = strtoul(flags, NULL, 8);
    CHECK((octal & O_APPEND) && (octal & O_ACCMODE) == O_RDWR, "fdinfo flags 0%lo", octal);
    CHECK(atol(position) == 0, "fdinfo pos %ld", atol(position));
    snprintf(path, sizeof path, "/proc/self/fd/%d", 9999);
    CHECK_ERRNO(readlink(path, target, sizeof target), ENOENT);
}

CASE(system_wide_files) {
    READ_PROC("/proc/meminfo");
    const char *total = field(g_text, "MemTotal"), *free_memory = field(g_text, "MemFree");
    CHECK(total && free_memory && field(g_text, "MemAvailable") && strstr(total, "kB"),
          "meminfo lacks MemTotal/MemFree/MemAvailable in kB");
    struct sysinfo info;
    sysinfo(&info);
    unsigned long long total_kb = strtoull(total, NULL, 10);
    unsigned long long sysinfo_kb = (unsigned long long)info.totalram * info.mem_unit / 1024;
    CHECK(total_kb == sysinfo_kb, "MemTotal %llu kB, sysinfo says %llu kB", total_kb, sysinfo_kb);
    CHECK(strtoull(free_memory, NULL, 10) <= total_kb, "MemFree > MemTotal");
    READ_PROC("/proc/uptime");
    double uptime = 0, idle = 0;
    CHECK(sscanf(g_text, "%lf %lf", &uptime, &idle) == 2 && strchr(g_text, '.'), "uptime \"%.40s\"", g_text);
    struct timespec boot;
    clock_gettime(CLOCK_BOOTTIME, &boot);
    CHECK(uptime > 0 && uptime <= (double)boot.tv_sec + 1.5 && uptime >= (double)boot.tv_sec - 1.5,
          "uptime %.2f vs CLOCK_BOOTTIME %ld", uptime, (long)boot.tv_sec);
    READ_PROC("/proc/loadavg");
    double loads[3];
    int running, threads, last_pid;
    CHECK(sscanf(g_text, "%lf %lf %lf %d/%d %d", &loads[0], &loads[1], &loads[2], &running, &threads,
                 &last_pid) == 6,
          "loadavg \"%.60s\"", g_text);
    CHECK(running >= 1 && threads >= running && last_pid > 0, "loadavg counts %d/%d %d", running, threads,
          last_pid);
    READ_PROC("/proc/cpuinfo");
    int processors = count_lines_starting(g_text, "processor");
    CHECK(processors >= 1 && processors <= sysconf(_SC_NPROCESSORS_CONF), "cpuinfo lists %d processors",
          processors);
    CHECK(count_lines_starting(g_text, "flags") == processors &&
              count_lines_starting(g_text, "model name") >= 1,
          "cpuinfo lacks flags/model name lines");
    READ_PROC("/proc/stat");
    unsigned long long user, nice, system_time, idle_time;
    CHECK(sscanf(g_text, "cpu %llu %llu %llu %llu", &user, &nice, &system_time, &idle_time) == 4,
          "/proc/stat cpu line \"%.40s\"", g_text);
    CHECK(strstr(g_text, "\nbtime ") && strstr(g_text, "\nprocesses ") && strstr(g_text, "\nctxt "),
          "/proc/stat lacks btime/processes/ctxt");
}

/* The cpu line of /proc/stat and /proc/uptime's idle time only grow, even across a busy
 * child's exit (top subtracts two readings). */
static bool read_cpu_times(unsigned long long* busy, unsigned long long* idle, double* uptime_idle) {
    char text[4096];
    unsigned long long user, nice, system_time, idle_time, iowait, irq, softirq, steal;
    double uptime;
    if (read_file("/proc/stat", text, sizeof text) <= 0 ||
        sscanf(text, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &system_time, &idle_time,
               &iowait, &irq, &softirq, &steal) != 8)
        return false;
    *busy = user + nice + system_time + irq + softirq + steal;
    *idle = idle_time + iowait;
    return read_file("/proc/uptime", text, sizeof text) > 0 &&
           sscanf(text, "%lf %lf", &uptime, uptime_idle) == 2;
}

CASE(cpu_times_only_grow) {
    unsigned long long busy[2], idle[2];
    double uptime_idle[2];
    CHECK(read_cpu_times(&busy[0], &idle[0], &uptime_idle[0]), "reading /proc/stat and /proc/uptime");
    pid_t child = fork();
    if (child == 0) {
        struct timespec start, now;
        clock_gettime(CLOCK_MONOTONIC, &start);
        do clock_gettime(CLOCK_MONOTONIC, &now);
        while ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) < 200000000L);
        _exit(0);
    }
    CHECK_EXIT(child, 0);
    CHECK(read_cpu_times(&busy[1], &idle[1], &uptime_idle[1]), "reading /proc/stat and /proc/uptime again");
    CHECK(busy[1] >= busy[0] && idle[1] >= idle[0],
          "cpu times went back: busy %llu -> %llu, idle %llu -> %llu", busy[0], busy[1], idle[0], idle[1]);
    CHECK(busy[1] + idle[1] > busy[0] + idle[0], "200 ms of work did not show in /proc/stat");
    CHECK(uptime_idle[1] >= uptime_idle[0], "/proc/uptime's idle went back: %.2f -> %.2f", uptime_idle[0],
          uptime_idle[1]);
}

CASE(mounts_and_filesystems) {
    READ_PROC("/proc/mounts");
    bool root = false, proc = false;
    for (char* line = g_text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        char device[256], point[256], type[64], options[512];
        int dump, pass;
        CHECK(sscanf(line, "%255s %255s %63s %511s %d %d", device, point, type, options, &dump, &pass) == 6,
              "mounts line \"%.80s\"", line);
        root |= strcmp(point, "/") == 0;
        proc |= strcmp(point, "/proc") == 0 && strcmp(type, "proc") == 0;
        /* Linux's devpts_show_options always shows both modes. */
        if (strcmp(type, "devpts") == 0)
            CHECK(strstr(options, ",mode=") && strstr(options, ",ptmxmode="), "devpts options \"%s\"",
                  options);
    }
    CHECK(root && proc, "mounts lacks / or a proc on /proc");
    char self_mounts[sizeof g_text];
    CHECK(read_file("/proc/self/mounts", self_mounts, sizeof self_mounts) > 0 &&
              strcmp(self_mounts, g_text) == 0,
          "/proc/self/mounts differs from /proc/mounts");
    READ_PROC("/proc/self/mountinfo");
    int mount_id, parent_id, major_number, minor_number;
    char root_path[256], point[256];
    CHECK(sscanf(g_text, "%d %d %d:%d %255s %255s", &mount_id, &parent_id, &major_number, &minor_number,
                 root_path, point) == 6 &&
              strstr(g_text, " - "),
          "mountinfo line \"%.80s\"", g_text);
    READ_PROC("/proc/filesystems");
    CHECK(strstr(g_text, "nodev\tproc\n"), "/proc/filesystems lacks \"nodev\\tproc\"");
    for (char* line = g_text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        CHECK(line[0] == '\t' || strncmp(line, "nodev\t", 6) == 0, "filesystems line \"%.30s\"", line);
}

CASE(sys_kernel_names) {
    struct utsname names;
    uname(&names);
    static const struct {
        const char* path;
        size_t offset;
    } files[] = {
        {"/proc/sys/kernel/hostname", offsetof(struct utsname, nodename)},
        {"/proc/sys/kernel/osrelease", offsetof(struct utsname, release)},
        {"/proc/sys/kernel/ostype", offsetof(struct utsname, sysname)},
    };
    for (size_t i = 0; i < 3; i++) {
        READ_PROC(files[i].path);
        const char* expected = (const char*)&names + files[i].offset;
        size_t length = strlen(g_text);
        CHECK(length > 0 && g_text[length - 1] == '\n', "%s does not end in a newline", files[i].path);
        g_text[length - 1] = 0;
        CHECK(strcmp(g_text, expected) == 0, "%s is \"%s\", uname says \"%s\"", files[i].path, g_text,
              expected);
    }
    READ_PROC("/proc/self/limits");
    CHECK(strstr(g_text, "Max open files") && strstr(g_text, "Max stack size"), "/proc/self/limits format");
}

static void* park(void* argument) {
    (void)argument;
    pause();
    return NULL;
}

CASE(process_directories) {
    pthread_t threads[2];
    for (int i = 0; i < 2; i++) CHECK_RETURNS(pthread_create(&threads[i], NULL, park, NULL), 0);
    DIR* tasks = opendir("/proc/self/task");
    CHECK(tasks, "opendir /proc/self/task: %s", errno_name(errno));
    int count = 0;
    struct dirent* entry;
    while ((entry = readdir(tasks)) != NULL) count += entry->d_name[0] >= '1' && entry->d_name[0] <= '9';
    closedir(tasks);
    CHECK(count == 3, "/proc/self/task lists %d threads, expected 3", count);
    READ_PROC("/proc/self/status");
    CHECK(atoi(field(g_text, "Threads")) == 3, "Threads: %d", atoi(field(g_text, "Threads")));

    CHECK_OK(prctl(PR_SET_NAME, "renamed"));
    READ_PROC("/proc/self/comm");
    CHECK(strcmp(g_text, "renamed\n") == 0, "comm \"%s\"", g_text);
    CHECK_OK(write_file("/proc/self/comm", "via-proc", 8, 0));
    char name[16] = "";
    prctl(PR_GET_NAME, name);
    CHECK(strcmp(name, "via-proc") == 0, "writing /proc/self/comm gave name \"%s\"", name);

    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)child);
    kill(child, SIGSTOP);
    siginfo_t info;
    waitid(P_PID, (id_t)child, &info, WSTOPPED | WNOWAIT);
    READ_PROC(path);
    CHECK(strrchr(g_text, ')')[2] == 'T', "stopped child in state %c", strrchr(g_text, ')')[2]);
    kill(child, SIGKILL);
    waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT);
    READ_PROC(path);
    CHECK(strrchr(g_text, ')')[2] == 'Z', "dead unreaped child in state %c", strrchr(g_text, ')')[2]);
    wait_status(child);
    snprintf(path, sizeof path, "/proc/%d", (int)child);
    CHECK_ERRNO(access(path, F_OK), ENOENT);
    snprintf(path, sizeof path, "/proc/%d", (int)getpid());
    CHECK_OK(access(path, F_OK));
}

static const struct test_case cases[] = {
    CASE_ENTRY(self_links),
    CASE_ENTRY(stat_fields),
    CASE_ENTRY(status_fields),
    CASE_ENTRY(cmdline_environ_auxv),
    CASE_ENTRY(maps_lists_stack_and_executable),
    CASE_ENTRY(fd_directory_and_fdinfo),
    CASE_ENTRY(system_wide_files),
    CASE_ENTRY(cpu_times_only_grow),
    CASE_ENTRY(mounts_and_filesystems),
    CASE_ENTRY(sys_kernel_names),
    CASE_ENTRY(process_directories),
};

extern char** environ;

int main(int argc, char** argv) {
    g_argc = argc;
    g_argv = argv;
    if (environ && environ[0])
        snprintf(g_initial_environment_first, sizeof g_initial_environment_first, "%s", environ[0]);
    g_use_tmpdir = true;
    return CONFORMANCE_MAIN("procfs", cases, argc, argv);
}
