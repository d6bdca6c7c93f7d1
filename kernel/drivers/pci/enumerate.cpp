// Drivers, PCI: enumeration — every function on every bus reachable from the host
// bridge, through PCI-to-PCI bridges, with its BARs sized and a log line per device in
// Linux's words; then each driver is offered each device.
#include "drivers/pci/config_space.h"
#include "log/klog.h"
#include "mm/kmalloc.h"

namespace pci {
namespace {

IntrusiveList<Device, &Device::node> g_devices;
IntrusiveList<Driver, &Driver::node> g_drivers;
u8 g_buses_seen[256 / 8];

bool bus_seen(u8 bus) { return g_buses_seen[bus / 8] & (1 << (bus % 8)); }
void mark_bus(u8 bus) { g_buses_seen[bus / 8] |= static_cast<u8>(1 << (bus % 8)); }

// Sizes BAR `index` (PCI 3.0, 6.2.5.1: write all ones, read back the writable bits) with
// decoding off, so the device never answers at the probe address. Returns how many
// BAR slots it used (2 for a 64-bit memory BAR).
unsigned size_bar(Device& device, unsigned index, unsigned limit) {
    u16 offset = static_cast<u16>(PCI_BASE_ADDRESS_0 + index * 4);
    u32 original = device.read32(offset);
    device.write32(offset, 0xffffffff);
    u32 mask = device.read32(offset);
    device.write32(offset, original);
    Bar& bar = device.bars[index];
    if (mask == 0 || mask == 0xffffffff) return 1;  // the device has no BAR here
    if (original & PCI_BASE_ADDRESS_SPACE_IO) {
        bar.kind = BarKind::Io;
        bar.address = original & PCI_BASE_ADDRESS_IO_MASK;
        u32 size_mask = (mask & PCI_BASE_ADDRESS_IO_MASK) | 0xffff0000u;
        bar.size = (~size_mask + 1) & 0xffff;
        return 1;
    }
    bar.prefetchable = original & PCI_BASE_ADDRESS_MEM_PREFETCH;
    u64 address = original & PCI_BASE_ADDRESS_MEM_MASK;
    u64 size_mask = mask & PCI_BASE_ADDRESS_MEM_MASK;
    unsigned used = 1;
    if ((original & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64 && index + 1 < limit) {
        u16 high_offset = offset + 4;
        u32 high = device.read32(high_offset);
        device.write32(high_offset, 0xffffffff);
        u32 high_mask = device.read32(high_offset);
        device.write32(high_offset, high);
        address |= u64(high) << 32;
        size_mask |= u64(high_mask) << 32;
        bar.kind = BarKind::Memory64;
        used = 2;
    } else {
        size_mask |= 0xffffffff00000000ull;
        bar.kind = BarKind::Memory32;
    }
    bar.address = address;
    bar.size = ~size_mask + 1;
    return used;
}

void log_bar(const Device& device, unsigned index) {
    const Bar& bar = device.bars[index];
    if (bar.kind == BarKind::None || !bar.size) return;
    u16 reg = static_cast<u16>(PCI_BASE_ADDRESS_0 + index * 4);
    if (bar.kind == BarKind::Io) {
        pr_info("pci %s: reg 0x%x: [io  0x%04lx-0x%04lx]", device.name(), reg, bar.address,
                bar.address + bar.size - 1);
    } else {
        pr_info("pci %s: reg 0x%x: [mem 0x%08lx-0x%08lx%s%s]", device.name(), reg, bar.address,
                bar.address + bar.size - 1, bar.kind == BarKind::Memory64 ? " 64bit" : "",
                bar.prefetchable ? " pref" : "");
    }
}

void scan_bus(u16 segment, u8 bus);

void add_function(u16 segment, u8 bus, u8 slot, u8 function, u32 id) {
    Device* device = new (kstd::nothrow) Device;
    if (!device) {
        pr_err("pci: out of memory for device %02x:%02x.%u", bus, slot, function);
        return;
    }
    device->address = Address{segment, bus, slot, function};
    device->set_name();
    device->vendor_id = static_cast<u16>(id);
    device->device_id = static_cast<u16>(id >> 16);
    u32 class_revision = device->read32(PCI_CLASS_REVISION);
    device->revision = static_cast<u8>(class_revision);
    device->prog_if = static_cast<u8>(class_revision >> 8);
    device->subclass = static_cast<u8>(class_revision >> 16);
    device->class_code = static_cast<u8>(class_revision >> 24);
    device->header_type = device->read8(PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MASK;
    device->interrupt_line = device->read8(PCI_INTERRUPT_LINE);
    device->interrupt_pin = device->read8(PCI_INTERRUPT_PIN);
    pr_info("pci %s: [%04x:%04x] type %02x class 0x%02x%02x%02x", device->name(), device->vendor_id,
            device->device_id, device->header_type, device->class_code, device->subclass, device->prog_if);

    unsigned bar_count = device->header_type == PCI_HEADER_TYPE_NORMAL   ? 6
                         : device->header_type == PCI_HEADER_TYPE_BRIDGE ? 2
                                                                         : 0;
    if (bar_count) {
        u16 command = device->read16(PCI_COMMAND);
        device->write16(PCI_COMMAND, command & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
        for (unsigned i = 0; i < bar_count;) i += size_bar(*device, i, bar_count);
        device->write16(PCI_COMMAND, command);
        for (unsigned i = 0; i < bar_count; i++) log_bar(*device, i);
    }
    if (device->header_type == PCI_HEADER_TYPE_NORMAL) {
        device->subsystem_vendor_id = device->read16(PCI_SUBSYSTEM_VENDOR_ID);
        device->subsystem_id = device->read16(PCI_SUBSYSTEM_ID);
    }
    g_devices.push_back(*device);

    if (device->header_type == PCI_HEADER_TYPE_BRIDGE) {
        u8 secondary = device->read8(PCI_SECONDARY_BUS);
        u8 subordinate = device->read8(PCI_SUBORDINATE_BUS);
        pr_info("pci %s: PCI bridge to [bus %02x-%02x]", device->name(), secondary, subordinate);
        // Bus numbers are the firmware's; a bridge it left unconfigured (0) is skipped.
        if (secondary > bus) scan_bus(segment, secondary);
    }
}

void scan_bus(u16 segment, u8 bus) {
    if (bus_seen(bus) || bus < config::first_bus(segment) || bus > config::last_bus(segment)) return;
    mark_bus(bus);
    for (u8 slot = 0; slot < 32; slot++) {
        Address function0{segment, bus, slot, 0};
        u32 id = config::read(function0, PCI_VENDOR_ID, 4);
        if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0) continue;
        bool multifunction = config::read(function0, PCI_HEADER_TYPE, 1) & 0x80;
        add_function(segment, bus, slot, 0, id);
        for (u8 function = 1; multifunction && function < 8; function++) {
            u32 other = config::read(Address{segment, bus, slot, function}, PCI_VENDOR_ID, 4);
            if ((other & 0xffff) != 0xffff && (other & 0xffff) != 0)
                add_function(segment, bus, slot, function, other);
        }
    }
}

void offer(Device& device) {
    for (Driver& driver : g_drivers) {
        if (!driver.matches(device)) continue;
        auto probed = driver.probe(device);
        if (!probed.is_error()) return;
        if (probed.error().code() != ENODEV)
            pr_err("%s %s: probe failed with error %d", driver.name, device.name(), probed.error().code());
    }
}

}  // namespace

void register_driver(Driver& driver) { g_drivers.push_back(driver); }

void init() {
    config::init();
    scan_bus(0, config::first_bus(0));
    usize count = 0;
    for_each_device([&](Device&) { count++; });
    pr_info("PCI: %zu device(s) on %s", count, config::mechanism());
    for_each_device([](Device& device) { offer(device); });
}

Device* first_device() { return g_devices.first(); }
Device* next_device(Device& device) { return g_devices.next(device); }

}  // namespace pci
