/*
 * Strix conformance suite — fd_ops: the descriptor table and open file descriptions.
 * dup/dup2/dup3 and fcntl (F_DUPFD*, F_GETFD/F_SETFD, F_GETFL/F_SETFL), sharing across
 * fork, POSIX record locks between processes (F_GETLK/F_SETLK/F_SETLKW, deadlock
 * detection, the close-any-fd rule), OFD locks, flock, close_range and memfd seals.
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

static int report_conflict(void* argument) {
    (void)argument;
    int fd = open("locked", O_RDWR);
    struct flock lock = lock_request(F_WRLCK, 0, 100);
    if (fcntl(fd, F_GETLK, &lock) != 0) return 10;
    if (lock.l_type != F_WRLCK || lock.l_pid != getppid() || lock.l_start != 0 || lock.l_len != 10) return 11;
    struct flock free_range = lock_request(F_WRLCK, 50, 10);
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
    result = run_in_child(report_conflict, NULL);
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
    CHECK(query.l_type == F_WRLCK && query.l_pid == -1, "F_OFD_GETLK: type %d pid %d", query.l_type,
          (int)query.l_pid);
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
    CHECK_OK(flock(first, LOCK_UN));
    CHECK_OK(flock(second, LOCK_UN));
    CHECK_OK(flock(second, LOCK_EX | LOCK_NB));
    close(second); /* closing the last fd of a description releases its flock */
    CHECK_OK(flock(first, LOCK_EX | LOCK_NB));
    CHECK_ERRNO(flock(first, LOCK_NB), EINVAL);
    CHECK_ERRNO(flock(-1, LOCK_EX), EBADF);
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
    CASE_ENTRY(posix_lock_wait_and_deadlock),
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
