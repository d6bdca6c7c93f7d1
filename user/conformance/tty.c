/*
 * Strix conformance suite — tty: pseudo-terminals (posix_openpt, devpts), the line
 * discipline (canonical and raw input, VMIN/VTIME, ECHO, ICRNL/ONLCR, VINTR and friends),
 * window size, controlling terminals and job control (TIOCSCTTY/TIOCNOTTY, foreground
 * process groups, SIGTTIN/SIGTTOU, SIGHUP when the session leader exits), FIONREAD and
 * TCFLSH. Needs no terminal of its own: every case makes a fresh pty.
 */
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "common.h"

struct pty {
    int master, slave;
    char slave_path[64];
};

static bool open_pty(struct pty* pty) {
    pty->master = posix_openpt(O_RDWR | O_NOCTTY);
    if (pty->master < 0 || grantpt(pty->master) != 0 || unlockpt(pty->master) != 0) return false;
    const char* name = ptsname(pty->master);
    if (!name) return false;
    snprintf(pty->slave_path, sizeof pty->slave_path, "%s", name);
    pty->slave = open(pty->slave_path, O_RDWR | O_NOCTTY);
    return pty->slave >= 0;
}

#define OPEN_PTY(pty) CHECK(open_pty(&pty), "opening a pty: %s", errno_name(errno))

static void set_raw(int fd, int vmin, int vtime) {
    struct termios settings;
    tcgetattr(fd, &settings);
    cfmakeraw(&settings);
    settings.c_cc[VMIN] = (cc_t)vmin;
    settings.c_cc[VTIME] = (cc_t)vtime;
    tcsetattr(fd, TCSANOW, &settings);
}

static void change_flags(int fd, tcflag_t* (*field)(struct termios*), tcflag_t set, tcflag_t clear) {
    struct termios settings;
    tcgetattr(fd, &settings);
    *field(&settings) = (*field(&settings) | set) & ~clear;
    tcsetattr(fd, TCSANOW, &settings);
}
static tcflag_t* local_flags(struct termios* t) { return &t->c_lflag; }
static tcflag_t* input_flags(struct termios* t) { return &t->c_iflag; }
static tcflag_t* output_flags(struct termios* t) { return &t->c_oflag; }

/* Reads what arrives within timeout_ms; returns the byte count (0 if nothing came). */
static ssize_t read_within(int fd, char* buffer, size_t size, int timeout_ms) {
    struct pollfd entry = {.fd = fd, .events = POLLIN};
    if (poll(&entry, 1, timeout_ms) <= 0 || !(entry.revents & POLLIN)) return 0;
    ssize_t got = read(fd, buffer, size - 1);
    buffer[got > 0 ? got : 0] = 0;
    return got;
}

/* For a child: become a session leader with the pty's slave as controlling terminal. */
static void become_session_leader_of(struct pty* pty) {
    if (setsid() < 0) sub_fail("setsid: %s", errno_name(errno));
    if (ioctl(pty->slave, TIOCSCTTY, 0) != 0) sub_fail("TIOCSCTTY: %s", errno_name(errno));
}

