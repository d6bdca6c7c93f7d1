// Filesystems: timerfd (Linux's fs/timerfd.c) — a timer whose expirations are read as
// an 8-byte count. As on Linux, a periodic timer fires once and then waits for the
// read (or timerfd_gettime) to move it forward, counting the periods it missed: a
// short period costs no interrupts while nobody reads.
#include <linux/poll.h>
#include <linux/time.h>
#include <linux/timerfd.h>

#include "arch/cpu.h"
#include "fs/event_files.h"
#include "time/clock.h"
#include "time/clock_timer.h"

namespace {

using ktime::NSEC_PER_SEC;
const char TIMERFD_KIND[] = "timerfd";

class TimerFd final : public File {
public:
    TimerFd(TimerClock clock, u32 flags)
        : File(O_RDWR | (flags & O_NONBLOCK)), m_timer(clock, nullptr, nullptr, expired, this) {}

    Result<usize> read(u64, IoBuffer buffer, usize length) override {
        if (length < sizeof(u64)) return err(EINVAL);
        if (!m_ticks) {
            if (nonblocking()) return err(EAGAIN);
            if (m_wait.wait_until([&] { return m_ticks != 0; }).is_error()) return err(ERESTARTSYS);
        }
        u64 ticks;
        {
            arch::InterruptGuard guard;
            catch_up();
            ticks = kstd::exchange(m_ticks, 0);
        }
        TRY(buffer.write(0, &ticks, sizeof(ticks)));
        return sizeof(ticks);
    }

    u32 poll(PollTable* table) override {
        if (table) table->add(m_wait);
        return m_ticks ? (POLLIN | POLLRDNORM) : 0;
    }

    const char* kind_name() const override { return TIMERFD_KIND; }
    u32 stat_mode() const override { return 0600; }

    void settime(bool absolute, u64 value, u64 interval, __kernel_itimerspec* old) {
        if (old) gettime(*old);
        arch::InterruptGuard guard;
        m_timer.stop();
        m_ticks = 0;
        m_expired = false;
        if (!value) return;
        u64 next = value;
        if (!absolute && __builtin_add_overflow(m_timer.now(), value, &next)) next = ~u64(0) >> 1;
        m_timer.start(next, interval);
    }

    void gettime(__kernel_itimerspec& out) {
        arch::InterruptGuard guard;
        catch_up();
        u64 left = m_timer.active() && !m_expired ? m_timer.remaining() : 0;
        u64 interval = m_timer.active() ? m_timer.interval() : 0;
        out.it_value = {static_cast<long long>(left / NSEC_PER_SEC),
                        static_cast<long long>(left % NSEC_PER_SEC)};
        out.it_interval = {static_cast<long long>(interval / NSEC_PER_SEC),
                           static_cast<long long>(interval % NSEC_PER_SEC)};
    }

private:
    // Interrupt context: one more expiration; a periodic timer waits for catch_up.
    static void expired(ClockTimer& timer, void* context) {
        auto& self = *static_cast<TimerFd*>(context);
        self.m_ticks++;
        self.m_expired = true;
        if (!timer.interval()) timer.finish();
        self.m_wait.wake_all(POLLIN | POLLRDNORM);
    }

    // Linux's timerfd_restart: a fired periodic timer moves past now, counting the
    // periods in between, and is armed again. Interrupts are off.
    void catch_up() {
        if (!m_expired || !m_timer.interval()) return;
        m_expired = false;
        u64 periods = m_timer.forward();  // includes the expiry already counted
        if (periods) m_ticks += periods - 1;
        m_timer.program();
    }

    ClockTimer m_timer;
    u64 m_ticks = 0;
    bool m_expired = false;  // fired and not yet moved forward
    WaitQueue m_wait;
};

TimerFd* as_timerfd(File& file) {
    return file.kind_name() == TIMERFD_KIND ? static_cast<TimerFd*>(&file) : nullptr;
}

Result<u64> timespec_ns(const __kernel_timespec& ts) {
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= static_cast<long long>(NSEC_PER_SEC))
        return err(EINVAL);
    u64 ns;
    if (__builtin_mul_overflow(static_cast<u64>(ts.tv_sec), NSEC_PER_SEC, &ns)) return ~u64(0) >> 2;
    return ns + static_cast<u64>(ts.tv_nsec);
}

}  // namespace

namespace event_files {

Result<RefPtr<File>> create_timerfd(int clock_id, u32 flags) {
    TimerClock clock;
    switch (clock_id) {
    case CLOCK_MONOTONIC:
    case CLOCK_BOOTTIME:
    case CLOCK_BOOTTIME_ALARM:  // no suspend: the alarm clocks behave as their base clocks
        clock = TimerClock::Monotonic;
        break;
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_ALARM: clock = TimerClock::Realtime; break;
    default: return err(EINVAL);
    }
    RefPtr<File> file(adopt, new (kstd::nothrow) TimerFd(clock, flags));
    if (!file) return err(ENOMEM);
    return file;
}

ErrorOr timerfd_settime(File& file, int flags, const __kernel_itimerspec& value, __kernel_itimerspec* old) {
    TimerFd* timer = as_timerfd(file);
    if (!timer) return err(EINVAL);
    // TFD_TIMER_CANCEL_ON_SET is accepted; setting the clock never cancels here.
    if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) return err(EINVAL);
    u64 first = TRY(timespec_ns(value.it_value));
    u64 interval = TRY(timespec_ns(value.it_interval));
    timer->settime(flags & TFD_TIMER_ABSTIME, first, interval, old);
    return {};
}

ErrorOr timerfd_gettime(File& file, __kernel_itimerspec& value) {
    TimerFd* timer = as_timerfd(file);
    if (!timer) return err(EINVAL);
    timer->gettime(value);
    return {};
}

}  // namespace event_files
