/* Strix events test — POSIX record locks, OFD locks and flock. */
#include <sys/file.h>

#include "cases.h"

static struct flock lock_request(short type, off_t start, off_t length) {
    struct flock lock;
    memset(&lock, 0, sizeof lock);
    lock.l_type = type;
    lock.l_whence = SEEK_SET;
    lock.l_start = start;
    lock.l_len = length;
    return lock;
}

/* In a child: a non-blocking lock on a fresh descriptor; its errno, or 0. */
static int probe(short type, off_t start, off_t length) {
    pid_t child = fork();
    if (child == 0) {
        int fd = open("locked", O_RDWR);
        struct flock lock = lock_request(type, start, length);
        _exit(fcntl(fd, F_SETLK, &lock) == 0 ? 0 : errno);
    }
    int status = wait_status(child);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

static bool refused(int result) { return result == EAGAIN || result == EACCES; }

CASE(posix_locks_ranges) {
    int fd = CHECK_OK(open("locked", O_RDWR | O_CREAT, 0644));
    struct flock lock = lock_request(F_WRLCK, 0, 100);
    CHECK_OK(fcntl(fd, F_SETLK, &lock));
    CHECK(refused(probe(F_WRLCK, 50, 1)) && refused(probe(F_RDLCK, 99, 5)), "the lock does not hold");
    CHECK(probe(F_WRLCK, 100, 10) == 0, "a lock beside it was refused");
    /* Unlocking the middle splits the lock in two. */
    lock = lock_request(F_UNLCK, 40, 20);
    CHECK_OK(fcntl(fd, F_SETLK, &lock));
    CHECK(probe(F_WRLCK, 45, 10) == 0, "the unlocked middle is still locked");
    CHECK(refused(probe(F_WRLCK, 39, 1)) && refused(probe(F_WRLCK, 60, 1)), "the split halves vanished");
    /* F_GETLK from another process reports the first conflict. */
    pid_t child = fork();
    if (child == 0) {
        int own = open("locked", O_RDWR);
        struct flock query = lock_request(F_RDLCK, 30, 50);
        if (fcntl(own, F_GETLK, &query) != 0) _exit(10);
        if (query.l_type != F_WRLCK || query.l_start != 0 || query.l_len != 40 || query.l_pid != getppid())
            _exit(11);
        struct flock free_range = lock_request(F_WRLCK, 45, 10);
        if (fcntl(own, F_GETLK, &free_range) != 0 || free_range.l_type != F_UNLCK) _exit(12);
        _exit(0);
    }
    int status = wait_status(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "F_GETLK check %d", WEXITSTATUS(status));
    /* Our own locks never conflict with us. */
    struct flock mine = lock_request(F_WRLCK, 0, 0);
    CHECK_OK(fcntl(fd, F_GETLK, &mine));
    CHECK(mine.l_type == F_UNLCK, "F_GETLK reported our own lock");
    /* Locking the gap with the same type merges: then one unlock at 0..99 frees all. */
    lock = lock_request(F_WRLCK, 40, 20);
    CHECK_OK(fcntl(fd, F_SETLK, &lock));
    CHECK(refused(probe(F_WRLCK, 50, 1)), "the gap was not locked again");
    /* Downgrade the middle to a read lock: readers may share it, writers may not. */
    lock = lock_request(F_RDLCK, 10, 10);
    CHECK_OK(fcntl(fd, F_SETLK, &lock));
    CHECK(probe(F_RDLCK, 12, 2) == 0 && refused(probe(F_RDLCK, 25, 1)), "downgrade of a piece");
    lock = lock_request(F_UNLCK, 0, 0);
    CHECK_OK(fcntl(fd, F_SETLK, &lock));
    CHECK(probe(F_WRLCK, 0, 0) == 0, "unlock of everything left something");
    /* Whence and negative lengths. */
    CHECK(lseek(fd, 50, SEEK_SET) == 50, "lseek");
    struct flock relative = {.l_type = F_WRLCK, .l_whence = SEEK_CUR, .l_start = -10, .l_len = -5};
    CHECK_OK(fcntl(fd, F_SETLK, &relative)); /* bytes 35..39 */
    CHECK(refused(probe(F_WRLCK, 35, 1)) && refused(probe(F_WRLCK, 39, 1)),
          "SEEK_CUR with a negative length");
    CHECK(probe(F_WRLCK, 40, 1) == 0 && probe(F_WRLCK, 34, 1) == 0, "the relative lock is too wide");
    struct flock bad = lock_request(F_WRLCK, -5, 1);
    CHECK_ERRNO(fcntl(fd, F_SETLK, &bad), EINVAL);
    bad = lock_request(F_WRLCK, 2, -5);
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
    int read_only = CHECK_OK(open("locked", O_RDONLY));
    struct flock write_lock = lock_request(F_WRLCK, 0, 1);
    CHECK_ERRNO(fcntl(read_only, F_SETLK, &write_lock), EBADF);
    int write_only = CHECK_OK(open("locked", O_WRONLY));
    struct flock read_lock = lock_request(F_RDLCK, 0, 1);
    CHECK_ERRNO(fcntl(write_only, F_SETLK, &read_lock), EBADF);
    CHECK_ERRNO(fcntl(fd, F_SETLK, (struct flock*)8), EFAULT);
}

CASE(posix_locks_close_and_exit) {
    int fd = CHECK_OK(open("locked", O_RDWR | O_CREAT, 0644));
    struct flock lock = lock_request(F_WRLCK, 0, 10);
    CHECK_OK(fcntl(fd, F_SETLK, &lock));
    /* dup shares the owner: closing the duplicate drops the lock (POSIX's close rule). */
    int duplicate = CHECK_OK(dup(fd));
    close(duplicate);
    CHECK(probe(F_WRLCK, 0, 1) == 0, "closing a duplicate kept the lock");
    CHECK_OK(fcntl(fd, F_SETLK, &lock));
    int other = CHECK_OK(open("locked", O_RDONLY));
    close(other);
    CHECK(probe(F_WRLCK, 0, 1) == 0, "locks survived closing another descriptor of the file");
    /* A child's locks go when it exits; a fork does not inherit ours. */
    CHECK_OK(fcntl(fd, F_SETLK, &lock));
    pid_t child = fork();
    if (child == 0) {
        struct flock mine = lock_request(F_WRLCK, 0, 1);
        _exit(fcntl(fd, F_SETLK, &mine) == 0 ? 1 : 0); /* our parent's lock conflicts */
    }
    int status = wait_status(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a forked child shared its parent's lock");
    /* dup2 over a descriptor of the file also counts as a close. */
    int fds[2];
    CHECK_OK(pipe(fds));
    int spare = CHECK_OK(open("locked", O_RDWR));
    CHECK_OK(dup2(fds[0], spare));
    CHECK(probe(F_WRLCK, 0, 1) == 0, "dup2 over a descriptor of the file kept the lock");
}

CASE(posix_lock_wait_and_deadlock) {
    int fd = CHECK_OK(open("locked", O_RDWR | O_CREAT, 0644));
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
    CHECK(result == -1 && errno == EDEADLK, "the cycle-closing F_SETLKW: %d %s", result, errno_name(errno));
    byte0.l_type = F_UNLCK;
    CHECK_OK(fcntl(fd, F_SETLK, &byte0)); /* let the child through */
    int status = wait_status(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status 0x%x", status);

    /* A plain wait ends when the holder exits. */
    child = fork();
    if (child == 0) {
        int own = open("locked", O_RDWR);
        struct flock all = lock_request(F_WRLCK, 0, 0);
        fcntl(own, F_SETLK, &all);
        (void)!write(ready[1], "r", 1);
        sleep_ms(150);
        _exit(0);
    }
    CHECK(read(ready[0], &byte, 1) == 1, "second child did not start");
    long long start = monotonic_ns();
    struct flock wanted = lock_request(F_WRLCK, 0, 10);
    CHECK_OK(fcntl(fd, F_SETLKW, &wanted));
    CHECK(monotonic_ns() - start >= 80000000LL, "F_SETLKW returned before the holder exited");
    wait_status(child);

    /* A fatal signal ends the wait. */
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
    status = wait_status(child);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "a waiting child did not die: 0x%x", status);
}

static volatile int g_handled;
static void handled(int signal_number) {
    (void)signal_number;
    g_handled++;
}

CASE(lock_wait_interrupted) {
    int fd = CHECK_OK(open("locked", O_RDWR | O_CREAT, 0644));
    struct flock all = lock_request(F_WRLCK, 0, 0);
    CHECK_OK(fcntl(fd, F_SETLK, &all));
    CHECK_OK(flock(fd, LOCK_EX));
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        struct sigaction action = {.sa_handler = handled};
        sigaction(SIGUSR1, &action, NULL);
        int own = open("locked", O_RDWR);
        struct flock wanted = lock_request(F_WRLCK, 0, 0);
        kill(parent, SIGUSR2);
        int posix = fcntl(own, F_SETLKW, &wanted) == -1 && errno == EINTR;
        kill(parent, SIGUSR2);
        int bsd = flock(own, LOCK_EX) == -1 && errno == EINTR;
        _exit(posix && bsd && g_handled == 2 ? 0 : 6);
    }
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigprocmask(SIG_BLOCK, &usr2, NULL);
    for (int i = 0; i < 2; i++) {
        int signal_number;
        sigwait(&usr2, &signal_number);
        sleep_ms(50);
        kill(child, SIGUSR1);
    }
    int status = wait_status(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "interrupted lock waits: status 0x%x", status);
}

CASE(ofd_locks) {
    int first = CHECK_OK(open("locked", O_RDWR | O_CREAT, 0644));
    int second = CHECK_OK(open("locked", O_RDWR));
    struct flock lock = lock_request(F_WRLCK, 0, 10);
    CHECK_OK(fcntl(first, F_OFD_SETLK, &lock));
    struct flock other = lock_request(F_WRLCK, 0, 1);
    CHECK_ERRNO(fcntl(second, F_OFD_SETLK, &other), EAGAIN); /* another description, same process */
    struct flock query = lock_request(F_RDLCK, 0, 1);
    CHECK_OK(fcntl(second, F_OFD_GETLK, &query));
    CHECK(query.l_type == F_WRLCK && query.l_pid == -1 && query.l_len == 10, "F_OFD_GETLK: type %d pid %d",
          query.l_type, (int)query.l_pid);
    /* OFD and POSIX locks conflict with each other. */
    struct flock posix = lock_request(F_WRLCK, 5, 1);
    CHECK_ERRNO(fcntl(second, F_SETLK, &posix), EAGAIN);
    int third = CHECK_OK(open("locked", O_RDONLY));
    close(third); /* unlike POSIX locks, closing another descriptor changes nothing */
    CHECK_ERRNO(fcntl(second, F_OFD_SETLK, &other), EAGAIN);
    int duplicate = CHECK_OK(dup(first));
    close(first);
    CHECK_ERRNO(fcntl(second, F_OFD_SETLK, &other), EAGAIN); /* still held through the duplicate */
    close(duplicate);
    CHECK_OK(fcntl(second, F_OFD_SETLK, &other));
    struct flock with_pid = lock_request(F_WRLCK, 20, 1);
    with_pid.l_pid = getpid();
    CHECK_ERRNO(fcntl(second, F_OFD_SETLK, &with_pid), EINVAL);
    /* Inherited through fork: the same description, so the child owns it too. */
    pid_t child = fork();
    if (child == 0) {
        struct flock again = lock_request(F_WRLCK, 0, 1);
        _exit(fcntl(second, F_OFD_SETLK, &again) == 0 ? 0 : 1);
    }
    int status = wait_status(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a forked child did not share the OFD lock");
    /* A waiting OFD lock is granted when the holder's description loses its last reference. */
    int holder = CHECK_OK(open("locked", O_RDWR));
    struct flock whole = lock_request(F_WRLCK, 100, 0);
    CHECK_OK(fcntl(holder, F_OFD_SETLK, &whole));
    child = fork();
    if (child == 0) {
        close(holder); /* the child's reference to the holder's description */
        int own = open("locked", O_RDWR);
        struct flock wanted = lock_request(F_WRLCK, 100, 0);
        long long start = monotonic_ns();
        if (fcntl(own, F_OFD_SETLKW, &wanted) != 0) _exit(1);
        _exit(monotonic_ns() - start >= 40000000LL ? 0 : 2);
    }
    sleep_ms(60);
    close(holder);
    status = wait_status(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "waiting OFD lock: status 0x%x", status);
}

CASE(flock_semantics) {
    int first = CHECK_OK(open("locked", O_RDWR | O_CREAT, 0644));
    int second = CHECK_OK(open("locked", O_RDWR));
    CHECK_OK(flock(first, LOCK_EX));
    CHECK_ERRNO(flock(second, LOCK_EX | LOCK_NB), EWOULDBLOCK);
    CHECK_ERRNO(flock(second, LOCK_SH | LOCK_NB), EWOULDBLOCK);
    pid_t child = fork();
    if (child == 0) _exit(flock(first, LOCK_EX | LOCK_NB) == 0 ? 0 : 1); /* the same description */
    int status = wait_status(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "fork did not share the flock");
    child = fork();
    if (child == 0) { /* flock and POSIX locks do not see each other */
        int fd = open("locked", O_RDWR);
        struct flock lock = lock_request(F_WRLCK, 0, 0);
        _exit(fcntl(fd, F_SETLK, &lock) == 0 ? 0 : 1);
    }
    status = wait_status(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "flock blocked a POSIX lock");
    CHECK_OK(flock(first, LOCK_SH)); /* convert */
    CHECK_OK(flock(second, LOCK_SH | LOCK_NB));
    CHECK_ERRNO(flock(first, LOCK_EX | LOCK_NB), EWOULDBLOCK);
    CHECK_OK(flock(first, LOCK_UN));
    CHECK_OK(flock(second, LOCK_UN));
    CHECK_OK(flock(second, LOCK_EX | LOCK_NB));
    close(second); /* the last descriptor of a description releases its flock */
    CHECK_OK(flock(first, LOCK_EX | LOCK_NB));
    CHECK_ERRNO(flock(first, LOCK_NB), EINVAL);
    CHECK_ERRNO(flock(first, 0x40), EINVAL);
    CHECK_ERRNO(flock(-1, LOCK_EX), EBADF);
    /* A blocking flock waits for the holder. */
    child = fork();
    if (child == 0) {
        int own = open("locked", O_RDWR);
        long long start = monotonic_ns();
        if (flock(own, LOCK_EX) != 0) _exit(1);
        _exit(monotonic_ns() - start >= 40000000LL ? 0 : 2);
    }
    sleep_ms(60);
    CHECK_OK(flock(first, LOCK_UN));
    status = wait_status(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "blocking flock: status 0x%x", status);
    int directory = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_OK(flock(directory, LOCK_EX | LOCK_NB)); /* any file may be flocked */
}

const struct test_case lock_cases[] = {
    CASE_ENTRY(posix_locks_ranges),
    CASE_ENTRY(posix_locks_close_and_exit),
    CASE_ENTRY(posix_lock_wait_and_deadlock),
    CASE_ENTRY(lock_wait_interrupted),
    CASE_ENTRY(ofd_locks),
    CASE_ENTRY(flock_semantics),
};
const int lock_case_count = sizeof lock_cases / sizeof lock_cases[0];
