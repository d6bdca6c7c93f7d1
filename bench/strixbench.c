// User space, benchmarks: strixbench, micro-benchmarks of the Linux x86_64 syscall ABI.
//
// One static binary (musl-gcc -static -O2) runs unchanged on Strix and on Linux, so both kernels
// are measured by the same instructions. Each benchmark prints one line:
//     BENCH <name> <ns_per_op> <reps> iters=<n> [MB/s=<x>]
//     BENCH <name> FAIL <errno name | signal name | TIMEOUT>
// bracketed by BENCH-BEGIN / BENCH-END. The time is the best of <reps> repetitions, each sized
// (by calibration) to last about --target-ms. tools/bench.py parses these lines.
//
// Each benchmark runs in a child process of its own (when fork works), so a crash or a hang in
// one becomes a FAIL line and the others still run: the point is to measure a young kernel.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_NOW_ARGUMENT "--exit-now"
#define PAGE_SIZE_BYTES 4096L
#define KIB 1024L
#define MIB (1024L * 1024L)

// ---------------------------------------------------------------------------------------------
// Options and shared state.

struct options {
    int reps;              // repetitions per benchmark; the best one is reported
    long target_ns;        // calibrated length of one repetition
    int timeout_seconds;   // per benchmark, enforced with alarm() in its child
    const char* only;      // comma-separated names, or NULL for all
    const char* tmp_dir;   // a tmpfs (or any) directory for the file benchmarks
    const char* disk_dir;  // a directory on a disk filesystem: enables the storage group
    long disk_mib;         // size of the sequential storage file
    long small_files;      // number of files in the small-file storage benchmark
};

static struct options g_options = {
    .reps = 5,
    .target_ns = 50L * 1000 * 1000,
    .timeout_seconds = 60,
    .only = NULL,
    .tmp_dir = "/tmp",
    .disk_dir = NULL,
    .disk_mib = 256,
    .small_files = 10000,
};

static const char* g_self_path;  // for the exec benchmarks
static char g_scratch_dir[256];  // g_options.tmp_dir/strixbench.<pid>
static char g_stat_target[300];  // a file in the scratch directory

// ---------------------------------------------------------------------------------------------
// Errno and signal names, from the libc headers' own macros (no hand-typed numbers).

