/*
 * QEMU tests, tty: pseudo-terminals from user space, the way glibc's and musl's
 * posix_openpt/grantpt/unlockpt/ptsname use them — data both ways through the slave's
 * line discipline (ECHO, ICANON, ONLCR), ^C written to the master signalling the slave's
 * foreground group, hang-ups when either end closes. test_tty.py builds it with
 * musl-gcc -static and runs it inside Strix; it runs on Linux too (the reference).
 *
 * Waits use non-blocking reads and short sleeps, not poll(2), so that the test needs no
 * more of the kernel than the tty layer; one case checks poll itself when it exists.
 * Prints "PTY PASS <case>" or "PTY FAIL <case>: <why>" per case, then
 * "PTY-TEST: done passed=N failed=M".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int g_passed, g_failed;
static char g_failure[256];

static void fail(const char* format, ...) {
    if (g_failure[0]) return; /* keep the first reason */
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(g_failure, sizeof g_failure, format, arguments);
    va_end(arguments);
}

#define CHECK(condition, ...)  \
    do {                       \
        if (!(condition)) {    \
            fail(__VA_ARGS__); \
            return;            \
        }                      \
    } while (0)

static void sleep_ms(int milliseconds) {
    struct timespec pause = {milliseconds / 1000, (milliseconds % 1000) * 1000000L};
    nanosleep(&pause, NULL);
}

struct pty {
    int master, slave;
    char name[64];
};

static int open_pty(struct pty* pty) {
    pty->slave = -1;
    pty->master = posix_openpt(O_RDWR | O_NOCTTY);
    if (pty->master < 0 || grantpt(pty->master) != 0 || unlockpt(pty->master) != 0) return -1;
    const char* name = ptsname(pty->master);
    if (!name) return -1;
    snprintf(pty->name, sizeof pty->name, "%s", name);
    pty->slave = open(pty->name, O_RDWR | O_NOCTTY);
    return pty->slave < 0 ? -1 : 0;
}

static void close_pty(struct pty* pty) {
    if (pty->slave >= 0) close(pty->slave);
    if (pty->master >= 0) close(pty->master);
}

/* What `fd` gives within timeout_ms (read non-blocking, retried), NUL-terminated. */
static ssize_t read_within(int fd, char* buffer, size_t size, int timeout_ms) {
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    ssize_t got = -1;
    for (int waited = 0;; waited += 5) {
        got = read(fd, buffer, size - 1);
        if (got >= 0 || errno != EAGAIN || waited >= timeout_ms) break;
        sleep_ms(5);
    }
    fcntl(fd, F_SETFL, flags);
    buffer[got > 0 ? got : 0] = 0;
    return got < 0 ? 0 : got;
}

static void set_local_flags(int fd, tcflag_t set, tcflag_t clear) {
    struct termios settings;
    tcgetattr(fd, &settings);
    settings.c_lflag = (settings.c_lflag | set) & ~clear;
    tcsetattr(fd, TCSANOW, &settings);
}

static void test_open_and_lock(void) {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    CHECK(master >= 0, "posix_openpt: %s", strerror(errno));
    CHECK(grantpt(master) == 0, "grantpt: %s", strerror(errno));
    const char* name = ptsname(master);
    CHECK(name && strncmp(name, "/dev/pts/", 9) == 0, "ptsname gave %s", name ? name : "(null)");
    char path[64];
    snprintf(path, sizeof path, "%s", name);
    errno = 0;
    CHECK(open(path, O_RDWR | O_NOCTTY) < 0 && errno == EIO, "a locked slave opened (errno %d)", errno);
    CHECK(unlockpt(master) == 0, "unlockpt: %s", strerror(errno));
    int slave = open(path, O_RDWR | O_NOCTTY);
    CHECK(slave >= 0, "open %s: %s", path, strerror(errno));
    unsigned number = 9999;
    CHECK(ioctl(master, TIOCGPTN, &number) == 0 && number == (unsigned)atoi(path + 9), "TIOCGPTN %u for %s",
          number, path);
    struct stat status;
    CHECK(fstat(slave, &status) == 0 && S_ISCHR(status.st_mode) && major(status.st_rdev) == 136 &&
              minor(status.st_rdev) == number,
          "slave device %u:%u", major(status.st_rdev), minor(status.st_rdev));
    CHECK(isatty(master) && isatty(slave), "isatty on the pty ends");
    int peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    CHECK(peer >= 0, "TIOCGPTPEER: %s", strerror(errno));
    struct stat peer_status;
    CHECK(fstat(peer, &peer_status) == 0 && peer_status.st_rdev == status.st_rdev, "TIOCGPTPEER's device");
    close(peer);
    close(slave);
    close(master);
}

