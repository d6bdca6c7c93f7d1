// Drivers, virtio: split virtqueue ring arithmetic (see split_ring.h).
//
// Ordering (virtio 1.1, 2.6.13): descriptors and the ring slot are written before the
// index that publishes them (a release store); the used index is read with acquire
// before the element it covers; and a full fence separates publishing from reading the
// device's notification flag, or a notification could be missed.
#include "drivers/virtio/split_ring.h"

namespace virtio {
namespace {
u16 load_index(const __virtio16* index) { return __atomic_load_n(index, __ATOMIC_ACQUIRE); }
void store_index(__virtio16* index, u16 value) { __atomic_store_n(index, value, __ATOMIC_RELEASE); }
}  // namespace

void SplitRing::init(u16 size, vring_desc* descriptors, vring_avail* available, vring_used* used) {
    m_size = size;
    m_descriptors = descriptors;
    m_available = available;
    m_used = used;
    for (u16 i = 0; i < size; i++) {
        m_descriptors[i].next = static_cast<u16>(i + 1 < size ? i + 1 : 0);
        m_descriptors[i].flags = 0;
    }
    m_free_head = 0;
    m_free_count = size;
    m_available_index = 0;
    m_last_used = 0;
}

kstd::optional<u16> SplitRing::add(kstd::span<const RingSegment> segments) {
    if (segments.empty() || segments.size() > m_free_count) return kstd::nullopt;
    u16 head = m_free_head;
    u16 index = head;
    for (usize i = 0; i < segments.size(); i++) {
        vring_desc& d = m_descriptors[index];
        d.addr = segments[i].address;
        d.len = segments[i].length;
        bool last = i + 1 == segments.size();
        d.flags = static_cast<u16>((segments[i].device_writes ? VRING_DESC_F_WRITE : 0) |
                                   (last ? 0 : VRING_DESC_F_NEXT));
        if (!last) index = d.next;
    }
    m_free_head = m_descriptors[index].next;
    m_free_count = static_cast<u16>(m_free_count - segments.size());
    m_available->ring[m_available_index % m_size] = head;
    m_available_index++;
    store_index(&m_available->idx, m_available_index);
    return head;
}

bool SplitRing::device_wants_notification() const {
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return !(__atomic_load_n(&m_used->flags, __ATOMIC_RELAXED) & VRING_USED_F_NO_NOTIFY);
}

bool SplitRing::has_used() const { return load_index(&m_used->idx) != m_last_used; }

kstd::optional<UsedElement> SplitRing::pop_used() {
    u16 device_index = load_index(&m_used->idx);
    if (device_index == m_last_used) return kstd::nullopt;
    const vring_used_elem& element = m_used->ring[m_last_used % m_size];
    UsedElement result{static_cast<u16>(element.id), element.len};
    m_last_used++;
    if (result.id >= m_size) return result;  // a broken device; the caller reports it
    // Return the chain to the free list: walk to its tail, then link it in front.
    u16 tail = result.id;
    u16 count = 1;
    while ((m_descriptors[tail].flags & VRING_DESC_F_NEXT) && count < m_size) {
        tail = m_descriptors[tail].next;
        count++;
    }
    m_descriptors[tail].flags = 0;
    m_descriptors[tail].next = m_free_head;
    m_free_head = result.id;
    m_free_count = static_cast<u16>(m_free_count + count);
    return result;
}

void SplitRing::set_interrupts_enabled(bool enabled) {
    u16 flags = enabled ? 0 : VRING_AVAIL_F_NO_INTERRUPT;
    __atomic_store_n(&m_available->flags, flags, __ATOMIC_RELEASE);
}

}  // namespace virtio