CASE(openpt_and_devpts) {
    struct pty pty;
    pty.master = posix_openpt(O_RDWR | O_NOCTTY);
    CHECK(pty.master >= 0, "posix_openpt: %s", errno_name(errno));
    CHECK_OK(grantpt(pty.master));
    const char* name = ptsname(pty.master);
    CHECK(name && strncmp(name, "/dev/pts/", 9) == 0, "ptsname \"%s\"", name ? name : "(null)");
    char path[64];
    snprintf(path, sizeof path, "%s", name);
    CHECK_ERRNO(open(path, O_RDWR | O_NOCTTY), EIO); /* still locked */
    CHECK_OK(unlockpt(pty.master));
    int slave = CHECK_OK(open(path, O_RDWR | O_NOCTTY));
    unsigned number = 99999;
    CHECK_OK(ioctl(pty.master, TIOCGPTN, &number));
    CHECK((int)number == atoi(path + 9), "TIOCGPTN %u for %s", number, path);
    struct stat status;
    CHECK_OK(fstat(slave, &status));
    CHECK(S_ISCHR(status.st_mode), "the slave is not a character device");
    CHECK(isatty(slave) && isatty(pty.master), "isatty on pty ends");
    int fds[2];
    CHECK_OK(pipe(fds));
    errno = 0;
    CHECK(!isatty(fds[0]) && errno == ENOTTY, "isatty on a pipe: errno %s", errno_name(errno));
    int peer = (int)ioctl(pty.master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    CHECK(peer >= 0, "TIOCGPTPEER: %s", errno_name(errno));
    struct stat peer_status;
    CHECK_OK(fstat(peer, &peer_status));
    CHECK(peer_status.st_rdev == status.st_rdev, "TIOCGPTPEER opened another device");
    struct termios settings;
    CHECK_ERRNO(tcgetattr(fds[0], &settings), ENOTTY);
}

CASE(canonical_input) {
    struct pty pty;
    OPEN_PTY(pty);
    change_flags(pty.slave, local_flags, ICANON, ECHO);
    char buffer[64];
    CHECK(write(pty.master, "hello\nworld\n", 12) == 12, "write");
    CHECK(read_within(pty.slave, buffer, sizeof buffer, 1000) == 6 && strcmp(buffer, "hello\n") == 0,
          "canonical read returned \"%s\", expected one line", buffer);
    CHECK(read_within(pty.slave, buffer, sizeof buffer, 1000) == 6, "second line");
    CHECK(write(pty.master, "abc", 3) == 3, "write");
    CHECK(read_within(pty.slave, buffer, sizeof buffer, 100) == 0, "a partial line was readable");
    CHECK(write(pty.master, "\n", 1) == 1, "write");
    CHECK(read_within(pty.slave, buffer, sizeof buffer, 1000) == 4 && strcmp(buffer, "abc\n") == 0,
          "completed line \"%s\"", buffer);
    struct termios settings;
    tcgetattr(pty.slave, &settings);
    char edit[] = {'a', 'b', 'x', (char)settings.c_cc[VERASE], 'c', '\n'};
    CHECK(write(pty.master, edit, sizeof edit) == (ssize_t)sizeof edit, "write");
    CHECK(read_within(pty.slave, buffer, sizeof buffer, 1000) == 4 && strcmp(buffer, "abc\n") == 0,
          "VERASE editing gave \"%s\"", buffer);
    char kill_line[] = {'z', 'z', (char)settings.c_cc[VKILL], 'o', 'k', '\n'};
    CHECK(write(pty.master, kill_line, sizeof kill_line) == (ssize_t)sizeof kill_line, "write");
    CHECK(read_within(pty.slave, buffer, sizeof buffer, 1000) == 3 && strcmp(buffer, "ok\n") == 0,
          "VKILL gave \"%s\"", buffer);
    char eof = (char)settings.c_cc[VEOF];
    CHECK(write(pty.master, &eof, 1) == 1, "write");
    CHECK(poll(&(struct pollfd){.fd = pty.slave, .events = POLLIN}, 1, 1000) == 1, "VEOF not readable");
    CHECK(read(pty.slave, buffer, sizeof buffer) == 0, "VEOF at line start must read as end of file");
}

CASE(raw_mode_vmin_vtime) {
    struct pty pty;
    OPEN_PTY(pty);
    set_raw(pty.slave, 0, 0);
    char buffer[16];
    CHECK(read(pty.slave, buffer, sizeof buffer) == 0, "VMIN=0 VTIME=0 with no data must return 0");
    CHECK(write(pty.master, "ab", 2) == 2, "write");
    sleep_ms(20);
    CHECK(read(pty.slave, buffer, sizeof buffer) == 2, "raw read");
    set_raw(pty.slave, 3, 0);
    pid_t child = fork();
    if (child == 0) {
        (void)!write(pty.master, "1", 1);
        sleep_ms(60);
        (void)!write(pty.master, "23", 2);
        _exit(0);
    }
    long long start = monotonic_ns();
    CHECK(read(pty.slave, buffer, sizeof buffer) == 3, "VMIN=3 returned early");
    CHECK(monotonic_ns() - start >= 40000000LL, "VMIN=3 did not wait for the third byte");
    CHECK_EXIT(child, 0);
    set_raw(pty.slave, 0, 2);
    start = monotonic_ns();
    CHECK(read(pty.slave, buffer, sizeof buffer) == 0, "VTIME expiry must return 0");
    long long waited = monotonic_ns() - start;
    CHECK(waited >= 150000000LL && waited < 2000000000LL, "VTIME=2 waited %lld ms", waited / 1000000);
    set_raw(pty.slave, 5, 1); /* inter-byte timer */
    CHECK(write(pty.master, "x", 1) == 1, "write");
    CHECK(read(pty.slave, buffer, sizeof buffer) == 1, "VMIN=5 VTIME=1 after one byte and a pause");
}

CASE(echo_and_newline_mapping) {
    struct pty pty;
    OPEN_PTY(pty);
    change_flags(pty.slave, local_flags, ECHO | ICANON, 0);
    change_flags(pty.slave, output_flags, OPOST | ONLCR, 0);
    char buffer[64];
    CHECK(write(pty.master, "hi\n", 3) == 3, "write");
    CHECK(read_within(pty.master, buffer, sizeof buffer, 1000) == 4 && strcmp(buffer, "hi\r\n") == 0,
          "echo with ONLCR: \"%s\"", buffer);
    read_within(pty.slave, buffer, sizeof buffer, 1000);
    change_flags(pty.slave, local_flags, 0, ECHO);
    CHECK(write(pty.master, "quiet\n", 6) == 6, "write");
    CHECK(read_within(pty.master, buffer, sizeof buffer, 100) == 0, "ECHO off still echoed \"%s\"", buffer);
    read_within(pty.slave, buffer, sizeof buffer, 1000);
    change_flags(pty.slave, input_flags, ICRNL, 0);
    CHECK(write(pty.master, "cr\r", 3) == 3, "write");
    CHECK(read_within(pty.slave, buffer, sizeof buffer, 1000) == 3 && strcmp(buffer, "cr\n") == 0,
          "ICRNL: \"%s\"", buffer);
    change_flags(pty.slave, local_flags, 0, ICANON);
    change_flags(pty.slave, input_flags, 0, ICRNL);
    CHECK(write(pty.master, "\r", 1) == 1, "write");
    CHECK(read_within(pty.slave, buffer, sizeof buffer, 1000) == 1 && buffer[0] == '\r', "without ICRNL");
    CHECK(write(pty.slave, "out\n", 4) == 4, "slave write");
    CHECK(read_within(pty.master, buffer, sizeof buffer, 1000) == 5 && strcmp(buffer, "out\r\n") == 0,
          "ONLCR output \"%s\"", buffer);
    change_flags(pty.slave, output_flags, 0, OPOST);
    CHECK(write(pty.slave, "raw\n", 4) == 4, "slave write");
    CHECK(read_within(pty.master, buffer, sizeof buffer, 1000) == 4 && strcmp(buffer, "raw\n") == 0,
          "without OPOST \"%s\"", buffer);
}

static volatile sig_atomic_t g_signal_seen;
static void note_signal(int signal_number) { g_signal_seen = signal_number; }

/* A session leader on the pty waits for `expected`; exit 0 if it arrived. */
static pid_t spawn_waiting_leader(struct pty* pty, int expected, int ready_fd) {
    pid_t child = fork();
    if (child == 0) {
        become_session_leader_of(pty);
        signal(expected, note_signal);
        (void)!write(ready_fd, "r", 1);
        for (int i = 0; i < 300 && !g_signal_seen; i++) sleep_ms(10);
        _exit(g_signal_seen == expected ? 0 : 1);
    }
    return child;
}

CASE(control_characters_signal_foreground) {
    static const struct {
        int cc;
        int signal_number;
    } keys[] = {{VINTR, SIGINT}, {VQUIT, SIGQUIT}, {VSUSP, SIGTSTP}};
    for (size_t i = 0; i < 3; i++) {
        struct pty pty;
        OPEN_PTY(pty);
        int ready[2];
        CHECK_OK(pipe(ready));
        pid_t leader = spawn_waiting_leader(&pty, keys[i].signal_number, ready[1]);
        char byte;
        CHECK(read(ready[0], &byte, 1) == 1, "leader did not start");
        struct termios settings;
        tcgetattr(pty.slave, &settings);
        char key = (char)settings.c_cc[keys[i].cc];
        CHECK(write(pty.master, &key, 1) == 1, "write");
        int status = wait_status(leader);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "control character 0x%x did not send %s: %s",
              key, signal_name(keys[i].signal_number), describe_status(status));
    }
    /* Without ISIG the character is plain data. */
    struct pty pty;
    OPEN_PTY(pty);
    set_raw(pty.slave, 1, 0);
    char interrupt = 3, buffer[4];
    CHECK(write(pty.master, &interrupt, 1) == 1, "write");
    CHECK(read_within(pty.slave, buffer, sizeof buffer, 1000) == 1 && buffer[0] == 3, "^C without ISIG");
}