static void test_canonical_and_echo(void) {
    struct pty pty;
    CHECK(open_pty(&pty) == 0, "opening a pty: %s", strerror(errno));
    char buffer[128];
    CHECK(write(pty.master, "hello\n", 6) == 6, "write to the master");
    CHECK(read_within(pty.slave, buffer, sizeof buffer, 2000) == 6 && strcmp(buffer, "hello\n") == 0,
          "the slave read \"%s\"", buffer);
    CHECK(read_within(pty.master, buffer, sizeof buffer, 2000) == 7 && strcmp(buffer, "hello\r\n") == 0,
          "the echo was \"%s\"", buffer);
    /* A partial line stays unreadable until its newline; erase edits it. */
    CHECK(write(pty.master, "ab", 2) == 2, "write");
    CHECK(read_within(pty.slave, buffer, sizeof buffer, 200) == 0, "a partial line was readable: \"%s\"",
          buffer);
    CHECK(write(pty.master, "x\177c\n", 4) == 4, "write");
    CHECK(read_within(pty.slave, buffer, sizeof buffer, 2000) == 4 && strcmp(buffer, "abc\n") == 0,
          "edited line \"%s\"", buffer);
    CHECK(read_within(pty.master, buffer, sizeof buffer, 2000) == 9 && strcmp(buffer, "abx\b \bc\r\n") == 0,
          "erase echo \"%s\"", buffer);
    /* ECHO off: nothing comes back. */
    set_local_flags(pty.slave, 0, ECHO);
    CHECK(write(pty.master, "quiet\n", 6) == 6, "write");
    CHECK(read_within(pty.slave, buffer, sizeof buffer, 2000) == 6, "the slave read \"%s\"", buffer);
    CHECK(read_within(pty.master, buffer, sizeof buffer, 200) == 0, "ECHO off echoed \"%s\"", buffer);
    /* ^D at the start of a line is end of file. */
    CHECK(write(pty.master, "\004", 1) == 1, "write");
    errno = 0;
    CHECK(read_within(pty.slave, buffer, sizeof buffer, 2000) == 0 && errno != EAGAIN,
          "VEOF did not read as EOF");
    close_pty(&pty);
}

static void test_raw_mode(void) {
    struct pty pty;
    CHECK(open_pty(&pty) == 0, "opening a pty: %s", strerror(errno));
    struct termios settings;
    tcgetattr(pty.slave, &settings);
    cfmakeraw(&settings);
    settings.c_cc[VMIN] = 1;
    settings.c_cc[VTIME] = 0;
    CHECK(tcsetattr(pty.slave, TCSANOW, &settings) == 0, "tcsetattr: %s", strerror(errno));
    char buffer[64];
    CHECK(write(pty.master, "a\003\r", 3) == 3, "write");
    CHECK(read_within(pty.slave, buffer, sizeof buffer, 2000) == 3 && memcmp(buffer, "a\003\r", 3) == 0,
          "raw input changed: %02x %02x %02x", buffer[0], buffer[1], buffer[2]);
    CHECK(write(pty.slave, "raw\n", 4) == 4, "write");
    CHECK(read_within(pty.master, buffer, sizeof buffer, 2000) == 4 && strcmp(buffer, "raw\n") == 0,
          "raw output \"%s\"", buffer);
    /* VMIN=0, VTIME=3: a read waits 0.3 s for nothing and returns 0. */
    settings.c_cc[VMIN] = 0;
    settings.c_cc[VTIME] = 3;
    tcsetattr(pty.slave, TCSANOW, &settings);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    CHECK(read(pty.slave, buffer, sizeof buffer) == 0, "VTIME read returned data");
    clock_gettime(CLOCK_MONOTONIC, &end);
    long elapsed_ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000;
    CHECK(elapsed_ms >= 250 && elapsed_ms < 3000, "VTIME=3 waited %ld ms", elapsed_ms);
    close_pty(&pty);
}

static void test_output_processing(void) {
    struct pty pty;
    CHECK(open_pty(&pty) == 0, "opening a pty: %s", strerror(errno));
    char buffer[64];
    CHECK(write(pty.slave, "one\ntwo\n", 8) == 8, "write to the slave");
    CHECK(read_within(pty.master, buffer, sizeof buffer, 2000) == 10 && strcmp(buffer, "one\r\ntwo\r\n") == 0,
          "ONLCR output \"%s\"", buffer);
    struct winsize size = {.ws_row = 33, .ws_col = 101};
    CHECK(ioctl(pty.master, TIOCSWINSZ, &size) == 0, "TIOCSWINSZ: %s", strerror(errno));
    struct winsize back = {0};
    CHECK(ioctl(pty.slave, TIOCGWINSZ, &back) == 0 && back.ws_row == 33 && back.ws_col == 101, "window %ux%u",
          back.ws_row, back.ws_col);
    close_pty(&pty);
}

