/*
 * Strix conformance suite — signals: rt_sigaction flags, the alternate stack, masks and
 * pending sets, waiting for signals, the senders (kill, tkill, tgkill, rt_sigqueueinfo),
 * SIGCHLD, interrupted and restarted system calls, nesting, the register state a handler
 * must not disturb, hardware faults with their siginfo, and stop/continue.
 */
#include <cpuid.h>
#include <setjmp.h>
#include <sys/resource.h>
#include <ucontext.h>

#include "common.h"

static volatile int g_count, g_depth, g_max_depth;
static volatile int g_order[16], g_order_length;
static volatile siginfo_t g_info;
static volatile void* g_context;
static volatile int g_blocked_in_handler;

static void install(int signal_number, void (*handler)(int, siginfo_t*, void*), int flags,
                    const sigset_t* mask) {
    struct sigaction action = {.sa_sigaction = handler, .sa_flags = flags | SA_SIGINFO};
    if (mask) action.sa_mask = *mask;
    sigaction(signal_number, &action, NULL);
}

static void record(int signal_number, siginfo_t* info, void* context) {
    g_count++;
    if (g_order_length < 16) g_order[g_order_length++] = signal_number;
    g_info = *info;
    g_context = context;
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    g_blocked_in_handler = sigismember(&now, signal_number) * 1 + sigismember(&now, SIGUSR2) * 2;
}

static void block(int signal_number, int how) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signal_number);
    sigprocmask(how, &set, NULL);
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

CASE(siginfo_from_kill) {
    install(SIGUSR1, record, 0, NULL);
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK(g_count == 1, "handler ran %d times", g_count);
    CHECK(g_info.si_signo == SIGUSR1 && g_info.si_code == SI_USER, "si_signo %d si_code %d", g_info.si_signo,
          g_info.si_code);
    CHECK(g_info.si_pid == getpid() && g_info.si_uid == getuid(), "si_pid %d si_uid %d", (int)g_info.si_pid,
          (int)g_info.si_uid);
    CHECK(g_context != NULL, "no ucontext passed to an SA_SIGINFO handler");
    CHECK(g_blocked_in_handler & 1, "signal not blocked while its handler ran");
    CHECK_OK(syscall(SYS_tkill, syscall(SYS_gettid), SIGUSR1));
    CHECK(g_count == 2 && g_info.si_code == SI_TKILL, "tkill: count %d si_code %d", g_count, g_info.si_code);
    CHECK_OK(syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1));
    CHECK(g_count == 3 && g_info.si_code == SI_TKILL, "tgkill: count %d si_code %d", g_count, g_info.si_code);
}

CASE(sigqueue_delivers_value) {
    install(SIGRTMIN, record, 0, NULL);
    union sigval value = {.sival_int = 1234};
    CHECK_OK(sigqueue(getpid(), SIGRTMIN, value));
    CHECK(g_count == 1 && g_info.si_code == SI_QUEUE, "count %d si_code %d", g_count, g_info.si_code);
    CHECK(g_info.si_value.sival_int == 1234, "si_value %d", g_info.si_value.sival_int);
    siginfo_t info;
    memset(&info, 0, sizeof info);
    info.si_signo = SIGRTMIN;
    info.si_code = SI_QUEUE;
    info.si_pid = getpid();
    info.si_uid = getuid();
    info.si_value.sival_ptr = (void*)0x5678;
    CHECK_OK(syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN, &info));
    CHECK(g_count == 2 && g_info.si_value.sival_ptr == (void*)0x5678, "raw rt_sigqueueinfo value %p",
          g_info.si_value.sival_ptr);
    CHECK_OK(syscall(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid), SIGRTMIN, &info));
    CHECK(g_count == 3, "rt_tgsigqueueinfo not delivered");
    /* Only the kernel may claim SI_USER/SI_KERNEL for a signal sent to someone else. */
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    info.si_code = SI_USER;
    long result = syscall(SYS_rt_sigqueueinfo, child, SIGUSR1, &info);
    int error = errno;
    kill(child, SIGKILL);
    wait_status(child);
    CHECK(result == -1 && error == EPERM, "forged SI_USER to another process: %s",
          result == 0 ? "accepted" : errno_name(error));
}

