/*
 * Strix conformance suite — poll_events: readiness and event file descriptors. poll,
 * ppoll, select, pselect6, epoll (ADD/MOD/DEL, level and edge triggering, EPOLLONESHOT,
 * EPOLLEXCLUSIVE, epoll_pwait/epoll_pwait2, nesting), eventfd2, signalfd4 and timerfd: what
 * each reports, and that a waiter sleeps until another process makes it ready.
 */
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "common.h"

static volatile int g_signals;
static void count_signal(int signal_number) {
    (void)signal_number;
    g_signals++;
}

static short poll_one(int fd, short events, int timeout_ms) {
    struct pollfd entry = {.fd = fd, .events = events};
    int ready = poll(&entry, 1, timeout_ms);
    return ready < 0 ? -1 : entry.revents;
}

/* Forks a child that sends `signal_number` to us after `delay_ms`. */
static pid_t send_later(int signal_number, long delay_ms) {
    pid_t target = getpid();
    pid_t child = fork();
    if (child == 0) {
        sleep_ms(delay_ms);
        kill(target, signal_number);
        _exit(0);
    }
    return child;
}

/* Forks a child that writes one byte to `fd` after `delay_ms`. */
static pid_t write_later(int fd, long delay_ms) {
    pid_t child = fork();
    if (child == 0) {
        sleep_ms(delay_ms);
        (void)!write(fd, "w", 1);
        _exit(0);
    }
    return child;
}

CASE(poll_pipe_states) {
    int fds[2];
    CHECK_OK(pipe(fds));
    CHECK(poll_one(fds[0], POLLIN, 0) == 0, "empty pipe is readable");
    CHECK(poll_one(fds[1], POLLOUT, 0) == POLLOUT, "empty pipe is not writable");
    CHECK(write(fds[1], "x", 1) == 1, "write");
    CHECK(poll_one(fds[0], POLLIN, 0) == POLLIN, "pipe with data is not readable");
    CHECK(poll_one(fds[0], POLLIN | POLLOUT, 0) == POLLIN, "the read end of a pipe reported POLLOUT");
    close(fds[1]);
    short revents = poll_one(fds[0], POLLIN, 0);
    CHECK(revents == (POLLIN | POLLHUP), "after the writer closed: revents 0x%x", revents);
    int other[2];
    CHECK_OK(pipe(other));
    close(other[0]);
    CHECK(poll_one(other[1], POLLOUT, 0) & POLLERR, "writer without readers lacks POLLERR");
    /* POLLNVAL, POLLHUP and POLLERR are reported whatever `events` asks for. */
    struct pollfd entries[4] = {{.fd = -1, .events = POLLIN},
                                {.fd = 999, .events = POLLIN},
                                {.fd = fds[0], .events = 0},
                                {.fd = other[1], .events = POLLIN}};
    int ready = poll(entries, 4, 0);
    CHECK(ready == 3, "poll returned %d (negative fd ignored, bad fd POLLNVAL, HUP and ERR always)", ready);
    CHECK(entries[0].revents == 0 && entries[1].revents == POLLNVAL && entries[2].revents == POLLHUP &&
              entries[3].revents == POLLERR,
          "revents 0x%x 0x%x 0x%x 0x%x", entries[0].revents, entries[1].revents, entries[2].revents,
          entries[3].revents);
}

CASE(poll_woken_by_writer) {
    int fds[2];
    CHECK_OK(pipe(fds));
    pid_t writer = write_later(fds[1], 60);
    long long start = monotonic_ns();
    CHECK(poll_one(fds[0], POLLIN, 5000) == POLLIN, "poll was not woken by another process's write");
    long long waited = monotonic_ns() - start;
    CHECK(waited >= 40000000LL && waited < 4000000000LL, "woke after %lld ms", waited / 1000000);
    CHECK_EXIT(writer, 0);
    /* Many descriptors: more wait entries than fit in a page. */
    static int many[300][2];
    static struct pollfd entries[300];
    for (int i = 0; i < 300; i++) {
        CHECK_OK(pipe(many[i]));
        entries[i] = (struct pollfd){.fd = many[i][0], .events = POLLIN};
    }
    writer = write_later(many[299][1], 30);
    int ready = poll(entries, 300, 5000);
    CHECK(ready == 1 && entries[299].revents == POLLIN, "the last of 300 pipes: %d ready, revents 0x%x",
          ready, entries[299].revents);
    CHECK_EXIT(writer, 0);
}

