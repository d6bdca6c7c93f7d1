/*
 * Strix conformance suite — fd_ops: the descriptor table and open file descriptions.
 * dup/dup2/dup3 and fcntl (F_DUPFD*, F_GETFD/F_SETFD, F_GETFL/F_SETFL), sharing across
 * fork, POSIX record locks between processes (F_GETLK/F_SETLK/F_SETLKW, ranges that split
 * and merge, deadlock detection, the close-any-fd rule, waits ended by signals), OFD
 * locks, flock, close_range and memfd seals.
 */
#include <linux/close_range.h>
#include <sys/file.h>
#include <sys/resource.h>

#include "common.h"

static int open_file(const char* name, int flags) { return open(name, flags | O_CREAT, 0644); }

static struct flock lock_request(short type, off_t start, off_t length) {
    struct flock lock;
    memset(&lock, 0, sizeof lock);
    lock.l_type = type;
    lock.l_whence = SEEK_SET;
    lock.l_start = start;
    lock.l_len = length;
    return lock;
}

/* In a child: try a non-blocking POSIX lock on a fresh fd; return its errno or 0. */
static int child_try_lock(const char* path, short type, off_t start, off_t length, int command) {
    int fd = open(path, O_RDWR);
    struct flock lock = lock_request(type, start, length);
    return fcntl(fd, command, &lock) == 0 ? 0 : errno;
}

static int run_in_child(int (*body)(void*), void* argument) {
    pid_t child = fork();
    if (child == 0) _exit(body(argument));
    int status = wait_status(child);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

CASE(dup_shares_the_description) {
    int fd = CHECK_OK(open_file("file", O_RDWR | O_CLOEXEC));
    int lowest_free = 0;
    while (fcntl(lowest_free, F_GETFD) != -1) lowest_free++;
    int copy = CHECK_OK(dup(fd));
    CHECK(copy == lowest_free, "dup returned %d, the lowest free fd is %d", copy, lowest_free);
    CHECK(write(fd, "abc", 3) == 3, "write");
    CHECK(lseek(copy, 0, SEEK_CUR) == 3, "dup'd fd does not share the offset");
    CHECK_OK(fcntl(fd, F_SETFL, O_NONBLOCK | O_APPEND));
    CHECK((fcntl(copy, F_GETFL) & (O_NONBLOCK | O_APPEND)) == (O_NONBLOCK | O_APPEND),
          "status flags are not shared");
    CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC && fcntl(copy, F_GETFD) == 0, "FD_CLOEXEC must be per descriptor");
    close(fd);
    char buffer[4];
    CHECK(pread(copy, buffer, 3, 0) == 3, "the copy died with the original");
    int lowest = CHECK_OK(dup(copy));
    CHECK(lowest == fd, "dup did not reuse the lowest free fd %d (got %d)", fd, lowest);
}

CASE(dup2_and_dup3) {
    int first = CHECK_OK(open_file("first", O_RDWR));
    int second = CHECK_OK(open_file("second", O_RDWR));
    CHECK(write(second, "22", 2) == 2, "write");
    CHECK(dup2(first, second) == second, "dup2 onto an open fd");
    struct stat a, b;
    fstat(first, &a);
    fstat(second, &b);
    CHECK(a.st_ino == b.st_ino, "dup2 did not replace the target");
    CHECK(dup2(first, first) == first, "dup2(fd, fd) must return fd");
    CHECK_ERRNO(dup2(999, 999), EBADF);
    CHECK(dup3(first, 50, O_CLOEXEC) == 50 && fcntl(50, F_GETFD) == FD_CLOEXEC, "dup3 O_CLOEXEC");
    CHECK(dup3(first, 50, 0) == 50 && fcntl(50, F_GETFD) == 0, "dup3 without flags clears FD_CLOEXEC");
    CHECK_ERRNO(dup3(first, first, O_CLOEXEC), EINVAL);
    CHECK(dup2(first, 1000) == 1000, "dup2 to a high fd");
}