CASE(window_size) {
    struct pty pty;
    OPEN_PTY(pty);
    int ready[2];
    CHECK_OK(pipe(ready));
    pid_t leader = spawn_waiting_leader(&pty, SIGWINCH, ready[1]);
    char byte;
    CHECK(read(ready[0], &byte, 1) == 1, "leader did not start");
    struct winsize size = {.ws_row = 42, .ws_col = 132, .ws_xpixel = 0, .ws_ypixel = 0};
    CHECK_OK(ioctl(pty.master, TIOCSWINSZ, &size));
    struct winsize read_back;
    memset(&read_back, 0, sizeof read_back);
    CHECK_OK(ioctl(pty.slave, TIOCGWINSZ, &read_back));
    CHECK(read_back.ws_row == 42 && read_back.ws_col == 132, "TIOCGWINSZ %ux%u", read_back.ws_row,
          read_back.ws_col);
    int status = wait_status(leader);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "no SIGWINCH for the foreground group: %s",
          describe_status(status));
    int fds[2];
    CHECK_OK(pipe(fds));
    CHECK_ERRNO(ioctl(fds[0], TIOCGWINSZ, &read_back), ENOTTY);
}

CASE(controlling_terminal_ioctls) {
    struct pty pty;
    OPEN_PTY(pty);
    pid_t child = fork();
    if (child == 0) {
        SUB_CHECK(ioctl(pty.slave, TIOCSCTTY, 0) == -1 && errno == EPERM, "TIOCSCTTY by a non-leader: %s",
                  errno_name(errno));
        SUB_CHECK(setsid() > 0, "setsid: %s", errno_name(errno));
        /* A leader without a terminal acquires the first one it opens without O_NOCTTY. */
        int slave = open(pty.slave_path, O_RDWR);
        SUB_CHECK(slave >= 0, "open slave: %s", errno_name(errno));
        pid_t sid = -1, pgrp = -1;
        SUB_CHECK(ioctl(slave, TIOCGSID, &sid) == 0 && sid == getpid(), "TIOCGSID %d: %s", (int)sid,
                  errno_name(errno));
        SUB_CHECK(ioctl(slave, TIOCGPGRP, &pgrp) == 0 && pgrp == getpid(), "TIOCGPGRP %d", (int)pgrp);
        SUB_CHECK(tcgetpgrp(slave) == getpid(), "tcgetpgrp");
        int tty = open("/dev/tty", O_RDWR);
        SUB_CHECK(tty >= 0, "/dev/tty with a controlling terminal: %s", errno_name(errno));
        SUB_CHECK(ioctl(tty, TIOCGSID, &sid) == 0 && sid == getpid(), "/dev/tty is not our terminal");
        SUB_CHECK(tcsetpgrp(slave, 1) == -1 && errno == EPERM, "tcsetpgrp to a group of another session: %s",
                  errno_name(errno));
        pid_t member = fork();
        if (member == 0) {
            setpgid(0, 0);
            pause();
            _exit(0);
        }
        setpgid(member, member);
        SUB_CHECK(tcsetpgrp(slave, member) == 0, "tcsetpgrp to our other group: %s", errno_name(errno));
        SUB_CHECK(tcgetpgrp(slave) == member, "foreground group did not change");
        /* Now in the background: like a shell, ignore SIGTTOU to take the terminal back. */
        signal(SIGTTOU, SIG_IGN);
        SUB_CHECK(tcsetpgrp(slave, getpid()) == 0, "tcsetpgrp back from the background: %s",
                  errno_name(errno));
        kill(member, SIGKILL);
        waitpid(member, NULL, 0);
        struct pty other;
        SUB_CHECK(open_pty(&other), "second pty");
        SUB_CHECK(ioctl(other.slave, TIOCSCTTY, 0) == -1 && errno == EPERM,
                  "TIOCSCTTY while owning a terminal: %s", errno_name(errno));
        signal(SIGHUP, SIG_IGN);
        SUB_CHECK(ioctl(slave, TIOCNOTTY) == 0, "TIOCNOTTY: %s", errno_name(errno));
        SUB_CHECK(open("/dev/tty", O_RDWR) == -1 && errno == ENXIO, "/dev/tty after TIOCNOTTY: %s",
                  errno_name(errno));
        SUB_CHECK(ioctl(other.slave, TIOCSCTTY, 0) == 0, "TIOCSCTTY after TIOCNOTTY: %s", errno_name(errno));
        _exit(0);
    }
    CHECK_EXIT(child, 0);
    /* The terminal belongs to no session now; stealing needs root and arg 1. */
    int fds[2];
    CHECK_OK(pipe(fds));
    CHECK_ERRNO(ioctl(fds[0], TIOCSCTTY, 0), ENOTTY);
}