CASE(poll_timeout_and_eintr) {
    int fds[2];
    CHECK_OK(pipe(fds));
    long long start = monotonic_ns();
    CHECK(poll_one(fds[0], POLLIN, 50) == 0, "poll timeout");
    CHECK(monotonic_ns() - start >= 45000000LL, "poll returned early");
    struct sigaction action = {.sa_handler = count_signal, .sa_flags = SA_RESTART};
    sigaction(SIGUSR1, &action, NULL);
    pid_t sender = send_later(SIGUSR1, 50);
    struct pollfd entry = {.fd = fds[0], .events = POLLIN};
    CHECK_ERRNO(poll(&entry, 1, 3000), EINTR); /* never restarted, even with SA_RESTART */
    CHECK(g_signals == 1, "handler did not run");
    wait_status(sender);
    /* ppoll swaps the mask atomically: a blocked signal interrupts only inside it. */
    sigset_t blocked, during;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR1);
    sigprocmask(SIG_BLOCK, &blocked, NULL);
    kill(getpid(), SIGUSR1);
    CHECK(g_signals == 1, "blocked signal delivered");
    sigemptyset(&during);
    struct timespec limit = {3, 0};
    CHECK_ERRNO(ppoll(&entry, 1, &limit, &during), EINTR);
    CHECK(g_signals == 2, "ppoll did not unblock the signal");
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    CHECK(sigismember(&now, SIGUSR1), "ppoll did not restore the mask");
    struct timespec short_limit = {0, 30 * 1000 * 1000};
    start = monotonic_ns();
    CHECK(ppoll(&entry, 1, &short_limit, NULL) == 0, "ppoll timeout");
    CHECK(monotonic_ns() - start >= 25000000LL, "ppoll returned early");
    short_limit = (struct timespec){0, 30 * 1000 * 1000};
    CHECK(ppoll(&entry, 1, &short_limit, &during) == 0, "ppoll timeout with a mask");
    sigprocmask(SIG_SETMASK, NULL, &now);
    CHECK(sigismember(&now, SIGUSR1), "a timed-out ppoll did not restore the mask");
    struct timespec bad = {0, 1000000000L};
    CHECK_ERRNO(ppoll(&entry, 1, &bad, NULL), EINVAL);
    CHECK_ERRNO(syscall(SYS_ppoll, &entry, 1, &limit, &during, 4), EINVAL); /* sigsetsize must be 8 */
}

