// Drivers, PCI: device interrupts — MSI-X (PCI 3.0, 6.8.2) with a vector from the
// architecture, or the legacy INTx line.
//
// INTx routing: the firmware (SeaBIOS, OVMF) writes the IRQ it routed the device's pin
// to into the interrupt line register. On QEMU's i440fx the PIIX3 steers PIRQA-D to ISA
// IRQs 10/11 (5 and 9 too), and on q35 the ICH9 both raises that ISA IRQ and GSIs 16-23;
// both reach the IOAPIC pin of the same number, so the line register is used as the GSI.
// The exact answer is the ACPI _PRT, which needs an AML interpreter Strix does not have.
// INTx lines are level triggered and shared: every handler on a line runs on each
// interrupt and checks its own device.
#include "arch/cpu.h"
#include "drivers/pci/config_space.h"
#include "log/klog.h"

namespace pci {
namespace {

bool g_msi_disabled = false;

struct IntxLine {
    static constexpr usize MAX_HANDLERS = 8;
    u32 gsi = 0;
    bool installed = false;
    usize count = 0;
    struct {
        arch::IrqHandler handler;
        void* context;
    } handlers[MAX_HANDLERS];
};
constexpr usize MAX_LINES = 24;  // one IOAPIC's pins: what the line register can name
IntxLine g_lines[MAX_LINES];

void dispatch_intx(void* context) {
    auto* line = static_cast<IntxLine*>(context);
    for (usize i = 0; i < line->count; i++) line->handlers[i].handler(line->handlers[i].context);
}

ErrorOr request_intx(Device& device, arch::IrqHandler handler, void* context, const char* name) {
    u8 gsi = device.interrupt_line;
    if (device.interrupt_pin == 0 || gsi == 0 || gsi >= MAX_LINES) {
        pr_err("pci %s: no usable INTx line (pin %u, line %u)", device.name(), device.interrupt_pin, gsi);
        return err(ENODEV);
    }
    IntxLine& line = g_lines[gsi];
    if (line.count == IntxLine::MAX_HANDLERS) return err(EBUSY);
    {
        arch::InterruptGuard guard;
        line.gsi = gsi;
        line.handlers[line.count++] = {handler, context};
    }
    if (!line.installed) {
        if (auto requested = arch::request_gsi(gsi, dispatch_intx, &line, name); requested.is_error()) {
            arch::InterruptGuard guard;
            line.count--;
            return requested;
        }
        line.installed = true;
    }
    u16 command = device.read16(PCI_COMMAND);
    device.write16(PCI_COMMAND, command & ~PCI_COMMAND_INTX_DISABLE);
    pr_info("pci %s: INT%c routed to GSI %u%s", device.name(), 'A' + device.interrupt_pin - 1, gsi,
            line.count > 1 ? " (shared)" : "");
    return {};
}

ErrorOr request_msix(Device& device, u8 capability, u16 entry, arch::IrqHandler handler, void* context,
                     const char* name) {
    u16 control = device.read16(capability + PCI_MSIX_FLAGS);
    u16 table_size = (control & PCI_MSIX_FLAGS_QSIZE) + 1;
    if (entry >= table_size) return err(EINVAL);
    u32 table = device.read32(capability + PCI_MSIX_TABLE);
    unsigned bir = table & PCI_MSIX_TABLE_BIR;
    u32 table_offset = table & PCI_MSIX_TABLE_OFFSET;
    volatile u8* bar = TRY(device.map_bar(bir));
    if (u64(table_offset) + u64(table_size) * PCI_MSIX_ENTRY_SIZE > device.bars[bir].size) {
        pr_err("pci %s: MSI-X table outside BAR %u", device.name(), bir);
        return err(ENODEV);
    }
    arch::MsiMessage message = TRY(arch::request_msi(handler, context, name));

    // Mask the whole function while an entry changes, enable MSI-X, turn INTx off.
    device.write16(capability + PCI_MSIX_FLAGS, control | PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    device.write16(PCI_COMMAND, device.read16(PCI_COMMAND) | PCI_COMMAND_INTX_DISABLE);
    volatile u8* slot = bar + table_offset + u32(entry) * PCI_MSIX_ENTRY_SIZE;
    *reinterpret_cast<volatile u32*>(slot + PCI_MSIX_ENTRY_LOWER_ADDR) = static_cast<u32>(message.address);
    *reinterpret_cast<volatile u32*>(slot + PCI_MSIX_ENTRY_UPPER_ADDR) =
        static_cast<u32>(message.address >> 32);
    *reinterpret_cast<volatile u32*>(slot + PCI_MSIX_ENTRY_DATA) = message.data;
    *reinterpret_cast<volatile u32*>(slot + PCI_MSIX_ENTRY_VECTOR_CTRL) = 0;  // unmasked
    device.write16(capability + PCI_MSIX_FLAGS, (control | PCI_MSIX_FLAGS_ENABLE) & ~PCI_MSIX_FLAGS_MASKALL);
    pr_info("pci %s: MSI-X entry %u of %u -> vector %u", device.name(), entry, table_size,
            message.data & 0xff);
    return {};
}

}  // namespace

void set_msi_disabled(bool disabled) { g_msi_disabled = disabled; }

Result<InterruptKind> Device::request_interrupt(u16 msix_entry, arch::IrqHandler handler, void* context,
                                                const char* name) {
    u8 msix = g_msi_disabled ? 0 : find_capability(PCI_CAP_ID_MSIX);
    if (msix) {
        auto requested = request_msix(*this, msix, msix_entry, handler, context, name);
        if (!requested.is_error()) {
            m_interrupt_kind = InterruptKind::MsiX;
            return InterruptKind::MsiX;
        }
        pr_warn("pci %s: MSI-X failed (error %d); falling back to INTx", this->name(),
                requested.error().code());
    }
    TRY(request_intx(*this, handler, context, name));
    m_interrupt_kind = InterruptKind::Intx;
    return InterruptKind::Intx;
}

}  // namespace pci
