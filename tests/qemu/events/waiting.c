/* Strix events test — poll, select, epoll, eventfd, signalfd, timerfd. */
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "cases.h"

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

/* A child that sends `signal_number` to us after `delay_ms`. */
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

/* A child that writes one byte to fd after delay_ms. */
static pid_t write_later(int fd, long delay_ms) {
    pid_t child = fork();
    if (child == 0) {
        sleep_ms(delay_ms);
        (void)!write(fd, "w", 1);
        _exit(0);
    }
    return child;
}

CASE(poll_states) {
    int fds[2];
    CHECK_OK(pipe(fds));
    CHECK(poll_one(fds[0], POLLIN, 0) == 0, "an empty pipe is readable");
    CHECK(poll_one(fds[1], POLLOUT, 0) == POLLOUT, "an empty pipe is not writable");
    CHECK(write(fds[1], "x", 1) == 1, "write");
    CHECK(poll_one(fds[0], POLLIN | POLLOUT, 0) == POLLIN, "read end: POLLIN only");
    close(fds[1]);
    short revents = poll_one(fds[0], POLLIN, 0);
    CHECK(revents == (POLLIN | POLLHUP), "after the writer closed: 0x%x", revents);
    int other[2];
    CHECK_OK(pipe(other));
    close(other[0]);
    CHECK(poll_one(other[1], POLLOUT, 0) & POLLERR, "a writer without readers lacks POLLERR");
    struct pollfd entries[4] = {{.fd = -1, .events = POLLIN},
                                {.fd = 999, .events = POLLIN},
                                {.fd = fds[0], .events = 0},
                                {.fd = other[1], .events = POLLIN}};
    CHECK(poll(entries, 4, 0) == 3, "ready count");
    CHECK(entries[0].revents == 0 && entries[1].revents == POLLNVAL && entries[2].revents == POLLHUP &&
              entries[3].revents == POLLERR,
          "revents 0x%x 0x%x 0x%x 0x%x", entries[0].revents, entries[1].revents, entries[2].revents,
          entries[3].revents);
    CHECK(poll(NULL, 0, 0) == 0, "poll of nothing");
    CHECK_ERRNO(poll(entries, 100000000, 0), EINVAL);
    CHECK_ERRNO(poll((struct pollfd*)8, 1, 0), EFAULT);
}

CASE(poll_waits_and_wakes) {
    int fds[2];
    CHECK_OK(pipe(fds));
    long long start = monotonic_ns();
    CHECK(poll_one(fds[0], POLLIN, 50) == 0, "timeout");
    CHECK(monotonic_ns() - start >= 49000000LL, "returned after %lld ns", monotonic_ns() - start);
    pid_t writer = write_later(fds[1], 60);
    start = monotonic_ns();
    CHECK(poll_one(fds[0], POLLIN, 5000) == POLLIN, "not woken by the write");
    long long waited = monotonic_ns() - start;
    CHECK(waited >= 40000000LL && waited < 4000000000LL, "woke after %lld ms", waited / 1000000);
    wait_status(writer);
    /* Many descriptors: more than a page of wait entries. */
    int many[300][2];
    struct pollfd entries[300];
    for (int i = 0; i < 300; i++) {
        CHECK_OK(pipe(many[i]));
        entries[i] = (struct pollfd){.fd = many[i][0], .events = POLLIN};
    }
    writer = write_later(many[299][1], 30);
    CHECK(poll(entries, 300, 5000) == 1 && entries[299].revents == POLLIN, "the last of 300 pipes");
    wait_status(writer);
}

