/* Strix events test — the harness (see harness.h). */
#include "harness.h"

#include <dirent.h>
#include <sys/reboot.h>

int g_verdict_fd = -1;

const char* errno_name(int error) {
    static char buffer[32];
#define NAME(x) \
    if (error == x) return #x;
    NAME(0)
    NAME(EPERM)
    NAME(ENOENT)
    NAME(ESRCH)
    NAME(EINTR) NAME(EIO) NAME(ENXIO) NAME(E2BIG) NAME(EBADF) NAME(ECHILD) NAME(EAGAIN) NAME(ENOMEM)
        NAME(EACCES) NAME(EFAULT) NAME(EBUSY) NAME(EEXIST) NAME(EXDEV) NAME(ENODEV) NAME(ENOTDIR) NAME(EISDIR)
            NAME(EINVAL) NAME(ENFILE) NAME(EMFILE) NAME(ENOTTY) NAME(EFBIG) NAME(ENOSPC) NAME(ESPIPE)
                NAME(EROFS) NAME(EPIPE) NAME(ERANGE) NAME(EDEADLK) NAME(ENAMETOOLONG) NAME(ENOLCK)
                    NAME(ENOSYS) NAME(ENOTEMPTY) NAME(ELOOP) NAME(ENODATA) NAME(EOVERFLOW) NAME(EOPNOTSUPP)
                        NAME(ETIMEDOUT) NAME(ESTALE) NAME(ECANCELED)
#undef NAME
                            snprintf(buffer, sizeof buffer, "errno %d", error);
    return buffer;
}

static void send_verdict(const char* kind, const char* text) {
    char line[512];
    int length = snprintf(line, sizeof line, "%s %s", kind, text);
    if (length > (int)sizeof line - 1) length = sizeof line - 1;
    (void)!write(g_verdict_fd, line, (size_t)length);
}

void fail_at(const char* file, int line, const char* fmt, ...) {
    char message[400];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    char text[480];
    snprintf(text, sizeof text, "%s:%d: %s", strrchr(file, '/') ? strrchr(file, '/') + 1 : file, line,
             message);
    send_verdict("FAIL", text);
    _exit(1);
}

void skip(const char* fmt, ...) {
    char message[400];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    send_verdict("SKIP", message);
    _exit(0);
}

long long monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec * 1000000000LL + now.tv_nsec;
}

void sleep_ms(long ms) {
    struct timespec duration = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&duration, &duration) != 0 && errno == EINTR) {
    }
}

int wait_status(pid_t child) {
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

int write_file(const char* name, const char* data, size_t size) {
    int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return -1;
    if (size && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return -1;
    }
    return fd;
}

static void remove_tree(const char* path) {
    DIR* directory = opendir(path);
    if (!directory) {
        unlink(path);
        return;
    }
    struct dirent* entry;
    while ((entry = readdir(directory)) != NULL) {
        if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) continue;
        char child[512];
        snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
        struct stat status;
        if (lstat(child, &status) == 0 && S_ISDIR(status.st_mode))
            remove_tree(child);
        else
            unlink(child);
    }
    closedir(directory);
    rmdir(path);
}

/* Runs one case in a child inside a fresh scratch directory; returns 0 pass, 1 fail, 2 skip. */
static int run_one(const char* program, const struct test_case* test, const char* base) {
    int verdict[2];
    if (pipe(verdict) != 0) return 1;
    char directory[512];
    snprintf(directory, sizeof directory, "%s/%s", base, test->name);
    mkdir(directory, 0755);
    pid_t child = fork();
    if (child == 0) {
        close(verdict[0]);
        g_verdict_fd = verdict[1];
        setpgid(0, 0);
        if (chdir(directory) != 0) fail_at(__FILE__, __LINE__, "chdir %s: %s", directory, errno_name(errno));
        alarm(20);
        test->run();
        send_verdict("PASS", "");
        _exit(0);
    }
    close(verdict[1]);
    char line[512] = "";
    ssize_t length = 0, got;
    while ((got = read(verdict[0], line + length, sizeof line - 1 - (size_t)length)) > 0 ||
           (got < 0 && errno == EINTR)) {
        if (got > 0) length += got;
    }
    line[length > 0 ? length : 0] = 0;
    close(verdict[0]);
    int status = wait_status(child);
    kill(-child, SIGKILL); /* whatever the case left behind */
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    remove_tree(directory);
    if (!strncmp(line, "PASS", 4) && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        printf("PASS %s.%s\n", program, test->name);
        return 0;
    }
    if (!strncmp(line, "SKIP", 4)) {
        printf("SKIP %s.%s: %s\n", program, test->name, line + 5);
        return 2;
    }
    if (!strncmp(line, "FAIL", 4))
        printf("FAIL %s.%s: %s\n", program, test->name, line + 5);
    else if (WIFSIGNALED(status))
        printf("FAIL %s.%s: killed by signal %d\n", program, test->name, WTERMSIG(status));
    else
        printf("FAIL %s.%s: exit status %d without a verdict\n", program, test->name, WEXITSTATUS(status));
    return 1;
}

int run_cases(const char* program, const struct test_case* cases, int count, int argc, char** argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    bool as_init = getpid() == 1;
    char base[256];
    if (as_init) {
        mkdir("/tmp", 01777);
        snprintf(base, sizeof base, "/tmp/%s", program);
        mkdir(base, 0755);
    } else {
        snprintf(base, sizeof base, "/tmp/%s-XXXXXX", program);
        if (!mkdtemp(base)) {
            perror("mkdtemp");
            return 2;
        }
    }
    int passed = 0, failed = 0, skipped = 0;
    for (int i = 0; i < count; i++) {
        bool selected = argc <= 1 || as_init;
        for (int a = 1; a < argc && !selected; a++) selected = strstr(cases[i].name, argv[a]) != NULL;
        if (!selected) continue;
        int result = run_one(program, &cases[i], base);
        if (result == 0)
            passed++;
        else if (result == 1)
            failed++;
        else
            skipped++;
    }
    remove_tree(base);
    printf("SUMMARY %s passed=%d failed=%d skipped=%d\n", program, passed, failed, skipped);
    fflush(stdout);
    if (as_init) {
        sync();
        reboot(RB_POWER_OFF);
    }
    return failed ? 1 : 0;
}
