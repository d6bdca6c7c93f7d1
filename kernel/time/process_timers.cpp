// Time: a process's interval and POSIX timers (see process_timers.h). State changes
// happen with interrupts off, for the timers fire in interrupt context.
#include "time/process_timers.h"

#include <linux/time.h>

#include "arch/cpu.h"
#include "mm/kmalloc.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "proc/thread_table.h"

struct ProcessTimers::IntervalTimer {
    ProcessTimers* owner;
    int signal;
    ClockTimer timer;
};

struct ProcessTimers::PosixTimer {
    ProcessTimers* owner;
    int id;
    int notify;  // SIGEV_SIGNAL, SIGEV_NONE, or SIGEV_THREAD_ID (| SIGEV_SIGNAL)
    int signal;
    sigval_t value;
    RefPtr<Thread> target;      // SIGEV_THREAD_ID's thread
    RefPtr<Thread> creator;     // whose CPU time CLOCK_THREAD_CPUTIME_ID counts
    int overrun_in_signal = 0;  // the overruns counted into the signal queued last
    int overrun_delivered = 0;  // of the signal delivered before it
    PosixTimer* next = nullptr;
    ClockTimer timer;

    PosixTimer(ProcessTimers& owner_, int id_, TimerClock clock, RefPtr<Thread> thread)
        : owner(&owner_),
          id(id_),
          notify(SIGEV_SIGNAL),
          signal(SIGALRM),
          value{},
          target(kstd::move(thread)),
          creator(current_thread()),
          timer(clock, &owner_.m_process, creator.get(), posix_timer_fired, this) {}

    SignalQueue& queue() {
        return notify & SIGEV_THREAD_ID ? target->pending_signals() : owner->m_process.shared_pending;
    }
    SignalInfo* queued_signal() {
        return queue().find([&](const SignalInfo& info) {
            return info.si_signo == signal && info.si_code == SI_TIMER && info.si_tid == id;
        });
    }
};

namespace {
int saturating_int(u64 value) { return value > 0x7fffffff ? 0x7fffffff : static_cast<int>(value); }
}  // namespace

Result<ProcessTimers*> ProcessTimers::of(Process& process) {
    if (!process.timers) {
        OwnPtr<ProcessTimers> timers(new (kstd::nothrow) ProcessTimers(process));
        if (!timers) return err(ENOMEM);
        process.timers = kstd::move(timers);
    }
    return process.timers.get();
}

ProcessTimers::ProcessTimers(Process& process) : m_process(process) {}

ProcessTimers::~ProcessTimers() {
    stop_all();
    delete_posix_timers();
    for (IntervalTimer*& timer : m_interval) {
        delete timer;
        timer = nullptr;
    }
}

// Interval timers.

void ProcessTimers::interval_timer_fired(ClockTimer& timer, void* context) {
    auto& interval = *static_cast<IntervalTimer*>(context);
    // Linux's it_real_fn sends SIGALRM as the kernel; the CPU timers' signals likewise.
    send_kernel_signal(interval.owner->m_process, interval.signal);
    if (timer.interval()) {
        timer.forward();
        timer.program(MINIMUM_REARM_NS);
    } else {
        timer.finish();
    }
}

ProcessTimers::Setting ProcessTimers::get_interval_timer(int which) {
    IntervalTimer* timer = m_interval[which];
    arch::InterruptGuard guard;
    if (!timer || !timer->timer.active()) return {};
    // An expiry that is due but not yet handled still shows as 1 µs (Linux's getitimer).
    u64 left = timer->timer.remaining();
    return {left ? left : 1000, timer->timer.interval()};
}

Result<ProcessTimers::Setting> ProcessTimers::set_interval_timer(int which, Setting setting) {
    IntervalTimer*& timer = m_interval[which];
    if (!timer && setting.value_ns) {
        static constexpr int SIGNALS[3] = {SIGALRM, SIGVTALRM, SIGPROF};
        TimerClock clock = which == ITIMER_REAL ? TimerClock::Monotonic : TimerClock::ProcessCpu;
        timer = new (kstd::nothrow)
            IntervalTimer{this, SIGNALS[which], {clock, &m_process, nullptr, nullptr, nullptr}};
        if (!timer) return err(ENOMEM);
        timer->timer.set_callback(interval_timer_fired, timer);
    }
    Setting old = get_interval_timer(which);
    if (!timer) return old;
    // A zero value disarms, and forgets the interval too (Linux's do_setitimer).
    if (!setting.value_ns)
        timer->timer.stop();
    else
        timer->timer.start(timer->timer.now() + setting.value_ns, setting.interval_ns);
    return old;
}

// POSIX timers.

ProcessTimers::PosixTimer* ProcessTimers::find(int id) {
    for (PosixTimer* timer = m_posix; timer; timer = timer->next) {
        if (timer->id == id) return timer;
    }
    return nullptr;
}

void ProcessTimers::posix_timer_fired(ClockTimer& clock_timer, void* context) {
    auto& timer = *static_cast<PosixTimer*>(context);
    u64 expirations = 1;
    if (clock_timer.interval())
        expirations = clock_timer.forward();
    else
        clock_timer.finish();
    if ((timer.notify & ~SIGEV_THREAD_ID) == SIGEV_NONE) return;
    if (SignalInfo* queued = timer.queued_signal()) {
        queued->si_overrun = saturating_int(static_cast<u64>(queued->si_overrun) + expirations);
        timer.overrun_in_signal = queued->si_overrun;
    } else {
        timer.overrun_delivered = timer.overrun_in_signal;
        timer.overrun_in_signal = saturating_int(expirations - 1);
        SignalInfo info = make_signal_info(timer.signal, SI_TIMER);
        info.si_tid = timer.id;
        info.si_overrun = timer.overrun_in_signal;
        info.si_value = timer.value;
        if (timer.notify & SIGEV_THREAD_ID)
            (void)send_signal_to_thread(*timer.target, info);
        else
            (void)send_signal_to_process(timer.owner->m_process, info);
    }
    if (clock_timer.interval()) clock_timer.program(MINIMUM_REARM_NS);
}

