/* Strix events test — interval timers (setitimer, alarm) and POSIX timers. */
#include <sys/time.h>

#include "cases.h"

static volatile int g_alarms, g_virtual, g_profile;
static void on_signal(int signal_number) {
    if (signal_number == SIGALRM) g_alarms++;
    if (signal_number == SIGVTALRM) g_virtual++;
    if (signal_number == SIGPROF) g_profile++;
}

static long long cpu_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return now.tv_sec * 1000000000LL + now.tv_nsec;
}

static volatile unsigned long g_sink;
static void burn_cpu_ms(long ms) {
    long long end = cpu_ns() + ms * 1000000LL;
    while (cpu_ns() < end) g_sink++;
}

CASE(interval_timer_real) {
    struct sigaction action = {.sa_handler = on_signal};
    sigaction(SIGALRM, &action, NULL);
    struct itimerval value = {{0, 0}, {0, 100000}}, current;
    long long start = monotonic_ns();
    CHECK_OK(setitimer(ITIMER_REAL, &value, NULL));
    CHECK_OK(getitimer(ITIMER_REAL, &current));
    CHECK(current.it_value.tv_sec == 0 && current.it_value.tv_usec > 0 && current.it_value.tv_usec <= 100000,
          "getitimer shows %ld.%06ld", (long)current.it_value.tv_sec, (long)current.it_value.tv_usec);
    while (g_alarms == 0 && monotonic_ns() - start < 3000000000LL) sleep_ms(5);
    CHECK(g_alarms == 1, "ITIMER_REAL did not fire");
    CHECK(monotonic_ns() - start >= 99000000LL, "ITIMER_REAL fired early");
    CHECK_OK(getitimer(ITIMER_REAL, &current));
    CHECK(current.it_value.tv_sec == 0 && current.it_value.tv_usec == 0, "a fired one-shot still armed");
    /* Periodic: several signals, then disarm through the old value. */
    struct itimerval periodic = {{0, 20000}, {0, 20000}}, old;
    CHECK_OK(setitimer(ITIMER_REAL, &periodic, NULL));
    start = monotonic_ns();
    while (g_alarms < 4 && monotonic_ns() - start < 3000000000LL) sleep_ms(5);
    CHECK(g_alarms >= 4, "periodic ITIMER_REAL: %d signals", g_alarms);
    struct itimerval off = {{0, 0}, {0, 0}};
    CHECK_OK(setitimer(ITIMER_REAL, &off, &old));
    CHECK(old.it_interval.tv_usec == 20000, "old interval %ld", (long)old.it_interval.tv_usec);
    CHECK_OK(getitimer(ITIMER_REAL, &current));
    CHECK(current.it_value.tv_usec == 0 && current.it_interval.tv_usec == 0, "disarmed timer shows a value");
    struct itimerval bad = {{0, 0}, {0, 1000000}};
    CHECK_ERRNO(setitimer(ITIMER_REAL, &bad, NULL), EINVAL);
    CHECK_ERRNO(syscall(SYS_setitimer, 7, &value, NULL), EINVAL);
    CHECK_ERRNO(syscall(SYS_getitimer, 3, &current), EINVAL);
    /* alarm(2) shares ITIMER_REAL and reports seconds left, rounded. */
    signal(SIGALRM, SIG_IGN);
    CHECK(alarm(10) == 0, "alarm with nothing armed");
    unsigned left = alarm(3);
    CHECK(left >= 9 && left <= 10, "alarm returned %u seconds left of 10", left);
    CHECK_OK(getitimer(ITIMER_REAL, &current));
    CHECK(current.it_value.tv_sec <= 3 && current.it_value.tv_sec >= 2, "alarm(3) shows %ld s",
          (long)current.it_value.tv_sec);
    CHECK(alarm(0) >= 2, "alarm(0) returns the time left");
    CHECK(alarm(0) == 0, "alarm(0) disarmed nothing");
    /* The default action of SIGALRM kills; a child proves it and that fork drops timers. */
    CHECK_OK(setitimer(ITIMER_REAL, &value, NULL));
    pid_t child = fork();
    if (child == 0) {
        struct itimerval inherited;
        getitimer(ITIMER_REAL, &inherited);
        if (inherited.it_value.tv_usec || inherited.it_value.tv_sec) _exit(3);
        signal(SIGALRM, SIG_DFL);
        alarm(1);
        pause();
        _exit(4);
    }
    int status = wait_status(child);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM, "child status 0x%x", status);
}