CASE(fcntl_dupfd_and_flags) {
    int fd = CHECK_OK(open_file("file", O_WRONLY));
    int above = CHECK_OK(fcntl(fd, F_DUPFD, 100));
    CHECK(above == 100 && fcntl(above, F_GETFD) == 0, "F_DUPFD gave %d", above);
    CHECK(fcntl(fd, F_DUPFD, 100) == 101, "F_DUPFD must skip used fds");
    int cloexec = CHECK_OK(fcntl(fd, F_DUPFD_CLOEXEC, 200));
    CHECK(cloexec == 200 && fcntl(cloexec, F_GETFD) == FD_CLOEXEC, "F_DUPFD_CLOEXEC");
    CHECK_OK(fcntl(fd, F_SETFD, FD_CLOEXEC));
    CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC, "F_SETFD");
    CHECK_OK(fcntl(fd, F_SETFD, 0));
    CHECK(fcntl(fd, F_GETFD) == 0, "clearing FD_CLOEXEC");
    int flags = fcntl(fd, F_GETFL);
    CHECK((flags & O_ACCMODE) == O_WRONLY, "F_GETFL access mode 0%o", (unsigned)(flags & O_ACCMODE));
    /* F_SETFL changes O_APPEND/O_NONBLOCK but never the access mode or creation flags. */
    CHECK_OK(fcntl(fd, F_SETFL, O_RDWR | O_APPEND | O_TRUNC | O_CREAT));
    flags = fcntl(fd, F_GETFL);
    CHECK((flags & O_ACCMODE) == O_WRONLY && (flags & O_APPEND) && !(flags & (O_TRUNC | O_CREAT)),
          "F_SETFL result 0%o", (unsigned)flags);
    CHECK_ERRNO(fcntl(fd, F_DUPFD, -1), EINVAL);
    CHECK_ERRNO(fcntl(fd, F_DUPFD, 1 << 30), EINVAL);
}

CASE(fork_shares_offset) {
    int fd = CHECK_OK(open_file("file", O_RDWR | O_TRUNC));
    pid_t child = fork();
    if (child == 0) {
        (void)!write(fd, "child-", 6);
        _exit(0);
    }
    CHECK_EXIT(child, 0);
    CHECK(lseek(fd, 0, SEEK_CUR) == 6, "the child's write did not move the shared offset");
    CHECK(write(fd, "parent", 6) == 6, "write");
    char contents[16] = "";
    CHECK(read_file("file", contents, sizeof contents) == 12 && strcmp(contents, "child-parent") == 0,
          "file holds \"%s\"", contents);
}

struct lock_probe {
    short type;
    off_t start, length;
    int command;
};

static int probe_lock(void* argument) {
    struct lock_probe* probe = argument;
    return child_try_lock("locked", probe->type, probe->start, probe->length, probe->command);
}

/* Whether another process could take this F_SETLK lock on "locked" now: its errno, or 0. */
static int lock_elsewhere(short type, off_t start, off_t length) {
    struct lock_probe probe = {type, start, length, F_SETLK};
    return run_in_child(probe_lock, &probe);
}

static bool refused(int result) { return result == EAGAIN || result == EACCES; }

/* What F_GETLK from another process must say about the parent's write locks on "locked":
 * the query range meets the conflict range first; the free range meets nothing. */
struct lock_report {
    off_t query_start, query_length;
    off_t conflict_start, conflict_length;
    off_t free_start, free_length;
};

static int report_conflict(void* argument) {
    const struct lock_report* expected = argument;
    int fd = open("locked", O_RDWR);
    struct flock query = lock_request(F_WRLCK, expected->query_start, expected->query_length);
    if (fcntl(fd, F_GETLK, &query) != 0) return 10;
    if (query.l_type != F_WRLCK || query.l_pid != getppid() || query.l_start != expected->conflict_start ||
        query.l_len != expected->conflict_length)
        return 11;
    struct flock free_range = lock_request(F_WRLCK, expected->free_start, expected->free_length);
    if (fcntl(fd, F_GETLK, &free_range) != 0 || free_range.l_type != F_UNLCK) return 12;
    return 0;
}