CASE(realtime_queue_and_order) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGRTMIN);
    sigaddset(&set, SIGRTMIN + 1);
    /* Each handler blocks the others: otherwise Linux stacks a frame per pending signal
     * at once and the last one set up (the highest number) runs first. */
    install(SIGUSR1, record, 0, &set);
    install(SIGRTMIN, record, 0, &set);
    install(SIGRTMIN + 1, record, 0, &set);
    sigprocmask(SIG_BLOCK, &set, NULL);
    for (int i = 0; i < 2; i++) kill(getpid(), SIGRTMIN + 1);
    for (int i = 0; i < 3; i++) {
        kill(getpid(), SIGRTMIN);
        kill(getpid(), SIGUSR1);
    }
    sigset_t pending;
    sigpending(&pending);
    CHECK(sigismember(&pending, SIGUSR1) && sigismember(&pending, SIGRTMIN), "not pending while blocked");
    CHECK(g_count == 0, "a blocked signal was delivered");
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    /* Standard signals do not queue; real-time ones do, lowest number first. */
    int expected[] = {SIGUSR1, SIGRTMIN, SIGRTMIN, SIGRTMIN, SIGRTMIN + 1, SIGRTMIN + 1};
    CHECK(g_order_length == 6, "%d deliveries, expected 6 (1 + 3 + 2)", g_order_length);
    for (int i = 0; i < 6; i++)
        CHECK(g_order[i] == expected[i], "delivery %d was %s, expected %s", i, signal_name(g_order[i]),
              signal_name(expected[i]));
}

static void reraise_once(int signal_number, siginfo_t* info, void* context) {
    (void)info;
    (void)context;
    g_depth++;
    if (g_depth > g_max_depth) g_max_depth = g_depth;
    if (g_count++ == 0) kill(getpid(), signal_number);
    g_depth--;
}

CASE(sa_nodefer_and_default_deferral) {
    install(SIGUSR1, reraise_once, SA_NODEFER, NULL);
    kill(getpid(), SIGUSR1);
    CHECK(g_count == 2 && g_max_depth == 2, "SA_NODEFER: %d runs, depth %d (expected 2 nested)", g_count,
          g_max_depth);
    g_count = g_max_depth = 0;
    install(SIGUSR1, reraise_once, 0, NULL);
    kill(getpid(), SIGUSR1);
    CHECK(g_count == 2 && g_max_depth == 1, "without SA_NODEFER: %d runs, depth %d (expected 2 in turn)",
          g_count, g_max_depth);
}

CASE(sa_resethand_and_mask) {
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR2);
    install(SIGUSR1, record, SA_RESETHAND, &mask);
    kill(getpid(), SIGUSR1);
    CHECK(g_count == 1, "handler did not run");
    CHECK(g_blocked_in_handler & 2, "sa_mask (SIGUSR2) not blocked during the handler");
    struct sigaction now;
    sigaction(SIGUSR1, NULL, &now);
    CHECK(now.sa_handler == SIG_DFL, "SA_RESETHAND left the handler installed");
    sigset_t after;
    sigprocmask(SIG_SETMASK, NULL, &after);
    CHECK(!sigismember(&after, SIGUSR2) && !sigismember(&after, SIGUSR1), "mask not restored on return");
}

static char g_alternate_stack[64 * 1024];
static volatile uintptr_t g_handler_frame;
static volatile int g_onstack_flags, g_change_error;

static void on_alternate(int signal_number, siginfo_t* info, void* context) {
    (void)signal_number;
    (void)info;
    (void)context;
    volatile char local;
    g_handler_frame = (uintptr_t)&local;
    stack_t now;
    sigaltstack(NULL, &now);
    g_onstack_flags = now.ss_flags;
    stack_t change = {.ss_sp = g_alternate_stack, .ss_size = sizeof g_alternate_stack};
    g_change_error = sigaltstack(&change, NULL) == 0 ? 0 : errno;
}