#define NAME_ENTRY(x) \
    { x, #x }
struct number_name {
    int number;
    const char* name;
};

static const struct number_name g_errno_names[] = {
    NAME_ENTRY(EPERM),        NAME_ENTRY(ENOENT),  NAME_ENTRY(ESRCH),     NAME_ENTRY(EINTR),
    NAME_ENTRY(EIO),          NAME_ENTRY(ENXIO),   NAME_ENTRY(E2BIG),     NAME_ENTRY(ENOEXEC),
    NAME_ENTRY(EBADF),        NAME_ENTRY(ECHILD),  NAME_ENTRY(EAGAIN),    NAME_ENTRY(ENOMEM),
    NAME_ENTRY(EACCES),       NAME_ENTRY(EFAULT),  NAME_ENTRY(EBUSY),     NAME_ENTRY(EEXIST),
    NAME_ENTRY(EXDEV),        NAME_ENTRY(ENODEV),  NAME_ENTRY(ENOTDIR),   NAME_ENTRY(EISDIR),
    NAME_ENTRY(EINVAL),       NAME_ENTRY(ENFILE),  NAME_ENTRY(EMFILE),    NAME_ENTRY(ENOTTY),
    NAME_ENTRY(EFBIG),        NAME_ENTRY(ENOSPC),  NAME_ENTRY(ESPIPE),    NAME_ENTRY(EROFS),
    NAME_ENTRY(EMLINK),       NAME_ENTRY(EPIPE),   NAME_ENTRY(ERANGE),    NAME_ENTRY(EDEADLK),
    NAME_ENTRY(ENAMETOOLONG), NAME_ENTRY(ENOSYS),  NAME_ENTRY(ENOTEMPTY), NAME_ENTRY(ELOOP),
    NAME_ENTRY(EOVERFLOW),    NAME_ENTRY(ENOTSUP), NAME_ENTRY(ETIMEDOUT), NAME_ENTRY(EDQUOT),
};
static const struct number_name g_signal_names[] = {
    NAME_ENTRY(SIGHUP),  NAME_ENTRY(SIGINT),  NAME_ENTRY(SIGQUIT), NAME_ENTRY(SIGILL),  NAME_ENTRY(SIGTRAP),
    NAME_ENTRY(SIGABRT), NAME_ENTRY(SIGBUS),  NAME_ENTRY(SIGFPE),  NAME_ENTRY(SIGKILL), NAME_ENTRY(SIGSEGV),
    NAME_ENTRY(SIGPIPE), NAME_ENTRY(SIGTERM), NAME_ENTRY(SIGSYS),
};

static const char* errno_name(int number) {
    static char unknown[24];
    for (size_t i = 0; i < sizeof(g_errno_names) / sizeof(g_errno_names[0]); i++)
        if (g_errno_names[i].number == number) return g_errno_names[i].name;
    snprintf(unknown, sizeof(unknown), "E%d", number);
    return unknown;
}

static const char* signal_name(int number) {
    static char unknown[24];
    if (number == SIGALRM) return "TIMEOUT";  // our own alarm(): the benchmark hung
    for (size_t i = 0; i < sizeof(g_signal_names) / sizeof(g_signal_names[0]); i++)
        if (g_signal_names[i].number == number) return g_signal_names[i].name;
    snprintf(unknown, sizeof(unknown), "SIG%d", number);
    return unknown;
}

// ---------------------------------------------------------------------------------------------
// Small helpers. Each returns 0 or a positive errno, the benchmarks' error vocabulary.

static int now_ns(long long* out) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return errno;
    *out = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
    return 0;
}

static int write_all(int fd, const void* buffer, size_t length) {
    const char* p = buffer;
    while (length > 0) {
        ssize_t n = write(fd, p, length);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        if (n == 0) return EIO;
        p += n;
        length -= (size_t)n;
    }
    return 0;
}

static int read_all(int fd, void* buffer, size_t length) {
    char* p = buffer;
    while (length > 0) {
        ssize_t n = read(fd, p, length);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        if (n == 0) return EPIPE;  // the other side went away
        p += n;
        length -= (size_t)n;
    }
    return 0;
}

