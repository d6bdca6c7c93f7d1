/*
 * Strix conformance suite — pipes: pipe2 flags and packet mode, end-of-file, SIGPIPE and
 * EPIPE, capacity and F_GETPIPE_SZ/F_SETPIPE_SZ, PIPE_BUF atomicity under concurrent
 * writers, blocking wake-ups in both directions, and FIFOs.
 */
#include <sys/ioctl.h>
#include <sys/resource.h>

#include "common.h"

static ssize_t read_fully(int fd, void* buffer, size_t length) {
    size_t total = 0;
    while (total < length) {
        ssize_t got = read(fd, (char*)buffer + total, length - total);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return total ? (ssize_t)total : got;
        total += (size_t)got;
    }
    return (ssize_t)total;
}

CASE(pipe2_flags) {
    int fds[2];
    CHECK_OK(pipe2(fds, O_NONBLOCK | O_CLOEXEC));
    for (int i = 0; i < 2; i++) {
        CHECK(fcntl(fds[i], F_GETFL) & O_NONBLOCK, "end %d lacks O_NONBLOCK", i);
        CHECK(fcntl(fds[i], F_GETFD) == FD_CLOEXEC, "end %d lacks FD_CLOEXEC", i);
    }
    CHECK((fcntl(fds[0], F_GETFL) & O_ACCMODE) == O_RDONLY, "read end is not O_RDONLY");
    CHECK((fcntl(fds[1], F_GETFL) & O_ACCMODE) == O_WRONLY, "write end is not O_WRONLY");
    char byte;
    CHECK_ERRNO(read(fds[0], &byte, 1), EAGAIN);
    CHECK_ERRNO(write(fds[0], "x", 1), EBADF);
    CHECK_ERRNO(read(fds[1], &byte, 1), EBADF);
    CHECK(write(fds[1], "", 0) == 0, "zero-length write");
    int plain[2];
    CHECK_OK(pipe(plain));
    CHECK(!(fcntl(plain[0], F_GETFL) & O_NONBLOCK) && fcntl(plain[0], F_GETFD) == 0, "pipe() set flags");
    struct stat status;
    CHECK_OK(fstat(plain[0], &status));
    CHECK(S_ISFIFO(status.st_mode), "a pipe's st_mode is 0%o", (unsigned)status.st_mode);
}

CASE(packet_mode_pipe) {
    int fds[2];
    CHECK_OK(pipe2(fds, O_DIRECT));
    CHECK(write(fds[1], "abc", 3) == 3 && write(fds[1], "de", 2) == 2, "writes");
    char buffer[16];
    CHECK(read(fds[0], buffer, sizeof buffer) == 3, "O_DIRECT: first read must return one packet");
    CHECK(read(fds[0], buffer, 1) == 1 && buffer[0] == 'd', "short read of a packet");
    CHECK(write(fds[1], "f", 1) == 1, "write");
    CHECK(read(fds[0], buffer, sizeof buffer) == 1 && buffer[0] == 'f',
          "the rest of a partly read packet must be discarded");
}

CASE(end_of_file) {
    int fds[2];
    CHECK_OK(pipe(fds));
    CHECK(write(fds[1], "last", 4) == 4, "write");
    close(fds[1]);
    char buffer[8];
    CHECK(read(fds[0], buffer, sizeof buffer) == 4, "data written before close was lost");
    CHECK(read(fds[0], buffer, sizeof buffer) == 0, "no EOF after the writer closed");
    CHECK(read(fds[0], buffer, sizeof buffer) == 0, "EOF is not sticky");
}

static volatile int g_sigpipe_count;
static void on_sigpipe(int signal_number) {
    (void)signal_number;
    g_sigpipe_count++;
}

CASE(sigpipe_and_epipe) {
    int fds[2];
    CHECK_OK(pipe(fds));
    close(fds[0]);
    pid_t child = fork();
    if (child == 0) {
        signal(SIGPIPE, SIG_DFL);
        (void)!write(fds[1], "x", 1);
        _exit(0);
    }
    int status = wait_status(child);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE, "writer without a reader: %s",
          describe_status(status));
    signal(SIGPIPE, on_sigpipe);
    CHECK_ERRNO(write(fds[1], "x", 1), EPIPE);
    CHECK(g_sigpipe_count == 1, "SIGPIPE handler ran %d times", g_sigpipe_count);
    signal(SIGPIPE, SIG_IGN);
    CHECK_ERRNO(write(fds[1], "x", 1), EPIPE);
}

CASE(capacity_and_pipe_size) {
    int fds[2];
    CHECK_OK(pipe2(fds, O_NONBLOCK));
    int size = fcntl(fds[0], F_GETPIPE_SZ);
    CHECK(size == 65536, "default pipe size %d, Linux uses 16 pages", size);
    static char block[4096];
    long total = 0;
    for (;;) {
        ssize_t written = write(fds[1], block, sizeof block);
        if (written < 0) {
            CHECK(errno == EAGAIN, "filling the pipe: %s", errno_name(errno));
            break;
        }
        total += written;
        CHECK(total <= 1 << 20, "the pipe never fills");
    }
    CHECK(total == size, "a %d-byte pipe took %ld bytes", size, total);
    int queued = 0;
    CHECK_OK(ioctl(fds[0], FIONREAD, &queued));
    CHECK(queued == size, "FIONREAD %d", queued);
    CHECK_ERRNO(fcntl(fds[1], F_SETPIPE_SZ, 4096), EBUSY); /* would not hold the data */
    char drain[65536];
    CHECK(read(fds[0], drain, sizeof drain) == size, "drain");
    CHECK(fcntl(fds[1], F_SETPIPE_SZ, 4096) == 4096, "F_SETPIPE_SZ 4096: %s", errno_name(errno));
    CHECK(fcntl(fds[0], F_GETPIPE_SZ) == 4096, "new size not visible on the other end");
    CHECK(fcntl(fds[1], F_SETPIPE_SZ, 5000) == 8192, "sizes round up to a power of two pages");
    CHECK(fcntl(fds[1], F_SETPIPE_SZ, 0) == 4096, "size 0 gives one page");
    char limit_text[32] = "1048576";
    read_file("/proc/sys/fs/pipe-max-size", limit_text, sizeof limit_text);
    long maximum = atol(limit_text);
    pid_t child = fork();
    if (child == 0) {
        if (running_as_root() && drop_privileges(unprivileged_uid()) != 0) _exit(2);
        _exit(fcntl(fds[1], F_SETPIPE_SZ, (int)maximum * 2) == -1 && errno == EPERM ? 0 : 1);
    }
    CHECK_EXIT(child, 0);
    int regular = CHECK_OK(open("/proc/self/stat", O_RDONLY));
    CHECK_ERRNO(fcntl(regular, F_GETPIPE_SZ), EBADF);
}