CASE(sigaltstack_and_sa_onstack) {
    stack_t stack = {.ss_sp = g_alternate_stack, .ss_size = sizeof g_alternate_stack}, old;
    CHECK_OK(sigaltstack(&stack, &old));
    CHECK(old.ss_flags & SS_DISABLE, "an alternate stack was already set");
    install(SIGUSR1, on_alternate, SA_ONSTACK, NULL);
    kill(getpid(), SIGUSR1);
    uintptr_t low = (uintptr_t)g_alternate_stack, high = low + sizeof g_alternate_stack;
    CHECK(g_handler_frame >= low && g_handler_frame < high,
          "SA_ONSTACK handler ran at %#lx, outside %#lx-%#lx", (unsigned long)g_handler_frame,
          (unsigned long)low, (unsigned long)high);
    CHECK(g_onstack_flags & SS_ONSTACK, "sigaltstack inside the handler lacks SS_ONSTACK");
    CHECK(g_change_error == EPERM, "changing the active alternate stack: %s", errno_name(g_change_error));
    stack_t tiny = {.ss_sp = g_alternate_stack, .ss_size = 512};
    CHECK_ERRNO(sigaltstack(&tiny, NULL), ENOMEM);
    stack_t bad_flags = {.ss_sp = g_alternate_stack, .ss_size = sizeof g_alternate_stack, .ss_flags = 0x1234};
    CHECK_ERRNO(sigaltstack(&bad_flags, NULL), EINVAL);
    stack_t disable = {.ss_flags = SS_DISABLE};
    CHECK_OK(sigaltstack(&disable, NULL));
    CHECK_OK(sigaltstack(NULL, &old));
    CHECK(old.ss_flags == SS_DISABLE, "flags after disabling: %d", old.ss_flags);
}

static sigjmp_buf g_jump;
static void jump_out(int signal_number, siginfo_t* info, void* context) {
    (void)info;
    (void)context;
    volatile char local;
    g_handler_frame = (uintptr_t)&local;
    siglongjmp(g_jump, signal_number);
}

static volatile int g_recursion_limit = 1 << 30;
static int recurse(int depth) {
    volatile char frame[1024];
    frame[0] = (char)depth;
    if (depth >= g_recursion_limit) return 0;
    return recurse(depth + 1) + frame[0];
}

CASE(stack_overflow_handled_on_alternate_stack) {
    struct rlimit limit = {512 * 1024, 512 * 1024};
    CHECK_OK(setrlimit(RLIMIT_STACK, &limit));
    stack_t stack = {.ss_sp = g_alternate_stack, .ss_size = sizeof g_alternate_stack};
    CHECK_OK(sigaltstack(&stack, NULL));
    install(SIGSEGV, jump_out, SA_ONSTACK, NULL);
    int caught = sigsetjmp(g_jump, 1);
    if (caught == 0) recurse(0);
    CHECK(caught == SIGSEGV, "stack overflow raised %s", signal_name(caught));
    uintptr_t low = (uintptr_t)g_alternate_stack;
    CHECK(g_handler_frame >= low && g_handler_frame < low + sizeof g_alternate_stack,
          "the overflow handler did not run on the alternate stack");
}

CASE(sigprocmask_pending_and_errors) {
    install(SIGUSR1, record, 0, NULL);
    block(SIGUSR1, SIG_BLOCK);
    kill(getpid(), SIGUSR1);
    sigset_t pending;
    sigpending(&pending);
    CHECK(sigismember(&pending, SIGUSR1) && g_count == 0, "blocked signal not held pending");
    block(SIGUSR1, SIG_UNBLOCK);
    CHECK(g_count == 1, "unblocking did not deliver the pending signal before returning");
    sigset_t all, now;
    sigfillset(&all);
    CHECK_OK(sigprocmask(SIG_SETMASK, &all, NULL));
    sigprocmask(SIG_SETMASK, NULL, &now);
    CHECK(!sigismember(&now, SIGKILL) && !sigismember(&now, SIGSTOP), "SIGKILL/SIGSTOP became blocked");
    uint64_t raw_set = 0;
    CHECK_ERRNO(syscall(SYS_rt_sigprocmask, 5, &raw_set, NULL, 8), EINVAL);
    CHECK_ERRNO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &raw_set, NULL, 4), EINVAL);
    CHECK_ERRNO(syscall(SYS_rt_sigpending, &raw_set, 16), EINVAL);
    /* Setting SIG_IGN discards a pending instance. */
    kill(getpid(), SIGUSR2);
    signal(SIGUSR2, SIG_IGN);
    sigpending(&pending);
    CHECK(!sigismember(&pending, SIGUSR2), "pending signal survived SIG_IGN");
}

