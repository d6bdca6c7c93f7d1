// Debugging: deliberate crashes on request (`lkdtm=NAME`, after Linux's Kernel Dump Test
// Module), so the integration tests can check what a panic, an oops or a stack overflow
// looks like and that panic= reboots.
#pragma once

#include "lib/kstd.h"

namespace lkdtm {
// Triggers the named crash; returns (with a log line) only for an unknown name.
void trigger(kstd::string_view name);
}  // namespace lkdtm
