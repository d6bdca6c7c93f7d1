// Drivers, PCI: configuration space access — the one place that knows how a
// (segment, bus, device, function, offset) reaches the hardware.
//
//  ECAM (PCI Express, ACPI MCFG): memory-mapped, 4 KiB per function, 1 MiB per bus;
//  mechanism #1 (PCI 3.0, 3.2.2.3.2): address to port 0xcf8, data through 0xcfc..0xcff,
//  256 bytes per function, segment 0 only.
#pragma once

#include "drivers/pci/pci.h"

namespace pci::config {

// Chooses ECAM when the MCFG table describes segment 0, else mechanism #1.
void init();
const char* mechanism();
// The highest bus the mechanism reaches on `segment` (ECAM: the MCFG range's end).
u8 last_bus(u16 segment);
u8 first_bus(u16 segment);

// width: 1, 2 or 4 bytes at a naturally aligned offset. A function that does not exist
// reads as all ones, as the hardware answers.
u32 read(const Address& address, u16 offset, unsigned width);
void write(const Address& address, u16 offset, u32 value, unsigned width);

}  // namespace pci::config