Result<int> ProcessTimers::create(TimerClock clock, const sigevent* event) {
    if (m_posix_count >= MAX_POSIX_TIMERS) return err(EAGAIN);
    RefPtr<Thread> target(current_thread());
    int notify = SIGEV_SIGNAL, signal = SIGALRM;
    if (event) {
        notify = event->sigev_notify;
        signal = event->sigev_signo;
        // Linux's good_sigevent; SIGEV_THREAD is libc's business and signals like SIGEV_SIGNAL.
        switch (notify) {
        case SIGEV_SIGNAL | SIGEV_THREAD_ID: {
            target = thread_table::find(static_cast<u32>(event->sigev_notify_thread_id));
            if (!target || target->process() != &m_process) return err(EINVAL);
            [[fallthrough]];
        }
        case SIGEV_SIGNAL:
        case SIGEV_THREAD:
            if (signal <= 0 || signal > NSIG_KERNEL) return err(EINVAL);
            break;
        case SIGEV_NONE: break;
        default: return err(EINVAL);
        }
        if (notify == SIGEV_THREAD) notify = SIGEV_SIGNAL;
    }
    int id = m_next_id;
    while (find(id)) id = id == 0x7fffffff ? 0 : id + 1;
    m_next_id = id == 0x7fffffff ? 0 : id + 1;
    auto* timer = new (kstd::nothrow) PosixTimer(*this, id, clock, kstd::move(target));
    if (!timer) return err(ENOMEM);
    timer->notify = notify;
    timer->signal = signal;
    if (event)
        timer->value = event->sigev_value;
    else
        timer->value.sival_int = id;
    arch::InterruptGuard guard;
    timer->next = m_posix;
    m_posix = timer;
    m_posix_count++;
    return id;
}

ErrorOr ProcessTimers::set(int id, bool absolute, u64 value_ns, u64 interval_ns, Setting* old) {
    PosixTimer* timer = find(id);
    if (!timer) return err(EINVAL);
    if (old) *old = TRY(get(id));
    ClockTimer& clock_timer = timer->timer;
    clock_timer.stop();
    if (!value_ns) return {};
    u64 next = value_ns;
    if (!absolute && __builtin_add_overflow(clock_timer.now(), value_ns, &next)) next = ~u64(0) >> 1;
    // SIGEV_NONE timers never signal: their expiry is worked out when asked (get), and
    // no kernel timer needs to run for them.
    bool signals = (timer->notify & ~SIGEV_THREAD_ID) != SIGEV_NONE;
    clock_timer.start(next, interval_ns, signals ? ClockTimer::Drive::Timer : ClockTimer::Drive::OnDemand);
    return {};
}

Result<ProcessTimers::Setting> ProcessTimers::get(int id) {
    PosixTimer* timer = find(id);
    if (!timer) return err(EINVAL);
    arch::InterruptGuard guard;
    ClockTimer& clock_timer = timer->timer;
    if (!clock_timer.active()) return Setting{0, clock_timer.interval()};
    bool signals = (timer->notify & ~SIGEV_THREAD_ID) != SIGEV_NONE;
    if (!signals) clock_timer.forward();
    u64 left = clock_timer.remaining();
    // Due but not yet handled: Linux's common_timer_get reports 1 ns (0 for SIGEV_NONE,
    // whose one-shot expiry simply passed).
    if (!left) {
        if (!signals && !clock_timer.interval()) return Setting{0, 0};
        left = 1;
    }
    return Setting{left, clock_timer.interval()};
}

Result<int> ProcessTimers::overrun(int id) {
    PosixTimer* timer = find(id);
    if (!timer) return err(EINVAL);
    arch::InterruptGuard guard;
    // Linux reports the overruns of the last delivered signal.
    if (!timer->queued_signal()) timer->overrun_delivered = timer->overrun_in_signal;
    return timer->overrun_delivered;
}

ErrorOr ProcessTimers::remove(int id) {
    for (PosixTimer** link = &m_posix; *link; link = &(*link)->next) {
        PosixTimer* timer = *link;
        if (timer->id != id) continue;
        {
            arch::InterruptGuard guard;
            timer->timer.stop();
            *link = timer->next;
            m_posix_count--;
        }
        delete timer;
        return {};
    }
    return err(EINVAL);
}

void ProcessTimers::delete_posix_timers() {
    while (PosixTimer* timer = m_posix) {
        {
            arch::InterruptGuard guard;
            timer->timer.stop();
            m_posix = timer->next;
        }
        delete timer;
    }
    m_posix_count = 0;
}

void ProcessTimers::stop_all() {
    for (IntervalTimer* timer : m_interval) {
        if (timer) timer->timer.stop();
    }
    for (PosixTimer* timer = m_posix; timer; timer = timer->next) timer->timer.stop();
}

void process_timers_exec(Process& process) {
    if (process.timers) process.timers->delete_posix_timers();
}

void process_timers_exit(Process& process) {
    if (process.timers) process.timers->stop_all();
}