CASE(poll_interrupted) {
    int fds[2];
    CHECK_OK(pipe(fds));
    struct sigaction action = {.sa_handler = count_signal, .sa_flags = SA_RESTART};
    sigaction(SIGUSR1, &action, NULL);
    pid_t sender = send_later(SIGUSR1, 50);
    struct pollfd entry = {.fd = fds[0], .events = POLLIN};
    CHECK_ERRNO(poll(&entry, 1, 5000), EINTR); /* never restarted, even with SA_RESTART */
    CHECK(g_signals == 1, "handler did not run");
    wait_status(sender);
    /* ppoll swaps the mask in atomically and restores it. */
    sigset_t blocked, during, now;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR1);
    sigprocmask(SIG_BLOCK, &blocked, NULL);
    kill(getpid(), SIGUSR1);
    CHECK(g_signals == 1, "a blocked signal was delivered");
    sigemptyset(&during);
    struct timespec limit = {3, 0};
    CHECK_ERRNO(ppoll(&entry, 1, &limit, &during), EINTR);
    CHECK(g_signals == 2, "ppoll did not unblock the signal");
    sigprocmask(SIG_SETMASK, NULL, &now);
    CHECK(sigismember(&now, SIGUSR1), "ppoll did not restore the mask");
    struct timespec short_limit = {0, 30000000};
    long long start = monotonic_ns();
    CHECK(ppoll(&entry, 1, &short_limit, &during) == 0, "ppoll timeout");
    CHECK(monotonic_ns() - start >= 29000000LL, "ppoll returned early");
    sigprocmask(SIG_SETMASK, NULL, &now);
    CHECK(sigismember(&now, SIGUSR1), "a timed-out ppoll did not restore the mask");
    struct timespec bad = {0, 1000000000L};
    CHECK_ERRNO(ppoll(&entry, 1, &bad, NULL), EINVAL);
    CHECK_ERRNO(syscall(SYS_ppoll, &entry, 1, &limit, &during, 4), EINVAL);
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
    CHECK(!FD_ISSET(fds[0], &readable) && FD_ISSET(fds[1], &writable), "result sets");
    CHECK(write(fds[1], "x", 1) == 1, "write");
    FD_ZERO(&readable);
    FD_SET(fds[0], &readable);
    struct timeval limit = {2, 0};
    CHECK(select(highest + 1, &readable, NULL, NULL, &limit) == 1 && FD_ISSET(fds[0], &readable), "readable");
    /* The time left is written back. */
    char drain;
    CHECK(read(fds[0], &drain, 1) == 1, "drain");
    pid_t writer = write_later(fds[1], 100);
    struct timeval long_limit = {5, 0};
    FD_ZERO(&readable);
    FD_SET(fds[0], &readable);
    /* The raw call: libc wrappers may pass a copy of the timeout. */
    CHECK(syscall(SYS_select, fds[0] + 1, &readable, NULL, NULL, &long_limit) == 1, "woken select");
    CHECK(long_limit.tv_sec < 5 && long_limit.tv_sec >= 3, "time left %ld.%06ld", (long)long_limit.tv_sec,
          (long)long_limit.tv_usec);
    wait_status(writer);
    int closed = dup(fds[0]);
    close(closed);
    FD_ZERO(&readable);
    FD_SET(closed, &readable);
    CHECK_ERRNO(select(closed + 1, &readable, NULL, NULL, &zero), EBADF);
    CHECK_ERRNO(select(-1, NULL, NULL, NULL, &zero), EINVAL);
    struct timeval negative = {-1, 0};
    CHECK_ERRNO(select(0, NULL, NULL, NULL, &negative), EINVAL);
    struct timeval nap = {0, 30000};
    long long start = monotonic_ns();
    CHECK(syscall(SYS_select, 0, NULL, NULL, NULL, &nap) == 0, "select as a sleep");
    CHECK(monotonic_ns() - start >= 29000000LL, "select slept too little");
    CHECK(nap.tv_sec == 0 && nap.tv_usec == 0, "time left after a timeout");

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
    mask_argument.size = 4;
    CHECK_ERRNO(syscall(SYS_pselect6, empty[0] + 1, &readable, NULL, NULL, &pselect_limit, &mask_argument),
                EINVAL);
}

