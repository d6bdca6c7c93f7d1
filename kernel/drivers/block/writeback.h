// Drivers, block layer: periodic writeback — one kernel thread ("flush", Linux's
// flusher) that wakes every 5 seconds (Linux's dirty_writeback_centisecs) and asks each
// registered target (a mounted filesystem, a written block device) to write back what
// has been dirty for 30 seconds (dirty_expire_centisecs) and to commit its metadata;
// earlier, and everything, when dirty memory passes the background limit.
#pragma once

#include "lib/list.h"
#include "lib/types.h"

namespace block {

class WritebackTarget {
public:
    // Writes back data dirty since before `expired_before` (monotonic ns; ~0 for all of it)
    // and whatever metadata is due. Errors are the target's to keep for fsync.
    virtual void write_back_periodic(u64 expired_before) = 0;
    ListNode writeback_node;

protected:
    ~WritebackTarget() = default;
};

namespace writeback {
constexpr u64 INTERVAL_NS = 5ull * 1000 * 1000 * 1000;
constexpr u64 EXPIRE_NS = 30ull * 1000 * 1000 * 1000;

// Starts the flusher thread (once the scheduler runs).
void start();
void register_target(WritebackTarget& target);
// Waits for a running pass over the target to finish first; call it without holding
// locks the target's writeback takes.
void unregister_target(WritebackTarget& target);
void wake_flusher();
u64 passes();
}  // namespace writeback

}  // namespace block