CASE(select_and_pselect) {
    int fds[2];
    CHECK_OK(pipe(fds));
    fd_set readable, writable;
    FD_ZERO(&readable);
    FD_ZERO(&writable);
    FD_SET(fds[0], &readable);
    FD_SET(fds[1], &writable);
    int highest = fds[0] > fds[1] ? fds[0] : fds[1];
    struct timeval zero = {0, 0};
    CHECK(select(highest + 1, &readable, &writable, NULL, &zero) == 1, "select on an empty pipe");
    CHECK(!FD_ISSET(fds[0], &readable) && FD_ISSET(fds[1], &writable), "select result sets");
    CHECK(write(fds[1], "x", 1) == 1, "write");
    FD_ZERO(&readable);
    FD_SET(fds[0], &readable);
    struct timeval limit = {2, 0};
    CHECK(select(highest + 1, &readable, NULL, NULL, &limit) == 1 && FD_ISSET(fds[0], &readable),
          "select missed readable data");
    CHECK(limit.tv_sec <= 2 && (limit.tv_sec < 2 || limit.tv_usec == 0), "Linux updates the timeout");
    /* The raw call writes the time left back (libc wrappers may pass a copy). */
    char drain;
    CHECK(read(fds[0], &drain, 1) == 1, "drain");
    pid_t writer = write_later(fds[1], 100);
    struct timeval long_limit = {5, 0};
    FD_ZERO(&readable);
    FD_SET(fds[0], &readable);
    CHECK(syscall(SYS_select, fds[0] + 1, &readable, NULL, NULL, &long_limit) == 1,
          "select woken by a writer");
    CHECK(long_limit.tv_sec < 5 && long_limit.tv_sec >= 3, "time left %ld.%06ld", (long)long_limit.tv_sec,
          (long)long_limit.tv_usec);
    CHECK_EXIT(writer, 0);
    FD_ZERO(&readable);
    FD_SET(fds[0], &readable);
    int closed = dup(fds[0]);
    close(closed);
    FD_SET(closed, &readable);
    CHECK_ERRNO(select(closed + 1, &readable, NULL, NULL, &zero), EBADF);
    CHECK_ERRNO(select(-1, NULL, NULL, NULL, &zero), EINVAL);
    struct timeval negative = {-1, 0};
    CHECK_ERRNO(select(0, NULL, NULL, NULL, &negative), EINVAL);
    struct timeval wait_time = {0, 30000};
    long long start = monotonic_ns();
    CHECK(syscall(SYS_select, 0, NULL, NULL, NULL, &wait_time) == 0, "select as a sleep");
    CHECK(monotonic_ns() - start >= 25000000LL, "select slept too little");
    CHECK(wait_time.tv_sec == 0 && wait_time.tv_usec == 0, "time left after a timeout: %ld.%06ld",
          (long)wait_time.tv_sec, (long)wait_time.tv_usec);

    signal(SIGUSR1, count_signal);
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR1);
    sigprocmask(SIG_BLOCK, &blocked, NULL);
    kill(getpid(), SIGUSR1);
    int empty[2];
    CHECK_OK(pipe(empty));
    FD_ZERO(&readable);
    FD_SET(empty[0], &readable);
    uint64_t none = 0;
    struct {
        const void* set;
        size_t size;
    } mask_argument = {&none, 8};
    struct timespec pselect_limit = {3, 0};
    CHECK_ERRNO(syscall(SYS_pselect6, empty[0] + 1, &readable, NULL, NULL, &pselect_limit, &mask_argument),
                EINTR);
    CHECK(g_signals == 1, "pselect6 did not deliver the pending signal");
    mask_argument.size = 4; /* the kernel's sigset is 8 bytes */
    CHECK_ERRNO(syscall(SYS_pselect6, empty[0] + 1, &readable, NULL, NULL, &pselect_limit, &mask_argument),
                EINVAL);
}