// Waits for a child that must exit with status 0.
static int wait_child(pid_t pid) {
    int status;
    for (;;) {
        pid_t r = waitpid(pid, &status, 0);
        if (r == pid) break;
        if (r < 0 && errno == EINTR) continue;
        return r < 0 ? errno : ECHILD;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : ECHILD;
}

// Huge pages would turn "per 4 KiB page" figures into "per 2 MiB page" ones on Linux; advisory,
// so a kernel without madvise still runs the benchmark.
static void no_huge_pages(void* address, size_t length) {
#ifdef MADV_NOHUGEPAGE
    madvise(address, length, MADV_NOHUGEPAGE);
#endif
    (void)address, (void)length;
}

// ---------------------------------------------------------------------------------------------
// The benchmarks. Each has an optional setup (its state lives in a static: each benchmark runs
// in its own process), a run(iterations) that performs `iterations` operations, and a teardown.

struct benchmark {
    const char* name;
    int (*setup)(void);
    int (*run)(long iterations);
    int (*teardown)(void);
    long ops_per_iteration;  // e.g. page faults per mmap, hops per ring round
    long bytes_per_op;       // nonzero: also report MB/s
};

// --- single syscalls ---

static int run_getppid(long iterations) {
    for (long i = 0; i < iterations; i++) {
        if (syscall(SYS_getppid) < 0) return errno;
    }
    return 0;
}

static int g_fd = -1;
static char g_byte;

static int setup_dev_zero(void) {
    g_fd = open("/dev/zero", O_RDONLY);
    return g_fd < 0 ? errno : 0;
}

static int run_read_dev_zero(long iterations) {
    for (long i = 0; i < iterations; i++) {
        if (read(g_fd, &g_byte, 1) != 1) return errno ? errno : EIO;
    }
    return 0;
}

static int setup_dev_null(void) {
    g_fd = open("/dev/null", O_WRONLY);
    return g_fd < 0 ? errno : 0;
}

static int run_write_dev_null(long iterations) {
    for (long i = 0; i < iterations; i++) {
        if (write(g_fd, &g_byte, 1) != 1) return errno ? errno : EIO;
    }
    return 0;
}

static int run_stat(long iterations) {
    struct stat st;
    for (long i = 0; i < iterations; i++) {
        if (stat(g_stat_target, &st) != 0) return errno;
    }
    return 0;
}

static int setup_open_target(void) {
    g_fd = open(g_stat_target, O_RDONLY);
    return g_fd < 0 ? errno : 0;
}

static int run_fstat(long iterations) {
    struct stat st;
    for (long i = 0; i < iterations; i++) {
        if (fstat(g_fd, &st) != 0) return errno;
    }
    return 0;
}

static int run_open_close(long iterations) {
    for (long i = 0; i < iterations; i++) {
        int fd = open(g_stat_target, O_RDONLY);
        if (fd < 0) return errno;
        if (close(fd) != 0) return errno;
    }
    return 0;
}

static int run_clock_gettime(long iterations) {
    struct timespec ts;
    for (long i = 0; i < iterations; i++) {
        if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return errno;
    }
    return 0;
}

// --- pipes and context switches: a ring of processes passing one byte around ---
// Process 0 (the benchmark) writes ring[0]; process k reads ring[k-1] and writes ring[k];
// process 0 reads ring[n-1]. One iteration is one lap: n hops, n context switches on one CPU.

#define RING_MAX 8
static int g_ring[RING_MAX][2];
static pid_t g_ring_pids[RING_MAX];
static int g_ring_size;

static int ring_setup(int size) {
    g_ring_size = size;
    for (int i = 0; i < size; i++) {
        if (pipe(g_ring[i]) != 0) return errno;
    }
    for (int k = 1; k < size; k++) {
        pid_t pid = fork();
        if (pid < 0) return errno;
        if (pid == 0) {
            int in = g_ring[k - 1][0], out = g_ring[k][1];
            for (int i = 0; i < size; i++) {
                if (g_ring[i][0] != in) close(g_ring[i][0]);
                if (g_ring[i][1] != out) close(g_ring[i][1]);
            }
            char token;
            while (read_all(in, &token, 1) == 0 && write_all(out, &token, 1) == 0) {
            }
            _exit(0);
        }
        g_ring_pids[k] = pid;
    }
    for (int i = 0; i < size; i++) {
        if (i != size - 1) close(g_ring[i][0]);
        if (i != 0) close(g_ring[i][1]);
    }
    return 0;
}

static int ring_run(long iterations) {
    char token = 'x';
    for (long i = 0; i < iterations; i++) {
        int error = write_all(g_ring[0][1], &token, 1);
        if (!error) error = read_all(g_ring[g_ring_size - 1][0], &token, 1);
        if (error) return error;
    }
    return 0;
}

// Closing our write end ends the lap for good: each process sees EOF and exits in turn.
static int ring_teardown(void) {
    close(g_ring[0][1]);
    int error = 0;
    for (int k = 1; k < g_ring_size; k++) {
        int e = wait_child(g_ring_pids[k]);
        if (!error) error = e;
    }
    close(g_ring[g_ring_size - 1][0]);
    return error;
}

static int setup_ring_2(void) { return ring_setup(2); }
static int setup_ring_8(void) { return ring_setup(8); }

// --- pipe bandwidth: a writer child sends `count` 64 KiB blocks on request ---

#define PIPE_BLOCK (64 * KIB)
static int g_control[2], g_data[2];
static pid_t g_writer;
static char* g_block;

static int setup_pipe_bandwidth(void) {
    g_block = malloc(PIPE_BLOCK);
    if (!g_block) return ENOMEM;
    memset(g_block, 'b', PIPE_BLOCK);
    if (pipe(g_control) != 0 || pipe(g_data) != 0) return errno;
    g_writer = fork();
    if (g_writer < 0) return errno;
    if (g_writer == 0) {
        close(g_control[1]);
        close(g_data[0]);
        long count;
        while (read_all(g_control[0], &count, sizeof(count)) == 0) {
            for (long i = 0; i < count; i++) {
                if (write_all(g_data[1], g_block, PIPE_BLOCK) != 0) _exit(1);
            }
        }
        _exit(0);
    }
    close(g_control[0]);
    close(g_data[1]);
    return 0;
}

static int run_pipe_bandwidth(long iterations) {
    int error = write_all(g_control[1], &iterations, sizeof(iterations));
    for (long i = 0; i < iterations && !error; i++) error = read_all(g_data[0], g_block, PIPE_BLOCK);
    return error;
}

static int teardown_pipe_bandwidth(void) {
    close(g_control[1]);
    int error = wait_child(g_writer);
    close(g_data[0]);
    return error;
}

// --- processes ---

static int run_fork_exit_wait(long iterations) {
    for (long i = 0; i < iterations; i++) {
        pid_t pid = fork();
        if (pid < 0) return errno;
        if (pid == 0) _exit(0);
        int error = wait_child(pid);
        if (error) return error;
    }
    return 0;
}

// The exec'd image is this program, which leaves at once when given EXIT_NOW_ARGUMENT.
static char* const g_exec_argv[] = {(char*)"strixbench", (char*)EXIT_NOW_ARGUMENT, NULL};
static char* const g_exec_envp[] = {NULL};

static int run_fork_exec_wait(long iterations) {
    for (long i = 0; i < iterations; i++) {
        pid_t pid = fork();
        if (pid < 0) return errno;
        if (pid == 0) {
            execve(g_self_path, g_exec_argv, g_exec_envp);
            _exit(127);
        }
        int error = wait_child(pid);
        if (error) return error;
    }
    return 0;
}

// vfork is called directly (not through a pointer) so the compiler knows it returns twice, and
// in a frame of its own that holds nothing the child could clobber.
static __attribute__((noinline)) pid_t vfork_exec_self(void) {
    pid_t pid = vfork();
    if (pid == 0) {
        execve(g_self_path, g_exec_argv, g_exec_envp);
        _exit(127);
    }
    return pid;
}

static int run_vfork_exec_wait(long iterations) {
    for (long i = 0; i < iterations; i++) {
        pid_t pid = vfork_exec_self();
        if (pid < 0) return errno;
        int error = wait_child(pid);
        if (error) return error;
    }
    return 0;
}

#define BIG_PROCESS_BYTES (64 * MIB)
static char* g_big;

static int setup_big_process(void) {
    g_big = mmap(NULL, BIG_PROCESS_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g_big == MAP_FAILED) return errno;
    no_huge_pages(g_big, BIG_PROCESS_BYTES);
    for (long offset = 0; offset < BIG_PROCESS_BYTES; offset += PAGE_SIZE_BYTES) g_big[offset] = 1;
    return 0;
}

static int teardown_big_process(void) { return munmap(g_big, BIG_PROCESS_BYTES) == 0 ? 0 : errno; }

// --- memory: map, fault in every page, unmap; reported per page fault ---

#define FAULT_PAGES 256L  // 1 MiB: below the 2 MiB a transparent huge page would need

static int run_mmap_fault(long iterations) {
    size_t length = FAULT_PAGES * PAGE_SIZE_BYTES;
    for (long i = 0; i < iterations; i++) {
        char* p = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return errno;
        for (size_t offset = 0; offset < length; offset += PAGE_SIZE_BYTES) p[offset] = 1;
        if (munmap(p, length) != 0) return errno;
    }
    return 0;
}

// --- files on tmpfs ---

static char g_file_path[300];
static char g_page[4096];

static int setup_file(void) {
    snprintf(g_file_path, sizeof(g_file_path), "%s/create", g_scratch_dir);
    memset(g_page, 'f', sizeof(g_page));
    return 0;
}

static int run_file_create_write_unlink(long iterations) {
    for (long i = 0; i < iterations; i++) {
        int fd = open(g_file_path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
        if (fd < 0) return errno;
        int error = write_all(fd, g_page, sizeof(g_page));
        if (close(fd) != 0 && !error) error = errno;
        if (unlink(g_file_path) != 0 && !error) error = errno;
        if (error) return error;
    }
    return 0;
}

// --- futex ping-pong between two threads of one process ---
// The main thread raises g_ping to i and waits until the partner raises g_pong to i.

static atomic_int g_ping, g_pong, g_futex_error;
static int g_round;
static pthread_t g_partner;

static long futex(atomic_int* word, int op, int value) {
    return syscall(SYS_futex, word, op, value, NULL, NULL, 0);
}

// Sleeps while *word == seen; a spurious or raced wake-up just rechecks.
static int futex_wait_while(atomic_int* word, int seen) {
    if (futex(word, FUTEX_WAIT_PRIVATE, seen) == 0) return 0;
    return errno == EAGAIN || errno == EINTR ? 0 : errno;
}

static void* futex_partner(void* unused) {
    (void)unused;
    for (int expected = 1;; expected++) {
        int ping;
        while ((ping = atomic_load(&g_ping)) < expected && ping >= 0) {
            int error = futex_wait_while(&g_ping, ping);
            if (error) {
                atomic_store(&g_futex_error, error);
                atomic_store(&g_pong, -1);
                futex(&g_pong, FUTEX_WAKE_PRIVATE, 1);
                return NULL;
            }
        }
        if (ping < 0) return NULL;  // told to stop
        atomic_store(&g_pong, expected);
        if (futex(&g_pong, FUTEX_WAKE_PRIVATE, 1) < 0) atomic_store(&g_futex_error, errno);
    }
}

static int setup_futex(void) { return pthread_create(&g_partner, NULL, futex_partner, NULL); }

static int run_futex(long iterations) {
    for (long i = 0; i < iterations; i++) {
        int round = ++g_round;
        atomic_store(&g_ping, round);
        if (futex(&g_ping, FUTEX_WAKE_PRIVATE, 1) < 0) return errno;
        int pong;
        while ((pong = atomic_load(&g_pong)) < round) {
            if (pong < 0) return atomic_load(&g_futex_error);
            int error = futex_wait_while(&g_pong, pong);
            if (error) return error;
        }
        if (atomic_load(&g_futex_error)) return atomic_load(&g_futex_error);
    }
    return 0;
}

static int teardown_futex(void) {
    atomic_store(&g_ping, -1);
    futex(&g_ping, FUTEX_WAKE_PRIVATE, 1);
    return pthread_join(g_partner, NULL);
}

static const struct benchmark g_benchmarks[] = {
    {"getppid", NULL, run_getppid, NULL, 1, 0},
    {"read_dev_zero", setup_dev_zero, run_read_dev_zero, NULL, 1, 0},
    {"write_dev_null", setup_dev_null, run_write_dev_null, NULL, 1, 0},
    {"stat", NULL, run_stat, NULL, 1, 0},
    {"fstat", setup_open_target, run_fstat, NULL, 1, 0},
    {"open_close", NULL, run_open_close, NULL, 1, 0},
    {"clock_gettime", NULL, run_clock_gettime, NULL, 1, 0},
    {"pipe_round_trip", setup_ring_2, ring_run, ring_teardown, 1, 0},
    {"context_switch_2", setup_ring_2, ring_run, ring_teardown, 2, 0},
    {"context_switch_8", setup_ring_8, ring_run, ring_teardown, 8, 0},
    {"pipe_bandwidth_64k", setup_pipe_bandwidth, run_pipe_bandwidth, teardown_pipe_bandwidth, 1, PIPE_BLOCK},
    {"futex_ping_pong", setup_futex, run_futex, teardown_futex, 1, 0},
    {"fork_exit_wait", NULL, run_fork_exit_wait, NULL, 1, 0},
    {"vfork_exec_wait", NULL, run_vfork_exec_wait, NULL, 1, 0},
    {"fork_exec_wait", NULL, run_fork_exec_wait, NULL, 1, 0},
    {"fork_64m_touched", setup_big_process, run_fork_exit_wait, teardown_big_process, 1, 0},
    {"mmap_fault_per_page", NULL, run_mmap_fault, NULL, FAULT_PAGES, 0},
    {"file_create_write_unlink", setup_file, run_file_create_write_unlink, NULL, 1, 0},
};

// ---------------------------------------------------------------------------------------------
// Measurement: calibrate the iteration count to the target length, then keep the best rep.

static int timed_run(const struct benchmark* b, long iterations, long long* elapsed) {
    long long start = 0, end = 0;
    int error = now_ns(&start);
    if (!error) error = b->run(iterations);
    if (!error) error = now_ns(&end);
    if (!error) *elapsed = end - start;
    return error;
}

static int measure(const struct benchmark* b, double* best_ns, long* iterations_out) {
    long iterations = 1;
    long long elapsed = 0;
    // Grow the count until one run lasts the target; that last run is the first repetition.
    for (;;) {
        int error = timed_run(b, iterations, &elapsed);
        if (error) return error;
        if (elapsed >= g_options.target_ns / 2 || iterations >= (1L << 30)) break;
        long factor = elapsed > 0 ? (long)(g_options.target_ns / elapsed) + 1 : 100;
        if (factor < 2) factor = 2;
        if (factor > 100) factor = 100;
        iterations *= factor;
    }
    double ops = (double)iterations * (double)b->ops_per_iteration;
    *best_ns = (double)elapsed / ops;
    for (int rep = 1; rep < g_options.reps; rep++) {
        int error = timed_run(b, iterations, &elapsed);
        if (error) return error;
        if ((double)elapsed / ops < *best_ns) *best_ns = (double)elapsed / ops;
    }
    *iterations_out = iterations;
    return 0;
}

static void print_fail(const char* name, const char* reason) {
    printf("BENCH %s FAIL %s\n", name, reason);
    fflush(stdout);
}

static void run_benchmark(const struct benchmark* b) {
    int error = b->setup ? b->setup() : 0;
    double best_ns = 0;
    long iterations = 0;
    if (!error) error = measure(b, &best_ns, &iterations);
    int teardown_error = b->teardown ? b->teardown() : 0;
    if (!error) error = teardown_error;
    if (error) {
        print_fail(b->name, errno_name(error));
        return;
    }
    printf("BENCH %s %.1f %d iters=%ld", b->name, best_ns, g_options.reps, iterations);
    if (b->bytes_per_op) printf(" MB/s=%.1f", (double)b->bytes_per_op / best_ns * 1e9 / 1e6);
    printf("\n");
    fflush(stdout);
}

// ---------------------------------------------------------------------------------------------
// Storage group: only with --disk DIR (a disk filesystem). Big, slow operations: each runs once
// and is reported per operation (per MiB, per file).

static void drop_caches(void) {
    sync();
    int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
    if (fd >= 0) {
        write_all(fd, "3\n", 2);
        close(fd);
    }
}

static void print_storage(const char* name, long long elapsed, long ops, long bytes_per_op) {
    double ns = (double)elapsed / (double)ops;
    printf("BENCH %s %.1f 1 iters=%ld", name, ns, ops);
    if (bytes_per_op) printf(" MB/s=%.1f", (double)bytes_per_op / ns * 1e9 / 1e6);
    printf("\n");
    fflush(stdout);
}

static int storage_sequential(const char* path, char* buffer) {
    long long start = 0, end = 0;
    int error = now_ns(&start);
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) return errno;
    for (long i = 0; i < g_options.disk_mib && !error; i++) error = write_all(fd, buffer, MIB);
    if (!error && fsync(fd) != 0) error = errno;
    if (close(fd) != 0 && !error) error = errno;
    if (!error) error = now_ns(&end);
    if (error) return print_fail("disk_seq_write", errno_name(error)), error;
    print_storage("disk_seq_write", end - start, g_options.disk_mib, MIB);

    // The read below must come from the disk: the file's clean pages go (any kernel with a
    // page cache honours the advice), and drop_caches drops the rest where /proc has it.
    fd = open(path, O_RDONLY);
    if (fd >= 0) {
        posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        close(fd);
    }

    drop_caches();
    error = now_ns(&start);
    fd = open(path, O_RDONLY);
    if (fd < 0) return errno;
    for (long i = 0; i < g_options.disk_mib && !error; i++) error = read_all(fd, buffer, MIB);
    close(fd);
    if (!error) error = now_ns(&end);
    if (error) return print_fail("disk_seq_read", errno_name(error)), error;
    print_storage("disk_seq_read", end - start, g_options.disk_mib, MIB);
    return unlink(path) == 0 ? 0 : errno;
}

static int storage_small_files(const char* directory) {
    char path[600];
    long long start = 0, end = 0;
    int error = now_ns(&start);
    for (long i = 0; i < g_options.small_files && !error; i++) {
        snprintf(path, sizeof(path), "%s/f%ld", directory, i);
        int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
        if (fd < 0) {
            error = errno;
            break;
        }
        error = write_all(fd, g_page, KIB);
        if (close(fd) != 0 && !error) error = errno;
    }
    sync();
    if (!error) error = now_ns(&end);
    if (error) return print_fail("disk_small_file_create", errno_name(error)), error;
    print_storage("disk_small_file_create", end - start, g_options.small_files, 0);

    error = now_ns(&start);
    for (long i = 0; i < g_options.small_files && !error; i++) {
        snprintf(path, sizeof(path), "%s/f%ld", directory, i);
        if (unlink(path) != 0) error = errno;
    }
    sync();
    if (!error) error = now_ns(&end);
    if (error) return print_fail("disk_small_file_delete", errno_name(error)), error;
    print_storage("disk_small_file_delete", end - start, g_options.small_files, 0);
    return 0;
}

static void run_storage_group(void) {
    char path[400], directory[400];
    char* buffer = malloc(MIB);
    if (!buffer) {
        print_fail("disk_seq_write", "ENOMEM");
        return;
    }
    memset(buffer, 's', MIB);
    memset(g_page, 'f', sizeof(g_page));
    snprintf(path, sizeof(path), "%s/strixbench.seq", g_options.disk_dir);
    storage_sequential(path, buffer);
    free(buffer);
    snprintf(directory, sizeof(directory), "%s/strixbench.small", g_options.disk_dir);
    if (mkdir(directory, 0755) != 0 && errno != EEXIST) {
        print_fail("disk_small_file_create", errno_name(errno));
        return;
    }
    storage_small_files(directory);
    rmdir(directory);
}

// ---------------------------------------------------------------------------------------------
// Driver.

static int selected(const char* name) {
    if (!g_options.only) return 1;
    size_t length = strlen(name);
    for (const char* p = g_options.only; *p;) {
        const char* comma = strchr(p, ',');
        size_t item = comma ? (size_t)(comma - p) : strlen(p);
        if (item == length && strncmp(p, name, length) == 0) return 1;
        p += item + (comma ? 1 : 0);
    }
    return 0;
}

// In a child of its own when fork works; the child prints the result line itself.
static void run_isolated(const char* name, const struct benchmark* b) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {  // no fork yet: run in this process and hope for the best
        if (b)
            run_benchmark(b);
        else
            run_storage_group();
        return;
    }
    if (pid == 0) {
        setpgid(0, 0);
        alarm((unsigned)g_options.timeout_seconds);
        if (b)
            run_benchmark(b);
        else
            run_storage_group();
        fflush(stdout);
        _exit(0);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    kill(-pid, SIGKILL);  // helpers left behind by a benchmark that died
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    if (WIFSIGNALED(status)) print_fail(name, signal_name(WTERMSIG(status)));
}

static void remove_scratch(void) {
    unlink(g_stat_target);
    rmdir(g_scratch_dir);
}

static int make_scratch(void) {
    snprintf(g_scratch_dir, sizeof(g_scratch_dir), "%s/strixbench.%d", g_options.tmp_dir, (int)getpid());
    snprintf(g_stat_target, sizeof(g_stat_target), "%s/stat_target", g_scratch_dir);
    if (mkdir(g_scratch_dir, 0755) != 0 && errno != EEXIST) return errno;
    int fd = open(g_stat_target, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) return errno;
    int error = write_all(fd, "strixbench\n", 11);
    close(fd);
    return error;
}

static void usage(void) {
    fprintf(stderr,
            "usage: strixbench [--quick] [--reps N] [--target-ms MS] [--timeout S] [--only A,B]\n"
            "                  [--tmp DIR] [--disk DIR] [--disk-mib N] [--small-files N] [--list]\n");
    exit(2);
}

int main(int argc, char** argv) {
    if (argc > 1 && strcmp(argv[1], EXIT_NOW_ARGUMENT) == 0) _exit(0);  // the exec benchmarks' child
    setvbuf(stdout, NULL, _IOLBF, 0);
    g_self_path = strchr(argv[0], '/') ? argv[0] : "/proc/self/exe";

    for (int i = 1; i < argc; i++) {
        const char* a = argv[i];
        const char* value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--quick") == 0) {
            g_options.reps = 2;
            g_options.target_ns = 5L * 1000 * 1000;
            g_options.disk_mib = 16;
            g_options.small_files = 500;
            continue;
        }
        if (strcmp(a, "--list") == 0) {
            for (size_t k = 0; k < sizeof(g_benchmarks) / sizeof(g_benchmarks[0]); k++)
                printf("%s\n", g_benchmarks[k].name);
            return 0;
        }
        if (!value) usage();
        if (strcmp(a, "--reps") == 0)
            g_options.reps = atoi(value);
        else if (strcmp(a, "--target-ms") == 0)
            g_options.target_ns = atol(value) * 1000 * 1000;
        else if (strcmp(a, "--timeout") == 0)
            g_options.timeout_seconds = atoi(value);
        else if (strcmp(a, "--only") == 0)
            g_options.only = value;
        else if (strcmp(a, "--tmp") == 0)
            g_options.tmp_dir = value;
        else if (strcmp(a, "--disk") == 0)
            g_options.disk_dir = value;
        else if (strcmp(a, "--disk-mib") == 0)
            g_options.disk_mib = atol(value);
        else if (strcmp(a, "--small-files") == 0)
            g_options.small_files = atol(value);
        else
            usage();
        i++;
    }
    if (g_options.reps < 1 || g_options.target_ns < 1 || g_options.timeout_seconds < 1) usage();

    printf("BENCH-BEGIN strixbench reps=%d target_ms=%ld\n", g_options.reps, g_options.target_ns / 1000000);
    int scratch_error = make_scratch();
    for (size_t k = 0; k < sizeof(g_benchmarks) / sizeof(g_benchmarks[0]); k++) {
        const struct benchmark* b = &g_benchmarks[k];
        if (!selected(b->name)) continue;
        if (scratch_error && (b->run == run_stat || b->setup == setup_open_target ||
                              b->run == run_open_close || b->setup == setup_file)) {
            print_fail(b->name, errno_name(scratch_error));
            continue;
        }
        run_isolated(b->name, b);
    }
    if (g_options.disk_dir) run_isolated("disk_seq_write", NULL);
    remove_scratch();
    printf("BENCH-END\n");
    return 0;
}