CASE(posix_record_locks) {
    int fd = CHECK_OK(open_file("locked", O_RDWR));
    struct flock lock = lock_request(F_WRLCK, 0, 10);
    CHECK_OK(fcntl(fd, F_SETLK, &lock));
    struct lock_probe conflicting = {F_WRLCK, 5, 10, F_SETLK}, beside = {F_WRLCK, 10, 10, F_SETLK};
    int result = run_in_child(probe_lock, &conflicting);
    CHECK(result == EAGAIN || result == EACCES, "conflicting F_SETLK: %s", errno_name(result));
    CHECK(run_in_child(probe_lock, &beside) == 0, "a lock beside the held one was refused");
    struct lock_report report = {0, 100, /* conflict: */ 0, 10, /* free: */ 50, 10};
    result = run_in_child(report_conflict, &report);
    CHECK(result == 0, "F_GETLK check %d failed (10 call, 11 wrong owner/range, 12 free range)", result);
    /* Downgrade to a read lock: other readers may join, writers may not. */
    lock.l_type = F_RDLCK;
    CHECK_OK(fcntl(fd, F_SETLK, &lock));
    struct lock_probe reader = {F_RDLCK, 0, 10, F_SETLK}, writer = {F_WRLCK, 0, 1, F_SETLK};
    CHECK(run_in_child(probe_lock, &reader) == 0, "a second reader was refused");
    result = run_in_child(probe_lock, &writer);
    CHECK(result == EAGAIN || result == EACCES, "writer against a read lock: %s", errno_name(result));
    /* POSIX: closing ANY fd of the file drops the process's locks on it. */
    int other = CHECK_OK(open("locked", O_RDONLY));
    close(other);
    CHECK(run_in_child(probe_lock, &writer) == 0, "locks survived closing another fd of the file");
    int read_only = CHECK_OK(open("locked", O_RDONLY));
    struct flock write_lock = lock_request(F_WRLCK, 0, 1);
    CHECK_ERRNO(fcntl(read_only, F_SETLK, &write_lock), EBADF);
    struct flock bad = lock_request(F_WRLCK, -5, 1);
    CHECK_ERRNO(fcntl(fd, F_SETLK, &bad), EINVAL);
}