CASE(rt_sigaction_errors) {
    struct sigaction action = {.sa_handler = SIG_IGN}, old;
    CHECK_ERRNO(sigaction(SIGKILL, &action, NULL), EINVAL);
    CHECK_ERRNO(sigaction(SIGSTOP, &action, NULL), EINVAL);
    CHECK_OK(sigaction(SIGKILL, NULL, &old));
    CHECK(old.sa_handler == SIG_DFL, "SIGKILL disposition reads as non-default");
    struct {
        void* handler;
        unsigned long flags;
        void* restorer;
        uint64_t mask;
    } raw = {0};
    CHECK_ERRNO(syscall(SYS_rt_sigaction, 0, &raw, NULL, 8), EINVAL);
    CHECK_ERRNO(syscall(SYS_rt_sigaction, 65, &raw, NULL, 8), EINVAL);
    CHECK_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, &raw, NULL, 4), EINVAL);
}

CASE(sigsuspend_and_sigtimedwait) {
    install(SIGUSR1, record, 0, NULL);
    block(SIGUSR1, SIG_BLOCK);
    pid_t sender = send_later(SIGUSR1, 50);
    sigset_t empty;
    sigemptyset(&empty);
    CHECK_ERRNO(sigsuspend(&empty), EINTR);
    CHECK(g_count == 1, "sigsuspend returned without running the handler");
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    CHECK(sigismember(&now, SIGUSR1), "sigsuspend did not restore the mask");
    wait_status(sender);

    sigset_t wanted;
    sigemptyset(&wanted);
    sigaddset(&wanted, SIGUSR1);
    kill(getpid(), SIGUSR1);
    siginfo_t info;
    struct timespec zero = {0, 0};
    CHECK(sigtimedwait(&wanted, &info, &zero) == SIGUSR1, "pending signal not taken: %s", errno_name(errno));
    CHECK(info.si_code == SI_USER && info.si_pid == getpid(), "sigtimedwait siginfo code %d pid %d",
          info.si_code, (int)info.si_pid);
    CHECK(g_count == 1, "the handler ran for a signal taken by sigtimedwait");
    CHECK_ERRNO(sigtimedwait(&wanted, &info, &zero), EAGAIN);
    struct timespec short_wait = {0, 50 * 1000 * 1000};
    long long start = monotonic_ns();
    CHECK_ERRNO(sigtimedwait(&wanted, &info, &short_wait), EAGAIN);
    CHECK(monotonic_ns() - start >= 45000000LL, "sigtimedwait timed out early");
    struct timespec bad = {0, 2000000000L};
    CHECK_ERRNO(sigtimedwait(&wanted, &info, &bad), EINVAL);
    sender = send_later(SIGUSR1, 30);
    CHECK(sigwaitinfo(&wanted, &info) == SIGUSR1 && info.si_pid == sender, "sigwaitinfo from a child");
    wait_status(sender);
}

CASE(kill_semantics) {
    install(SIGUSR1, record, 0, NULL);
    CHECK_OK(kill(getpid(), 0));
    CHECK_ERRNO(kill(getpid(), 1000), EINVAL);
    CHECK_ERRNO(kill(getpid(), -1), EINVAL);
    CHECK_OK(kill(0, SIGUSR1)); /* our process group: just us */
    CHECK(g_count == 1, "kill(0) did not reach the caller");
    pid_t child = fork();
    if (child == 0) {
        setpgid(0, 0);
        pause();
        _exit(0);
    }
    setpgid(child, child);
    CHECK_OK(kill(-child, SIGTERM));
    int status = wait_status(child);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "kill(-pgid): %s", describe_status(status));
    CHECK_ERRNO(kill(child, 0), ESRCH);
    CHECK_ERRNO(kill(-child, SIGTERM), ESRCH);
    if (running_as_root()) {
        child = fork();
        if (child == 0) {
            if (drop_privileges(unprivileged_uid()) != 0) _exit(2);
            _exit(kill(g_harness_pid, 0) == -1 && errno == EPERM ? 0 : 1);
        }
        CHECK_EXIT(child, 0);
    }
}