CASE(epoll_control) {
    int epoll_fd = CHECK_OK(epoll_create1(EPOLL_CLOEXEC));
    CHECK(fcntl(epoll_fd, F_GETFD) == FD_CLOEXEC, "EPOLL_CLOEXEC");
    CHECK_ERRNO(epoll_create1(0x10), EINVAL);
    int fds[2];
    CHECK_OK(pipe(fds));
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = 0x1122334455667788ULL};
    CHECK_OK(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fds[0], &event));
    CHECK_ERRNO(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fds[0], &event), EEXIST);
    CHECK_ERRNO(epoll_ctl(fds[0], EPOLL_CTL_ADD, fds[1], &event), EINVAL); /* not an epoll fd */
    CHECK_ERRNO(epoll_ctl(epoll_fd, 99, fds[1], &event), EINVAL);
    struct epoll_event got[4];
    CHECK(epoll_wait(epoll_fd, got, 4, 0) == 0, "empty pipe reported ready");
    CHECK(write(fds[1], "x", 1) == 1, "write");
    CHECK(epoll_wait(epoll_fd, got, 4, 0) == 1, "readable pipe not reported");
    CHECK(got[0].events == EPOLLIN && got[0].data.u64 == 0x1122334455667788ULL, "event 0x%x data %llx",
          got[0].events, (unsigned long long)got[0].data.u64);
    CHECK(epoll_wait(epoll_fd, got, 4, 0) == 1, "level-triggered event not repeated");
    event.events = EPOLLOUT;
    CHECK_ERRNO(epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fds[1], &event), ENOENT);
    CHECK_OK(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fds[1], &event));
    CHECK(epoll_wait(epoll_fd, got, 4, 0) == 2, "expected the readable and the writable end");
    CHECK(epoll_wait(epoll_fd, got, 1, 0) == 1, "maxevents 1");
    CHECK_OK(epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fds[1], NULL));
    CHECK_ERRNO(epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fds[1], NULL), ENOENT);
    event.events = EPOLLOUT;
    CHECK_OK(epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fds[0], &event)); /* read end never writable */
    CHECK(epoll_wait(epoll_fd, got, 4, 0) == 0, "MOD did not replace the interest set");
    CHECK_ERRNO(epoll_wait(epoll_fd, got, 0, 0), EINVAL);
    event.events = EPOLLIN;
    CHECK_OK(epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fds[0], &event));
    CHECK(epoll_wait(epoll_fd, got, 4, 0) == 1, "unread data not reported after MOD back to EPOLLIN");
    /* An entry belongs to the open file description: a duplicate keeps it alive, the
     * last close removes it. */
    int duplicate = CHECK_OK(dup(fds[0]));
    close(fds[0]);
    CHECK(epoll_wait(epoll_fd, got, 4, 0) == 1, "closing one of two descriptors removed the entry");
    close(duplicate);
    CHECK(epoll_wait(epoll_fd, got, 4, 0) == 0, "a closed fd still reports events");
    /* EPOLLHUP is reported even when no event was asked for. */
    int second[2];
    CHECK_OK(pipe(second));
    event.events = 0;
    CHECK_OK(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, second[0], &event));
    close(second[1]);
    CHECK(epoll_wait(epoll_fd, got, 4, 0) == 1 && got[0].events == EPOLLHUP, "EPOLLHUP 0x%x", got[0].events);
    CHECK_OK(epoll_ctl(epoll_fd, EPOLL_CTL_DEL, second[0], NULL));
    long long start = monotonic_ns();
    CHECK(epoll_wait(epoll_fd, got, 4, 40) == 0, "timeout");
    CHECK(monotonic_ns() - start >= 35000000LL, "epoll_wait returned early");
    /* EPOLLEXCLUSIVE only with ADD, and never with EPOLLONESHOT. */
    int third[2];
    CHECK_OK(pipe(third));
    event.events = EPOLLIN | EPOLLEXCLUSIVE;
    CHECK_OK(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, third[0], &event));
    CHECK_ERRNO(epoll_ctl(epoll_fd, EPOLL_CTL_MOD, third[0], &event), EINVAL);
    event.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
    CHECK_ERRNO(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, third[1], &event), EINVAL);
}

CASE(epoll_edge_and_oneshot) {
    int epoll_fd = CHECK_OK(epoll_create1(0));
    int fds[2];
    CHECK_OK(pipe2(fds, O_NONBLOCK));
    struct epoll_event event = {.events = EPOLLIN | EPOLLET, .data.fd = fds[0]};
    CHECK_OK(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fds[0], &event));
    struct epoll_event got[2];
    CHECK(write(fds[1], "a", 1) == 1, "write");
    CHECK(epoll_wait(epoll_fd, got, 2, 0) == 1, "edge not reported");
    CHECK(epoll_wait(epoll_fd, got, 2, 0) == 0, "EPOLLET reported the same edge twice");
    CHECK(write(fds[1], "b", 1) == 1, "write");
    CHECK(epoll_wait(epoll_fd, got, 2, 0) == 1, "a new edge was not reported");
    pid_t writer = write_later(fds[1], 50);
    CHECK(epoll_wait(epoll_fd, got, 2, 5000) == 1, "a blocking edge-triggered wait was not woken");
    CHECK_EXIT(writer, 0);

    int oneshot[2];
    CHECK_OK(pipe(oneshot));
    struct epoll_event once = {.events = EPOLLIN | EPOLLONESHOT, .data.fd = oneshot[0]};
    int second = CHECK_OK(epoll_create1(0));
    CHECK_OK(epoll_ctl(second, EPOLL_CTL_ADD, oneshot[0], &once));
    CHECK(write(oneshot[1], "x", 1) == 1, "write");
    CHECK(epoll_wait(second, got, 2, 0) == 1, "EPOLLONESHOT: first event missing");
    CHECK(write(oneshot[1], "y", 1) == 1, "write");
    CHECK(epoll_wait(second, got, 2, 0) == 0, "EPOLLONESHOT fired twice");
    CHECK_OK(epoll_ctl(second, EPOLL_CTL_MOD, oneshot[0], &once));
    CHECK(epoll_wait(second, got, 2, 0) == 1, "MOD did not re-arm EPOLLONESHOT");
}

