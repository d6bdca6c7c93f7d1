// Time: a process's timers — the interval timers of setitimer/alarm (ITIMER_REAL on
// the monotonic clock, ITIMER_VIRTUAL and ITIMER_PROF on the process's CPU time) and
// the POSIX timers of timer_create, which signal the process or one of its threads.
//
// Periodic timers re-arm themselves when they fire. A POSIX timer whose signal is
// still queued when it fires again counts an overrun in that signal (si_overrun)
// instead of queueing another, as Linux reports it. Fork gives the child none of
// these; exec keeps the interval timers and deletes the POSIX ones (Linux's rules).
#pragma once

#include <asm-generic/siginfo.h>

#include "lib/ref_ptr.h"
#include "time/clock_timer.h"

class Process;

class ProcessTimers {
public:
    static constexpr int MAX_POSIX_TIMERS = 4096;
    // Linux re-arms periodic timers as their signal is delivered; here they re-arm when
    // they fire, no sooner than this, and count what that skipped as overruns.
    static constexpr u64 MINIMUM_REARM_NS = 100000;

    struct Setting {
        u64 value_ns = 0;  // time to the next expiry (relative), 0: disarmed
        u64 interval_ns = 0;
    };

    // The process's timers, made on first use (ENOMEM).
    static Result<ProcessTimers*> of(Process& process);
    explicit ProcessTimers(Process& process);
    ~ProcessTimers();
    ProcessTimers(const ProcessTimers&) = delete;
    ProcessTimers& operator=(const ProcessTimers&) = delete;

    // getitimer / setitimer (which: ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF).
    Setting get_interval_timer(int which);
    Result<Setting> set_interval_timer(int which, Setting setting);  // returns the old setting

    // timer_create: `event` null means SIGEV_SIGNAL with SIGALRM and the id as value.
    Result<int> create(TimerClock clock, const sigevent* event);
    ErrorOr set(int id, bool absolute, u64 value_ns, u64 interval_ns, Setting* old);
    Result<Setting> get(int id);
    Result<int> overrun(int id);
    ErrorOr remove(int id);

    // exec deletes the POSIX timers; exit stops everything.
    void delete_posix_timers();
    void stop_all();

private:
    struct PosixTimer;
    struct IntervalTimer;
    PosixTimer* find(int id);
    static void interval_timer_fired(ClockTimer& timer, void* context);
    static void posix_timer_fired(ClockTimer& timer, void* context);

    Process& m_process;
    IntervalTimer* m_interval[3] = {};
    PosixTimer* m_posix = nullptr;  // singly linked, by id of creation
    int m_next_id = 0;
    int m_posix_count = 0;
};

// Linux's hooks: exec (de_thread's exit_itimers) and the process's exit.
void process_timers_exec(Process& process);
void process_timers_exit(Process& process);