CASE(interval_timers_cpu) {
    struct sigaction action = {.sa_handler = on_signal};
    sigaction(SIGVTALRM, &action, NULL);
    sigaction(SIGPROF, &action, NULL);
    struct itimerval cpu = {{0, 0}, {0, 30000}};
    CHECK_OK(setitimer(ITIMER_VIRTUAL, &cpu, NULL));
    CHECK_OK(setitimer(ITIMER_PROF, &cpu, NULL));
    /* Sleeping uses no CPU time: nothing fires. */
    sleep_ms(60);
    CHECK(g_virtual == 0 && g_profile == 0, "CPU timers fired while the process slept");
    long long start = cpu_ns();
    while ((g_virtual == 0 || g_profile == 0) && cpu_ns() - start < 3000000000LL) burn_cpu_ms(5);
    CHECK(g_virtual == 1 && g_profile == 1, "ITIMER_VIRTUAL %d, ITIMER_PROF %d signals", g_virtual,
          g_profile);
    CHECK(cpu_ns() - start >= 25000000LL, "CPU timers fired early");
    struct itimerval current;
    CHECK_OK(getitimer(ITIMER_PROF, &current));
    CHECK(current.it_value.tv_usec == 0 && current.it_value.tv_sec == 0, "fired CPU timer still armed");
}

CASE(posix_timers) {
    signal(SIGRTMIN, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &set, NULL);
    struct sigevent event = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN};
    event.sigev_value.sival_int = 42;
    timer_t timer;
    CHECK_OK(timer_create(CLOCK_MONOTONIC, &event, &timer));
    struct itimerspec once = {{0, 0}, {0, 30 * 1000 * 1000}}, current;
    long long start = monotonic_ns();
    CHECK_OK(timer_settime(timer, 0, &once, NULL));
    CHECK_OK(timer_gettime(timer, &current));
    CHECK(current.it_value.tv_sec == 0 && current.it_value.tv_nsec > 0, "timer_gettime shows nothing armed");
    siginfo_t info;
    struct timespec limit = {2, 0};
    CHECK(sigtimedwait(&set, &info, &limit) == SIGRTMIN, "timer signal: %s", errno_name(errno));
    CHECK(monotonic_ns() - start >= 29000000LL, "timer fired early");
    CHECK(info.si_code == SI_TIMER && info.si_value.sival_int == 42 && info.si_overrun == 0,
          "si_code %d si_value %d overrun %d", info.si_code, info.si_value.sival_int, info.si_overrun);
    CHECK_OK(timer_gettime(timer, &current));
    CHECK(current.it_value.tv_sec == 0 && current.it_value.tv_nsec == 0, "a fired one-shot still armed");

    /* A periodic timer whose signal stays pending counts overruns instead of queueing. */
    struct itimerspec periodic = {{0, 5 * 1000 * 1000}, {0, 5 * 1000 * 1000}};
    CHECK_OK(timer_settime(timer, 0, &periodic, NULL));
    sleep_ms(100);
    CHECK(sigtimedwait(&set, &info, &limit) == SIGRTMIN, "periodic timer signal missing");
    int overrun = timer_getoverrun(timer);
    CHECK(info.si_overrun >= 5 && overrun >= 5, "overruns %d / %d after ~20 periods", info.si_overrun,
          overrun);
    struct itimerspec disarm = {{0, 0}, {0, 0}}, old;
    CHECK_OK(timer_settime(timer, 0, &disarm, &old));
    CHECK(old.it_interval.tv_nsec == 5000000, "old interval %ld", old.it_interval.tv_nsec);
    CHECK_OK(timer_delete(timer));
    CHECK_ERRNO(timer_gettime(timer, &current), EINVAL);
    CHECK_ERRNO(syscall(SYS_timer_delete, 123456), EINVAL);
    CHECK_ERRNO(syscall(SYS_timer_create, 1000, NULL, &timer), EINVAL);
    struct sigevent bad_signal = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = 99};
    CHECK_ERRNO(timer_create(CLOCK_MONOTONIC, &bad_signal, &timer), EINVAL);

    /* A null sigevent means SIGALRM with the timer id as the value. */
    int id = -1;
    CHECK_OK(syscall(SYS_timer_create, CLOCK_REALTIME, NULL, &id));
    sigaddset(&set, SIGALRM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    struct itimerspec soon = {{0, 0}, {0, 10 * 1000 * 1000}};
    CHECK_OK(syscall(SYS_timer_settime, id, 0, &soon, NULL));
    sigset_t alarm_only;
    sigemptyset(&alarm_only);
    sigaddset(&alarm_only, SIGALRM);
    CHECK(sigtimedwait(&alarm_only, &info, &limit) == SIGALRM && info.si_code == SI_TIMER &&
              info.si_value.sival_int == id,
          "default sigevent: code %d value %d id %d", info.si_code, info.si_value.sival_int, id);

    /* SIGEV_NONE: nothing is sent, the expiry shows in timer_gettime. */
    struct sigevent quiet = {.sigev_notify = SIGEV_NONE};
    timer_t silent;
    CHECK_OK(timer_create(CLOCK_MONOTONIC, &quiet, &silent));
    struct itimerspec absolute;
    clock_gettime(CLOCK_MONOTONIC, &absolute.it_value);
    absolute.it_value.tv_sec += 100;
    absolute.it_interval = (struct timespec){0, 0};
    CHECK_OK(timer_settime(silent, TIMER_ABSTIME, &absolute, NULL));
    CHECK_OK(timer_gettime(silent, &current));
    CHECK(current.it_value.tv_sec >= 98 && current.it_value.tv_sec <= 100, "absolute SIGEV_NONE shows %ld s",
          (long)current.it_value.tv_sec);
    struct itimerspec brief = {{0, 0}, {0, 1000000}};
    CHECK_OK(timer_settime(silent, 0, &brief, NULL));
    sleep_ms(10);
    CHECK_OK(timer_gettime(silent, &current));
    CHECK(current.it_value.tv_sec == 0 && current.it_value.tv_nsec == 0, "expired SIGEV_NONE shows %ld ns",
          current.it_value.tv_nsec);
    struct timespec none = {0, 0};
    sigset_t everything;
    sigfillset(&everything);
    CHECK_ERRNO(sigtimedwait(&everything, &info, &none), EAGAIN);
}

