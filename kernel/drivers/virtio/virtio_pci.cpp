// Drivers, virtio: the modern PCI transport (see virtio_pci.h).
#include "drivers/virtio/virtio_pci.h"

#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>

#include "arch/cpu.h"
#include "lib/string.h"
#include "log/klog.h"
#include "mm/pmm.h"

namespace virtio {
namespace {

template <typename T>
T mmio_read(volatile u8* address) {
    return *reinterpret_cast<volatile T*>(address);
}
template <typename T>
void mmio_write(volatile u8* address, T value) {
    *reinterpret_cast<volatile T*>(address) = value;
}

#define COMMON(field) offsetof(virtio_pci_common_cfg, field)

}  // namespace

Result<PciTransport::Region> PciTransport::map_capability(u8 capability) {
    u8 bar = m_device->read8(capability + VIRTIO_PCI_CAP_BAR);
    u32 offset = m_device->read32(capability + VIRTIO_PCI_CAP_OFFSET);
    u32 length = m_device->read32(capability + VIRTIO_PCI_CAP_LENGTH);
    if (bar >= PCI_STD_NUM_BARS || !m_device->bars[bar].is_memory()) return err(ENODEV);
    if (u64(offset) + length > m_device->bars[bar].size) {
        pr_err("virtio-pci %s: capability at 0x%x lies outside BAR %u", name(), capability, bar);
        return err(ENODEV);
    }
    volatile u8* base = TRY(m_device->map_bar(bar));
    return Region{base + offset, length};
}

ErrorOr PciTransport::attach(pci::Device& device) {
    m_device = &device;
    // Each structure is described by a vendor-specific capability; the first of each
    // type that the driver can use wins (virtio 1.1, 4.1.4).
    for (u8 cap = device.find_capability(PCI_CAP_ID_VNDR); cap;
         cap = device.find_capability(PCI_CAP_ID_VNDR, cap)) {
        u8 type = device.read8(cap + VIRTIO_PCI_CAP_CFG_TYPE);
        Region* target = type == VIRTIO_PCI_CAP_COMMON_CFG   ? &m_common
                         : type == VIRTIO_PCI_CAP_NOTIFY_CFG ? &m_notify
                         : type == VIRTIO_PCI_CAP_ISR_CFG    ? &m_isr
                         : type == VIRTIO_PCI_CAP_DEVICE_CFG ? &m_device_config
                                                             : nullptr;
        if (!target || target->base) continue;
        auto region = map_capability(cap);
        if (region.is_error()) continue;
        *target = region.value();
        if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
            m_notify_multiplier = device.read32(cap + offsetof(virtio_pci_notify_cap, notify_off_multiplier));
    }
    if (!m_common.base || !m_notify.base || !m_isr.base) {
        pr_err(
            "virtio-pci %s: legacy-only device [%04x:%04x] (no virtio 1.0 capabilities): not supported; "
            "use a modern or transitional device (QEMU: disable-legacy=on, or the default)",
            name(), device.vendor_id, device.device_id);
        return err(ENODEV);
    }
    if (m_common.length < sizeof(virtio_pci_common_cfg)) {
        pr_err("virtio-pci %s: common configuration too small (%u bytes)", name(), m_common.length);
        return err(ENODEV);
    }
    device.enable(true);
    return {};
}

Result<u64> PciTransport::negotiate(u64 wanted) {
    mmio_write<u8>(common(COMMON(device_status)), 0);  // reset
    for (int i = 0; i < 1000000 && mmio_read<u8>(common(COMMON(device_status))) != 0; i++) arch::cpu_relax();
    mmio_write<u8>(common(COMMON(device_status)), VIRTIO_CONFIG_S_ACKNOWLEDGE);
    mmio_write<u8>(common(COMMON(device_status)), VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);

    u64 offered = 0;
    for (u32 word = 0; word < 2; word++) {
        mmio_write<u32>(common(COMMON(device_feature_select)), word);
        offered |= u64(mmio_read<u32>(common(COMMON(device_feature)))) << (32 * word);
    }
    if (!(offered & (1ull << VIRTIO_F_VERSION_1))) {
        pr_err("virtio-pci %s: device does not offer VIRTIO_F_VERSION_1 (features %#lx)", name(), offered);
        fail();
        return err(ENODEV);
    }
    // Without an IOMMU, physical addresses are what the platform translates to.
    u64 accepted = offered & (wanted | (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_ACCESS_PLATFORM));
    for (u32 word = 0; word < 2; word++) {
        mmio_write<u32>(common(COMMON(guest_feature_select)), word);
        mmio_write<u32>(common(COMMON(guest_feature)), static_cast<u32>(accepted >> (32 * word)));
    }
    u8 status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK;
    mmio_write<u8>(common(COMMON(device_status)), status);
    if (!(mmio_read<u8>(common(COMMON(device_status))) & VIRTIO_CONFIG_S_FEATURES_OK)) {
        pr_err("virtio-pci %s: device refused features %#lx", name(), accepted);
        fail();
        return err(ENODEV);
    }
    return accepted;
}

Result<pci::InterruptKind> PciTransport::request_interrupt(arch::IrqHandler handler, void* context,
                                                           const char* name) {
    pci::InterruptKind kind = TRY(m_device->request_interrupt(0, handler, context, name));
    m_msix = kind == pci::InterruptKind::MsiX;
    // Configuration changes (resize) are not acted on: no vector for them.
    mmio_write<u16>(common(COMMON(msix_config)), VIRTIO_MSI_NO_VECTOR);
    return kind;
}

ErrorOr PciTransport::setup_queue(u16 index, u16 max_size, Queue& queue) {
    mmio_write<u16>(common(COMMON(queue_select)), index);
    u16 device_size = mmio_read<u16>(common(COMMON(queue_size)));
    if (device_size == 0) return err(ENOENT);
    // Split rings need a power of two; take the largest that fits both limits.
    u16 size = static_cast<u16>(kstd::bit_floor(static_cast<u32>(kstd::min(device_size, max_size))));
    usize descriptors = SplitRing::descriptor_bytes(size);
    usize available_at = descriptors;
    usize used_at = kstd::align_up<usize>(available_at + SplitRing::available_bytes(size), 4);
    usize total = used_at + SplitRing::used_bytes(size);
    unsigned order = 0;
    while ((PAGE_SIZE << order) < total) order++;
    Page* pages = mm::alloc_pages(order);
    if (!pages) return err(ENOMEM);
    u8* memory = static_cast<u8*>(mm::page_address(pages));
    memset(memory, 0, PAGE_SIZE << order);
    PhysAddr phys = mm::page_to_phys(pages);
    queue.index = index;
    queue.pages = pages;
    queue.order = order;
    queue.ring.init(size, reinterpret_cast<vring_desc*>(memory),
                    reinterpret_cast<vring_avail*>(memory + available_at),
                    reinterpret_cast<vring_used*>(memory + used_at));

    mmio_write<u16>(common(COMMON(queue_size)), size);
    if (m_msix) {
        mmio_write<u16>(common(COMMON(queue_msix_vector)), 0);
        if (mmio_read<u16>(common(COMMON(queue_msix_vector))) != 0) {
            pr_err("virtio-pci %s: queue %u refused its MSI-X vector", name(), index);
            mm::free_pages(pages, order);
            return err(EBUSY);
        }
    } else {
        mmio_write<u16>(common(COMMON(queue_msix_vector)), VIRTIO_MSI_NO_VECTOR);
    }
    auto write64 = [&](usize low, u64 value) {
        mmio_write<u32>(common(low), static_cast<u32>(value));
        mmio_write<u32>(common(low + 4), static_cast<u32>(value >> 32));
    };
    write64(COMMON(queue_desc_lo), phys);
    write64(COMMON(queue_avail_lo), phys + available_at);
    write64(COMMON(queue_used_lo), phys + used_at);
    u16 notify_offset = mmio_read<u16>(common(COMMON(queue_notify_off)));
    u64 notify_at = u64(notify_offset) * m_notify_multiplier;
    if (notify_at + 2 > m_notify.length) {
        pr_err("virtio-pci %s: queue %u notification address outside its capability", name(), index);
        mm::free_pages(pages, order);
        return err(ENODEV);
    }
    queue.notify = reinterpret_cast<volatile u16*>(m_notify.base + notify_at);
    mmio_write<u16>(common(COMMON(queue_enable)), 1);
    return {};
}

void PciTransport::driver_ok() {
    u8 status = mmio_read<u8>(common(COMMON(device_status)));
    mmio_write<u8>(common(COMMON(device_status)), status | VIRTIO_CONFIG_S_DRIVER_OK);
}

void PciTransport::fail() {
    u8 status = mmio_read<u8>(common(COMMON(device_status)));
    mmio_write<u8>(common(COMMON(device_status)), status | VIRTIO_CONFIG_S_FAILED);
}

void PciTransport::notify(Queue& queue) { *queue.notify = queue.index; }

u8 PciTransport::read_isr() { return mmio_read<u8>(m_isr.base); }

void PciTransport::read_device_config(u16 offset, void* out, usize length) {
    auto* bytes = static_cast<u8*>(out);
    if (!m_device_config.base || offset + length > m_device_config.length) {
        memset(out, 0, length);
        return;
    }
    // Retry while the device changes its configuration under us (virtio 1.1, 2.4.1).
    for (int attempt = 0; attempt < 100; attempt++) {
        u8 before = mmio_read<u8>(common(COMMON(config_generation)));
        // Fields are read at their natural width, as the specification asks.
        volatile u8* from = m_device_config.base + offset;
        if (offset % 4 == 0 && length % 4 == 0) {
            for (usize i = 0; i < length; i += 4) {
                u32 word = mmio_read<u32>(from + i);
                memcpy(bytes + i, &word, 4);
            }
        } else if (offset % 2 == 0 && length % 2 == 0) {
            for (usize i = 0; i < length; i += 2) {
                u16 half = mmio_read<u16>(from + i);
                memcpy(bytes + i, &half, 2);
            }
        } else {
            for (usize i = 0; i < length; i++) bytes[i] = mmio_read<u8>(from + i);
        }
        if (mmio_read<u8>(common(COMMON(config_generation))) == before) return;
    }
}

}  // namespace virtio
