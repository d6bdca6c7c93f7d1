// ACPI: the kernel's view of the firmware tables, found at boot (see tables.h for the
// parsing). Other subsystems ask here for CPUs and interrupt routing (MADT), timers
// (HPET), PCIe configuration space (MCFG) and power control (FADT, \_S5).
#pragma once

#include "acpi/tables.h"
#include "init/boot_info.h"

namespace acpi {

// Finds the RSDP (the boot loader's copy, else the BIOS areas) and parses the tables.
// Returns false when the machine has no usable ACPI; the kernel then runs without it.
bool init(const BootInfo& boot);
bool available();

const TableSet& tables();
const MadtInfo* madt();  // null when absent
const FadtInfo* fadt();
const HpetInfo* hpet();
const McfgInfo* mcfg();

// Enters S5 through PM1 control; returns only when that failed.
void power_off();
// Writes the FADT reset register; returns only when that failed or is unsupported.
void reset();

// Prints the RSDP and every table as hex lines "ACPIDUMP <signature> <phys> <offset> <bytes>"
// (acpi.dump on the command line),
// which tools/capture_acpi.sh turns into the host tests' fixtures.
void dump_tables();

}  // namespace acpi