static volatile sig_atomic_t g_signal;
static void note_signal(int number) { g_signal = number; }

static void test_interrupt_from_master(void) {
    struct pty pty;
    CHECK(open_pty(&pty) == 0, "opening a pty: %s", strerror(errno));
    int ready[2];
    CHECK(pipe(ready) == 0, "pipe");
    pid_t child = fork();
    if (child == 0) {
        /* A session leader on the slave: its process group is the foreground one. */
        if (setsid() < 0 || ioctl(pty.slave, TIOCSCTTY, 0) != 0) _exit(2);
        signal(SIGINT, note_signal);
        if (tcgetpgrp(pty.slave) != getpid()) _exit(3);
        (void)!write(ready[1], "r", 1);
        for (int i = 0; i < 500 && !g_signal; i++) sleep_ms(10);
        _exit(g_signal == SIGINT ? 0 : 1);
    }
    char byte;
    CHECK(read(ready[0], &byte, 1) == 1, "the child did not start");
    CHECK(write(pty.master, "\003", 1) == 1, "write ^C");
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child, "waitpid");
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the foreground group got no SIGINT (status 0x%x)",
          status);
    char buffer[16];
    CHECK(read_within(pty.master, buffer, sizeof buffer, 2000) == 2 && strcmp(buffer, "^C") == 0,
          "^C echo \"%s\"", buffer);
    close_pty(&pty);
}

static void test_hangups(void) {
    struct pty pty;
    CHECK(open_pty(&pty) == 0, "opening a pty: %s", strerror(errno));
    char buffer[16];
    close(pty.master);
    pty.master = -1;
    errno = 0;
    CHECK(write(pty.slave, "x", 1) < 0 && errno == EIO, "slave write after the master closed (errno %d)",
          errno);
    CHECK(read(pty.slave, buffer, sizeof buffer) == 0,
          "slave read after the master closed is not end of file");
    errno = 0;
    CHECK(open(pty.name, O_RDWR | O_NOCTTY) < 0, "the slave of a closed master opened");
    close_pty(&pty);

    struct pty other;
    CHECK(open_pty(&other) == 0, "opening a pty: %s", strerror(errno));
    CHECK(write(other.slave, "last\n", 5) == 5, "write");
    close(other.slave);
    other.slave = -1;
    /* What the slave wrote is still there; then EIO. */
    CHECK(read_within(other.master, buffer, sizeof buffer, 2000) == 6, "data before the hang-up: \"%s\"",
          buffer);
    errno = 0;
    CHECK(read(other.master, buffer, sizeof buffer) < 0 && errno == EIO,
          "master read after the slave closed (errno %d)", errno);
    close_pty(&other);
}

static void test_poll(void) {
    if (poll(NULL, 0, 0) < 0 && errno == ENOSYS) {
        printf("PTY-TEST: no poll(2) in this kernel\n");
        return;
    }
    struct pty pty;
    CHECK(open_pty(&pty) == 0, "opening a pty: %s", strerror(errno));
    struct pollfd entries[2] = {{.fd = pty.slave, .events = POLLIN},
                                {.fd = pty.master, .events = POLLIN | POLLOUT}};
    CHECK(poll(entries, 2, 0) == 1 && entries[0].revents == 0 && entries[1].revents == POLLOUT,
          "idle pty: slave 0x%x master 0x%x", entries[0].revents, entries[1].revents);
    CHECK(write(pty.master, "q\n", 2) == 2, "write");
    CHECK(poll(entries, 1, 2000) == 1 && (entries[0].revents & POLLIN), "slave not readable after a line");
    close(pty.slave);
    pty.slave = -1;
    entries[1].events = POLLIN;
    CHECK(poll(&entries[1], 1, 2000) == 1 && (entries[1].revents & POLLHUP),
          "master revents 0x%x after the slave closed", entries[1].revents);
    close_pty(&pty);
}

static void run(const char* name, void (*test)(void)) {
    g_failure[0] = 0;
    test();
    if (g_failure[0]) {
        printf("PTY FAIL %s: %s\n", name, g_failure);
        g_failed++;
    } else {
        printf("PTY PASS %s\n", name);
        g_passed++;
    }
    fflush(stdout);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    run("open_and_lock", test_open_and_lock);
    run("canonical_and_echo", test_canonical_and_echo);
    run("raw_mode", test_raw_mode);
    run("output_processing", test_output_processing);
    run("interrupt_from_master", test_interrupt_from_master);
    run("hangups", test_hangups);
    run("poll", test_poll);
    printf("PTY-TEST: done passed=%d failed=%d\n", g_passed, g_failed);
    return g_failed ? 1 : 0;
}
