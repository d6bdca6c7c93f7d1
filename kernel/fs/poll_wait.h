// Filesystems: the poll/select waiter (Linux's poll_wqueues in fs/select.c) — a
// PollTable that hooks the calling thread onto every wait queue the polled files name,
// then sleeps until one of them is woken with an event of interest, a signal arrives
// or the deadline passes. epoll keeps its hooks between calls instead (fs/epoll.h).
#pragma once

#include "fs/file.h"

class PollWait final : public PollTable {
public:
    PollWait();
    ~PollWait();
    PollWait(const PollWait&) = delete;
    PollWait& operator=(const PollWait&) = delete;

    void add(WaitQueue& queue) override;
    // The events the next file polled cares about (its wake-ups with other keys are ignored).
    void set_interest(u32 events) { m_interest = events; }
    // ENOMEM when a queue could not be hooked (the wait would miss its wake-ups).
    bool out_of_memory() const { return m_out_of_memory; }

    enum class Outcome : u8 { Woken, TimedOut, Interrupted };
    // Sleeps unless a hooked queue was woken since the last call; deadline_ns is
    // monotonic (0: none). A wake-up that came while the caller scanned counts.
    Outcome sleep(u64 deadline_ns);

private:
    struct Entry {
        WaitQueue::Waiter waiter;
        WaitQueue* queue;
        PollWait* owner;
        u32 interest;
    };
    struct Chunk;
    static constexpr usize INLINE_ENTRIES = 6;
    static void wake(WaitQueue::Waiter& waiter, u32 key);
    Entry* next_entry();

    Thread* m_thread;
    bool m_triggered = false;
    bool m_out_of_memory = false;
    usize m_inline_used = 0;
    Entry m_inline[INLINE_ENTRIES];
    Chunk* m_chunks = nullptr;
};