CASE(epoll_control) {
    int epoll_fd = CHECK_OK(epoll_create1(EPOLL_CLOEXEC));
    CHECK(fcntl(epoll_fd, F_GETFD) == FD_CLOEXEC, "EPOLL_CLOEXEC");
    CHECK_ERRNO(epoll_create1(0x10), EINVAL);
    CHECK_ERRNO(syscall(SYS_epoll_create, 0), EINVAL); /* musl's wrapper hides this */
    int fds[2];
    CHECK_OK(pipe(fds));
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = 0x1122334455667788ULL};
    CHECK_OK(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fds[0], &event));
    CHECK_ERRNO(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fds[0], &event), EEXIST);
    CHECK_ERRNO(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, epoll_fd, &event), EINVAL);
    CHECK_ERRNO(epoll_ctl(fds[0], EPOLL_CTL_ADD, fds[1], &event), EINVAL);
    CHECK_ERRNO(epoll_ctl(epoll_fd, 99, fds[1], &event), EINVAL);
    CHECK_ERRNO(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, 999, &event), EBADF);
    int regular = CHECK_OK(write_file("regular", "x", 1));
    CHECK_ERRNO(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, regular, &event), EPERM);
    struct epoll_event got[4];
    CHECK(epoll_wait(epoll_fd, got, 4, 0) == 0, "an empty pipe reported ready");
    CHECK(write(fds[1], "x", 1) == 1, "write");
    CHECK(epoll_wait(epoll_fd, got, 4, 0) == 1, "a readable pipe was not reported");
    CHECK(got[0].events == EPOLLIN && got[0].data.u64 == 0x1122334455667788ULL, "event 0x%x", got[0].events);
    CHECK(epoll_wait(epoll_fd, got, 4, 0) == 1, "level-triggered event not repeated");
    event.events = EPOLLOUT;
    CHECK_ERRNO(epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fds[1], &event), ENOENT);
    CHECK_OK(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fds[1], &event));
    CHECK(epoll_wait(epoll_fd, got, 4, 0) == 2, "expected both ends");
    CHECK(epoll_wait(epoll_fd, got, 1, 0) == 1, "maxevents 1");
    CHECK_OK(epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fds[1], NULL));
    CHECK_ERRNO(epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fds[1], NULL), ENOENT);
    event.events = EPOLLOUT;
    CHECK_OK(epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fds[0], &event));
    CHECK(epoll_wait(epoll_fd, got, 4, 0) == 0, "MOD did not replace the interest");
    CHECK_ERRNO(epoll_wait(epoll_fd, got, 0, 0), EINVAL);
    CHECK_ERRNO(epoll_wait(fds[0], got, 1, 0), EINVAL);
    CHECK_ERRNO(epoll_wait(epoll_fd, (struct epoll_event*)0xffff800000000000UL, 1, 0), EFAULT);
    event.events = EPOLLIN;
    CHECK_OK(epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fds[0], &event));
    CHECK(epoll_wait(epoll_fd, got, 4, 0) == 1, "unread data not reported after MOD");
    /* A duplicate keeps the entry; the last close removes it. */
    int duplicate = CHECK_OK(dup(fds[0]));
    close(fds[0]);
    CHECK(epoll_wait(epoll_fd, got, 4, 0) == 1, "closing one of two descriptors removed the entry");
    close(duplicate);
    CHECK(epoll_wait(epoll_fd, got, 4, 0) == 0, "a closed file still reports events");
    /* The hang-up of the other end is always reported. */
    int second[2];
    CHECK_OK(pipe(second));
    event.events = 0;
    CHECK_OK(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, second[0], &event));
    close(second[1]);
    CHECK(epoll_wait(epoll_fd, got, 4, 0) == 1 && got[0].events == EPOLLHUP, "EPOLLHUP 0x%x", got[0].events);
    long long start = monotonic_ns();
    CHECK_OK(epoll_ctl(epoll_fd, EPOLL_CTL_DEL, second[0], NULL));
    CHECK(epoll_wait(epoll_fd, got, 4, 40) == 0, "timeout");
    CHECK(monotonic_ns() - start >= 39000000LL, "epoll_wait returned early");
    event.events = EPOLLIN | EPOLLEXCLUSIVE;
    int third[2];
    CHECK_OK(pipe(third));
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
    CHECK(epoll_wait(epoll_fd, got, 2, 5000) == 1, "a blocking edge wait was not woken");
    wait_status(writer);

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

