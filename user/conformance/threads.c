/*
 * Strix conformance suite — threads: pthreads on top of clone, thread-local storage,
 * tid bookkeeping (set_tid_address, CLONE_CHILD_CLEARTID), every futex operation libcs
 * use, robust lists, thread-directed signals, cancellation and exit_group.
 */
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>

#include "common.h"

static long futex(volatile int* address, int operation, int value, const struct timespec* timeout,
                  volatile int* address2, int value3) {
    return syscall(SYS_futex, address, operation, value, timeout, address2, value3);
}

/* FUTEX_*REQUEUE pass a count where the timeout pointer usually goes. */
static long futex_requeue(volatile int* from, int operation, int wake, int requeue, volatile int* to,
                          int expected) {
    return syscall(SYS_futex, from, operation, wake, (long)requeue, to, expected);
}

static pid_t gettid_raw(void) { return (pid_t)syscall(SYS_gettid); }

/* ---- pthreads ---- */

enum { WORKERS = 8, INCREMENTS = 20000, ITEMS = 4000 };

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_not_empty = PTHREAD_COND_INITIALIZER;
static long g_counter;
static int g_queue[64], g_queue_count, g_produced_all;
static long g_consumed_sum, g_consumed_items;

static void* worker(void* argument) {
    (void)argument;
    for (int i = 0; i < INCREMENTS; i++) {
        pthread_mutex_lock(&g_lock);
        g_counter++;
        pthread_mutex_unlock(&g_lock);
    }
    for (;;) {
        pthread_mutex_lock(&g_lock);
        while (g_queue_count == 0 && !g_produced_all) pthread_cond_wait(&g_not_empty, &g_lock);
        if (g_queue_count == 0 && g_produced_all) {
            pthread_mutex_unlock(&g_lock);
            return NULL;
        }
        int item = g_queue[--g_queue_count];
        g_consumed_sum += item;
        g_consumed_items++;
        pthread_mutex_unlock(&g_lock);
    }
}

CASE(eight_threads_mutex_condvar) {
    pthread_t threads[WORKERS];
    for (int i = 0; i < WORKERS; i++) CHECK_RETURNS(pthread_create(&threads[i], NULL, worker, NULL), 0);
    long expected_sum = 0;
    for (int item = 1; item <= ITEMS; item++) {
        pthread_mutex_lock(&g_lock);
        while (g_queue_count == 64) {
            pthread_mutex_unlock(&g_lock);
            sched_yield();
            pthread_mutex_lock(&g_lock);
        }
        g_queue[g_queue_count++] = item;
        expected_sum += item;
        pthread_cond_signal(&g_not_empty);
        pthread_mutex_unlock(&g_lock);
    }
    pthread_mutex_lock(&g_lock);
    g_produced_all = 1;
    pthread_cond_broadcast(&g_not_empty);
    pthread_mutex_unlock(&g_lock);
    for (int i = 0; i < WORKERS; i++) CHECK_RETURNS(pthread_join(threads[i], NULL), 0);
    CHECK(g_counter == (long)WORKERS * INCREMENTS, "counter %ld, expected %ld (lost updates)", g_counter,
          (long)WORKERS * INCREMENTS);
    CHECK(g_consumed_items == ITEMS && g_consumed_sum == expected_sum, "consumed %ld items summing %ld",
          g_consumed_items, g_consumed_sum);
}

CASE(condvar_timedwait_times_out) {
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t condition = PTHREAD_COND_INITIALIZER;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 50 * 1000 * 1000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    long long start = monotonic_ns();
    pthread_mutex_lock(&lock);
    int result = pthread_cond_timedwait(&condition, &lock, &deadline);
    pthread_mutex_unlock(&lock);
    long long waited = monotonic_ns() - start;
    CHECK(result == ETIMEDOUT, "pthread_cond_timedwait returned %s", errno_name(result));
    CHECK(waited >= 45 * 1000000LL, "timed out after only %lld ms", waited / 1000000);
}

