// Architecture interface: the vDSO — code and a read-only data page the kernel maps into
// every process so that reading the clocks needs no system call (docs/vdso.md).
#pragma once

#include "lib/result.h"
#include "lib/types.h"

class AddressSpace;

namespace arch {
// Copies the vDSO image linked into the kernel into its own pages; once, at boot, before
// the first exec.
void vdso_init();
// Maps [vvar] (read-only) and [vdso] (read+execute) into a new address space (its lock
// held); returns the vDSO's address, which the auxiliary vector names as AT_SYSINFO_EHDR,
// or 0 when booted with vdso=0.
Result<uptr> vdso_map(AddressSpace& space);
// Republishes the clock parameters (after calibration, or when the wall clock is set).
void vdso_update_clock();
}  // namespace arch
