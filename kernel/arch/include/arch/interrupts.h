// Architecture interface: device interrupts.
//
// Drivers name their interrupt the way their bus does (a legacy ISA IRQ, an ACPI GSI) or
// ask for a message-signalled one, and get their handler called in interrupt context.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace arch {

using IrqHandler = void (*)(void* context);

ErrorOr request_isa_irq(u8 irq, IrqHandler handler, void* context, const char* name);
// PCI INTx lines: level triggered, active low.
ErrorOr request_gsi(u32 gsi, IrqHandler handler, void* context, const char* name);

struct MsiMessage {
    u64 address;
    u32 data;
};
// A vector for one MSI/MSI-X message; the device is programmed with the returned message.
Result<MsiMessage> request_msi(IrqHandler handler, void* context, const char* name);

}  // namespace arch