static __thread int t_initialized = 5;
static __thread int t_zeroed;
static __thread char t_big[8192];

static void* tls_thread(void* argument) {
    int* result = argument;
    result[0] = t_initialized;
    result[1] = t_zeroed;
    result[2] = t_big[4000];
    t_initialized = 77;
    t_zeroed = 78;
    result[3] = (int)(gettid_raw() != getpid());
    result[4] = (int)((uintptr_t)&t_initialized & 0xffffffff);
    return NULL;
}

CASE(thread_local_storage) {
    t_initialized = 10;
    t_zeroed = 11;
    t_big[4000] = 12;
    int results[2][5];
    pthread_t threads[2];
    for (int i = 0; i < 2; i++) CHECK_RETURNS(pthread_create(&threads[i], NULL, tls_thread, results[i]), 0);
    for (int i = 0; i < 2; i++) CHECK_RETURNS(pthread_join(threads[i], NULL), 0);
    for (int i = 0; i < 2; i++) {
        CHECK(results[i][0] == 5 && results[i][1] == 0 && results[i][2] == 0,
              "new thread saw TLS %d/%d/%d, expected the initial image 5/0/0", results[i][0], results[i][1],
              results[i][2]);
        CHECK(results[i][3], "thread's tid equals the pid");
    }
    CHECK(results[0][4] != results[1][4], "two threads share a TLS address");
    CHECK(t_initialized == 10 && t_zeroed == 11, "another thread's TLS write reached the main thread");
}

static void* report_ids(void* argument) {
    pid_t* ids = argument;
    ids[0] = getpid();
    ids[1] = gettid_raw();
    return NULL;
}

CASE(thread_ids) {
    pid_t ids[4][2];
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) CHECK_RETURNS(pthread_create(&threads[i], NULL, report_ids, ids[i]), 0);
    for (int i = 0; i < 4; i++) CHECK_RETURNS(pthread_join(threads[i], NULL), 0);
    for (int i = 0; i < 4; i++) {
        CHECK(ids[i][0] == getpid(), "thread %d has pid %d, process %d", i, (int)ids[i][0], (int)getpid());
        CHECK(ids[i][1] != getpid() && ids[i][1] > 0, "thread %d has tid %d", i, (int)ids[i][1]);
        for (int j = 0; j < i; j++)
            CHECK(ids[i][1] != ids[j][1], "threads %d and %d share tid %d", i, j, (int)ids[i][1]);
    }
}

static void* nothing(void* argument) { return argument; }

CASE(many_threads_create_join) {
    for (int round = 0; round < 10; round++) {
        pthread_t threads[20];
        for (int i = 0; i < 20; i++)
            CHECK_RETURNS(pthread_create(&threads[i], NULL, nothing, (void*)(long)i), 0);
        for (int i = 0; i < 20; i++) {
            void* result;
            CHECK_RETURNS(pthread_join(threads[i], &result), 0);
            CHECK(result == (void*)(long)i, "thread %d returned %p", i, result);
        }
    }
}

/* ---- tid bookkeeping ---- */

static volatile int g_cleared_tid;

static int short_lived_thread(void* argument) {
    (void)argument;
    struct timespec delay = {0, 100 * 1000 * 1000};
    syscall(SYS_nanosleep, &delay, NULL);
    return 0;
}

