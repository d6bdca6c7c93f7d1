// Time: timers on any clock the timer syscalls name — CLOCK_MONOTONIC and
// CLOCK_BOOTTIME, CLOCK_REALTIME, the process's and a thread's CPU time — driven by one
// kernel Timer (time/timer.h) on the monotonic clock.
//
// The kernel timer is armed for when the clock could reach the deadline at the
// earliest; when it fires the clock is read again, and if the deadline still lies
// ahead (CPU time advances only while running, the wall clock may have been set back)
// it is re-armed for the rest. So CPU-time timers need no hook in the scheduler.
#pragma once

#include "lib/result.h"
#include "time/timer.h"

class Process;
class Thread;

enum class TimerClock : u8 { Monotonic, Realtime, ProcessCpu, ThreadCpu };

// The clock behind a clockid_t that timers accept (EINVAL for the others).
Result<TimerClock> timer_clock_from_id(int clock_id);
u64 process_cpu_time_ns(Process& process);
u64 thread_cpu_time_ns(Thread& thread);

class ClockTimer {
public:
    // Runs in interrupt context when the clock reaches the deadline; it decides what
    // next (forward() and program() for periodic timers, or nothing).
    using Expired = void (*)(ClockTimer& timer, void* context);

    ClockTimer(TimerClock clock, Process* process, Thread* thread, Expired expired, void* context);
    ~ClockTimer() { m_timer.cancel(); }
    ClockTimer(const ClockTimer&) = delete;
    ClockTimer& operator=(const ClockTimer&) = delete;

    TimerClock clock() const { return m_clock; }
    u64 now() const;

    // Whether a kernel timer watches the deadline, or the owner only asks (SIGEV_NONE).
    enum class Drive : u8 { Timer, OnDemand };
    // Sets the next expiry (on the clock) and the period (0: once), then programs.
    void start(u64 next, u64 interval, Drive drive = Drive::Timer);
    void set_callback(Expired expired, void* context) {
        m_expired = expired;
        m_context = context;
    }
    void stop();
    bool active() const { return m_active; }
    u64 next() const { return m_next; }
    u64 interval() const { return m_interval; }
    // Time left until the next expiry on the clock; 0 when stopped or already due.
    u64 remaining() const;
    // Moves a periodic timer's expiry past now; returns how many periods that skipped
    // (Linux's hrtimer_forward_now), 0 when the expiry still lies ahead.
    u64 forward();
    // Arms the kernel timer for the next expiry, at least `minimum_gap_ns` from now.
    void program(u64 minimum_gap_ns = 0);
    // Marks a fired one-shot timer as done.
    void finish() { m_active = false; }

private:
    static void fired(Timer& timer, void* context);

    TimerClock m_clock;
    Process* m_process;
    Thread* m_thread;
    Expired m_expired;
    void* m_context;
    Timer m_timer;
    u64 m_next = 0;
    u64 m_interval = 0;
    bool m_active = false;
};