CASE(sigchld_siginfo) {
    install(SIGCHLD, record, 0, NULL);
    block(SIGCHLD, SIG_BLOCK);
    pid_t child = fork();
    if (child == 0) _exit(3);
    sigset_t wanted;
    sigemptyset(&wanted);
    sigaddset(&wanted, SIGCHLD);
    siginfo_t info;
    struct timespec limit = {3, 0};
    CHECK(sigtimedwait(&wanted, &info, &limit) == SIGCHLD, "no SIGCHLD: %s", errno_name(errno));
    CHECK(
        info.si_code == CLD_EXITED && info.si_pid == child && info.si_status == 3 && info.si_uid == getuid(),
        "SIGCHLD code %d pid %d status %d", info.si_code, (int)info.si_pid, info.si_status);
    wait_status(child);
    child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    kill(child, SIGSTOP);
    CHECK(sigtimedwait(&wanted, &info, &limit) == SIGCHLD, "no SIGCHLD on stop");
    CHECK(info.si_code == CLD_STOPPED && info.si_status == SIGSTOP, "stop: code %d status %d", info.si_code,
          info.si_status);
    install(SIGCHLD, record, SA_NOCLDSTOP, NULL);
    kill(child, SIGCONT);
    struct timespec brief = {0, 100 * 1000 * 1000};
    CHECK_ERRNO(sigtimedwait(&wanted, &info, &brief), EAGAIN); /* SA_NOCLDSTOP: no CLD_CONTINUED */
    kill(child, SIGKILL);
    CHECK(sigtimedwait(&wanted, &info, &limit) == SIGCHLD, "no SIGCHLD on kill");
    CHECK(info.si_code == CLD_KILLED && info.si_status == SIGKILL, "kill: code %d status %d", info.si_code,
          info.si_status);
    wait_status(child);
}

CASE(ignored_sigchld_reaps_children) {
    signal(SIGCHLD, SIG_IGN);
    pid_t child = fork();
    if (child == 0) _exit(0);
    CHECK(child > 0, "fork: %s", errno_name(errno));
    /* wait blocks until the child is gone, then finds nothing to reap. */
    CHECK_ERRNO(waitpid(child, NULL, 0), ECHILD);
    signal(SIGCHLD, SIG_DFL);
    struct sigaction no_wait = {.sa_handler = SIG_DFL, .sa_flags = SA_NOCLDWAIT};
    sigaction(SIGCHLD, &no_wait, NULL);
    child = fork();
    if (child == 0) _exit(0);
    CHECK_ERRNO(waitpid(child, NULL, 0), ECHILD);
}

static void plain_handler(int signal_number, siginfo_t* info, void* context) {
    record(signal_number, info, context);
}

CASE(eintr_and_sa_restart) {
    int fds[2];
    CHECK_OK(pipe(fds));
    install(SIGUSR1, plain_handler, 0, NULL);
    pid_t sender = send_later(SIGUSR1, 50);
    char byte;
    CHECK_ERRNO(read(fds[0], &byte, 1), EINTR);
    CHECK(g_count == 1, "handler did not run");
    wait_status(sender);

    install(SIGUSR1, plain_handler, SA_RESTART, NULL);
    pid_t target = getpid();
    pid_t helper = fork();
    if (helper == 0) {
        sleep_ms(50);
        kill(target, SIGUSR1);
        sleep_ms(100);
        (void)!write(fds[1], "r", 1);
        _exit(0);
    }
    long got = read(fds[0], &byte, 1);
    CHECK(got == 1 && byte == 'r', "SA_RESTART read returned %ld (%s)", got,
          got < 0 ? errno_name(errno) : "");
    CHECK(g_count == 2, "handler did not run during the restarted read");
    wait_status(helper);
}

static void inner(int signal_number, siginfo_t* info, void* context) {
    (void)signal_number;
    (void)info;
    (void)context;
    g_order[g_order_length++] = 20 + g_depth;
}

static void outer(int signal_number, siginfo_t* info, void* context) {
    (void)signal_number;
    (void)info;
    (void)context;
    g_depth = 1;
    g_order[g_order_length++] = 10;
    kill(getpid(), SIGUSR2);
    g_order[g_order_length++] = 11;
    g_depth = 0;
}

CASE(nested_handlers) {
    install(SIGUSR1, outer, 0, NULL);
    install(SIGUSR2, inner, 0, NULL);
    kill(getpid(), SIGUSR1);
    CHECK(g_order_length == 3 && g_order[0] == 10 && g_order[1] == 21 && g_order[2] == 11,
          "expected outer, nested inner, outer again; got %d events [%d %d %d]", g_order_length, g_order[0],
          g_order[1], g_order[2]);
}

/* ---- Register state across a handler ---- */

static bool g_have_avx;