CASE(set_tid_address_and_cleartid_wake) {
    static volatile int scratch;
    CHECK(syscall(SYS_set_tid_address, &scratch) == gettid_raw(), "set_tid_address did not return the tid");

    size_t stack_size = 64 * 1024;
    char* stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(stack != MAP_FAILED, "mmap: %s", errno_name(errno));
    int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
                CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
    g_cleared_tid = -1;
    int tid = clone(short_lived_thread, stack + stack_size, flags, NULL, NULL, NULL, &g_cleared_tid);
    CHECK(tid > 0, "clone: %s", errno_name(errno));
    /* Wait without polling: only the kernel's wake at thread exit ends this wait. */
    struct timespec limit = {3, 0};
    long long start = monotonic_ns();
    while (g_cleared_tid != 0) {
        int seen = g_cleared_tid;
        long result = futex(&g_cleared_tid, FUTEX_WAIT, seen, &limit, NULL, 0);
        CHECK(result == 0 || errno == EAGAIN || errno == EINTR,
              "waiting for CLONE_CHILD_CLEARTID: %s (no futex wake at thread exit)", errno_name(errno));
        CHECK(monotonic_ns() - start < 3000000000LL, "tid never cleared");
    }
    CHECK(g_cleared_tid == 0, "tid not cleared");
    munmap(stack, stack_size);
}

/* ---- futex ---- */

CASE(futex_wait_value_mismatch_eagain) {
    static volatile int word = 1;
    struct timespec limit = {1, 0};
    CHECK_ERRNO(futex(&word, FUTEX_WAIT, 2, &limit, NULL, 0), EAGAIN);
    CHECK_ERRNO(futex(&word, FUTEX_WAIT_PRIVATE, 0, &limit, NULL, 0), EAGAIN);
    CHECK_ERRNO(futex(&word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 3, NULL, NULL, FUTEX_BITSET_MATCH_ANY),
                EAGAIN);
    CHECK(futex(&word, FUTEX_WAKE, 1, NULL, NULL, 0) == 0, "FUTEX_WAKE without waiters did not return 0");
}

CASE(futex_timeouts) {
    static volatile int word;
    struct timespec relative = {0, 50 * 1000 * 1000};
    long long start = monotonic_ns();
    CHECK_ERRNO(futex(&word, FUTEX_WAIT_PRIVATE, 0, &relative, NULL, 0), ETIMEDOUT);
    CHECK(monotonic_ns() - start >= 45000000LL, "FUTEX_WAIT timed out early");

    struct timespec absolute;
    clock_gettime(CLOCK_MONOTONIC, &absolute);
    absolute.tv_nsec += 50 * 1000 * 1000;
    if (absolute.tv_nsec >= 1000000000) {
        absolute.tv_sec++;
        absolute.tv_nsec -= 1000000000;
    }
    start = monotonic_ns();
    CHECK_ERRNO(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &absolute, NULL, FUTEX_BITSET_MATCH_ANY),
                ETIMEDOUT);
    CHECK(monotonic_ns() - start >= 40000000LL, "absolute FUTEX_WAIT_BITSET timed out early");

    clock_gettime(CLOCK_REALTIME, &absolute);
    absolute.tv_nsec += 20 * 1000 * 1000;
    if (absolute.tv_nsec >= 1000000000) {
        absolute.tv_sec++;
        absolute.tv_nsec -= 1000000000;
    }
    CHECK_ERRNO(
        futex(&word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0, &absolute, NULL, FUTEX_BITSET_MATCH_ANY),
        ETIMEDOUT);
    struct timespec past = {1, 0};
    CHECK_ERRNO(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &past, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    struct timespec bad = {0, 1000000000};
    CHECK_ERRNO(futex(&word, FUTEX_WAIT_PRIVATE, 0, &bad, NULL, 0), EINVAL);
    struct timespec negative = {-1, 0};
    CHECK_ERRNO(futex(&word, FUTEX_WAIT_PRIVATE, 0, &negative, NULL, 0), EINVAL);
}

static volatile int g_futex_word, g_futex_target, g_awake, g_waiting;

