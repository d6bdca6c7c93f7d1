// Drivers, PCI: a device's configuration registers, capabilities and BAR mappings
// (see pci.h).
#include "drivers/pci/config_space.h"
#include "lib/format.h"
#include "log/klog.h"
#include "mm/kernel_vm.h"

namespace pci {

void Device::set_name() {
    klib::snprintf(m_name, sizeof(m_name), "%04x:%02x:%02x.%u", address.segment, address.bus, address.device,
                   address.function);
}

u8 Device::read8(u16 offset) const { return static_cast<u8>(config::read(address, offset, 1)); }
u16 Device::read16(u16 offset) const { return static_cast<u16>(config::read(address, offset, 2)); }
u32 Device::read32(u16 offset) const { return config::read(address, offset, 4); }
void Device::write8(u16 offset, u8 value) const { config::write(address, offset, value, 1); }
void Device::write16(u16 offset, u16 value) const { config::write(address, offset, value, 2); }
void Device::write32(u16 offset, u32 value) const { config::write(address, offset, value, 4); }

u8 Device::find_capability(u8 id, u8 after) const {
    if (!(read16(PCI_STATUS) & PCI_STATUS_CAP_LIST)) return 0;
    u8 offset = after ? read8(after + PCI_CAP_LIST_NEXT) : read8(PCI_CAPABILITY_LIST);
    // The list lives in the 192 bytes after the header; 48 steps bound a looping list.
    for (int steps = 0; steps < 48 && offset >= PCI_STD_HEADER_SIZEOF; steps++) {
        offset &= 0xfc;
        if (read8(offset + PCI_CAP_LIST_ID) == id) return offset;
        offset = read8(offset + PCI_CAP_LIST_NEXT);
    }
    return 0;
}

void Device::enable(bool bus_master) const {
    u16 command = read16(PCI_COMMAND);
    u16 wanted = command;
    for (const Bar& bar : bars) {
        if (bar.kind == BarKind::Io) wanted |= PCI_COMMAND_IO;
        if (bar.is_memory()) wanted |= PCI_COMMAND_MEMORY;
    }
    if (bus_master) wanted |= PCI_COMMAND_MASTER;
    if (wanted != command) write16(PCI_COMMAND, wanted);
}

Result<volatile u8*> Device::map_bar(unsigned index) {
    if (index >= PCI_STD_NUM_BARS || !bars[index].is_memory()) return err(EINVAL);
    if (m_bar_mappings[index]) return m_bar_mappings[index];
    const Bar& bar = bars[index];
    if (!bar.address || !bar.size) {
        pr_err("pci %s: BAR %u is not assigned by the firmware", m_name, index);
        return err(ENODEV);
    }
    void* mapped = TRY(mm::ioremap(bar.address, bar.size, mm::Caching::Uncached));
    m_bar_mappings[index] = static_cast<volatile u8*>(mapped);
    return m_bar_mappings[index];
}

}  // namespace pci