CASE(fionread_and_tcflush) {
    struct pty pty;
    OPEN_PTY(pty);
    set_raw(pty.slave, 0, 0);
    CHECK(write(pty.master, "12345", 5) == 5, "write");
    sleep_ms(20);
    int queued = -1;
    CHECK_OK(ioctl(pty.slave, FIONREAD, &queued));
    CHECK(queued == 5, "FIONREAD %d, expected 5", queued);
    CHECK_OK(tcflush(pty.slave, TCIFLUSH));
    CHECK_OK(ioctl(pty.slave, FIONREAD, &queued));
    CHECK(queued == 0, "TCIFLUSH left %d bytes", queued);
    char buffer[8];
    CHECK(read(pty.slave, buffer, sizeof buffer) == 0, "flushed input still readable");
    CHECK(write(pty.slave, "out", 3) == 3, "slave write");
    CHECK_OK(ioctl(pty.slave, TCFLSH, TCIOFLUSH));
    CHECK_ERRNO(ioctl(pty.slave, TCFLSH, 42), EINVAL);
    CHECK_OK(tcdrain(pty.slave));
    struct termios settings;
    CHECK_OK(tcgetattr(pty.slave, &settings));
    cfsetispeed(&settings, B9600);
    cfsetospeed(&settings, B9600);
    CHECK_OK(tcsetattr(pty.slave, TCSADRAIN, &settings));
    struct termios back;
    CHECK_OK(tcgetattr(pty.slave, &back));
    CHECK(cfgetospeed(&back) == B9600 && cfgetispeed(&back) == B9600, "speed did not stick");
    CHECK_ERRNO(tcsetattr(pty.slave, 42, &settings), EINVAL);
}