enum { WRITERS = 4, RECORDS = 200, RECORD = PIPE_BUF };

CASE(pipe_buf_writes_are_atomic) {
    int fds[2];
    CHECK_OK(pipe(fds));
    pid_t writers[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        writers[w] = fork();
        if (writers[w] == 0) {
            close(fds[0]);
            static char record[RECORD];
            memset(record, 'A' + w, sizeof record);
            for (int r = 0; r < RECORDS; r++)
                if (write(fds[1], record, sizeof record) != (ssize_t)sizeof record) _exit(1);
            _exit(0);
        }
    }
    close(fds[1]);
    int counts[WRITERS] = {0};
    static char record[RECORD];
    ssize_t got;
    while ((got = read_fully(fds[0], record, sizeof record)) == (ssize_t)sizeof record) {
        int writer = record[0] - 'A';
        CHECK(writer >= 0 && writer < WRITERS, "stray byte 0x%x", record[0]);
        for (size_t i = 1; i < sizeof record; i++)
            CHECK(record[i] == record[0], "a PIPE_BUF write was interleaved at byte %zu", i);
        counts[writer]++;
    }
    CHECK(got == 0, "stream ended with a %zd-byte fragment", got);
    for (int w = 0; w < WRITERS; w++) {
        CHECK_EXIT(writers[w], 0);
        CHECK(counts[w] == RECORDS, "writer %d delivered %d of %d records", w, counts[w], RECORDS);
    }
}

CASE(blocking_wakeups) {
    int fds[2];
    CHECK_OK(pipe(fds));
    pid_t child = fork();
    if (child == 0) {
        sleep_ms(50);
        (void)!write(fds[1], "wake", 4);
        _exit(0);
    }
    long long start = monotonic_ns();
    char buffer[8];
    CHECK(read(fds[0], buffer, sizeof buffer) == 4, "blocked reader did not get the data");
    CHECK(monotonic_ns() - start >= 40000000LL, "read returned before anything was written");
    CHECK_EXIT(child, 0);
    /* A writer blocked on a full pipe wakes when the reader drains it. */
    static char big[65536 + 4096];
    child = fork();
    if (child == 0) {
        _exit(write(fds[1], big, sizeof big) == (ssize_t)sizeof big ? 0 : 1);
    }
    sleep_ms(50);
    CHECK(waitpid(child, NULL, WNOHANG) == 0, "a write larger than the pipe did not block");
    CHECK(read_fully(fds[0], big, sizeof big) == (ssize_t)sizeof big, "draining");
    CHECK_EXIT(child, 0);
}

CASE(fifo_semantics) {
    CHECK_OK(mkfifo("fifo", 0600));
    CHECK_ERRNO(mkfifo("fifo", 0600), EEXIST);
    pid_t child = fork();
    if (child == 0) {
        sleep_ms(50);
        int fd = open("fifo", O_WRONLY);
        (void)!write(fd, "through", 7);
        _exit(0);
    }
    long long start = monotonic_ns();
    int fd = CHECK_OK(open("fifo", O_RDONLY)); /* blocks until a writer opens */
    CHECK(monotonic_ns() - start >= 40000000LL, "opening a FIFO for reading did not wait for a writer");
    char buffer[16];
    CHECK(read_fully(fd, buffer, 7) == 7 && memcmp(buffer, "through", 7) == 0, "data through the FIFO");
    CHECK(read(fd, buffer, sizeof buffer) == 0, "no EOF after the writer exited");
    CHECK_EXIT(child, 0);
    CHECK_ERRNO(lseek(fd, 0, SEEK_SET), ESPIPE);
    close(fd);
    int both = CHECK_OK(open("fifo", O_RDWR)); /* Linux: never blocks */
    CHECK(write(both, "self", 4) == 4 && read(both, buffer, 4) == 4, "O_RDWR FIFO loop");
    int nonblocking = CHECK_OK(open("fifo", O_RDONLY | O_NONBLOCK));
    close(both);
    CHECK(read(nonblocking, buffer, 1) == 0, "nonblocking FIFO reader without writers must see EOF");
}

static const struct test_case cases[] = {
    CASE_ENTRY(pipe2_flags),       CASE_ENTRY(packet_mode_pipe),       CASE_ENTRY(end_of_file),
    CASE_ENTRY(sigpipe_and_epipe), CASE_ENTRY(capacity_and_pipe_size), CASE_ENTRY(pipe_buf_writes_are_atomic),
    CASE_ENTRY(blocking_wakeups),  CASE_ENTRY(fifo_semantics),
};

int main(int argc, char** argv) {
    g_use_tmpdir = true;
    return CONFORMANCE_MAIN("pipes", cases, argc, argv);
}