CASE(epoll_pwait_and_nesting) {
    int epoll_fd = CHECK_OK(epoll_create1(0));
    signal(SIGUSR1, count_signal);
    sigset_t blocked, none;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR1);
    sigprocmask(SIG_BLOCK, &blocked, NULL);
    kill(getpid(), SIGUSR1);
    sigemptyset(&none);
    struct epoll_event got[2];
    CHECK_ERRNO(epoll_pwait(epoll_fd, got, 2, 3000, &none), EINTR);
    CHECK(g_signals == 1, "epoll_pwait did not unblock the signal");
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    CHECK(sigismember(&now, SIGUSR1), "epoll_pwait did not restore the mask");
    struct timespec limit = {0, 20 * 1000 * 1000};
    long long start = monotonic_ns();
    CHECK(syscall(SYS_epoll_pwait2, epoll_fd, got, 2, &limit, NULL, 8) == 0, "epoll_pwait2 timeout: %s",
          errno_name(errno));
    CHECK(monotonic_ns() - start >= 15000000LL, "epoll_pwait2 returned early");
    int inner = CHECK_OK(epoll_create1(0));
    int fds[2];
    CHECK_OK(pipe(fds));
    struct epoll_event event = {.events = EPOLLIN, .data.fd = fds[0]};
    CHECK_OK(epoll_ctl(inner, EPOLL_CTL_ADD, fds[0], &event));
    event.data.fd = inner;
    CHECK_OK(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, inner, &event));
    CHECK(epoll_wait(epoll_fd, got, 2, 0) == 0, "idle nested epoll reported ready");
    CHECK(poll_one(inner, POLLIN, 0) == 0, "poll of an idle epoll fd");
    CHECK(write(fds[1], "x", 1) == 1, "write");
    CHECK(poll_one(inner, POLLIN, 0) == POLLIN, "poll of a ready epoll fd");
    CHECK(epoll_wait(epoll_fd, got, 2, 0) == 1 && got[0].data.fd == inner, "nested readiness not propagated");
    CHECK_ERRNO(epoll_ctl(inner, EPOLL_CTL_ADD, epoll_fd, &event), ELOOP);
    pid_t writer = fork();
    if (writer == 0) {
        sleep_ms(50);
        (void)!write(fds[1], "y", 1);
        _exit(0);
    }
    int drain_fd = fds[0];
    char drain[4];
    CHECK(read(drain_fd, drain, sizeof drain) == 1, "drain");
    start = monotonic_ns();
    CHECK(epoll_wait(epoll_fd, got, 2, 3000) == 1, "blocking epoll_wait was not woken");
    CHECK(monotonic_ns() - start >= 40000000LL, "woke before the write");
    wait_status(writer);
    /* Linux refuses chains of epoll instances deeper than EP_MAX_NESTS (4) links. */
    int chain[7];
    for (int i = 0; i < 7; i++) chain[i] = CHECK_OK(epoll_create1(0));
    int result = 0;
    for (int i = 0; i < 6 && result == 0; i++) {
        event.data.fd = chain[i + 1];
        result = epoll_ctl(chain[i], EPOLL_CTL_ADD, chain[i + 1], &event);
        CHECK(result == 0 || (errno == ELOOP && i >= 4), "link %d: %s", i, errno_name(errno));
    }
    CHECK(result == -1, "a chain of seven epoll instances was accepted");
}

