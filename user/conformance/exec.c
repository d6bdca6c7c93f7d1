/*
 * Strix conformance suite — exec: execve of ELF images and #! scripts, the initial stack
 * (argv, envp, auxv), what survives an exec and what is reset, and the rejection of bad
 * requests and hostile ELF files generated at run time.
 *
 * The program re-executes itself in helper modes (argv[1] = "--helper-..."), which check
 * their own state and answer with their exit status or on stdout.
 */
#include <elf.h>
#include <pthread.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>

#include "common.h"

extern char** environ;
extern char _start[];

/* ---- Helper modes (run in the new image) ---- */

static int helper_print_args(int argc, char** argv) {
    for (int i = 0; i < argc; i++) printf("%s\n", argv[i]);
    return 0;
}

/* Returns the number of the first failed check, 0 if all hold. */
static int helper_auxv(int argc, char** argv) {
    if (argc < 3) return 1;
    if (getauxval(AT_PAGESZ) != 4096) return 2;
    const unsigned char* random_bytes = (const unsigned char*)getauxval(AT_RANDOM);
    if (!random_bytes) return 3;
    int nonzero = 0;
    for (int i = 0; i < 16; i++) nonzero |= random_bytes[i];
    if (!nonzero) return 4;
    const char* execfn = (const char*)getauxval(AT_EXECFN);
    if (!execfn || strcmp(execfn, argv[2]) != 0) return 5;
    if (getauxval(AT_ENTRY) != (unsigned long)_start) return 6;
    if (getauxval(AT_PHENT) != sizeof(Elf64_Phdr) || getauxval(AT_PHNUM) == 0) return 7;
    const Elf64_Phdr* phdrs = (const Elf64_Phdr*)getauxval(AT_PHDR);
    if (!phdrs) return 8;
    unsigned long bias = 0;
    bool has_load = false;
    for (unsigned long i = 0; i < getauxval(AT_PHNUM); i++)
        if (phdrs[i].p_type == PT_PHDR) bias = (unsigned long)phdrs - phdrs[i].p_vaddr;
    for (unsigned long i = 0; i < getauxval(AT_PHNUM); i++)
        if (phdrs[i].p_type == PT_LOAD && bias + phdrs[i].p_vaddr <= (unsigned long)_start &&
            (unsigned long)_start < bias + phdrs[i].p_vaddr + phdrs[i].p_memsz)
            has_load = true;
    if (!has_load) return 9;
    if (getauxval(AT_HWCAP) == 0) return 10;
    if (getauxval(AT_CLKTCK) != 100) return 11;
    if (getauxval(AT_UID) != getuid() || getauxval(AT_EUID) != geteuid() || getauxval(AT_GID) != getgid() ||
        getauxval(AT_EGID) != getegid())
        return 12;
    if (getauxval(AT_SECURE) != 0) return 13;
    const char* platform = (const char*)getauxval(AT_PLATFORM);
    if (!platform || strcmp(platform, "x86_64") != 0) return 14;
    /* The stack: argv[argc] == NULL, envp right after it, auxv right after envp. */
    if (argv[argc] != NULL || environ != argv + argc + 1) return 15;
    char** scan = environ;
    while (*scan) scan++;
    const Elf64_auxv_t* auxv = (const Elf64_auxv_t*)(scan + 1);
    bool saw_pagesz = false;
    for (; auxv->a_type != AT_NULL; auxv++)
        if (auxv->a_type == AT_PAGESZ && auxv->a_un.a_val == 4096) saw_pagesz = true;
    if (!saw_pagesz) return 16;
    char name[16] = "";
    prctl(PR_GET_NAME, name);
    const char* base = strrchr(argv[2], '/') ? strrchr(argv[2], '/') + 1 : argv[2];
    if (strncmp(name, base, 15) != 0) return 17;
    return 0;
}

static int helper_random(void) {
    const unsigned char* random_bytes = (const unsigned char*)getauxval(AT_RANDOM);
    for (int i = 0; i < 16; i++) printf("%02x", random_bytes ? random_bytes[i] : 0);
    printf("\n");
    return 0;
}

/* State inherited across exec: argv[2] = fd opened O_CLOEXEC, argv[3] = plain fd. */
static int helper_inherited(int argc, char** argv) {
    if (argc < 5) return 1;
    if (fcntl(atoi(argv[2]), F_GETFD) != -1 || errno != EBADF) return 2;
    int flags = fcntl(atoi(argv[3]), F_GETFD);
    if (flags == -1 || (flags & FD_CLOEXEC)) return 3;
    struct sigaction action;
    sigaction(SIGUSR1, NULL, &action);
    if (action.sa_handler != SIG_DFL) return 4; /* caught signals are reset */
    sigaction(SIGUSR2, NULL, &action);
    if (action.sa_handler != SIG_IGN) return 5; /* ignored signals stay ignored */
    sigset_t mask, pending;
    sigprocmask(SIG_SETMASK, NULL, &mask);
    if (!sigismember(&mask, SIGINT)) return 6; /* the mask is kept */
    sigpending(&pending);
    if (!sigismember(&pending, SIGINT)) return 7; /* so are pending signals */
    stack_t stack;
    if (sigaltstack(NULL, &stack) != 0 || !(stack.ss_flags & SS_DISABLE))
        return 8; /* the alternate stack is not */
    if (umask(0) != 023) return 9;
    if (getpid() != (pid_t)atoi(argv[4])) return 10;
    return 0;
}

