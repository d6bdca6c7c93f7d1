// Time: kernel timers — callbacks at a monotonic deadline, run in interrupt context.
//
// One queue sorted by deadline drives the architecture's one-shot timer (arch/timer.h):
// it is always armed for the earliest deadline, so sleepers wake precisely and an idle
// CPU takes no periodic ticks.
#pragma once

#include "lib/list.h"
#include "lib/types.h"

class Timer {
public:
    using Callback = void (*)(Timer& timer, void* context);

    Timer() = default;
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;
    ~Timer();

    // (Re)arms the timer; a pending one is moved to the new deadline.
    void arm(u64 deadline_ns, Callback callback, void* context);
    // Returns whether it was still pending.
    bool cancel();
    bool pending() const { return m_node.is_linked(); }
    u64 deadline() const { return m_deadline; }

    ListNode m_node;

private:
    friend void run_expired_timers();
    u64 m_deadline = 0;
    Callback m_callback = nullptr;
    void* m_context = nullptr;
};

namespace ktime {
void timers_init();
}  // namespace ktime