CASE(eventfd_counter) {
    int fd = CHECK_OK(eventfd(3, EFD_NONBLOCK | EFD_CLOEXEC));
    CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC && (fcntl(fd, F_GETFL) & O_NONBLOCK), "EFD_CLOEXEC/EFD_NONBLOCK");
    uint64_t value = 0;
    CHECK(poll_one(fd, POLLIN | POLLOUT, 0) == (POLLIN | POLLOUT), "eventfd with a count is not readable");
    CHECK(read(fd, &value, 8) == 8 && value == 3, "initial value %llu", (unsigned long long)value);
    CHECK_ERRNO(read(fd, &value, 8), EAGAIN);
    value = 5;
    CHECK(write(fd, &value, 8) == 8 && write(fd, &value, 8) == 8, "writes");
    CHECK(read(fd, &value, 8) == 8 && value == 10, "counts add up: %llu", (unsigned long long)value);
    uint32_t small;
    CHECK_ERRNO(read(fd, &small, 4), EINVAL);
    CHECK_ERRNO(write(fd, &small, 4), EINVAL);
    value = UINT64_MAX;
    CHECK_ERRNO(write(fd, &value, 8), EINVAL);
    value = UINT64_MAX - 1;
    CHECK(write(fd, &value, 8) == 8, "largest count");
    value = 1;
    CHECK_ERRNO(write(fd, &value, 8), EAGAIN); /* would overflow */
    CHECK(poll_one(fd, POLLOUT, 0) == 0, "a full eventfd reports POLLOUT");
    CHECK_ERRNO(eventfd(0, 0x1000), EINVAL);
    int semaphore = CHECK_OK(eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK));
    CHECK(read(semaphore, &value, 8) == 8 && value == 1, "EFD_SEMAPHORE read %llu",
          (unsigned long long)value);
    CHECK(read(semaphore, &value, 8) == 8 && value == 1, "second semaphore read");
    CHECK_ERRNO(read(semaphore, &value, 8), EAGAIN);
    /* A blocking read sleeps until another process writes. */
    int blocking = CHECK_OK(eventfd(0, 0));
    pid_t child = fork();
    if (child == 0) {
        sleep_ms(50);
        uint64_t seven = 7;
        _exit(write(blocking, &seven, 8) == 8 ? 0 : 1);
    }
    CHECK(read(blocking, &value, 8) == 8 && value == 7, "blocking read got %llu", (unsigned long long)value);
    CHECK_EXIT(child, 0);
}

CASE(signalfd_reads_signals) {
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    sigaddset(&mask, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    int fd = CHECK_OK(signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC));
    struct signalfd_siginfo info;
    CHECK_ERRNO(read(fd, &info, sizeof info), EAGAIN);
    kill(getpid(), SIGUSR1);
    CHECK(poll_one(fd, POLLIN, 0) == POLLIN, "pending signal does not make the signalfd readable");
    CHECK(read(fd, &info, sizeof info) == (ssize_t)sizeof info, "read: %s", errno_name(errno));
    CHECK(info.ssi_signo == SIGUSR1 && info.ssi_code == SI_USER && info.ssi_pid == (uint32_t)getpid() &&
              info.ssi_uid == getuid(),
          "signo %u code %d pid %u uid %u", info.ssi_signo, info.ssi_code, info.ssi_pid, info.ssi_uid);
    sigset_t pending;
    sigpending(&pending);
    CHECK(!sigismember(&pending, SIGUSR1), "reading the signalfd did not consume the signal");
    union sigval value = {.sival_int = 77};
    sigqueue(getpid(), SIGRTMIN, value);
    sigqueue(getpid(), SIGRTMIN, value);
    struct signalfd_siginfo two[3];
    CHECK(read(fd, two, sizeof two) == 2 * (ssize_t)sizeof info, "two queued signals in one read");
    CHECK(two[0].ssi_signo == (uint32_t)SIGRTMIN && two[0].ssi_code == SI_QUEUE && two[0].ssi_int == 77 &&
              two[1].ssi_signo == (uint32_t)SIGRTMIN,
          "queued signal: signo %u code %d int %d", two[0].ssi_signo, two[0].ssi_code, two[0].ssi_int);
    char small[16];
    kill(getpid(), SIGUSR1);
    CHECK_ERRNO(read(fd, small, sizeof small), EINVAL);
    sigset_t only_rt;
    sigemptyset(&only_rt);
    sigaddset(&only_rt, SIGRTMIN);
    CHECK(signalfd(fd, &only_rt, 0) == fd, "updating the mask of an existing signalfd");
    CHECK_ERRNO(read(fd, &info, sizeof info), EAGAIN); /* SIGUSR1 no longer watched */
    int fds[2];
    CHECK_OK(pipe(fds));
    CHECK_ERRNO(signalfd(fds[0], &only_rt, 0), EINVAL); /* not a signalfd */
    /* A blocking read is woken by a signal from another process. */
    int blocking = CHECK_OK(signalfd(-1, &mask, 0));
    sigpending(&pending);
    if (sigismember(&pending, SIGUSR1)) CHECK(read(blocking, &info, sizeof info) > 0, "drain");
    pid_t sender = send_later(SIGUSR1, 50);
    CHECK(read(blocking, &info, sizeof info) == (ssize_t)sizeof info && info.ssi_signo == SIGUSR1 &&
              info.ssi_pid == (uint32_t)sender,
          "blocking read: signo %u pid %u (sender %d)", info.ssi_signo, info.ssi_pid, (int)sender);
    CHECK_EXIT(sender, 0);
}

