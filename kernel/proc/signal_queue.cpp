// Processes: queued signal information (see signal_types.h).
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "proc/signal_types.h"

bool SignalQueue::enqueue(const SignalInfo& info) {
    int signal = info.si_signo;
    if (!SignalSet::valid(signal)) return false;
    bool realtime = signal >= SIGRTMIN;
    if (!realtime && m_pending.has(signal)) return true;
    if (m_count >= MAX_QUEUED) return false;
    auto* entry = static_cast<Entry*>(kmalloc(sizeof(Entry)));
    if (!entry) return false;
    memcpy(&entry->info, &info, sizeof(info));
    entry->node = {};
    m_entries.push_back(*entry);
    m_count++;
    m_pending.add(signal);
    return true;
}

bool SignalQueue::dequeue(SignalSet allowed, SignalInfo& out) {
    int signal = (m_pending & allowed).first();
    if (!signal) return false;
    bool more = false;
    Entry* found = nullptr;
    for (Entry& entry : m_entries) {
        if (entry.info.si_signo != signal) continue;
        if (!found) found = &entry;
        else {
            more = true;
            break;
        }
    }
    if (!found) {
        // Pending without an entry cannot happen; keep the set honest anyway.
        m_pending.remove(signal);
        return false;
    }
    memcpy(&out, &found->info, sizeof(out));
    m_entries.remove(*found);
    kfree(found);
    m_count--;
    if (!more) m_pending.remove(signal);
    return true;
}

void SignalQueue::discard(int signal) {
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        Entry& entry = *it;
        ++it;
        if (entry.info.si_signo == signal) {
            m_entries.remove(entry);
            kfree(&entry);
            m_count--;
        }
    }
    m_pending.remove(signal);
}

void SignalQueue::clear() {
    while (Entry* entry = m_entries.pop_front()) kfree(entry);
    m_count = 0;
    m_pending = SignalSet();
}