CASE(posix_lock_ranges_and_errors) {
    int fd = CHECK_OK(open_file("locked", O_RDWR));
    struct flock lock = lock_request(F_WRLCK, 0, 100);
    CHECK_OK(fcntl(fd, F_SETLK, &lock));
    CHECK(refused(lock_elsewhere(F_RDLCK, 99, 5)), "a lock overlapping the last byte was granted");
    /* Unlocking the middle splits the lock in two. */
    lock = lock_request(F_UNLCK, 40, 20);
    CHECK_OK(fcntl(fd, F_SETLK, &lock));
    CHECK(lock_elsewhere(F_WRLCK, 45, 10) == 0, "the unlocked middle is still locked");
    CHECK(refused(lock_elsewhere(F_WRLCK, 39, 1)) && refused(lock_elsewhere(F_WRLCK, 60, 1)),
          "the halves of the split lock vanished");
    struct lock_report report = {30, 50, /* conflict: */ 0, 40, /* free: */ 45, 10};
    int result = run_in_child(report_conflict, &report);
    CHECK(result == 0, "F_GETLK check %d failed (11: not the first half 0..39, 12: the middle not free)",
          result);
    struct flock mine = lock_request(F_WRLCK, 0, 0);
    CHECK_OK(fcntl(fd, F_GETLK, &mine));
    CHECK(mine.l_type == F_UNLCK, "F_GETLK reported the caller's own lock");
    /* Locking the gap again merges; a read lock in the middle downgrades only that piece. */
    lock = lock_request(F_WRLCK, 40, 20);
    CHECK_OK(fcntl(fd, F_SETLK, &lock));
    CHECK(refused(lock_elsewhere(F_WRLCK, 50, 1)), "the gap was not locked again");
    lock = lock_request(F_RDLCK, 10, 10);
    CHECK_OK(fcntl(fd, F_SETLK, &lock));
    CHECK(lock_elsewhere(F_RDLCK, 12, 2) == 0 && refused(lock_elsewhere(F_RDLCK, 25, 1)),
          "downgrading a piece of a write lock");
    lock = lock_request(F_UNLCK, 0, 0); /* length 0: to the end of the file and beyond */
    CHECK_OK(fcntl(fd, F_SETLK, &lock));
    CHECK(lock_elsewhere(F_WRLCK, 0, 0) == 0, "unlocking everything left a lock");
    /* l_whence SEEK_CUR, and a negative length covers the bytes before l_start. */
    CHECK(lseek(fd, 50, SEEK_SET) == 50, "lseek");
    struct flock relative = {.l_type = F_WRLCK, .l_whence = SEEK_CUR, .l_start = -10, .l_len = -5};
    CHECK_OK(fcntl(fd, F_SETLK, &relative)); /* bytes 35..39 */
    CHECK(refused(lock_elsewhere(F_WRLCK, 35, 1)) && refused(lock_elsewhere(F_WRLCK, 39, 1)),
          "SEEK_CUR with a negative length");
    CHECK(lock_elsewhere(F_WRLCK, 40, 1) == 0 && lock_elsewhere(F_WRLCK, 34, 1) == 0,
          "the relative lock is too wide");
    struct flock bad = lock_request(F_WRLCK, 2, -5); /* would start before byte 0 */
    CHECK_ERRNO(fcntl(fd, F_SETLK, &bad), EINVAL);
    bad = lock_request(F_WRLCK, 0, 1);
    bad.l_whence = 7;
    CHECK_ERRNO(fcntl(fd, F_SETLK, &bad), EINVAL);
    bad = lock_request(17, 0, 1);
    CHECK_ERRNO(fcntl(fd, F_SETLK, &bad), EINVAL);
    bad = lock_request(F_UNLCK, 0, 1);
    CHECK_ERRNO(fcntl(fd, F_GETLK, &bad), EINVAL);
    bad = lock_request(F_WRLCK, 0x7ffffffffffffff0LL, 0x100);
    CHECK_ERRNO(fcntl(fd, F_SETLK, &bad), EOVERFLOW);
    int write_only = CHECK_OK(open("locked", O_WRONLY));
    struct flock read_lock = lock_request(F_RDLCK, 0, 1);
    CHECK_ERRNO(fcntl(write_only, F_SETLK, &read_lock), EBADF);
    CHECK_ERRNO(syscall(SYS_fcntl, fd, F_SETLK, (struct flock*)8), EFAULT);
}

CASE(posix_locks_dup_close_and_fork) {
    int fd = CHECK_OK(open_file("locked", O_RDWR));
    struct flock lock = lock_request(F_WRLCK, 0, 10);
    CHECK_OK(fcntl(fd, F_SETLK, &lock));
    /* A duplicate has the same owner: closing it drops the lock. */
    int duplicate = CHECK_OK(dup(fd));
    close(duplicate);
    CHECK(lock_elsewhere(F_WRLCK, 0, 1) == 0, "closing a duplicate kept the lock");
    /* Locks are not inherited: the forked child is another owner and conflicts. */
    CHECK_OK(fcntl(fd, F_SETLK, &lock));
    pid_t child = fork();
    if (child == 0) {
        struct flock wanted = lock_request(F_WRLCK, 0, 1);
        _exit(fcntl(fd, F_SETLK, &wanted) == 0 ? 1 : 0);
    }
    CHECK_EXIT(child, 0);
    CHECK(refused(lock_elsewhere(F_WRLCK, 0, 1)), "the child's exit dropped its parent's lock");
    /* dup2 over a descriptor of the file closes it, which drops the locks too. */
    int fds[2];
    CHECK_OK(pipe(fds));
    int spare = CHECK_OK(open("locked", O_RDWR));
    CHECK_OK(dup2(fds[0], spare));
    CHECK(lock_elsewhere(F_WRLCK, 0, 1) == 0, "dup2 over a descriptor of the file kept the lock");
}