static void* futex_waiter(void* argument) {
    int operation = (int)(long)argument;
    bool bitset = (operation & FUTEX_CMD_MASK) == FUTEX_WAIT_BITSET;
    __atomic_add_fetch(&g_waiting, 1, __ATOMIC_SEQ_CST);
    /* FUTEX_WAIT takes a relative timeout, FUTEX_WAIT_BITSET an absolute one. */
    struct timespec limit = {4, 0};
    if (bitset) {
        clock_gettime(CLOCK_MONOTONIC, &limit);
        limit.tv_sec += 4;
    }
    while (g_futex_word == 0) {
        long result = futex(&g_futex_word, operation, 0, &limit, NULL, bitset ? 1 : 0);
        if (result == -1 && errno == ETIMEDOUT) break;
        if (result == 0) break;
    }
    __atomic_add_fetch(&g_awake, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

/* Wakes with `operation` until `wanted` waiters were woken or the deadline passes. */
static long wake_until(volatile int* address, int operation, int wanted, int bitset) {
    long total = 0;
    long long deadline = monotonic_ns() + 3000000000LL;
    while (total < wanted && monotonic_ns() < deadline) {
        long woken = futex(address, operation, wanted - (int)total, NULL, NULL, bitset);
        if (woken < 0) return -1;
        total += woken;
        if (total < wanted) sleep_ms(5);
    }
    return total;
}

CASE(futex_wake_counts) {
    g_futex_word = 0;
    pthread_t threads[3];
    for (int i = 0; i < 3; i++)
        CHECK_RETURNS(pthread_create(&threads[i], NULL, futex_waiter, (void*)(long)FUTEX_WAIT_PRIVATE), 0);
    CHECK(wake_until(&g_futex_word, FUTEX_WAKE_PRIVATE, 1, 0) == 1, "could not wake one waiter");
    sleep_ms(50);
    CHECK(g_awake == 1, "FUTEX_WAKE of 1 woke %d waiters", g_awake);
    CHECK(wake_until(&g_futex_word, FUTEX_WAKE_PRIVATE, 2, 0) == 2, "could not wake the other two");
    for (int i = 0; i < 3; i++) pthread_join(threads[i], NULL);
    CHECK(g_awake == 3, "only %d waiters finished", g_awake);
}

CASE(futex_requeue_and_cmp_requeue) {
    g_futex_word = 0;
    g_futex_target = 0;
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        CHECK_RETURNS(pthread_create(&threads[i], NULL, futex_waiter, (void*)(long)FUTEX_WAIT_PRIVATE), 0);
    CHECK_ERRNO(futex_requeue(&g_futex_word, FUTEX_CMP_REQUEUE_PRIVATE, 0, 4, &g_futex_target, 1), EAGAIN);
    long moved = 0;
    long long deadline = monotonic_ns() + 3000000000LL;
    while (moved < 4 && monotonic_ns() < deadline) {
        long result = futex_requeue(&g_futex_word, FUTEX_CMP_REQUEUE_PRIVATE, 0, 4, &g_futex_target, 0);
        CHECK(result >= 0, "FUTEX_CMP_REQUEUE: %s", errno_name(errno));
        moved += result;
        sleep_ms(5);
    }
    CHECK(moved == 4, "requeued %ld of 4 waiters", moved);
    sleep_ms(50);
    CHECK(g_awake == 0, "%d requeued waiters woke without a wake on the target", g_awake);
    CHECK(futex(&g_futex_word, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0) == 0, "waiters left on the source");
    /* Plain FUTEX_REQUEUE back: wake one, move the rest. */
    long result = futex_requeue(&g_futex_target, FUTEX_REQUEUE_PRIVATE, 1, 10, &g_futex_word, 0);
    CHECK(result == 4, "FUTEX_REQUEUE(wake 1, requeue rest) returned %ld, expected 4 woken+moved", result);
    CHECK(futex(&g_futex_word, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0) == 3, "requeued waiters not found");
    for (int i = 0; i < 4; i++) pthread_join(threads[i], NULL);
    CHECK(g_awake == 4, "%d of 4 waiters finished", g_awake);
}

CASE(futex_bitsets) {
    g_futex_word = 0;
    pthread_t thread;
    CHECK_RETURNS(pthread_create(&thread, NULL, futex_waiter, (void*)(long)FUTEX_WAIT_BITSET_PRIVATE), 0);
    while (g_waiting == 0) sleep_ms(1);
    sleep_ms(50);
    CHECK(futex(&g_futex_word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 2) == 0,
          "FUTEX_WAKE_BITSET with a disjoint bitset woke the waiter");
    CHECK(wake_until(&g_futex_word, FUTEX_WAKE_BITSET_PRIVATE, 1, 1) == 1, "matching bitset did not wake");
    pthread_join(thread, NULL);
    static volatile int word;
    CHECK_ERRNO(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, 0), EINVAL);
    CHECK_ERRNO(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0), EINVAL);
}