CASE(epoll_nesting_and_masks) {
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
    struct timespec limit = {0, 20000000};
    CHECK(syscall(SYS_epoll_pwait2, epoll_fd, got, 2, &limit, NULL, 8) == 0, "epoll_pwait2 timeout");
    int inner = CHECK_OK(epoll_create1(0));
    int fds[2];
    CHECK_OK(pipe(fds));
    struct epoll_event event = {.events = EPOLLIN, .data.fd = fds[0]};
    CHECK_OK(epoll_ctl(inner, EPOLL_CTL_ADD, fds[0], &event));
    event.data.fd = inner;
    CHECK_OK(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, inner, &event));
    CHECK(epoll_wait(epoll_fd, got, 2, 0) == 0, "an idle nested epoll reported ready");
    CHECK(poll_one(inner, POLLIN, 0) == 0, "poll of an idle epoll");
    CHECK(write(fds[1], "x", 1) == 1, "write");
    CHECK(poll_one(inner, POLLIN, 0) == POLLIN, "poll of a ready epoll");
    CHECK(epoll_wait(epoll_fd, got, 2, 0) == 1 && got[0].data.fd == inner, "nested readiness lost");
    CHECK_ERRNO(epoll_ctl(inner, EPOLL_CTL_ADD, epoll_fd, &event), ELOOP);
    char drain[4];
    CHECK(read(fds[0], drain, sizeof drain) == 1, "drain");
    pid_t writer = write_later(fds[1], 50);
    long long start = monotonic_ns();
    CHECK(epoll_wait(epoll_fd, got, 2, 3000) == 1, "a blocking nested wait was not woken");
    CHECK(monotonic_ns() - start >= 40000000LL, "woke before the write");
    wait_status(writer);
    /* Chains deeper than five instances are refused. */
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
    CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC && (fcntl(fd, F_GETFL) & O_NONBLOCK), "flags");
    uint64_t value = 0;
    CHECK(poll_one(fd, POLLIN | POLLOUT, 0) == (POLLIN | POLLOUT), "eventfd with a count");
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
    CHECK_ERRNO(write(fd, &value, 8), EAGAIN);
    CHECK(poll_one(fd, POLLOUT, 0) == 0, "a full eventfd reports POLLOUT");
    CHECK_ERRNO(eventfd(0, 0x1000), EINVAL);
    int semaphore = CHECK_OK(eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK));
    CHECK(read(semaphore, &value, 8) == 8 && value == 1, "EFD_SEMAPHORE read %llu",
          (unsigned long long)value);
    CHECK(read(semaphore, &value, 8) == 8 && value == 1, "second semaphore read");
    CHECK_ERRNO(read(semaphore, &value, 8), EAGAIN);
    /* A blocking read waits for a writer. */
    int blocking = CHECK_OK(eventfd(0, 0));
    pid_t child = fork();
    if (child == 0) {
        sleep_ms(50);
        uint64_t seven = 7;
        _exit(write(blocking, &seven, 8) == 8 ? 0 : 1);
    }
    CHECK(read(blocking, &value, 8) == 8 && value == 7, "blocking read got %llu", (unsigned long long)value);
    wait_status(child);
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
    CHECK(poll_one(fd, POLLIN, 0) == POLLIN, "a pending signal does not make the signalfd readable");
    CHECK(read(fd, &info, sizeof info) == (ssize_t)sizeof info, "read: %s", errno_name(errno));
    CHECK(info.ssi_signo == SIGUSR1 && info.ssi_code == SI_USER && info.ssi_pid == (uint32_t)getpid() &&
              info.ssi_uid == getuid(),
          "signo %u code %d pid %u uid %u", info.ssi_signo, info.ssi_code, info.ssi_pid, info.ssi_uid);
    sigset_t pending;
    sigpending(&pending);
    CHECK(!sigismember(&pending, SIGUSR1), "reading did not consume the signal");
    union sigval value = {.sival_int = 77};
    sigqueue(getpid(), SIGRTMIN, value);
    sigqueue(getpid(), SIGRTMIN, value);
    struct signalfd_siginfo two[3];
    CHECK(read(fd, two, sizeof two) == 2 * (ssize_t)sizeof info, "two queued signals in one read");
    CHECK(two[0].ssi_signo == (uint32_t)SIGRTMIN && two[0].ssi_code == SI_QUEUE && two[0].ssi_int == 77,
          "queued signal: signo %u code %d int %d", two[0].ssi_signo, two[0].ssi_code, two[0].ssi_int);
    char small[16];
    kill(getpid(), SIGUSR1);
    CHECK_ERRNO(read(fd, small, sizeof small), EINVAL);
    sigset_t only_rt;
    sigemptyset(&only_rt);
    sigaddset(&only_rt, SIGRTMIN);
    CHECK(signalfd(fd, &only_rt, 0) == fd, "updating the mask");
    CHECK_ERRNO(read(fd, &info, sizeof info), EAGAIN); /* SIGUSR1 is no longer watched */
    int fds[2];
    CHECK_OK(pipe(fds));
    CHECK_ERRNO(signalfd(fds[0], &only_rt, 0), EINVAL);
    CHECK_ERRNO(syscall(SYS_signalfd4, -1, &only_rt, 4, 0), EINVAL);
    /* A blocking read is woken by a signal from another process. */
    int blocking = CHECK_OK(signalfd(-1, &mask, 0));
    sigpending(&pending);
    if (sigismember(&pending, SIGUSR1)) CHECK(read(blocking, &info, sizeof info) > 0, "drain");
    pid_t sender = send_later(SIGUSR1, 50);
    CHECK(read(blocking, &info, sizeof info) == (ssize_t)sizeof info && info.ssi_signo == SIGUSR1 &&
              info.ssi_pid == (uint32_t)sender,
          "blocking read: signo %u pid %u", info.ssi_signo, info.ssi_pid);
    wait_status(sender);
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
    CHECK(monotonic_ns() - start >= 49000000LL, "fired early");
    CHECK_OK(timerfd_gettime(fd, &current));
    CHECK(current.it_value.tv_sec == 0 && current.it_value.tv_nsec == 0, "an expired one-shot still armed");

    int periodic = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    CHECK_ERRNO(read(periodic, &expirations, 8), EAGAIN);
    struct itimerspec every = {{0, 10 * 1000 * 1000}, {0, 10 * 1000 * 1000}}, old;
    long long armed = monotonic_ns();
    CHECK_OK(timerfd_settime(periodic, 0, &every, NULL));
    sleep_ms(105);
    long long slept = monotonic_ns() - armed;
    CHECK(read(periodic, &expirations, 8) == 8, "periodic read: %s", errno_name(errno));
    long long after = monotonic_ns() - armed;
    CHECK(
        (long long)expirations >= slept / 10000000LL - 1 && (long long)expirations <= after / 10000000LL + 1,
        "counted %llu expirations in %lld-%lld ms", (unsigned long long)expirations, slept / 1000000,
        after / 1000000);
    CHECK_OK(timerfd_gettime(periodic, &current));
    CHECK(current.it_interval.tv_nsec == 10000000 && current.it_value.tv_nsec > 0 &&
              current.it_value.tv_nsec <= 10000000,
          "periodic gettime %ld/%ld", current.it_value.tv_nsec, current.it_interval.tv_nsec);
    struct itimerspec disarm = {{0, 0}, {0, 0}};
    CHECK_OK(timerfd_settime(periodic, 0, &disarm, &old));
    CHECK(old.it_interval.tv_nsec == 10000000, "old interval %ld", old.it_interval.tv_nsec);
    CHECK_ERRNO(read(periodic, &expirations, 8), EAGAIN);
    uint32_t small;
    CHECK_ERRNO(read(periodic, &small, 4), EINVAL);

    int absolute_fd = CHECK_OK(timerfd_create(CLOCK_REALTIME, 0));
    struct timespec real_now;
    clock_gettime(CLOCK_REALTIME, &real_now);
    struct itimerspec absolute = {{0, 0}, {real_now.tv_sec + 1, 0}};
    CHECK_OK(timerfd_settime(absolute_fd, TFD_TIMER_ABSTIME, &absolute, NULL));
    CHECK(poll_one(absolute_fd, POLLIN, 2500) == POLLIN, "an absolute CLOCK_REALTIME timer did not fire");
    struct itimerspec past = {{0, 0}, {0, 1}}; /* 1 ns after boot */
    int boot = CHECK_OK(timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK));
    CHECK_OK(timerfd_settime(boot, TFD_TIMER_ABSTIME, &past, NULL));
    CHECK(read(boot, &expirations, 8) == 8 && expirations == 1, "a deadline in the past fires at once");
    struct itimerspec bad = {{0, 0}, {0, 1000000000L}};
    CHECK_ERRNO(timerfd_settime(fd, 0, &bad, NULL), EINVAL);
    CHECK_ERRNO(timerfd_settime(fd, 0x80, &once, NULL), EINVAL);
    CHECK_ERRNO(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
    CHECK_ERRNO(timerfd_create(CLOCK_MONOTONIC, 0x4), EINVAL);
    int fds[2];
    CHECK_OK(pipe(fds));
    CHECK_ERRNO(timerfd_gettime(fds[0], &current), EINVAL);
}

