// Drivers, virtio: virtio-blk (virtio 1.1, 5.2) — a BlockDevice on one request queue.
//
// Requests are header + data + status chains. A transfer is split into requests of at
// most MAX_REQUEST_BYTES (and the device's seg_max/size_max), all of which are placed
// before the caller waits, so several are in flight; callers in other threads add more.
// Completion is interrupt driven; a caller that cannot sleep (the boot path before the
// first thread runs, in-kernel tests on the idle thread) polls the used ring instead.
// Device status IOERR is EIO; writes to a read-only device (VIRTIO_BLK_F_RO) are EROFS;
// flush is VIRTIO_BLK_T_FLUSH when the device has a volatile cache (VIRTIO_BLK_F_FLUSH).
#pragma once

#include "drivers/block/block_device.h"
#include "drivers/block/registry.h"
#include "drivers/virtio/virtio_pci.h"
#include "sync/spinlock.h"
#include "sync/wait_queue.h"

namespace virtio {

class VirtioBlock final : public BlockDevice, public PageIo {
public:
    static ErrorOr probe(pci::Device& device);

    const char* name() const override { return m_name; }
    u64 sector_count() const override { return m_capacity; }
    bool read_only() const override { return m_read_only; }
    ErrorOr read_sectors(u64 first, u32 count, void* buffer) override;
    ErrorOr write_sectors(u64 first, u32 count, const void* buffer) override;
    ErrorOr flush() override;
    PageIo* page_io() override { return this; }
    ErrorOr read_pages(u64 first, kstd::span<Page* const> pages) override;
    ErrorOr write_pages(u64 first, kstd::span<Page* const> pages) override;

    // The device's serial number (VIRTIO_BLK_T_GET_ID), "" when it has none.
    const char* serial() const { return m_serial; }
    bool has_flush() const { return m_has_flush; }
    u64 requests_completed() const { return m_requests_completed; }

private:
    static constexpr u16 MAX_QUEUE_SIZE = 256;
    static constexpr usize MAX_REQUEST_BYTES = 512 * KiB;
    static constexpr usize MAX_SEGMENTS = 64;  // data segments per request
    static constexpr usize MAX_BATCH = 16;     // requests one transfer keeps in flight

    struct Completion {
        bool done = false;
        u8 status = 0xff;
    };
    // Device-visible part of each request, indexed by the chain's head descriptor.
    struct alignas(32) RequestSlot {
        u32 type;
        u32 reserved;
        u64 sector;
        u8 status;
    };

    // A transfer's memory: a kernel buffer (any mapping) or whole pages.
    struct DataSource {
        u8* buffer = nullptr;
        Page* const* pages = nullptr;
        usize bytes = 0;
        // The physical address of byte `offset` and how far it stays contiguous.
        bool piece(usize offset, PhysAddr* phys, usize* length) const;
    };

    ErrorOr initialise(pci::Device& device);
    ErrorOr transfer(u32 type, u64 sector, const DataSource& data);
    // Places one request for as much of the data from `offset` as one can carry (whole
    // sectors); waits for ring space. Returns the bytes the request covers.
    Result<usize> submit(u32 type, u64 sector, const DataSource& data, usize offset, Completion& completion);
    void wait(Completion& completion);
    void process_completions();
    static void interrupt(void* context);
    bool can_sleep() const;

    PciTransport m_transport;
    Queue m_queue;
    RequestSlot* m_slots = nullptr;
    PhysAddr m_slots_phys = 0;
    Completion** m_waiting = nullptr;  // by head descriptor
    SpinLock m_lock;                   // the ring, slots and m_waiting
    WaitQueue m_completed;
    WaitQueue m_space;
    char m_name[block::NAME_BYTES] = {};
    char m_serial[24] = {};
    u64 m_capacity = 0;
    u32 m_first_minor = 0;
    u32 m_size_max = 0;
    u32 m_seg_max = MAX_SEGMENTS;
    bool m_read_only = false;
    bool m_has_flush = false;
    bool m_intx = false;
    u64 m_requests_completed = 0;
};

void register_pci_driver();
// The disk whose serial number (QEMU's -device virtio-blk-pci,serial=) is `serial`.
VirtioBlock* find_block_device(kstd::string_view serial);

}  // namespace virtio