static volatile pid_t g_signalled_tid;
static void record_tid(int signal_number) {
    (void)signal_number;
    g_signalled_tid = (pid_t)syscall(SYS_gettid);
}

CASE(posix_timer_thread_id) {
    struct sigaction action = {.sa_handler = record_tid};
    sigaction(SIGUSR2, &action, NULL);
    struct sigevent event = {.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR2};
    event.sigev_notify_thread_id = (pid_t)syscall(SYS_gettid);
    timer_t timer;
    CHECK_OK(timer_create(CLOCK_MONOTONIC, &event, &timer));
    struct itimerspec soon = {{0, 0}, {0, 10 * 1000 * 1000}};
    CHECK_OK(timer_settime(timer, 0, &soon, NULL));
    long long start = monotonic_ns();
    while (!g_signalled_tid && monotonic_ns() - start < 2000000000LL) sleep_ms(2);
    CHECK(g_signalled_tid == (pid_t)syscall(SYS_gettid), "SIGEV_THREAD_ID went to %d", (int)g_signalled_tid);
    event.sigev_notify_thread_id = 999999;
    CHECK_ERRNO(timer_create(CLOCK_MONOTONIC, &event, &timer), EINVAL);
    /* A forked child has none of its parent's POSIX timers. */
    pid_t child = fork();
    if (child == 0) {
        struct itimerspec seen;
        _exit(timer_gettime(timer, &seen) == -1 && errno == EINVAL ? 0 : 2);
    }
    int status = wait_status(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "timer in the child: status 0x%x", status);
}

const struct test_case timer_cases[] = {
    CASE_ENTRY(interval_timer_real),
    CASE_ENTRY(interval_timers_cpu),
    CASE_ENTRY(posix_timers),
    CASE_ENTRY(posix_timer_thread_id),
};
const int timer_case_count = sizeof timer_cases / sizeof timer_cases[0];