CASE(futex_shared_across_fork) {
    volatile int* word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(word != MAP_FAILED, "mmap: %s", errno_name(errno));
    pid_t child = fork();
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    if (child == 0) {
        struct timespec limit = {3, 0};
        while (*word == 0) {
            long result = futex(word, FUTEX_WAIT, 0, &limit, NULL, 0);
            SUB_CHECK(result == 0 || errno == EAGAIN || errno == EINTR, "shared FUTEX_WAIT: %s",
                      errno_name(errno));
        }
        _exit(0);
    }
    sleep_ms(50);
    *word = 1;
    /* The child may not be asleep yet; a wake of 0 is fine, it then sees the value. */
    CHECK(futex(word, FUTEX_WAKE, 1, NULL, NULL, 0) >= 0, "shared FUTEX_WAKE: %s", errno_name(errno));
    CHECK_EXIT(child, 0);
}

CASE(futex_argument_errors) {
    static volatile int words[2];
    CHECK_ERRNO(futex((volatile int*)((char*)words + 1), FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EINVAL);
    CHECK_ERRNO(futex(words, 99, 0, NULL, NULL, 0), ENOSYS);
    CHECK_ERRNO(futex(NULL, FUTEX_WAIT, 0, NULL, NULL, 0), EFAULT);
    CHECK_ERRNO(futex_requeue(words, FUTEX_CMP_REQUEUE_PRIVATE, -1, 1, words + 1, 0), EINVAL);
}

/* ---- robust lists ---- */

static void* lock_and_die(void* argument) {
    pthread_mutex_lock(argument);
    return NULL; /* exits still owning the robust mutex */
}

CASE(robust_mutex_owner_died) {
    void* head = NULL;
    size_t length = 0;
    CHECK_OK(syscall(SYS_get_robust_list, 0, &head, &length));
    CHECK(length == 3 * sizeof(void*), "robust list length %zu", length);
    CHECK_ERRNO(syscall(SYS_set_robust_list, head, length + 1), EINVAL);

    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    CHECK_RETURNS(pthread_mutexattr_setrobust(&attributes, PTHREAD_MUTEX_ROBUST), 0);
    pthread_mutex_t mutex;
    CHECK_RETURNS(pthread_mutex_init(&mutex, &attributes), 0);
    pthread_t thread;
    CHECK_RETURNS(pthread_create(&thread, NULL, lock_and_die, &mutex), 0);
    pthread_join(thread, NULL);
    CHECK_RETURNS(pthread_mutex_lock(&mutex), EOWNERDEAD);
    CHECK_RETURNS(pthread_mutex_consistent(&mutex), 0);
    CHECK_RETURNS(pthread_mutex_unlock(&mutex), 0);

    /* Across processes the kernel's exit-time walk is the only one that can help. */
    pthread_mutex_t* shared =
        mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(shared != MAP_FAILED, "mmap: %s", errno_name(errno));
    pthread_mutexattr_setpshared(&attributes, PTHREAD_PROCESS_SHARED);
    CHECK_RETURNS(pthread_mutex_init(shared, &attributes), 0);
    pid_t child = fork();
    if (child == 0) {
        pthread_mutex_lock(shared);
        _exit(0);
    }
    CHECK_EXIT(child, 0);
    CHECK_RETURNS(pthread_mutex_lock(shared), EOWNERDEAD);
}

/* ---- signals and threads ---- */

static volatile pid_t g_handler_tid;
static volatile int g_stop_thread;
static void record_tid(int signal_number) {
    (void)signal_number;
    g_handler_tid = gettid_raw();
}

static void* spin_thread(void* argument) {
    *(volatile pid_t*)argument = gettid_raw();
    while (!g_stop_thread) sleep_ms(1);
    return NULL;
}

CASE(tgkill_targets_one_thread) {
    signal(SIGUSR1, record_tid);
    volatile pid_t thread_tid = 0;
    pthread_t thread;
    CHECK_RETURNS(pthread_create(&thread, NULL, spin_thread, (void*)&thread_tid), 0);
    while (thread_tid == 0) sleep_ms(1);
    CHECK_OK(syscall(SYS_tgkill, getpid(), thread_tid, SIGUSR1));
    for (int i = 0; i < 2000 && g_handler_tid == 0; i++) sleep_ms(1);
    CHECK(g_handler_tid == thread_tid, "tgkill to %d ran the handler on %d", (int)thread_tid,
          (int)g_handler_tid);
    g_handler_tid = 0;
    CHECK_OK(syscall(SYS_tkill, thread_tid, SIGUSR1));
    for (int i = 0; i < 2000 && g_handler_tid == 0; i++) sleep_ms(1);
    CHECK(g_handler_tid == thread_tid, "tkill ran the handler on %d", (int)g_handler_tid);
    CHECK_ERRNO(syscall(SYS_tgkill, getpid() + 100000, thread_tid, SIGUSR1), ESRCH);
    CHECK_ERRNO(syscall(SYS_tgkill, getpid(), thread_tid, 1000), EINVAL);
    CHECK_ERRNO(syscall(SYS_tgkill, 0, thread_tid, SIGUSR1), EINVAL);
    g_stop_thread = 1;
    pthread_join(thread, NULL);
    sleep_ms(20);
    CHECK_ERRNO(syscall(SYS_tgkill, getpid(), thread_tid, SIGUSR1), ESRCH);
}

static void* unblocked_spin(void* argument) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    return spin_thread(argument);
}

