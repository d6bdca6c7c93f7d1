// Drivers, virtio: the split virtqueue's ring arithmetic (virtio 1.1, 2.6) — the
// descriptor free list, chains placed in the available ring, and used elements taken
// back. It touches only the three ring areas it is given, never the device, so the host
// tests drive it against a simulated device.
//
// Not thread-safe: the driver holds its queue lock around every call. Indices are the
// free-running 16-bit counters of the specification; positions wrap modulo the size.
#pragma once

// The legacy layout helpers (vring_init...) are C that C++ rejects; modern queues need none.
#define VIRTIO_RING_NO_LEGACY 1
#include <linux/virtio_ring.h>

#include "lib/kstd.h"
#include "lib/types.h"

namespace virtio {

struct RingSegment {
    u64 address;  // device (physical) address
    u32 length;
    bool device_writes;  // VRING_DESC_F_WRITE: the device fills it (a read's data, a status)
};

struct UsedElement {
    u16 id;      // the chain's head descriptor
    u32 length;  // bytes the device wrote
};

class SplitRing {
public:
    // Bytes each area needs for `size` entries (size: a power of two up to 32768).
    static constexpr usize descriptor_bytes(u16 size) { return 16u * size; }
    static constexpr usize available_bytes(u16 size) { return 6u + 2u * size; }
    static constexpr usize used_bytes(u16 size) { return 6u + 8u * size; }

    // The areas must be zeroed and aligned (16, 2, 4 bytes).
    void init(u16 size, vring_desc* descriptors, vring_avail* available, vring_used* used);

    u16 size() const { return m_size; }
    u16 free_count() const { return m_free_count; }
    // The descriptor the next add() uses as its chain's head.
    u16 next_free() const { return m_free_head; }
    // Chains placed and not yet returned by the device.
    u16 in_flight() const { return static_cast<u16>(m_available_index - m_last_used); }

    // Writes `segments` as one chain and publishes it; returns the head, or nullopt when
    // fewer than segments.size() descriptors are free (or the chain is empty).
    kstd::optional<u16> add(kstd::span<const RingSegment> segments);
    // After add(): whether the device asked to be notified (VRING_USED_F_NO_NOTIFY clear).
    bool device_wants_notification() const;
    // The next chain the device finished, freeing its descriptors; nullopt when none.
    kstd::optional<UsedElement> pop_used();
    bool has_used() const;

    // Asks the device not to interrupt (or to interrupt again) on completions.
    void set_interrupts_enabled(bool enabled);

private:
    u16 m_size = 0;
    vring_desc* m_descriptors = nullptr;
    vring_avail* m_available = nullptr;
    vring_used* m_used = nullptr;
    u16 m_free_head = 0;
    u16 m_free_count = 0;
    u16 m_available_index = 0;  // our copy of available->idx
    u16 m_last_used = 0;        // next used->idx position to consume
};

}  // namespace virtio
