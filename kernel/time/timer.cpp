// Time: kernel timers (see timer.h).
#include "time/timer.h"

#include "arch/timer.h"
#include "sync/spinlock.h"
#include "time/clock.h"

namespace {
SpinLock g_lock;
IntrusiveList<Timer, &Timer::m_node> g_queue;  // sorted by deadline

void program_hardware() {
    Timer* first = g_queue.first();
    arch::timer_arm(first ? kstd::max<u64>(first->deadline(), 1) : 0);
}
}  // namespace

Timer::~Timer() { cancel(); }

void Timer::arm(u64 deadline_ns, Callback callback, void* context) {
    SpinLockGuard guard(g_lock);
    if (m_node.is_linked()) g_queue.remove(*this);
    m_deadline = deadline_ns;
    m_callback = callback;
    m_context = context;
    Timer* position = nullptr;
    for (Timer& t : g_queue) {
        if (t.m_deadline > deadline_ns) {
            position = &t;
            break;
        }
    }
    if (position) g_queue.insert_before(*position, *this);
    else g_queue.push_back(*this);
    if (g_queue.first() == this) program_hardware();
}

bool Timer::cancel() {
    SpinLockGuard guard(g_lock);
    if (!m_node.is_linked()) return false;
    bool was_first = g_queue.first() == this;
    g_queue.remove(*this);
    if (was_first) program_hardware();
    return true;
}

// Interrupt context: runs every timer whose deadline has passed, then re-arms.
void run_expired_timers() {
    for (;;) {
        Timer* expired = nullptr;
        {
            SpinLockGuard guard(g_lock);
            Timer* first = g_queue.first();
            if (first && first->m_deadline <= ktime::monotonic_ns()) {
                g_queue.remove(*first);
                expired = first;
            } else {
                program_hardware();
                return;
            }
        }
        // Called without the lock, so the callback may re-arm its timer.
        expired->m_callback(*expired, expired->m_context);
    }
}

namespace ktime {
void timers_init() { arch::timer_set_callback(run_expired_timers); }
}  // namespace ktime