static void clobber_vector_state(int signal_number, siginfo_t* info, void* context) {
    (void)signal_number;
    (void)info;
    (void)context;
    unsigned mxcsr = 0x7f80; /* masked exceptions, round toward zero */
    unsigned short control = 0x0c7f;
    __asm__ volatile("ldmxcsr %0\n\tfldcw %1" : : "m"(mxcsr), "m"(control));
    __asm__ volatile(
        "pcmpeqd %%xmm0, %%xmm0\n\t"
        "movdqa %%xmm0, %%xmm1\n\tmovdqa %%xmm0, %%xmm2\n\tmovdqa %%xmm0, %%xmm3\n\t"
        "movdqa %%xmm0, %%xmm4\n\tmovdqa %%xmm0, %%xmm5\n\tmovdqa %%xmm0, %%xmm6\n\t"
        "movdqa %%xmm0, %%xmm7\n\tmovdqa %%xmm0, %%xmm8\n\tmovdqa %%xmm0, %%xmm9\n\t"
        "movdqa %%xmm0, %%xmm10\n\tmovdqa %%xmm0, %%xmm11\n\tmovdqa %%xmm0, %%xmm12\n\t"
        "movdqa %%xmm0, %%xmm13\n\tmovdqa %%xmm0, %%xmm14\n\tmovdqa %%xmm0, %%xmm15"
        :
        :
        : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
          "xmm12", "xmm13", "xmm14", "xmm15");
    if (g_have_avx)
        __asm__ volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\tvmovdqa %%ymm0, %%ymm15" : : : "xmm0", "xmm15");
    volatile double x = 1.0;
    for (int i = 0; i < 10; i++) x = x * 3.7 + 0.1;
    g_count++;
}

CASE(vector_registers_preserved) {
    unsigned eax, ebx, ecx, edx;
    __cpuid(1, eax, ebx, ecx, edx);
    if ((ecx & bit_OSXSAVE) && (ecx & bit_AVX)) {
        unsigned low, high;
        __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
        g_have_avx = (low & 6) == 6;
    }
    install(SIGUSR1, clobber_vector_state, 0, NULL);
    static unsigned char in[16][16] __attribute__((aligned(16))), out[16][16] __attribute__((aligned(16)));
    static unsigned char ymm_in[32] __attribute__((aligned(32))), ymm_out[32] __attribute__((aligned(32)));
    for (int r = 0; r < 16; r++)
        for (int b = 0; b < 16; b++) in[r][b] = (unsigned char)(r * 16 + b + 1);
    for (int b = 0; b < 32; b++) ymm_in[b] = (unsigned char)(0xa0 + b);
    unsigned mxcsr_before, mxcsr_after;
    unsigned short control_before, control_after;
    __asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mxcsr_before), "=m"(control_before));
    long number = SYS_tgkill, pid = getpid(), tid = syscall(SYS_gettid), signal_number = SIGUSR1;
    long avx = g_have_avx;
    /* One asm statement: no compiler-generated code (or call) can touch the registers
     * between loading them and reading them back. */
    __asm__ volatile(
        "movdqa 0(%[in]), %%xmm0\n\tmovdqa 16(%[in]), %%xmm1\n\tmovdqa 32(%[in]), %%xmm2\n\t"
        "movdqa 48(%[in]), %%xmm3\n\tmovdqa 64(%[in]), %%xmm4\n\tmovdqa 80(%[in]), %%xmm5\n\t"
        "movdqa 96(%[in]), %%xmm6\n\tmovdqa 112(%[in]), %%xmm7\n\tmovdqa 128(%[in]), %%xmm8\n\t"
        "movdqa 144(%[in]), %%xmm9\n\tmovdqa 160(%[in]), %%xmm10\n\tmovdqa 176(%[in]), %%xmm11\n\t"
        "movdqa 192(%[in]), %%xmm12\n\tmovdqa 208(%[in]), %%xmm13\n\t"
        "movdqa 224(%[in]), %%xmm14\n\tmovdqa 240(%[in]), %%xmm15\n\t"
        "test %[avx], %[avx]\n\tjz 1f\n\tvmovdqa (%[ymm_in]), %%ymm14\n"
        "1:\n\tsyscall\n\t" /* the handler runs on the way back from this tgkill */
        "test %[avx], %[avx]\n\tjz 2f\n\tvmovdqa %%ymm14, (%[ymm_out])\n\tvzeroupper\n"
        "2:\n\t"
        "movdqa %%xmm0, 0(%[out])\n\tmovdqa %%xmm1, 16(%[out])\n\tmovdqa %%xmm2, 32(%[out])\n\t"
        "movdqa %%xmm3, 48(%[out])\n\tmovdqa %%xmm4, 64(%[out])\n\tmovdqa %%xmm5, 80(%[out])\n\t"
        "movdqa %%xmm6, 96(%[out])\n\tmovdqa %%xmm7, 112(%[out])\n\tmovdqa %%xmm8, 128(%[out])\n\t"
        "movdqa %%xmm9, 144(%[out])\n\tmovdqa %%xmm10, 160(%[out])\n\tmovdqa %%xmm11, 176(%[out])\n\t"
        "movdqa %%xmm12, 192(%[out])\n\tmovdqa %%xmm13, 208(%[out])\n\t"
        "movdqa %%xmm14, 224(%[out])\n\tmovdqa %%xmm15, 240(%[out])"
        : "+a"(number), "+D"(pid), "+S"(tid), "+d"(signal_number)
        : [in] "r"(in), [out] "r"(out), [ymm_in] "r"(ymm_in), [ymm_out] "r"(ymm_out), [avx] "r"(avx)
        : "rcx", "r11", "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
          "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
    __asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mxcsr_after), "=m"(control_after));
    CHECK(g_count == 1, "the handler did not run");
    for (int r = 0; r < 16; r++) {
        const unsigned char* expected = r == 14 && g_have_avx ? ymm_in : in[r];
        CHECK(memcmp(expected, out[r], 16) == 0, "xmm%d changed across a signal handler", r);
    }
    CHECK(mxcsr_before == mxcsr_after, "MXCSR %#x became %#x", mxcsr_before, mxcsr_after);
    CHECK(control_before == control_after, "x87 control word %#x became %#x", control_before, control_after);
    if (g_have_avx) CHECK(memcmp(ymm_in, ymm_out, 32) == 0, "ymm14 changed across a signal handler");
}