static int run_helper(int argc, char** argv) {
    const char* mode = argv[1];
    if (strcmp(mode, "--helper-print-args") == 0) return helper_print_args(argc, argv);
    if (strcmp(mode, "--helper-auxv") == 0) return helper_auxv(argc, argv);
    if (strcmp(mode, "--helper-random") == 0) return helper_random();
    if (strcmp(mode, "--helper-inherited") == 0) return helper_inherited(argc, argv);
    if (strcmp(mode, "--helper-getpid") == 0)
        return argc > 2 && getpid() == atoi(argv[2]) && syscall(SYS_gettid) == getpid() ? 0 : 1;
    if (strcmp(mode, "--helper-ids") == 0) {
        uid_t uid, euid, suid;
        gid_t gid, egid, sgid;
        if (getresuid(&uid, &euid, &suid) != 0 || getresgid(&gid, &egid, &sgid) != 0) return 1;
        printf("%u %u %u %u %u %u %lu\n", (unsigned)uid, (unsigned)euid, (unsigned)suid, (unsigned)gid,
               (unsigned)egid, (unsigned)sgid, getauxval(AT_SECURE));
        return 0;
    }
    if (strcmp(mode, "--helper-pause") == 0) {
        for (;;) pause();
    }
    return 126;
}

/* ---- Running an exec attempt ---- */

struct exec_result {
    int exec_errno; /* non-zero: execve returned this error */
    int status;     /* otherwise: how the new image ended */
    char output[512];
};

static bool try_exec(const char* path, char* const argv[], char* const envp[], struct exec_result* result) {
    memset(result, 0, sizeof *result);
    int error_pipe[2], output_pipe[2];
    if (pipe2(error_pipe, O_CLOEXEC) != 0 || pipe(output_pipe) != 0) return false;
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) return false;
    if (child == 0) {
        dup2(output_pipe[1], 1);
        syscall(SYS_execve, path, argv, envp);
        int error = errno;
        (void)!write(error_pipe[1], &error, sizeof error);
        _exit(127);
    }
    close(error_pipe[1]);
    close(output_pipe[1]);
    size_t total = 0;
    ssize_t got;
    while (total + 1 < sizeof result->output &&
           (got = read(output_pipe[0], result->output + total, sizeof result->output - 1 - total)) > 0)
        total += (size_t)got;
    int error = 0;
    if (read(error_pipe[0], &error, sizeof error) == sizeof error) result->exec_errno = error;
    close(error_pipe[0]);
    close(output_pipe[0]);
    result->status = wait_status(child);
    return true;
}

static char* g_no_env[] = {NULL};

#define CHECK_EXEC_ERRNO(path, expected)                                                                    \
    do {                                                                                                    \
        struct exec_result check_run;                                                                       \
        char* check_argv[] = {(char*)(path), NULL};                                                         \
        CHECK(try_exec(path, check_argv, g_no_env, &check_run), "fork/pipe failed");                        \
        CHECK(check_run.exec_errno == (expected), "execve(%s): %s, expected %s", path,                      \
              check_run.exec_errno ? errno_name(check_run.exec_errno) : "image ran", errno_name(expected)); \
    } while (0)

CASE(argv_envp_passed) {
    char* argv[] = {"first", "--helper-print-args", "a b", "", "last", NULL};
    char* envp[] = {"FOO=bar", "EMPTY=", NULL};
    struct exec_result run;
    CHECK(try_exec(g_self_path, argv, envp, &run), "fork/pipe failed");
    CHECK(run.exec_errno == 0, "execve: %s", errno_name(run.exec_errno));
    CHECK(strcmp(run.output, "first\n--helper-print-args\na b\n\nlast\n") == 0, "argv arrived as \"%s\"",
          run.output);
    CHECK(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0, "%s", describe_status(run.status));
}