CASE(timerfd_expirations) {
    int fd = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC));
    struct itimerspec once = {{0, 0}, {0, 50 * 1000 * 1000}}, current;
    long long start = monotonic_ns();
    CHECK_OK(timerfd_settime(fd, 0, &once, NULL));
    CHECK_OK(timerfd_gettime(fd, &current));
    CHECK(current.it_value.tv_sec == 0 && current.it_value.tv_nsec > 0, "timerfd_gettime shows it disarmed");
    uint64_t expirations = 0;
    CHECK(read(fd, &expirations, 8) == 8 && expirations == 1, "one-shot read %llu",
          (unsigned long long)expirations);
    CHECK(monotonic_ns() - start >= 50000000LL, "timerfd fired early");
    CHECK_OK(timerfd_gettime(fd, &current));
    CHECK(current.it_value.tv_sec == 0 && current.it_value.tv_nsec == 0, "expired one-shot still armed");

    int periodic = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    CHECK_ERRNO(read(periodic, &expirations, 8), EAGAIN);
    struct itimerspec every = {{0, 10 * 1000 * 1000}, {0, 10 * 1000 * 1000}};
    long long armed = monotonic_ns();
    CHECK_OK(timerfd_settime(periodic, 0, &every, NULL));
    sleep_ms(105);
    long long slept = monotonic_ns() - armed;
    CHECK(read(periodic, &expirations, 8) == 8, "periodic read: %s", errno_name(errno));
    long long after = monotonic_ns() - armed;
    /* The count is the number of whole 10 ms periods between arming and the read. */
    CHECK(
        (long long)expirations >= slept / 10000000LL - 1 && (long long)expirations <= after / 10000000LL + 1,
        "periodic timer counted %llu expirations in %lld-%lld ms", (unsigned long long)expirations,
        slept / 1000000, after / 1000000);
    CHECK_OK(timerfd_gettime(periodic, &current));
    CHECK(current.it_interval.tv_nsec == 10000000 && current.it_value.tv_nsec > 0 &&
              current.it_value.tv_nsec <= 10000000,
          "periodic timerfd_gettime %ld/%ld", current.it_value.tv_nsec, current.it_interval.tv_nsec);
    struct itimerspec disarm = {{0, 0}, {0, 0}}, old;
    CHECK_OK(timerfd_settime(periodic, 0, &disarm, &old));
    CHECK(old.it_interval.tv_nsec == 10000000, "old interval %ld", old.it_interval.tv_nsec);
    CHECK_ERRNO(read(periodic, &expirations, 8), EAGAIN);
    uint32_t small;
    CHECK_ERRNO(read(periodic, &small, 4), EINVAL);

    int absolute_fd = CHECK_OK(timerfd_create(CLOCK_REALTIME, 0));
    struct timespec real_now;
    clock_gettime(CLOCK_REALTIME, &real_now);
    struct itimerspec absolute = {{0, 0}, {real_now.tv_sec + 1, 0}}; /* next full second */
    CHECK_OK(timerfd_settime(absolute_fd, TFD_TIMER_ABSTIME, &absolute, NULL));
    CHECK(poll_one(absolute_fd, POLLIN, 1500) == POLLIN, "absolute CLOCK_REALTIME timerfd did not fire");
    struct itimerspec past = {{0, 0}, {0, 1}}; /* 1 ns after boot */
    int boot = CHECK_OK(timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK));
    CHECK_OK(timerfd_settime(boot, TFD_TIMER_ABSTIME, &past, NULL));
    CHECK(read(boot, &expirations, 8) == 8 && expirations == 1,
          "a deadline in the past did not fire at once");
    struct itimerspec bad = {{0, 0}, {0, 1000000000L}};
    CHECK_ERRNO(timerfd_settime(fd, 0, &bad, NULL), EINVAL);
    CHECK_ERRNO(timerfd_settime(fd, 0x80, &once, NULL), EINVAL);
    CHECK_ERRNO(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
    CHECK_ERRNO(timerfd_create(CLOCK_MONOTONIC, 0x4), EINVAL);
    int fds[2];
    CHECK_OK(pipe(fds));
    CHECK_ERRNO(timerfd_gettime(fds[0], &current), EINVAL);
}