/* ---- Hardware faults ---- */

static void skip_ud2(int signal_number, siginfo_t* info, void* context) {
    g_info = *info;
    g_count = signal_number;
    ucontext_t* user_context = context;
    user_context->uc_mcontext.gregs[REG_RIP] += 2; /* resume after the 2-byte ud2 */
}

CASE(sigill_and_edited_context) {
    install(SIGILL, skip_ud2, 0, NULL);
    void* ud2_address;
    __asm__ volatile("lea 1f(%%rip), %0\n\t1: ud2" : "=r"(ud2_address));
    CHECK(g_count == SIGILL, "ud2 did not raise SIGILL");
    CHECK(g_info.si_code == ILL_ILLOPN, "SIGILL si_code %d, expected ILL_ILLOPN", g_info.si_code);
    CHECK(g_info.si_addr == ud2_address, "SIGILL si_addr %p, ud2 at %p", g_info.si_addr, ud2_address);
}

static void record_and_jump(int signal_number, siginfo_t* info, void* context) {
    g_info = *info;
    jump_out(signal_number, info, context);
}

CASE(sigfpe_integer_divide) {
    install(SIGFPE, record_and_jump, 0, NULL);
    volatile int zero = 0, numerator = 7;
    int caught = sigsetjmp(g_jump, 1);
    if (caught == 0) {
        volatile int result = numerator / zero;
        (void)result;
    }
    CHECK(caught == SIGFPE, "division by zero raised %s", signal_name(caught));
    CHECK(g_info.si_code == FPE_INTDIV, "SIGFPE si_code %d, expected FPE_INTDIV", g_info.si_code);
}

static char* g_guarded_page;
static void unprotect_and_retry(int signal_number, siginfo_t* info, void* context) {
    (void)signal_number;
    (void)context;
    g_count++;
    if (info->si_addr == g_guarded_page && g_count < 3)
        mprotect(g_guarded_page, 4096, PROT_READ | PROT_WRITE);
}

CASE(segv_handler_fixes_and_retries) {
    g_guarded_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(g_guarded_page != MAP_FAILED, "mmap: %s", errno_name(errno));
    install(SIGSEGV, unprotect_and_retry, 0, NULL);
    *(volatile char*)g_guarded_page = 'w';
    CHECK(g_count == 1, "handler ran %d times", g_count);
    CHECK(*g_guarded_page == 'w', "the retried write did not land");
}