CASE(auxv_and_initial_stack) {
    char* argv[] = {"exec", "--helper-auxv", g_self_path, NULL};
    char* envp[] = {"A=1", "B=2", NULL};
    struct exec_result run;
    CHECK(try_exec(g_self_path, argv, envp, &run), "fork/pipe failed");
    CHECK(run.exec_errno == 0, "execve: %s", errno_name(run.exec_errno));
    static const char* const checks[] = {
        "ok",
        "argc",
        "AT_PAGESZ != 4096",
        "AT_RANDOM missing",
        "AT_RANDOM bytes all zero",
        "AT_EXECFN is not the path given to execve",
        "AT_ENTRY != _start",
        "AT_PHENT/AT_PHNUM wrong",
        "AT_PHDR missing",
        "no PT_LOAD at AT_PHDR covers _start",
        "AT_HWCAP is 0",
        "AT_CLKTCK != 100",
        "AT_UID/EUID/GID/EGID wrong",
        "AT_SECURE set",
        "AT_PLATFORM is not \"x86_64\"",
        "envp does not follow argv's NULL",
        "auxv does not follow envp's NULL",
        "comm is not the executable's name",
    };
    int code = WIFEXITED(run.status) ? WEXITSTATUS(run.status) : -1;
    CHECK(code == 0, "helper: %s",
          code > 0 && code < (int)(sizeof checks / sizeof checks[0]) ? checks[code]
                                                                     : describe_status(run.status));
}

CASE(at_random_differs) {
    char* argv[] = {"exec", "--helper-random", NULL};
    struct exec_result first, second;
    CHECK(try_exec(g_self_path, argv, g_no_env, &first) && try_exec(g_self_path, argv, g_no_env, &second),
          "fork/pipe failed");
    CHECK(strlen(first.output) == 33, "AT_RANDOM helper printed \"%s\"", first.output);
    CHECK(strcmp(first.output, second.output) != 0, "two execs got the same AT_RANDOM bytes");
}

CASE(empty_argv_gets_placeholder) {
    /* Linux >= 5.18 turns an empty argv into { "", NULL } so argv[0] always exists. */
    char* envp[] = {"CONFORMANCE_EXEC_HELPER=empty-argv", NULL};
    char* argv[] = {NULL};
    struct exec_result run;
    CHECK(try_exec(g_self_path, argv, envp, &run), "fork/pipe failed");
    CHECK(run.exec_errno == 0, "execve with empty argv: %s", errno_name(run.exec_errno));
    CHECK(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0,
          "image started with empty argv: %s (1 = argc is not 1 or argv[0] is not \"\")",
          describe_status(run.status));
}

CASE(inherited_and_reset_state) {
    int cloexec_fd = CHECK_OK(open("/", O_RDONLY | O_CLOEXEC));
    int plain_fd = CHECK_OK(open("/", O_RDONLY));
    signal(SIGUSR1, (void (*)(int))(void*)write_to_unmapped_page_zero);
    signal(SIGUSR2, SIG_IGN);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, NULL);
    static char stack_memory[1 << 16];
    stack_t stack = {.ss_sp = stack_memory, .ss_size = sizeof stack_memory};
    CHECK_OK(sigaltstack(&stack, NULL));
    umask(023);
    char fd_a[16], fd_b[16], pid_text[16];
    snprintf(fd_a, sizeof fd_a, "%d", cloexec_fd);
    snprintf(fd_b, sizeof fd_b, "%d", plain_fd);
    pid_t child = fork();
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    if (child == 0) {
        snprintf(pid_text, sizeof pid_text, "%d", (int)getpid());
        kill(getpid(), SIGINT); /* blocked: stays pending across exec (fork cleared ours) */
        char* argv[] = {"exec", "--helper-inherited", fd_a, fd_b, pid_text, NULL};
        execve(g_self_path, argv, g_no_env);
        _exit(127);
    }
    static const char* const checks[] = {
        "ok",
        "argc",
        "O_CLOEXEC fd survived exec",
        "plain fd closed or got FD_CLOEXEC",
        "caught signal not reset to SIG_DFL",
        "ignored signal not kept SIG_IGN",
        "signal mask not kept",
        "pending signal lost",
        "alternate signal stack kept",
        "umask not kept",
        "pid changed",
    };
    int status = wait_status(child);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    CHECK(
        code == 0, "after exec: %s",
        code > 0 && code < (int)(sizeof checks / sizeof checks[0]) ? checks[code] : describe_status(status));
}

static void* exec_from_thread(void* argument) {
    char* argv[] = {"exec", "--helper-getpid", argument, NULL};
    execve(g_self_path, argv, g_no_env);
    _exit(127);
}

CASE(exec_from_secondary_thread) {
    pid_t child = fork();
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    if (child == 0) {
        static char pid_text[16];
        snprintf(pid_text, sizeof pid_text, "%d", (int)getpid());
        pthread_t thread;
        if (pthread_create(&thread, NULL, exec_from_thread, pid_text) != 0) _exit(125);
        for (;;) pause(); /* exec kills this thread; the execing one takes our pid */
    }
    int status = wait_status(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "exec from a secondary thread: %s (1 = the new image has a different pid/tid)",
          describe_status(status));
}

