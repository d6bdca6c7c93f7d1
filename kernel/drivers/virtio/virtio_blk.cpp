// Drivers, virtio: virtio-blk (see virtio_blk.h).
#include "drivers/virtio/virtio_blk.h"

#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>

#include "arch/cpu.h"
#include "arch/memory_layout.h"
#include "arch/paging.h"
#include "debug/panic.h"
#include "lib/string.h"
#include "log/klog.h"
#include "mm/kmalloc.h"
#include "mm/pmm.h"
#include "proc/thread.h"

namespace virtio {
namespace {

constexpr u64 WANTED_FEATURES = (1ull << VIRTIO_BLK_F_SIZE_MAX) | (1ull << VIRTIO_BLK_F_SEG_MAX) |
                                (1ull << VIRTIO_BLK_F_RO) | (1ull << VIRTIO_BLK_F_BLK_SIZE) |
                                (1ull << VIRTIO_BLK_F_FLUSH);

// The physical address of a kernel virtual address: the direct map and the kernel image
// translate arithmetically; stacks and vmalloc memory through the page tables.
kstd::optional<PhysAddr> physical_address(const u8* virt) {
    auto address = reinterpret_cast<uptr>(virt);
    if (address >= arch::DIRECT_MAP && address < arch::DIRECT_MAP + (mm::max_pfn() << PAGE_SHIFT))
        return mm::virt_to_phys(virt);
    auto translation = arch::translate(arch::kernel_page_table(), address);
    if (!translation) return kstd::nullopt;
    return translation->phys;
}

const char* operation_name(u32 type) {
    switch (type) {
        case VIRTIO_BLK_T_IN: return "READ";
        case VIRTIO_BLK_T_OUT: return "WRITE";
        case VIRTIO_BLK_T_FLUSH: return "FLUSH";
        case VIRTIO_BLK_T_GET_ID: return "GET_ID";
        default: return "?";
    }
}

}  // namespace

bool VirtioBlock::can_sleep() const {
    // The idle thread (tid 0) must never block; nor may anyone with interrupts off.
    Thread* thread = current_thread();
    return arch::interrupts_enabled() && thread && thread->tid() != 0;
}

void VirtioBlock::interrupt(void* context) {
    auto* self = static_cast<VirtioBlock*>(context);
    // INTx is shared: reading the ISR acknowledges it and says whether it was ours.
    if (self->m_intx && !(self->m_transport.read_isr() & 1)) return;
    self->process_completions();
}

void VirtioBlock::process_completions() {
    bool any = false;
    {
        SpinLockGuard guard(m_lock);
        while (auto used = m_queue.ring.pop_used()) {
            if (used->id >= m_queue.ring.size()) {
                pr_err("virtio_blk %s: device returned descriptor %u of %u", m_name, used->id,
                       m_queue.ring.size());
                continue;
            }
            Completion* completion = kstd::exchange(m_waiting[used->id], nullptr);
            if (completion) {
                completion->status = m_slots[used->id].status;
                completion->done = true;
            }
            m_requests_completed++;
            any = true;
        }
    }
    if (any) {
        m_completed.wake_all();
        m_space.wake_all();
    }
}

void VirtioBlock::wait(Completion& completion) {
    if (!can_sleep()) {
        while (!__atomic_load_n(&completion.done, __ATOMIC_ACQUIRE)) {
            process_completions();
            arch::cpu_relax();
        }
        return;
    }
    // Uninterruptible: the device writes into the caller's memory until it completes.
    (void)m_completed.wait_until([&] { return completion.done; }, WaitMode::Uninterruptible);
}

bool VirtioBlock::DataSource::piece(usize offset, PhysAddr* phys, usize* length) const {
    usize in_page = offset % PAGE_SIZE;
    if (pages) {
        *phys = mm::page_to_phys(pages[offset / PAGE_SIZE]) + in_page;
        *length = kstd::min(PAGE_SIZE - in_page, bytes - offset);
        return true;
    }
    const u8* at = buffer + offset;
    auto translated = physical_address(at);
    if (!translated) return false;
    *phys = *translated;
    *length = kstd::min(PAGE_SIZE - reinterpret_cast<uptr>(at) % PAGE_SIZE, bytes - offset);
    return true;
}

Result<usize> VirtioBlock::submit(u32 type, u64 sector, const DataSource& data, usize offset,
                                  Completion& completion) {
    RingSegment segments[MAX_SEGMENTS + 2];
    usize count = 1;  // segments[0] is the header, filled once the head is known
    usize covered = 0;
    usize segment_limit = kstd::min<usize>(m_seg_max, MAX_SEGMENTS);
    bool device_writes = type != VIRTIO_BLK_T_OUT;
    while (offset + covered < data.bytes && covered < MAX_REQUEST_BYTES) {
        PhysAddr phys;
        usize piece;
        if (!data.piece(offset + covered, &phys, &piece)) {
            pr_err("virtio_blk %s: buffer %p is not mapped", m_name, data.buffer + offset + covered);
            return err(EFAULT);
        }
        RingSegment& previous = segments[count - 1];
        bool contiguous = count > 1 && previous.address + previous.length == phys &&
                          (!m_size_max || previous.length + piece <= m_size_max);
        if (contiguous) {
            previous.length += static_cast<u32>(piece);
        } else {
            if (count - 1 == segment_limit) break;
            segments[count++] = RingSegment{phys, static_cast<u32>(piece), device_writes};
        }
        covered += piece;
    }
    // Whole sectors only: a request that stopped mid-sector gives the tail back.
    if (type != VIRTIO_BLK_T_GET_ID && covered % SECTOR_SIZE) {
        usize excess = covered % SECTOR_SIZE;
        covered -= excess;
        while (excess) {
            RingSegment& last = segments[count - 1];
            usize cut = kstd::min<usize>(excess, last.length);
            last.length -= static_cast<u32>(cut);
            excess -= cut;
            if (!last.length) count--;
        }
        if (!covered) return err(EINVAL);
    }
    usize total = count + 1;

    // The header and status live in the slot of the chain's head descriptor: the free
    // list's head, read under the lock that also places the chain.
    for (;;) {
        {
            SpinLockGuard guard(m_lock);
            if (m_queue.ring.free_count() >= total) {
                u16 head = m_queue.ring.next_free();
                PhysAddr slot_phys = m_slots_phys + u64(head) * sizeof(RequestSlot);
                segments[0] = RingSegment{slot_phys, 16, false};
                segments[count] = RingSegment{slot_phys + offsetof(RequestSlot, status), 1, true};
                RequestSlot& slot = m_slots[head];
                slot.type = type;
                slot.reserved = 0;
                slot.sector = sector;
                slot.status = 0xff;
                m_waiting[head] = &completion;
                auto added = m_queue.ring.add({segments, total});
                KASSERT(added && *added == head);
                if (m_queue.ring.device_wants_notification()) m_transport.notify(m_queue);
                return covered;
            }
        }
        if (!can_sleep()) {
            process_completions();
            arch::cpu_relax();
            continue;
        }
        (void)m_space.wait_until([&] { return m_queue.ring.free_count() >= total; },
                                 WaitMode::Uninterruptible);
    }
}

ErrorOr VirtioBlock::transfer(u32 type, u64 sector, const DataSource& data) {
    Completion completions[MAX_BATCH];
    u64 sectors[MAX_BATCH];
    ErrorOr result;
    usize done = 0;
    bool flush = type == VIRTIO_BLK_T_FLUSH;
    do {
        usize batch = 0;
        while (batch < MAX_BATCH && (done < data.bytes || (flush && batch == 0))) {
            completions[batch] = Completion{};
            sectors[batch] = sector + done / SECTOR_SIZE;
            auto placed = submit(type, sectors[batch], data, done, completions[batch]);
            if (placed.is_error()) {
                result = placed.error();
                break;
            }
            done += placed.value();
            batch++;
            if (flush) break;
        }
        for (usize i = 0; i < batch; i++) wait(completions[i]);
        for (usize i = 0; i < batch; i++) {
            u8 status = completions[i].status;
            if (status == VIRTIO_BLK_S_OK) continue;
            pr_err("I/O error, dev %s, sector %lu op 0x%x:(%s), status %u", m_name, sectors[i], type,
                   operation_name(type), status);
            if (!result.is_error()) result = err(status == VIRTIO_BLK_S_UNSUPP ? EOPNOTSUPP : EIO);
        }
    } while (!result.is_error() && !flush && done < data.bytes);
    return result;
}

ErrorOr VirtioBlock::read_sectors(u64 first, u32 count, void* buffer) {
    u64 end;
    if (!kstd::checked_add<u64>(first, count, &end) || end > m_capacity) return err(EINVAL);
    if (!count) return {};
    return transfer(VIRTIO_BLK_T_IN, first,
                    DataSource{static_cast<u8*>(buffer), nullptr, usize(count) * SECTOR_SIZE});
}

ErrorOr VirtioBlock::write_sectors(u64 first, u32 count, const void* buffer) {
    if (m_read_only) return err(EROFS);
    u64 end;
    if (!kstd::checked_add<u64>(first, count, &end) || end > m_capacity) return err(EINVAL);
    if (!count) return {};
    // The device only reads the buffer.
    return transfer(
        VIRTIO_BLK_T_OUT, first,
        DataSource{static_cast<u8*>(const_cast<void*>(buffer)), nullptr, usize(count) * SECTOR_SIZE});
}

ErrorOr VirtioBlock::read_pages(u64 first, kstd::span<Page* const> pages) {
    u64 sectors = u64(pages.size()) * (PAGE_SIZE / SECTOR_SIZE);
    u64 end;
    if (!kstd::checked_add<u64>(first, sectors, &end) || end > m_capacity) return err(EINVAL);
    return transfer(VIRTIO_BLK_T_IN, first, DataSource{nullptr, pages.data(), pages.size() * PAGE_SIZE});
}

ErrorOr VirtioBlock::write_pages(u64 first, kstd::span<Page* const> pages) {
    if (m_read_only) return err(EROFS);
    u64 sectors = u64(pages.size()) * (PAGE_SIZE / SECTOR_SIZE);
    u64 end;
    if (!kstd::checked_add<u64>(first, sectors, &end) || end > m_capacity) return err(EINVAL);
    return transfer(VIRTIO_BLK_T_OUT, first, DataSource{nullptr, pages.data(), pages.size() * PAGE_SIZE});
}

ErrorOr VirtioBlock::flush() {
    if (!m_has_flush || m_read_only) return {};  // no volatile cache: writes are already durable
    return transfer(VIRTIO_BLK_T_FLUSH, 0, DataSource{});
}

ErrorOr VirtioBlock::initialise(pci::Device& device) {
    TRY(m_transport.attach(device));
    u64 features = TRY(m_transport.negotiate(WANTED_FEATURES));
    m_read_only = features & (1ull << VIRTIO_BLK_F_RO);
    m_has_flush = features & (1ull << VIRTIO_BLK_F_FLUSH);
    u64 capacity;
    m_transport.read_device_config(offsetof(virtio_blk_config, capacity), &capacity, sizeof(capacity));
    m_capacity = capacity;
    if (features & (1ull << VIRTIO_BLK_F_SEG_MAX)) {
        u32 seg_max;
        m_transport.read_device_config(offsetof(virtio_blk_config, seg_max), &seg_max, sizeof(seg_max));
        if (seg_max) m_seg_max = kstd::min<u32>(seg_max, MAX_SEGMENTS);
    }
    if (features & (1ull << VIRTIO_BLK_F_SIZE_MAX)) {
        u32 size_max;
        m_transport.read_device_config(offsetof(virtio_blk_config, size_max), &size_max, sizeof(size_max));
        if (size_max >= PAGE_SIZE)
            m_size_max = size_max;  // smaller limits than a page are not worth honouring
    }

    u32 index = block::allocate_disk_name("vd", m_name, sizeof(m_name));
    m_first_minor = index * block::MINORS_PER_DISK;
    auto kind = m_transport.request_interrupt(interrupt, this, m_name);
    if (kind.is_error()) {
        m_transport.fail();
        return kind.error();
    }
    m_intx = kind.value() == pci::InterruptKind::Intx;
    if (auto queue = m_transport.setup_queue(0, MAX_QUEUE_SIZE, m_queue); queue.is_error()) {
        m_transport.fail();
        return queue;
    }
    u16 size = m_queue.ring.size();
    usize slot_bytes = usize(size) * sizeof(RequestSlot);
    unsigned order = 0;
    while ((PAGE_SIZE << order) < slot_bytes) order++;
    Page* slots = mm::alloc_pages(order);
    m_waiting = static_cast<Completion**>(kzalloc(size * sizeof(Completion*)));
    if (!slots || !m_waiting) {
        m_transport.fail();
        return err(ENOMEM);
    }
    m_slots = static_cast<RequestSlot*>(mm::page_address(slots));
    memset(m_slots, 0, PAGE_SIZE << order);
    m_slots_phys = mm::page_to_phys(slots);
    m_transport.driver_ok();

    // The serial number, for tests and /dev/disk/by-id style lookups.
    Completion completion;
    DataSource id{reinterpret_cast<u8*>(m_serial), nullptr, VIRTIO_BLK_ID_BYTES};
    auto placed = submit(VIRTIO_BLK_T_GET_ID, 0, id, 0, completion);
    if (!placed.is_error()) {
        wait(completion);
        if (completion.status != VIRTIO_BLK_S_OK) m_serial[0] = '\0';
    }
    m_serial[VIRTIO_BLK_ID_BYTES] = '\0';

    pr_info("virtio_blk %s: [%s] %lu %u-byte logical blocks (%lu MB/%lu MiB)%s%s, %s, queue %u",
            device.name(), m_name, m_capacity, SECTOR_SIZE, m_capacity * SECTOR_SIZE / 1000000,
            m_capacity * SECTOR_SIZE / MiB, m_read_only ? ", read-only" : "",
            m_has_flush ? ", write cache" : "", m_intx ? "INTx" : "MSI-X", size);
    if (m_serial[0]) pr_info("virtio_blk %s: serial %s", m_name, m_serial);
    return {};
}

namespace {
constexpr usize MAX_DISKS = 32;
VirtioBlock* g_disks[MAX_DISKS];
usize g_disk_count = 0;
}  // namespace

VirtioBlock* find_block_device(kstd::string_view serial) {
    for (usize i = 0; i < g_disk_count; i++)
        if (serial == g_disks[i]->serial()) return g_disks[i];
    return nullptr;
}

ErrorOr VirtioBlock::probe(pci::Device& device) {
    auto* disk = new (kstd::nothrow) VirtioBlock;
    if (!disk) return err(ENOMEM);
    if (auto initialised = disk->initialise(device); initialised.is_error()) {
        // The device may still own the rings: leak them rather than let it write to freed memory.
        pr_err("virtio_blk %s: not usable (error %d)", device.name(), initialised.error().code());
        return initialised;
    }
    device.driver_data = disk;
    if (g_disk_count < MAX_DISKS) g_disks[g_disk_count++] = disk;
    return block::add_disk(*disk, block::VIRTIO_BLOCK_MAJOR, disk->m_first_minor);
}

namespace {

// virtio 1.1, 4.1.2: transitional devices are 0x1000 + (type - 1)... for block 0x1001;
// modern ones 0x1040 + type.
bool matches(const pci::Device& device) {
    if (device.vendor_id != 0x1af4) return false;
    return device.device_id == 0x1001 || device.device_id == 0x1040 + VIRTIO_ID_BLOCK;
}

pci::Driver g_driver{"virtio_blk", matches, VirtioBlock::probe, {}};

}  // namespace

void register_pci_driver() { pci::register_driver(g_driver); }

}  // namespace virtio