CASE(posix_lock_wait_and_deadlock) {
    int fd = CHECK_OK(open_file("locked", O_RDWR));
    struct flock byte0 = lock_request(F_WRLCK, 0, 1), byte1 = lock_request(F_WRLCK, 1, 1);
    CHECK_OK(fcntl(fd, F_SETLK, &byte0));
    int ready[2];
    CHECK_OK(pipe(ready));
    pid_t child = fork();
    if (child == 0) {
        int own = open("locked", O_RDWR);
        struct flock mine = lock_request(F_WRLCK, 1, 1), wanted = lock_request(F_WRLCK, 0, 1);
        if (fcntl(own, F_SETLK, &mine) != 0) _exit(3);
        (void)!write(ready[1], "r", 1);
        if (fcntl(own, F_SETLKW, &wanted) != 0) _exit(errno == EDEADLK ? 2 : 4);
        _exit(0);
    }
    char byte;
    CHECK(read(ready[0], &byte, 1) == 1, "child did not start");
    sleep_ms(100); /* let the child block in F_SETLKW on byte 0 */
    int result = fcntl(fd, F_SETLKW, &byte1);
    int error = errno;
    if (result == -1) {
        CHECK(error == EDEADLK, "the cycle-closing F_SETLKW failed with %s", errno_name(error));
        byte0.l_type = F_UNLCK;
        CHECK_OK(fcntl(fd, F_SETLK, &byte0)); /* let the child through */
        CHECK_EXIT(child, 0);
    } else {
        /* The child was told EDEADLK first; we got byte 1 after it exited. */
        CHECK_EXIT(child, 2);
    }

    /* A plain wait: F_SETLKW sleeps until the holder unlocks. */
    child = fork();
    if (child == 0) {
        int own = open("locked", O_RDWR);
        struct flock all = lock_request(F_WRLCK, 0, 0);
        fcntl(own, F_SETLK, &all);
        (void)!write(ready[1], "r", 1);
        sleep_ms(150);
        _exit(0); /* exiting releases the lock */
    }
    byte0.l_type = F_UNLCK;
    fcntl(fd, F_SETLK, &byte0);
    byte1.l_type = F_UNLCK;
    fcntl(fd, F_SETLK, &byte1);
    CHECK(read(ready[0], &byte, 1) == 1, "second child did not start");
    long long start = monotonic_ns();
    struct flock wanted = lock_request(F_WRLCK, 0, 10);
    CHECK_OK(fcntl(fd, F_SETLKW, &wanted));
    CHECK(monotonic_ns() - start >= 80000000LL, "F_SETLKW returned before the holder released the lock");
    CHECK_EXIT(child, 0);

    /* SIGKILL ends a wait. */
    child = fork();
    if (child == 0) {
        int own = open("locked", O_RDWR);
        struct flock all = lock_request(F_WRLCK, 0, 0);
        (void)!write(ready[1], "r", 1);
        fcntl(own, F_SETLKW, &all);
        _exit(5);
    }
    CHECK(read(ready[0], &byte, 1) == 1, "third child did not start");
    sleep_ms(50);
    kill(child, SIGKILL);
    int status = wait_status(child);
    CHECK(status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "a waiting child %s",
          describe_status(status));
}

static volatile int g_handled;
static void count_handled(int signal_number) {
    (void)signal_number;
    g_handled++;
}