CASE(setpgid_after_exec_eacces) {
    int sync_pipe[2];
    CHECK_OK(pipe2(sync_pipe, O_CLOEXEC));
    pid_t child = fork();
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    if (child == 0) {
        char* argv[] = {"exec", "--helper-pause", NULL};
        execve(g_self_path, argv, g_no_env);
        _exit(127);
    }
    close(sync_pipe[1]);
    char byte;
    CHECK(read(sync_pipe[0], &byte, 1) == 0, "sync pipe"); /* EOF: the exec closed it */
    int result = setpgid(child, child);
    int error = errno;
    kill(child, SIGKILL);
    wait_status(child);
    CHECK(result == -1 && error == EACCES, "setpgid on a child after its exec: %s",
          result == 0 ? "success" : errno_name(error));
}

CASE(vfork_then_exec_resumes_parent) {
    pid_t child = vfork();
    if (child == 0) {
        char* argv[] = {"exec", "--helper-pause", NULL};
        execve(g_self_path, argv, g_no_env);
        _exit(127);
    }
    CHECK(child > 0, "vfork: %s", errno_name(errno));
    int running = waitpid(child, NULL, WNOHANG);
    kill(child, SIGKILL);
    int status = wait_status(child);
    CHECK(running == 0, "parent resumed only after the vfork child ended (%s)", describe_status(status));
    CHECK(WIFSIGNALED(status), "child %s", describe_status(status));
}

/* ---- #! scripts ---- */

CASE(shebang_script) {
    CHECK_OK(symlink(g_self_path, "self"));
    char cwd[PATH_MAX];
    CHECK(getcwd(cwd, sizeof cwd), "getcwd: %s", errno_name(errno));
    char script[PATH_MAX + 64], path[PATH_MAX + 16];
    snprintf(script, sizeof script, "#!%s/self --helper-print-args\n", cwd);
    snprintf(path, sizeof path, "%s/script", cwd);
    CHECK_OK(write_file("script", script, strlen(script), 0755));
    char* argv[] = {"script-name", "x", NULL};
    struct exec_result run;
    CHECK(try_exec(path, argv, g_no_env, &run), "fork/pipe failed");
    CHECK(run.exec_errno == 0, "execve of a #! script: %s", errno_name(run.exec_errno));
    char expected[PATH_MAX * 2 + 64];
    /* Linux: interpreter, its one optional argument, the script path, then argv[1..]. */
    snprintf(expected, sizeof expected, "%s/self\n--helper-print-args\n%s\nx\n", cwd, path);
    CHECK(strcmp(run.output, expected) == 0, "interpreter got \"%s\", expected \"%s\"", run.output, expected);

    /* A script whose interpreter is itself a script. */
    char outer[PATH_MAX + 64], outer_path[PATH_MAX + 16];
    snprintf(outer, sizeof outer, "#!%s\n", path);
    snprintf(outer_path, sizeof outer_path, "%s/outer", cwd);
    CHECK_OK(write_file("outer", outer, strlen(outer), 0755));
    CHECK(try_exec(outer_path, argv, g_no_env, &run), "fork/pipe failed");
    CHECK(run.exec_errno == 0, "nested #! script: %s", errno_name(run.exec_errno));
    snprintf(expected, sizeof expected, "%s/self\n--helper-print-args\n%s\n%s\nx\n", cwd, path, outer_path);
    CHECK(strcmp(run.output, expected) == 0, "nested interpreter got \"%s\"", run.output);
}

CASE(shebang_errors) {
    CHECK_OK(write_file("missing-interp", "#!/nonexistent/interpreter\n", 27, 0755));
    CHECK_EXEC_ERRNO("./missing-interp", ENOENT);
    CHECK_OK(write_file("empty-interp", "#!\n", 3, 0755));
    CHECK_EXEC_ERRNO("./empty-interp", ENOEXEC);
    CHECK_OK(write_file("plain-text", "echo hello\n", 11, 0755));
    CHECK_EXEC_ERRNO("./plain-text", ENOEXEC);
    /* A script that names itself loops: Linux gives up with ELOOP. */
    char cwd[PATH_MAX], self_loop[PATH_MAX + 32];
    CHECK(getcwd(cwd, sizeof cwd), "getcwd");
    snprintf(self_loop, sizeof self_loop, "#!%s/loop\n", cwd);
    CHECK_OK(write_file("loop", self_loop, strlen(self_loop), 0755));
    CHECK_EXEC_ERRNO("./loop", ELOOP);
}

/* ---- Path and permission errors ---- */

