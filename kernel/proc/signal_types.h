// Processes: signal sets, queued signal information and alternate stacks.
//
// Numbers and siginfo layout come from the UAPI headers (<asm/signal.h>,
// <asm/siginfo.h>); the kernel's sigset is 64 bits on x86_64, bit N-1 for signal N.
#pragma once

#include <asm/siginfo.h>
#include <asm/signal.h>
#include <linux/signal.h>

#include "lib/kstd.h"
#include "lib/list.h"
#include "lib/types.h"

constexpr int NSIG_KERNEL = 64;  // _NSIG on x86_64

class SignalSet {
public:
    constexpr SignalSet() = default;
    constexpr explicit SignalSet(u64 bits) : m_bits(bits) {}
    static constexpr bool valid(int signal) { return signal >= 1 && signal <= NSIG_KERNEL; }

    constexpr bool has(int signal) const { return valid(signal) && (m_bits >> (signal - 1)) & 1; }
    constexpr void add(int signal) {
        if (valid(signal)) m_bits |= u64(1) << (signal - 1);
    }
    constexpr void remove(int signal) {
        if (valid(signal)) m_bits &= ~(u64(1) << (signal - 1));
    }
    constexpr bool empty() const { return m_bits == 0; }
    constexpr u64 bits() const { return m_bits; }
    constexpr SignalSet operator&(SignalSet other) const { return SignalSet(m_bits & other.m_bits); }
    constexpr SignalSet operator|(SignalSet other) const { return SignalSet(m_bits | other.m_bits); }
    constexpr SignalSet operator~() const { return SignalSet(~m_bits); }
    // Lowest-numbered member (standard signals before real-time ones), 0 when empty.
    constexpr int first() const { return m_bits ? __builtin_ctzll(m_bits) + 1 : 0; }

private:
    u64 m_bits = 0;
};

// SIGKILL and SIGSTOP can be neither blocked, caught nor ignored.
constexpr SignalSet UNBLOCKABLE = [] {
    SignalSet set;
    set.add(SIGKILL);
    set.add(SIGSTOP);
    return set;
}();

using SignalInfo = siginfo_t;

// Pending signals with their siginfo. Standard signals collapse to one instance, as on
// Linux; real-time signals queue, each entry allocated (Linux's sigqueue), up to a limit.
class SignalQueue {
public:
    static constexpr usize MAX_QUEUED = 256;

    SignalQueue() = default;
    SignalQueue(const SignalQueue&) = delete;
    SignalQueue& operator=(const SignalQueue&) = delete;
    ~SignalQueue() { clear(); }

    // False (nothing queued) when a real-time signal is over the limit or memory is out.
    // A standard signal already pending is merged and reports true.
    bool enqueue(const SignalInfo& info);
    // Removes the lowest-numbered pending signal that is in `allowed` into `out`.
    bool dequeue(SignalSet allowed, SignalInfo& out);
    SignalSet pending() const { return m_pending; }
    // The queued siginfo `match` accepts, or null: a POSIX timer counts its overruns in
    // its signal while that waits for delivery (Linux's si_overrun).
    template <typename Match>
    SignalInfo* find(Match&& match) {
        for (Entry& entry : m_entries) {
            if (match(entry.info)) return &entry.info;
        }
        return nullptr;
    }
    void discard(int signal);
    void clear();

private:
    struct Entry {
        SignalInfo info;
        ListNode node;
    };
    SignalSet m_pending;
    IntrusiveList<Entry, &Entry::node> m_entries;
    usize m_count = 0;
};

struct AltStack {
    uptr base = 0;
    usize size = 0;
    int flags = SS_DISABLE;
};