CASE(process_signal_goes_to_unblocked_thread) {
    signal(SIGUSR2, record_tid);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    volatile pid_t thread_tid = 0;
    pthread_t thread;
    CHECK_RETURNS(pthread_create(&thread, NULL, unblocked_spin, (void*)&thread_tid), 0);
    while (thread_tid == 0) sleep_ms(1);
    CHECK_OK(kill(getpid(), SIGUSR2));
    for (int i = 0; i < 2000 && g_handler_tid == 0; i++) sleep_ms(1);
    CHECK(g_handler_tid == thread_tid, "process-directed signal handled on %d, expected thread %d",
          (int)g_handler_tid, (int)thread_tid);
    g_stop_thread = 1;
    pthread_join(thread, NULL);
}

static void* read_forever(void* argument) {
    char byte;
    (void)!read(*(int*)argument, &byte, 1);
    return NULL;
}

CASE(cancel_thread_blocked_in_read) {
    int fds[2];
    CHECK_OK(pipe(fds));
    pthread_t thread;
    CHECK_RETURNS(pthread_create(&thread, NULL, read_forever, &fds[0]), 0);
    sleep_ms(50);
    CHECK_RETURNS(pthread_cancel(thread), 0);
    void* result = NULL;
    CHECK_RETURNS(pthread_join(thread, &result), 0);
    CHECK(result == PTHREAD_CANCELED, "join returned %p, expected PTHREAD_CANCELED", result);
}

static void* block_forever(void* argument) {
    (void)argument;
    for (;;) pause();
    return NULL;
}