CASE(background_read_and_write_stop) {
    struct pty pty;
    OPEN_PTY(pty);
    pid_t leader = fork();
    if (leader == 0) {
        become_session_leader_of(&pty);
        pid_t background = fork();
        if (background == 0) {
            setpgid(0, 0);
            char byte;
            (void)!read(pty.slave, &byte, 1);
            _exit(0);
        }
        setpgid(background, background);
        int status;
        SUB_CHECK(waitpid(background, &status, WUNTRACED) == background, "waitpid: %s", errno_name(errno));
        SUB_CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTTIN, "background read: %s",
                  describe_status(status));
        kill(background, SIGKILL);
        waitpid(background, NULL, 0);
        background = fork();
        if (background == 0) {
            setpgid(0, 0);
            signal(SIGTTIN, SIG_IGN);
            char byte;
            _exit(read(pty.slave, &byte, 1) == -1 && errno == EIO ? 0 : 1);
        }
        setpgid(background, background);
        SUB_CHECK(
            waitpid(background, &status, 0) == background && WIFEXITED(status) && WEXITSTATUS(status) == 0,
            "background read with SIGTTIN ignored must fail with EIO: %s", describe_status(status));
        struct termios settings;
        tcgetattr(pty.slave, &settings);
        settings.c_lflag |= TOSTOP;
        tcsetattr(pty.slave, TCSANOW, &settings);
        background = fork();
        if (background == 0) {
            setpgid(0, 0);
            (void)!write(pty.slave, "x", 1);
            _exit(0);
        }
        setpgid(background, background);
        SUB_CHECK(waitpid(background, &status, WUNTRACED) == background && WIFSTOPPED(status) &&
                      WSTOPSIG(status) == SIGTTOU,
                  "background write with TOSTOP: %s", describe_status(status));
        kill(background, SIGKILL);
        waitpid(background, NULL, 0);
        _exit(0);
    }
    CHECK_EXIT(leader, 0);
}