CASE(epoll_over_event_files) {
    int epoll_fd = CHECK_OK(epoll_create1(0));
    int event_fd = CHECK_OK(eventfd(0, EFD_NONBLOCK));
    int timer_fd = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR2);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    int signal_fd = CHECK_OK(signalfd(-1, &mask, SFD_NONBLOCK));
    int fds[3] = {event_fd, timer_fd, signal_fd};
    for (int i = 0; i < 3; i++) {
        struct epoll_event event = {.events = EPOLLIN | EPOLLET, .data.u32 = 1u << i};
        CHECK_OK(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fds[i], &event));
    }
    uint64_t one = 1;
    CHECK(write(event_fd, &one, 8) == 8, "eventfd write");
    struct itimerspec soon = {{0, 0}, {0, 20 * 1000 * 1000}};
    CHECK_OK(timerfd_settime(timer_fd, 0, &soon, NULL));
    pid_t sender = send_later(SIGUSR2, 40);
    unsigned seen = 0;
    long long deadline = monotonic_ns() + 3000000000LL;
    while (seen != 7 && monotonic_ns() < deadline) {
        struct epoll_event got[3];
        int ready = epoll_wait(epoll_fd, got, 3, 1000);
        CHECK(ready >= 0, "epoll_wait: %s", errno_name(errno));
        for (int i = 0; i < ready; i++) seen |= got[i].data.u32;
    }
    CHECK(seen == 7, "events seen: eventfd %d timerfd %d signalfd %d", !!(seen & 1), !!(seen & 2),
          !!(seen & 4));
    wait_status(sender);
}

const struct test_case waiting_cases[] = {
    CASE_ENTRY(poll_states),
    CASE_ENTRY(poll_waits_and_wakes),
    CASE_ENTRY(poll_interrupted),
    CASE_ENTRY(select_and_pselect),
    CASE_ENTRY(epoll_control),
    CASE_ENTRY(epoll_edge_and_oneshot),
    CASE_ENTRY(epoll_nesting_and_masks),
    CASE_ENTRY(eventfd_counter),
    CASE_ENTRY(signalfd_reads_signals),
    CASE_ENTRY(timerfd_expirations),
    CASE_ENTRY(epoll_over_event_files),
};
const int waiting_case_count = sizeof waiting_cases / sizeof waiting_cases[0];