CASE(lock_wait_interrupted) {
    /* A handled signal ends F_SETLKW and flock waits with EINTR (never restarted here). */
    int fd = CHECK_OK(open_file("locked", O_RDWR));
    struct flock all = lock_request(F_WRLCK, 0, 0);
    CHECK_OK(fcntl(fd, F_SETLK, &all));
    CHECK_OK(flock(fd, LOCK_EX));
    pid_t parent = getpid();
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigprocmask(SIG_BLOCK, &usr2, NULL);
    pid_t child = fork();
    if (child == 0) {
        struct sigaction action = {.sa_handler = count_handled};
        sigaction(SIGUSR1, &action, NULL);
        int own = open("locked", O_RDWR);
        struct flock wanted = lock_request(F_WRLCK, 0, 0);
        kill(parent, SIGUSR2);
        errno = 0;
        SUB_CHECK(fcntl(own, F_SETLKW, &wanted) == -1 && errno == EINTR, "interrupted F_SETLKW: %s",
                  errno_name(errno));
        kill(parent, SIGUSR2);
        errno = 0;
        SUB_CHECK(flock(own, LOCK_EX) == -1 && errno == EINTR, "interrupted flock: %s", errno_name(errno));
        SUB_CHECK(g_handled == 2, "the handler ran %d times", g_handled);
        _exit(0);
    }
    for (int i = 0; i < 2; i++) {
        int signal_number;
        sigwait(&usr2, &signal_number);
        /* Only a blocked child can be interrupted: a signal before the wait would leave it
         * waiting for a lock it never gets. */
        if (!wait_until_sleeping(child)) sleep_ms(50);
        kill(child, SIGUSR1);
    }
    CHECK_EXIT(child, 0);
}

CASE(ofd_locks) {
    int first = CHECK_OK(open_file("locked", O_RDWR));
    int second = CHECK_OK(open("locked", O_RDWR));
    struct flock lock = lock_request(F_WRLCK, 0, 10);
    CHECK_OK(fcntl(first, F_OFD_SETLK, &lock));
    /* OFD locks belong to the open file description: a second open conflicts even in
     * the same process. */
    struct flock other = lock_request(F_WRLCK, 0, 1);
    CHECK_ERRNO(fcntl(second, F_OFD_SETLK, &other), EAGAIN);
    struct flock query = lock_request(F_RDLCK, 0, 1);
    CHECK_OK(fcntl(second, F_OFD_GETLK, &query));
    CHECK(query.l_type == F_WRLCK && query.l_pid == -1 && query.l_start == 0 && query.l_len == 10,
          "F_OFD_GETLK: type %d pid %d range %lld+%lld", query.l_type, (int)query.l_pid,
          (long long)query.l_start, (long long)query.l_len);
    struct flock posix = lock_request(F_WRLCK, 5, 1); /* OFD and POSIX locks conflict */
    CHECK_ERRNO(fcntl(second, F_SETLK, &posix), EAGAIN);
    int third = CHECK_OK(open("locked", O_RDONLY));
    close(third); /* unlike POSIX locks, closing another fd changes nothing */
    CHECK_ERRNO(fcntl(second, F_OFD_SETLK, &other), EAGAIN);
    int duplicate = CHECK_OK(dup(first));
    close(first);
    CHECK_ERRNO(fcntl(second, F_OFD_SETLK, &other), EAGAIN); /* still held through the dup */
    close(duplicate);
    CHECK_OK(fcntl(second, F_OFD_SETLK, &other));
    struct flock with_pid = lock_request(F_WRLCK, 20, 1);
    with_pid.l_pid = getpid();
    CHECK_ERRNO(fcntl(second, F_OFD_SETLK, &with_pid), EINVAL);
    /* A forked child shares the description, so the lock is its own too. */
    pid_t child = fork();
    if (child == 0) {
        struct flock again = lock_request(F_WRLCK, 0, 1);
        _exit(fcntl(second, F_OFD_SETLK, &again) == 0 ? 0 : 1);
    }
    CHECK_EXIT(child, 0);
    /* A waiting F_OFD_SETLKW is granted when the holding description loses its last fd. */
    int holder = CHECK_OK(open("locked", O_RDWR));
    struct flock whole = lock_request(F_WRLCK, 100, 0);
    CHECK_OK(fcntl(holder, F_OFD_SETLK, &whole));
    child = fork();
    if (child == 0) {
        close(holder); /* the child's reference to the holder's description */
        int own = open("locked", O_RDWR);
        struct flock wanted = lock_request(F_WRLCK, 100, 0);
        long long start = monotonic_ns();
        SUB_CHECK(fcntl(own, F_OFD_SETLKW, &wanted) == 0, "F_OFD_SETLKW: %s", errno_name(errno));
        SUB_CHECK(monotonic_ns() - start >= 40000000LL, "F_OFD_SETLKW did not wait for the holder");
        _exit(0);
    }
    sleep_ms(60);
    close(holder);
    CHECK_EXIT(child, 0);
}