/* The data.u32 tags (1, 2, 4) that epoll_wait reports within `seconds`; 8 if it failed. */
static unsigned collect_tags(int epoll_fd, int seconds) {
    unsigned seen = 0;
    long long deadline = monotonic_ns() + seconds * 1000000000LL;
    while (seen != 7 && monotonic_ns() < deadline) {
        struct epoll_event got[3];
        int ready = epoll_wait(epoll_fd, got, 3, 100);
        if (ready < 0) return seen | 8;
        for (int i = 0; i < ready; i++) seen |= got[i].data.u32;
    }
    return seen;
}

CASE(epoll_over_event_fds) {
    int event_fd = CHECK_OK(eventfd(0, EFD_NONBLOCK));
    int timer_fd = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR2);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    int signal_fd = CHECK_OK(signalfd(-1, &mask, SFD_NONBLOCK));
    int fds[3] = {event_fd, timer_fd, signal_fd};
    /* Level-triggered with the signal already pending, then edge-triggered with the signal
     * sent by another process while we wait. */
    for (int round = 0; round < 2; round++) {
        bool edge = round == 1;
        int epoll_fd = CHECK_OK(epoll_create1(0));
        for (int i = 0; i < 3; i++) {
            struct epoll_event event = {.events = EPOLLIN | (edge ? EPOLLET : 0), .data.u32 = 1u << i};
            CHECK_OK(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fds[i], &event));
        }
        uint64_t one = 1;
        CHECK(write(event_fd, &one, 8) == 8, "eventfd write");
        struct itimerspec soon = {{0, 0}, {0, 20 * 1000 * 1000}};
        CHECK_OK(timerfd_settime(timer_fd, 0, &soon, NULL));
        pid_t sender = 0;
        if (edge)
            sender = send_later(SIGUSR2, 40);
        else
            kill(getpid(), SIGUSR2);
        unsigned seen = collect_tags(epoll_fd, 3);
        CHECK(seen == 7, "%s-triggered: eventfd %d timerfd %d signalfd %d%s", edge ? "edge" : "level",
              !!(seen & 1), !!(seen & 2), !!(seen & 4), (seen & 8) ? ", epoll_wait failed" : "");
        if (sender > 0) CHECK_EXIT(sender, 0);
        uint64_t count;
        struct signalfd_siginfo info;
        CHECK(read(event_fd, &count, 8) == 8 && read(timer_fd, &count, 8) == 8 &&
                  read(signal_fd, &info, sizeof info) == (ssize_t)sizeof info,
              "draining the event files: %s", errno_name(errno));
        close(epoll_fd);
    }
}

static const struct test_case cases[] = {
    CASE_ENTRY(poll_pipe_states),        CASE_ENTRY(poll_woken_by_writer), CASE_ENTRY(poll_timeout_and_eintr),
    CASE_ENTRY(select_and_pselect),      CASE_ENTRY(epoll_control),        CASE_ENTRY(epoll_edge_and_oneshot),
    CASE_ENTRY(epoll_pwait_and_nesting), CASE_ENTRY(eventfd_counter),      CASE_ENTRY(signalfd_reads_signals),
    CASE_ENTRY(timerfd_expirations),     CASE_ENTRY(epoll_over_event_fds),
};

int main(int argc, char** argv) { return CONFORMANCE_MAIN("poll_events", cases, argc, argv); }