CASE(hangup_when_session_leader_exits) {
    struct pty pty;
    OPEN_PTY(pty);
    int report[2];
    CHECK_OK(pipe(report));
    pid_t leader = fork();
    if (leader == 0) {
        become_session_leader_of(&pty);
        int ready[2];
        SUB_CHECK(pipe(ready) == 0, "pipe");
        pid_t member = fork();
        if (member == 0) {
            signal(SIGHUP, note_signal);
            (void)!write(ready[1], "r", 1);
            for (int i = 0; i < 300 && !g_signal_seen; i++) sleep_ms(10);
            char verdict = g_signal_seen == SIGHUP ? 'y' : 'n';
            (void)!write(report[1], &verdict, 1);
            /* The session lost its terminal (a pty is not hung up, only disowned). */
            int tty = open("/dev/tty", O_RDWR);
            verdict = tty == -1 && errno == ENXIO ? 'y' : 'n';
            (void)!write(report[1], &verdict, 1);
            _exit(0);
        }
        char byte;
        (void)!read(ready[0], &byte, 1);
        _exit(0); /* the session leader exits: its foreground group gets SIGHUP */
    }
    CHECK_EXIT(leader, 0);
    char verdicts[2] = {0, 0};
    CHECK(read(report[0], &verdicts[0], 1) == 1 && read(report[0], &verdicts[1], 1) == 1,
          "the foreground member did not report");
    CHECK(verdicts[0] == 'y', "no SIGHUP after the session leader exited");
    CHECK(verdicts[1] == 'y', "the session kept its controlling terminal after its leader exited");
}

CASE(pty_ends_hang_up) {
    struct pty pty;
    OPEN_PTY(pty);
    close(pty.slave);
    char buffer[8];
    struct pollfd entry = {.fd = pty.master, .events = POLLIN};
    CHECK(poll(&entry, 1, 1000) == 1 && (entry.revents & POLLHUP),
          "master revents 0x%x after the slave closed", entry.revents);
    CHECK_ERRNO(read(pty.master, buffer, sizeof buffer), EIO);
    struct pty other;
    OPEN_PTY(other);
    close(other.master);
    CHECK_ERRNO(write(other.slave, "x", 1), EIO);
    CHECK(read(other.slave, buffer, sizeof buffer) == 0, "slave read after the master closed is not EOF");
}

static const struct test_case cases[] = {
    CASE_ENTRY(openpt_and_devpts),
    CASE_ENTRY(canonical_input),
    CASE_ENTRY(raw_mode_vmin_vtime),
    CASE_ENTRY(echo_and_newline_mapping),
    CASE_ENTRY(control_characters_signal_foreground),
    CASE_ENTRY(window_size),
    CASE_ENTRY(controlling_terminal_ioctls),
    CASE_ENTRY(fionread_and_tcflush),
    CASE_ENTRY(background_read_and_write_stop),
    CASE_ENTRY(hangup_when_session_leader_exits),
    CASE_ENTRY(pty_ends_hang_up),
};

int main(int argc, char** argv) { return CONFORMANCE_MAIN("tty", cases, argc, argv); }