CASE(flock_semantics) {
    int first = CHECK_OK(open_file("locked", O_RDWR));
    int second = CHECK_OK(open("locked", O_RDWR));
    CHECK_OK(flock(first, LOCK_EX));
    CHECK_ERRNO(flock(second, LOCK_EX | LOCK_NB), EWOULDBLOCK);
    CHECK_ERRNO(flock(second, LOCK_SH | LOCK_NB), EWOULDBLOCK);
    pid_t child = fork();
    if (child == 0) /* same description through fork: already ours */
        _exit(flock(first, LOCK_EX | LOCK_NB) == 0 ? 0 : 1);
    CHECK_EXIT(child, 0);
    /* flock and POSIX locks do not see each other on Linux. */
    child = fork();
    if (child == 0) {
        int fd = open("locked", O_RDWR);
        struct flock lock = lock_request(F_WRLCK, 0, 0);
        _exit(fcntl(fd, F_SETLK, &lock) == 0 ? 0 : 1);
    }
    CHECK_EXIT(child, 0);
    CHECK_OK(flock(first, LOCK_SH)); /* convert */
    CHECK_OK(flock(second, LOCK_SH | LOCK_NB));
    CHECK_ERRNO(flock(first, LOCK_EX | LOCK_NB), EWOULDBLOCK); /* another shared holder */
    CHECK_OK(flock(first, LOCK_UN));
    CHECK_OK(flock(second, LOCK_UN));
    CHECK_OK(flock(second, LOCK_EX | LOCK_NB));
    close(second); /* closing the last fd of a description releases its flock */
    CHECK_OK(flock(first, LOCK_EX | LOCK_NB));
    CHECK_ERRNO(flock(first, LOCK_NB), EINVAL);
    CHECK_ERRNO(flock(-1, LOCK_EX), EBADF);
    /* A blocking flock sleeps until the holder unlocks. */
    child = fork();
    if (child == 0) {
        int own = open("locked", O_RDWR);
        long long start = monotonic_ns();
        SUB_CHECK(flock(own, LOCK_EX) == 0, "blocking flock: %s", errno_name(errno));
        SUB_CHECK(monotonic_ns() - start >= 40000000LL, "flock did not wait for the holder");
        _exit(0);
    }
    sleep_ms(60);
    CHECK_OK(flock(first, LOCK_UN));
    CHECK_EXIT(child, 0);
    int directory = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_OK(flock(directory, LOCK_EX | LOCK_NB)); /* any open file may be flocked */
}

CASE(close_range_semantics) {
    int base = CHECK_OK(open_file("file", O_RDONLY));
    for (int fd = 300; fd < 310; fd++) CHECK(dup2(base, fd) == fd, "dup2");
    CHECK_OK(syscall(SYS_close_range, 302, 305, 0));
    for (int fd = 300; fd < 310; fd++) {
        bool open_now = fcntl(fd, F_GETFD) != -1;
        CHECK(open_now == (fd < 302 || fd > 305), "fd %d is %s after close_range(302, 305)", fd,
              open_now ? "open" : "closed");
    }
    CHECK_OK(syscall(SYS_close_range, 306, 307, CLOSE_RANGE_CLOEXEC));
    CHECK(fcntl(306, F_GETFD) == FD_CLOEXEC && fcntl(308, F_GETFD) == 0, "CLOSE_RANGE_CLOEXEC");
    CHECK_OK(syscall(SYS_close_range, 309, ~0U, 0));
    CHECK(fcntl(309, F_GETFD) == -1 && fcntl(308, F_GETFD) != -1, "close_range to ~0U");
    CHECK_OK(syscall(SYS_close_range, 5000, 6000, 0)); /* nothing open there: fine */
    CHECK_OK(syscall(SYS_close_range, 300, 301, CLOSE_RANGE_UNSHARE));
    CHECK(fcntl(300, F_GETFD) == -1, "CLOSE_RANGE_UNSHARE did not close");
}