CASE(exec_path_errors) {
    CHECK_EXEC_ERRNO("./does-not-exist", ENOENT);
    CHECK_OK(write_file("file", "x", 1, 0755));
    CHECK_EXEC_ERRNO("./file/child", ENOTDIR);
    CHECK_OK(mkdir("directory", 0755));
    CHECK_EXEC_ERRNO("./directory", EACCES);
    CHECK_OK(symlink(g_self_path, "self"));
    int fd = CHECK_OK(open("self", O_RDONLY));
    char copy_buffer[65536];
    int out = CHECK_OK(open("copy", O_WRONLY | O_CREAT, 0644));
    ssize_t got;
    while ((got = read(fd, copy_buffer, sizeof copy_buffer)) > 0)
        CHECK(write(out, copy_buffer, (size_t)got) == got, "copy: %s", errno_name(errno));
    close(fd);
    close(out);
    /* Even root needs at least one execute bit. */
    CHECK_EXEC_ERRNO("./copy", EACCES);
    char long_path[PATH_MAX + 100];
    memset(long_path, 'a', sizeof long_path - 1);
    long_path[sizeof long_path - 1] = 0;
    CHECK_EXEC_ERRNO(long_path, ENAMETOOLONG);
    CHECK_EXEC_ERRNO("", ENOENT);
}

CASE(exec_while_open_for_writing_etxtbsy) {
    CHECK_OK(symlink(g_self_path, "self"));
    char buffer[65536];
    int in = CHECK_OK(open("self", O_RDONLY));
    int out = CHECK_OK(open("copy", O_WRONLY | O_CREAT, 0755));
    ssize_t got;
    while ((got = read(in, buffer, sizeof buffer)) > 0)
        CHECK(write(out, buffer, (size_t)got) == got, "copy: %s", errno_name(errno));
    close(in);
    CHECK_EXEC_ERRNO("./copy", ETXTBSY);
    close(out);
    char* argv[] = {"copy", "--helper-print-args", NULL};
    struct exec_result run;
    CHECK(try_exec("./copy", argv, g_no_env, &run), "fork/pipe failed");
    CHECK(run.exec_errno == 0 && WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0,
          "the closed copy does not run: %s",
          run.exec_errno ? errno_name(run.exec_errno) : describe_status(run.status));
}

/* Copies this program to `name` with the given owner and mode (chown first: it clears the
 * set-id bits). */
static void copy_self(const char* name, uid_t owner, gid_t group, mode_t mode) {
    char buffer[65536];
    int in = CHECK_OK(open(g_self_path, O_RDONLY));
    int out = CHECK_OK(open(name, O_WRONLY | O_CREAT | O_TRUNC, 0700));
    ssize_t got;
    while ((got = read(in, buffer, sizeof buffer)) > 0)
        CHECK(write(out, buffer, (size_t)got) == got, "copy: %s", errno_name(errno));
    close(in);
    close(out);
    CHECK_OK(chown(name, owner, group));
    CHECK_OK(chmod(name, mode));
}

static void expect_ids(const char* name, const char* expected) {
    char* argv[] = {(char*)name, "--helper-ids", NULL};
    struct exec_result run;
    CHECK(try_exec(name, argv, g_no_env, &run), "fork/pipe failed");
    CHECK(run.exec_errno == 0 && WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0, "%s did not run: %s", name,
          run.exec_errno ? errno_name(run.exec_errno) : describe_status(run.status));
    CHECK(strcmp(run.output, expected) == 0, "%s: ids and AT_SECURE \"%.60s\", expected \"%.60s\"", name, run.output,
          expected);
}

