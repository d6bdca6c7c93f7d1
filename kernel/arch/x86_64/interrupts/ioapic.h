// x86_64 interrupts: I/O APICs, which route device interrupt lines (GSIs) to vectors,
// and the legacy 8259 PICs, which are masked for good.
#pragma once

#include "acpi/tables.h"
#include "lib/types.h"

namespace x86::ioapic {

void init(const acpi::MadtInfo& madt);
bool ready();

enum class Trigger : u8 { Edge, Level };
enum class Polarity : u8 { High, Low };
// Routes a global system interrupt to `vector` on the boot CPU.
bool route(u32 gsi, u8 vector, Trigger trigger, Polarity polarity);
void mask(u32 gsi);
// The GSI, trigger and polarity of a legacy ISA IRQ, after the MADT's overrides.
void isa_irq_routing(u8 irq, u32* gsi, Trigger* trigger, Polarity* polarity);

}  // namespace x86::ioapic

namespace x86::pic {
// Remaps the 8259s away from the exception vectors and masks every line.
void disable();
}  // namespace x86::pic
