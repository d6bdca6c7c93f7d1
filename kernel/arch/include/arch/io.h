// Architecture interface: legacy port I/O, for the devices that have it (16550 UART,
// CMOS, PCI configuration mechanism #1, ACPI PM registers in I/O space).
#pragma once

#include "lib/types.h"

namespace arch {
u8 io_read8(u16 port);
u16 io_read16(u16 port);
u32 io_read32(u16 port);
void io_write8(u16 port, u8 value);
void io_write16(u16 port, u16 value);
void io_write32(u16 port, u32 value);
}  // namespace arch

#include "arch/x86_64/cpu/io_inline.h"