CASE(many_descriptors) {
    struct rlimit limit;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &limit));
    if (limit.rlim_cur < 1100) {
        limit.rlim_cur = limit.rlim_max < 1100 ? limit.rlim_max : 1100;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    if (limit.rlim_cur < 1100)
        SKIP("RLIMIT_NOFILE hard limit %llu is below 1100", (unsigned long long)limit.rlim_max);
    int base = CHECK_OK(open_file("file", O_RDONLY));
    int last = -1;
    for (int i = 0; i < 1000; i++) {
        last = dup(base);
        CHECK(last >= 0, "dup number %d: %s", i, errno_name(errno));
    }
    CHECK(last >= 1000, "1000 dups ended at fd %d", last);
    CHECK_OK(close(500));
    CHECK(dup(base) == 500, "the hole at 500 was not reused first");
}

CASE(memfd_and_seals) {
    int fd = (int)syscall(SYS_memfd_create, "conformance", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    CHECK(fd >= 0, "memfd_create: %s", errno_name(errno));
    CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC, "MFD_CLOEXEC");
    CHECK(write(fd, "sealed data", 11) == 11, "write");
    char link[64], target[128] = "";
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t length = readlink(link, target, sizeof target - 1);
    CHECK(length > 0 && strncmp(target, "/memfd:conformance", 18) == 0, "memfd link \"%s\"", target);
    CHECK(fcntl(fd, F_GET_SEALS) == 0, "fresh memfd has seals 0x%x", fcntl(fd, F_GET_SEALS));
    CHECK_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW));
    CHECK_ERRNO(ftruncate(fd, 4), EPERM);
    CHECK_ERRNO(ftruncate(fd, 4096), EPERM);
    CHECK(pwrite(fd, "S", 1, 0) == 1, "writing inside the size is still allowed");
    CHECK_ERRNO(pwrite(fd, "x", 1, 11), EPERM);
    CHECK_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SEAL));
    CHECK_ERRNO(pwrite(fd, "x", 1, 0), EPERM);
    CHECK_ERRNO(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW), EPERM);
    char buffer[16];
    CHECK(pread(fd, buffer, 11, 0) == 11 && memcmp(buffer, "Sealed data", 11) == 0, "contents");
    CHECK_ERRNO((long)mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EPERM);
    int plain = (int)syscall(SYS_memfd_create, "plain", 0);
    CHECK_ERRNO(fcntl(plain, F_ADD_SEALS, F_SEAL_WRITE), EPERM); /* no MFD_ALLOW_SEALING */
    /* Files of other filesystems: EINVAL, or EPERM where they are born sealed (tmpfs). */
    int regular = CHECK_OK(open_file("file", O_RDWR));
    CHECK(fcntl(regular, F_ADD_SEALS, F_SEAL_WRITE) == -1 && (errno == EINVAL || errno == EPERM),
          "F_ADD_SEALS on a regular file: %s", errno_name(errno));
}

static const struct test_case cases[] = {
    CASE_ENTRY(dup_shares_the_description),
    CASE_ENTRY(dup2_and_dup3),
    CASE_ENTRY(fcntl_dupfd_and_flags),
    CASE_ENTRY(fork_shares_offset),
    CASE_ENTRY(posix_record_locks),
    CASE_ENTRY(posix_lock_ranges_and_errors),
    CASE_ENTRY(posix_locks_dup_close_and_fork),
    CASE_ENTRY(posix_lock_wait_and_deadlock),
    CASE_ENTRY(lock_wait_interrupted),
    CASE_ENTRY(ofd_locks),
    CASE_ENTRY(flock_semantics),
    CASE_ENTRY(close_range_semantics),
    CASE_ENTRY(many_descriptors),
    CASE_ENTRY(memfd_and_seals),
};

int main(int argc, char** argv) {
    g_use_tmpdir = true;
    return CONFORMANCE_MAIN("fd_ops", cases, argc, argv);
}