static void* exit_group_later(void* argument) {
    sleep_ms(100);
    _exit((int)(long)argument);
}

CASE(exit_group_ends_all_threads) {
    pid_t child = fork();
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    if (child == 0) {
        pthread_t thread;
        for (int i = 0; i < 4; i++) pthread_create(&thread, NULL, block_forever, NULL);
        sleep_ms(20);
        exit(5); /* exit_group from the main thread */
    }
    CHECK_EXIT(child, 5);
    child = fork();
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    if (child == 0) {
        pthread_t thread, exiter;
        for (int i = 0; i < 3; i++) pthread_create(&thread, NULL, block_forever, NULL);
        pthread_create(&exiter, NULL, exit_group_later, (void*)6L);
        pthread_join(exiter, NULL); /* never returns: the exiter ends the process */
        _exit(99);
    }
    CHECK_EXIT(child, 6);
}

/* A thread or process that never enters the kernel (a loop in user mode) must not keep a
 * sleeper from waking: the timer takes the CPU back. On one CPU a kernel that fails this
 * hangs here. */
static volatile int g_spin_stop;
static volatile unsigned long g_spins;

static void* spin_in_user_mode(void* arg) {
    (void)arg;
    while (!g_spin_stop) g_spins++;
    return NULL;
}

CASE(user_mode_loops_are_preempted) {
    g_spin_stop = 0;
    g_spins = 0;
    pthread_t spinner;
    CHECK(pthread_create(&spinner, NULL, spin_in_user_mode, NULL) == 0, "pthread_create failed");
    for (int i = 0; i < 3; i++) sleep_ms(20); /* each wake-up needs the spinner preempted */
    unsigned long seen = g_spins;
    g_spin_stop = 1;
    CHECK(pthread_join(spinner, NULL) == 0, "pthread_join failed");
    CHECK(seen > 0, "the spinning thread never ran");
    fflush(stdout);
    pid_t child = fork();
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    if (child == 0)
        for (;;) g_spins++;
    sleep_ms(30);
    CHECK_OK(kill(child, SIGKILL));
    int status = wait_status(child);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "spinning child: %s", describe_status(status));
}

CASE(main_thread_exit_leaves_process_running) {
    pid_t child = fork();
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    if (child == 0) {
        pthread_t exiter;
        pthread_create(&exiter, NULL, exit_group_later, (void*)7L);
        syscall(SYS_exit, 0); /* only the main thread ends; the process lives on */
        _exit(99);
    }
    CHECK_EXIT(child, 7);
}

static const struct test_case cases[] = {
    CASE_ENTRY(eight_threads_mutex_condvar),
    CASE_ENTRY(condvar_timedwait_times_out),
    CASE_ENTRY(thread_local_storage),
    CASE_ENTRY(thread_ids),
    CASE_ENTRY(many_threads_create_join),
    CASE_ENTRY(set_tid_address_and_cleartid_wake),
    CASE_ENTRY(futex_wait_value_mismatch_eagain),
    CASE_ENTRY(futex_timeouts),
    CASE_ENTRY(futex_wake_counts),
    CASE_ENTRY(futex_requeue_and_cmp_requeue),
    CASE_ENTRY(futex_bitsets),
    CASE_ENTRY(futex_shared_across_fork),
    CASE_ENTRY(futex_argument_errors),
    CASE_ENTRY(robust_mutex_owner_died),
    CASE_ENTRY(tgkill_targets_one_thread),
    CASE_ENTRY(process_signal_goes_to_unblocked_thread),
    CASE_ENTRY(cancel_thread_blocked_in_read),
    CASE_ENTRY(exit_group_ends_all_threads),
    CASE_ENTRY(user_mode_loops_are_preempted),
    CASE_ENTRY(main_thread_exit_leaves_process_running),
};

int main(int argc, char** argv) { return CONFORMANCE_MAIN("threads", cases, argc, argv); }
