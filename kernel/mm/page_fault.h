// Memory: resolving page faults on user addresses (demand paging, copy-on-write).
#pragma once

#include "mm/address_space.h"

namespace mm {
// Resolves a fault at a user address in the current process's address space.
FaultResult handle_user_fault(uptr address, Access access);
}  // namespace mm
