// Architecture interface: probing whether an access would fault, without panicking.
//
// For in-kernel tests of the kernel's own protections (W^X, guard pages, SMAP/SMEP):
// the access runs once, and a fault is caught and reported instead of being fatal.
#pragma once

#include "lib/types.h"

namespace arch {
enum class ProbeResult { Ok, Faulted };
ProbeResult probe_read(uptr address);
// Writes back the byte that is there, so a successful probe changes nothing.
ProbeResult probe_write(uptr address);
// Calls `address` as a function taking and returning nothing.
ProbeResult probe_execute(uptr address);
}  // namespace arch
