// Drivers, virtio: the virtio 1.x PCI transport (virtio 1.1, 4.1) — the vendor
// capabilities that locate the common, notification, ISR and device configuration
// structures in the BARs; device status and feature negotiation; split virtqueues
// (allocation, registration, notification); and the interrupt (MSI-X or INTx).
//
// Modern devices only: a legacy-only device (no virtio capabilities, as QEMU's
// disable-modern=on) is refused with a log line. Transitional devices (QEMU's default)
// offer both interfaces and are driven through the modern one.
#pragma once

#include "drivers/pci/pci.h"
#include "drivers/virtio/split_ring.h"
#include "mm/page.h"

namespace virtio {

class PciTransport;

// One virtqueue: the ring memory, its arithmetic and how to notify the device.
struct Queue {
    u16 index = 0;
    SplitRing ring;
    volatile u16* notify = nullptr;
    Page* pages = nullptr;  // descriptor, available and used areas, physically contiguous
    unsigned order = 0;
};

class PciTransport {
public:
    // Finds the capabilities and maps them; ENODEV (logged) when the device is not a
    // virtio 1.x device.
    ErrorOr attach(pci::Device& device);
    pci::Device& pci_device() const { return *m_device; }
    const char* name() const { return m_device->name(); }

    // Reset, ACKNOWLEDGE | DRIVER, then negotiation: accepts the intersection of what the
    // device offers and `wanted` (VIRTIO_F_VERSION_1 is required); FEATURES_OK must stick.
    // Returns the accepted features.
    Result<u64> negotiate(u64 wanted);
    // Sets up queue `index` with up to `max_size` entries. The interrupt must be
    // requested first (request_interrupt), so the queue can be bound to its MSI-X entry.
    ErrorOr setup_queue(u16 index, u16 max_size, Queue& queue);
    void driver_ok();
    void fail();
    void notify(Queue& queue);

    // MSI-X entry 0 for all queues, or INTx (whose handler must call read_isr()).
    Result<pci::InterruptKind> request_interrupt(arch::IrqHandler handler, void* context, const char* name);
    // Reading the ISR acknowledges (and deasserts) an INTx interrupt; bit 0: queue.
    u8 read_isr();

    // Device-specific configuration, read consistently (config_generation unchanged).
    void read_device_config(u16 offset, void* out, usize length);

private:
    struct Region {
        volatile u8* base = nullptr;
        u32 length = 0;
    };
    Result<Region> map_capability(u8 capability);
    volatile u8* common(usize offset) const { return m_common.base + offset; }

    pci::Device* m_device = nullptr;
    Region m_common, m_notify, m_isr, m_device_config;
    u32 m_notify_multiplier = 0;
    bool m_msix = false;
};

}  // namespace virtio
