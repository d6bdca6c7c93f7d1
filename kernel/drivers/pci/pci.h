// Drivers: the PCI bus — configuration space access (ECAM from the ACPI MCFG table on
// PCIe machines such as QEMU's q35, configuration mechanism #1 through ports 0xcf8/0xcfc
// on the i440fx), enumeration behind bridges, BARs, capabilities, and interrupts (MSI-X,
// or the legacy INTx line the firmware wrote into the interrupt line register).
//
// Register numbers and bits come from <linux/pci_regs.h>. Devices are found once at boot
// (no hotplug); drivers register before pci::init() and are offered every device.
#pragma once

#include <linux/pci_regs.h>

#include "arch/interrupts.h"
#include "lib/list.h"
#include "lib/result.h"
#include "lib/types.h"

namespace pci {

struct Address {
    u16 segment = 0;
    u8 bus = 0;
    u8 device = 0;
    u8 function = 0;
};

enum class BarKind : u8 { None, Memory32, Memory64, Io };

struct Bar {
    BarKind kind = BarKind::None;
    bool prefetchable = false;
    u64 address = 0;  // bus address as the firmware assigned it (0: unassigned)
    u64 size = 0;
    bool is_memory() const { return kind == BarKind::Memory32 || kind == BarKind::Memory64; }
};

enum class InterruptKind : u8 { None, MsiX, Intx };

class Device {
public:
    Address address;
    u16 vendor_id = 0;
    u16 device_id = 0;
    u16 subsystem_vendor_id = 0;
    u16 subsystem_id = 0;
    u8 class_code = 0;
    u8 subclass = 0;
    u8 prog_if = 0;
    u8 revision = 0;
    u8 header_type = 0;
    u8 interrupt_line = 0;  // what the firmware routed INTx to (0xff: none)
    u8 interrupt_pin = 0;   // 1..4 = INTA..INTD, 0 = none
    Bar bars[PCI_STD_NUM_BARS];
    void* driver_data = nullptr;
    ListNode node;

    // "0000:00:04.0", as Linux names devices.
    const char* name() const { return m_name; }

    u8 read8(u16 offset) const;
    u16 read16(u16 offset) const;
    u32 read32(u16 offset) const;
    void write8(u16 offset, u8 value) const;
    void write16(u16 offset, u16 value) const;
    void write32(u16 offset, u32 value) const;

    // Offset of the first capability with `id` after `after` (0: from the start), or 0.
    u8 find_capability(u8 id, u8 after = 0) const;
    // Turns on memory/I-O decoding and bus mastering (DMA).
    void enable(bool bus_master) const;
    // Maps a memory BAR (uncached), caching the mapping: every caller gets the same one.
    Result<volatile u8*> map_bar(unsigned index);

    // One interrupt for the device: MSI-X table entry `msix_entry` when the device has
    // MSI-X (and `pci=nomsi` is not on the command line), else its INTx line, which
    // other devices may share. Returns which kind it set up.
    Result<InterruptKind> request_interrupt(u16 msix_entry, arch::IrqHandler handler, void* context,
                                            const char* name);
    InterruptKind interrupt_kind() const { return m_interrupt_kind; }

    void set_name();

private:
    volatile u8* m_bar_mappings[PCI_STD_NUM_BARS] = {};
    InterruptKind m_interrupt_kind = InterruptKind::None;
    char m_name[16] = {};
};

// A driver: offered each device in turn; `probe` returns ENODEV to decline it.
struct Driver {
    const char* name;
    bool (*matches)(const Device& device);
    ErrorOr (*probe)(Device& device);
    ListNode node;
};
void register_driver(Driver& driver);

// Enumerates every bus, logs each device and binds drivers.
void init();
// `pci=nomsi`: drivers get INTx even when a device has MSI-X.
void set_msi_disabled(bool disabled);
template <typename Fn>
void for_each_device(Fn&& fn);
Device* first_device();
Device* next_device(Device& device);
template <typename Fn>
void for_each_device(Fn&& fn) {
    for (Device* d = first_device(); d; d = next_device(*d)) fn(*d);
}

}  // namespace pci