CASE(set_user_and_group_id_programs) {
    if (!running_as_root()) SKIP("chown needs root");
    struct statvfs fs;
    CHECK_OK(statvfs(".", &fs));
    bool nosuid = fs.f_flag & ST_NOSUID; /* then the bits are ignored, as Linux does */
    copy_self("setuid", 1234, 0, 04755);
    expect_ids("./setuid", nosuid ? "0 0 0 0 0 0 0\n" : "0 1234 1234 0 0 0 1\n");
    copy_self("setgid", 0, 2345, 02755);
    expect_ids("./setgid", nosuid ? "0 0 0 0 0 0 0\n" : "0 0 0 0 2345 2345 1\n");
    /* Set-group-ID without group execute marks mandatory locking, not a set-id program. */
    copy_self("locking", 0, 2345, 02744);
    expect_ids("./locking", "0 0 0 0 0 0 0\n");
    /* No new privileges: the bits are ignored. */
    fflush(stdout);
    pid_t child = fork();
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    if (child == 0) {
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(2);
        char* argv[] = {"./setuid", "--helper-ids", NULL};
        int out = open("ids", O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (out < 0) _exit(3);
        dup2(out, 1);
        execve("./setuid", argv, g_no_env);
        _exit(4);
    }
    CHECK_EXIT(child, 0);
    char ids[64] = {0};
    int in = CHECK_OK(open("ids", O_RDONLY));
    CHECK(read(in, ids, sizeof ids - 1) > 0, "no output with PR_SET_NO_NEW_PRIVS");
    close(in);
    CHECK(strcmp(ids, "0 0 0 0 0 0 0\n") == 0, "with no_new_privs: \"%s\"", ids);
}

CASE(argument_size_limits) {
    /* Linux: one string longer than MAX_ARG_STRLEN (32 pages) is E2BIG, and so is an
     * argument area larger than a quarter of RLIMIT_STACK. */
    size_t huge = 33 * 4096;
    char* one = malloc(huge + 1);
    CHECK(one, "malloc");
    memset(one, 'y', huge);
    one[huge] = 0;
    char* argv[] = {"exec", one, NULL};
    struct exec_result run;
    CHECK(try_exec(g_self_path, argv, g_no_env, &run), "fork/pipe failed");
    CHECK(run.exec_errno == E2BIG, "one 132 KiB argument: %s",
          run.exec_errno ? errno_name(run.exec_errno) : "image ran");
    enum { COUNT = 100 };
    char* many[COUNT + 2];
    many[0] = "exec";
    for (int i = 1; i <= COUNT; i++) many[i] = one + huge - 120 * 1024; /* 100 x 120 KiB = 12 MiB */
    many[COUNT + 1] = NULL;
    CHECK(try_exec(g_self_path, many, g_no_env, &run), "fork/pipe failed");
    CHECK(run.exec_errno == E2BIG, "12 MiB of arguments: %s",
          run.exec_errno ? errno_name(run.exec_errno) : "image ran");
    free(one);
}

/* ---- Generated ELF files ---- */

#define IMAGE_BASE 0x400000UL

struct tiny_elf {
    Elf64_Ehdr header;
    Elf64_Phdr program_headers[2];
    unsigned char code[16];
};

/* A valid static x86_64 executable whose entry point calls exit(42). */
static void build_tiny_elf(struct tiny_elf* image) {
    static const unsigned char exit_42[] = {0xbf, 0x2a, 0, 0, 0, /* mov edi, 42 */
                                            0xb8, 0x3c, 0, 0, 0, /* mov eax, SYS_exit */
                                            0x0f, 0x05};         /* syscall */
    memset(image, 0, sizeof *image);
    Elf64_Ehdr* header = &image->header;
    memcpy(header->e_ident, ELFMAG, SELFMAG);
    header->e_ident[EI_CLASS] = ELFCLASS64;
    header->e_ident[EI_DATA] = ELFDATA2LSB;
    header->e_ident[EI_VERSION] = EV_CURRENT;
    header->e_ident[EI_OSABI] = ELFOSABI_SYSV;
    header->e_type = ET_EXEC;
    header->e_machine = EM_X86_64;
    header->e_version = EV_CURRENT;
    header->e_entry = IMAGE_BASE + offsetof(struct tiny_elf, code);
    header->e_phoff = offsetof(struct tiny_elf, program_headers);
    header->e_ehsize = sizeof(Elf64_Ehdr);
    header->e_phentsize = sizeof(Elf64_Phdr);
    header->e_phnum = 1;
    Elf64_Phdr* load = &image->program_headers[0];
    load->p_type = PT_LOAD;
    load->p_flags = PF_R | PF_X;
    load->p_offset = 0;
    load->p_vaddr = load->p_paddr = IMAGE_BASE;
    load->p_filesz = load->p_memsz = sizeof *image;
    load->p_align = 4096;
    memcpy(image->code, exit_42, sizeof exit_42);
}

static bool run_image(const void* bytes, size_t length, struct exec_result* run) {
    if (write_file("image", bytes, length, 0755) != 0) return false;
    char* argv[] = {"image", NULL};
    return try_exec("./image", argv, g_no_env, run);
}

#define RUN_IMAGE(image_pointer, length, run) \
    CHECK(run_image(image_pointer, length, &run), "writing or starting the image: %s", errno_name(errno))

/* The ELF header or program headers are unusable: execve itself must fail. */
#define CHECK_IMAGE_ERRNO(image_pointer, length, expected, what)                                           \
    do {                                                                                                   \
        struct exec_result image_run;                                                                      \
        RUN_IMAGE(image_pointer, length, image_run);                                                       \
        CHECK(image_run.exec_errno == (expected), "%s: %s, expected %s", what,                             \
              image_run.exec_errno ? errno_name(image_run.exec_errno) : describe_status(image_run.status), \
              errno_name(expected));                                                                       \
    } while (0)

/* Broken segments: Linux finds some only after the old image is gone and then kills the
 * process (SIGSEGV or SIGKILL); failing execve earlier is as good. Never may it run. */
#define CHECK_IMAGE_REJECTED(image_pointer, length, what)                                              \
    do {                                                                                               \
        struct exec_result image_run;                                                                  \
        RUN_IMAGE(image_pointer, length, image_run);                                                   \
        bool image_killed = WIFSIGNALED(image_run.status) && (WTERMSIG(image_run.status) == SIGSEGV || \
                                                              WTERMSIG(image_run.status) == SIGKILL);  \
        CHECK(image_run.exec_errno != 0 || image_killed, "%s: the image %s", what,                     \
              describe_status(image_run.status));                                                      \
    } while (0)

CASE(elf_valid_minimal_runs) {
    struct tiny_elf image;
    build_tiny_elf(&image);
    struct exec_result run;
    RUN_IMAGE(&image, sizeof image, run);
    CHECK(run.exec_errno == 0, "execve of a minimal valid ELF: %s", errno_name(run.exec_errno));
    CHECK(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 42, "minimal ELF %s, expected exit 42",
          describe_status(run.status));
}

CASE(elf_bad_headers_enoexec) {
    struct tiny_elf image;
    build_tiny_elf(&image);
    CHECK_IMAGE_ERRNO(&image, 0, ENOEXEC, "zero-length file");
    CHECK_IMAGE_ERRNO(&image, 20, ENOEXEC, "header truncated to 20 bytes");
    build_tiny_elf(&image);
    image.header.e_machine = EM_AARCH64;
    CHECK_IMAGE_ERRNO(&image, sizeof image, ENOEXEC, "e_machine EM_AARCH64");
    build_tiny_elf(&image);
    image.header.e_type = ET_REL;
    CHECK_IMAGE_ERRNO(&image, sizeof image, ENOEXEC, "ET_REL");
    build_tiny_elf(&image);
    image.header.e_phentsize = 40;
    CHECK_IMAGE_ERRNO(&image, sizeof image, ENOEXEC, "e_phentsize 40");
    build_tiny_elf(&image);
    image.header.e_phnum = 0;
    CHECK_IMAGE_ERRNO(&image, sizeof image, ENOEXEC, "e_phnum 0");
    build_tiny_elf(&image);
    image.header.e_phnum = 0xffff;
    CHECK_IMAGE_ERRNO(&image, sizeof image, ENOEXEC, "e_phnum 65535");
}

CASE(elf_program_headers_past_eof) {
    struct tiny_elf image;
    build_tiny_elf(&image);
    image.header.e_phoff = 1 << 20;
    struct exec_result run;
    RUN_IMAGE(&image, sizeof image, run);
    /* Linux reads the program headers with a short read and reports EIO. */
    CHECK(run.exec_errno == EIO || run.exec_errno == ENOEXEC,
          "e_phoff past the end of the file: %s, expected EIO (Linux) or ENOEXEC",
          run.exec_errno ? errno_name(run.exec_errno) : describe_status(run.status));
    build_tiny_elf(&image);
    image.header.e_phoff = (Elf64_Off)-16;
    RUN_IMAGE(&image, sizeof image, run);
    CHECK(run.exec_errno != 0, "e_phoff near 2^64: %s", describe_status(run.status));
}

CASE(elf_bad_segments_rejected) {
    struct tiny_elf image;
    build_tiny_elf(&image);
    image.program_headers[0].p_filesz = image.program_headers[0].p_memsz + 4096;
    CHECK_IMAGE_REJECTED(&image, sizeof image, "p_filesz > p_memsz");
    build_tiny_elf(&image);
    image.program_headers[0].p_vaddr = 0xffff800000000000UL;
    image.header.e_entry = 0xffff800000000000UL + offsetof(struct tiny_elf, code);
    CHECK_IMAGE_REJECTED(&image, sizeof image, "PT_LOAD in the kernel half");
    build_tiny_elf(&image);
    image.program_headers[0].p_memsz = (Elf64_Xword)-4096;
    image.program_headers[0].p_filesz = 64;
    CHECK_IMAGE_REJECTED(&image, sizeof image, "p_memsz near 2^64");
    build_tiny_elf(&image);
    image.program_headers[0].p_offset = 123; /* offset and vaddr disagree modulo the page */
    CHECK_IMAGE_REJECTED(&image, sizeof image, "p_offset not congruent to p_vaddr");
}

CASE(elf_odd_but_valid_segments) {
    /* Overlapping PT_LOADs and a segment reaching past EOF are accepted by Linux: the
     * image must either run (exit 42) or be rejected cleanly; never crash the caller. */
    struct tiny_elf image;
    build_tiny_elf(&image);
    image.header.e_phnum = 2;
    image.program_headers[1] = image.program_headers[0];
    image.program_headers[1].p_flags = PF_R;
    struct exec_result run;
    RUN_IMAGE(&image, sizeof image, run);
    bool ran = run.exec_errno == 0 && WIFEXITED(run.status) && WEXITSTATUS(run.status) == 42;
    bool killed = run.exec_errno == 0 && WIFSIGNALED(run.status) &&
                  (WTERMSIG(run.status) == SIGSEGV || WTERMSIG(run.status) == SIGKILL);
    CHECK(ran || killed || run.exec_errno != 0, "overlapping segments: %s", describe_status(run.status));
    build_tiny_elf(&image);
    image.program_headers[0].p_filesz = image.program_headers[0].p_memsz = 1 << 20;
    RUN_IMAGE(&image, sizeof image, run);
    ran = run.exec_errno == 0 && WIFEXITED(run.status) && WEXITSTATUS(run.status) == 42;
    CHECK(ran || run.exec_errno != 0 || WIFSIGNALED(run.status), "segment past EOF: %s",
          describe_status(run.status));
    /* Linux's 64-bit loader checks e_machine but not EI_CLASS or EI_DATA. */
    build_tiny_elf(&image);
    image.header.e_ident[EI_CLASS] = ELFCLASS32;
    RUN_IMAGE(&image, sizeof image, run);
    ran = run.exec_errno == 0 && WIFEXITED(run.status) && WEXITSTATUS(run.status) == 42;
    CHECK(ran || run.exec_errno == ENOEXEC, "ELFCLASS32 with EM_X86_64: %s",
          run.exec_errno ? errno_name(run.exec_errno) : describe_status(run.status));
    build_tiny_elf(&image);
    image.header.e_ident[EI_DATA] = ELFDATA2MSB;
    RUN_IMAGE(&image, sizeof image, run);
    ran = run.exec_errno == 0 && WIFEXITED(run.status) && WEXITSTATUS(run.status) == 42;
    CHECK(ran || run.exec_errno == ENOEXEC, "big-endian EI_DATA: %s",
          run.exec_errno ? errno_name(run.exec_errno) : describe_status(run.status));
}

CASE(elf_entry_unmapped_segv) {
    struct tiny_elf image;
    build_tiny_elf(&image);
    image.header.e_entry = 0x10000000;
    struct exec_result run;
    RUN_IMAGE(&image, sizeof image, run);
    CHECK(run.exec_errno == 0, "execve: %s (the headers are valid)", errno_name(run.exec_errno));
    CHECK(WIFSIGNALED(run.status) && WTERMSIG(run.status) == SIGSEGV,
          "entry point in unmapped memory: %s, expected SIGSEGV", describe_status(run.status));
}

CASE(elf_bad_interpreter) {
    struct {
        struct tiny_elf image;
        char interpreter[32];
    } file;
    build_tiny_elf(&file.image);
    file.image.header.e_phnum = 2;
    Elf64_Phdr* interp = &file.image.program_headers[1];
    interp->p_type = PT_INTERP;
    interp->p_offset = offsetof(__typeof__(file), interpreter);
    interp->p_filesz = sizeof file.interpreter;
    file.image.program_headers[0].p_filesz = file.image.program_headers[0].p_memsz = sizeof file;
    memset(file.interpreter, 0, sizeof file.interpreter);
    strcpy(file.interpreter, "/nonexistent/ld.so");
    CHECK_IMAGE_ERRNO(&file, sizeof file, ENOENT, "PT_INTERP naming a missing file");
    memset(file.interpreter, 'x', sizeof file.interpreter);
    CHECK_IMAGE_ERRNO(&file, sizeof file, ENOEXEC, "PT_INTERP without a terminating NUL");
    strcpy(file.interpreter, "/nonexistent/ld.so");
    interp->p_filesz = 1 << 20;
    CHECK_IMAGE_REJECTED(&file, sizeof file, "PT_INTERP larger than the file");
}

static const struct test_case cases[] = {
    CASE_ENTRY(argv_envp_passed),
    CASE_ENTRY(auxv_and_initial_stack),
    CASE_ENTRY(at_random_differs),
    CASE_ENTRY(empty_argv_gets_placeholder),
    CASE_ENTRY(inherited_and_reset_state),
    CASE_ENTRY(exec_from_secondary_thread),
    CASE_ENTRY(setpgid_after_exec_eacces),
    CASE_ENTRY(vfork_then_exec_resumes_parent),
    CASE_ENTRY(shebang_script),
    CASE_ENTRY(shebang_errors),
    CASE_ENTRY(exec_path_errors),
    CASE_ENTRY(exec_while_open_for_writing_etxtbsy),
    CASE_ENTRY(set_user_and_group_id_programs),
    CASE_ENTRY(argument_size_limits),
    CASE_ENTRY(elf_valid_minimal_runs),
    CASE_ENTRY(elf_bad_headers_enoexec),
    CASE_ENTRY(elf_program_headers_past_eof),
    CASE_ENTRY(elf_bad_segments_rejected),
    CASE_ENTRY(elf_odd_but_valid_segments),
    CASE_ENTRY(elf_entry_unmapped_segv),
    CASE_ENTRY(elf_bad_interpreter),
};

int main(int argc, char** argv) {
    const char* helper = getenv("CONFORMANCE_EXEC_HELPER");
    if (helper && strcmp(helper, "empty-argv") == 0)
        return argc == 1 && argv[0] && argv[0][0] == 0 && argv[1] == NULL ? 0 : 1;
    if (argc >= 2 && strncmp(argv[1], "--helper-", 9) == 0) return run_helper(argc, argv);
    g_use_tmpdir = true;
    return CONFORMANCE_MAIN("exec", cases, argc, argv);
}