/* ---- Stop and continue ---- */

static int g_report_out;
static void report_signal(int number) {
    char c = (char)number;
    (void)!write(g_report_out, &c, 1);
}

CASE(stop_continue_delivery) {
    int fds[2];
    CHECK_OK(pipe(fds));
    pid_t child = fork();
    if (child == 0) {
        close(fds[0]);
        g_report_out = fds[1];
        struct sigaction action = {.sa_handler = report_signal};
        sigaction(SIGUSR1, &action, NULL);
        sigaction(SIGCONT, &action, NULL);
        for (;;) pause();
    }
    close(fds[1]);
    sleep_ms(30);
    CHECK_OK(kill(child, SIGSTOP));
    int status;
    CHECK(waitpid(child, &status, WUNTRACED) == child && WIFSTOPPED(status), "child did not stop");
    CHECK_OK(kill(child, SIGUSR1));
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    sleep_ms(50);
    char got[4];
    CHECK_ERRNO(read(fds[0], got, sizeof got), EAGAIN); /* a stopped child handles nothing */
    CHECK_OK(kill(child, SIGCONT));
    CHECK(waitpid(child, &status, WCONTINUED) == child && WIFCONTINUED(status), "no WCONTINUED report");
    fcntl(fds[0], F_SETFL, 0);
    CHECK(read(fds[0], got, 1) == 1, "no handler ran after SIGCONT");
    CHECK(read(fds[0], got + 1, 1) == 1, "the second handler did not run");
    CHECK((got[0] == SIGCONT || got[0] == SIGUSR1) && (got[1] == SIGCONT || got[1] == SIGUSR1) &&
              got[0] != got[1],
          "after continuing: handlers %d, %d", got[0], got[1]);
    kill(child, SIGSTOP);
    waitpid(child, &status, WUNTRACED);
    CHECK_OK(kill(child, SIGKILL)); /* SIGKILL ends even a stopped process */
    status = wait_status(child);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "%s", describe_status(status));
}

CASE(default_ignored_and_fork_pending) {
    CHECK_OK(kill(getpid(), SIGWINCH)); /* default action: ignore */
    CHECK_OK(kill(getpid(), SIGURG));
    block(SIGUSR1, SIG_BLOCK);
    kill(getpid(), SIGUSR1);
    pid_t child = fork();
    if (child == 0) {
        sigset_t pending, mask;
        sigpending(&pending);
        sigprocmask(SIG_SETMASK, NULL, &mask);
        _exit(sigismember(&pending, SIGUSR1) ? 1 : !sigismember(&mask, SIGUSR1) ? 2 : 0);
    }
    int status = wait_status(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "fork child: %s (1 = inherited a pending signal, "
          "2 = lost the mask)",
          describe_status(status));
}

static const struct test_case cases[] = {
    CASE_ENTRY(siginfo_from_kill),
    CASE_ENTRY(sigqueue_delivers_value),
    CASE_ENTRY(realtime_queue_and_order),
    CASE_ENTRY(sa_nodefer_and_default_deferral),
    CASE_ENTRY(sa_resethand_and_mask),
    CASE_ENTRY(sigaltstack_and_sa_onstack),
    CASE_ENTRY(stack_overflow_handled_on_alternate_stack),
    CASE_ENTRY(sigprocmask_pending_and_errors),
    CASE_ENTRY(rt_sigaction_errors),
    CASE_ENTRY(sigsuspend_and_sigtimedwait),
    CASE_ENTRY(kill_semantics),
    CASE_ENTRY(sigchld_siginfo),
    CASE_ENTRY(ignored_sigchld_reaps_children),
    CASE_ENTRY(eintr_and_sa_restart),
    CASE_ENTRY(nested_handlers),
    CASE_ENTRY(vector_registers_preserved),
    CASE_ENTRY(sigill_and_edited_context),
    CASE_ENTRY(sigfpe_integer_divide),
    CASE_ENTRY(segv_handler_fixes_and_retries),
    CASE_ENTRY(stop_continue_delivery),
    CASE_ENTRY(default_ignored_and_fork_pending),
};

int main(int argc, char** argv) { return CONFORMANCE_MAIN("signals", cases, argc, argv); }
