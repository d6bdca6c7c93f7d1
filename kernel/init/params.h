// Kernel init: the command-line parameters the kernel itself consumes.
//
// Everything else goes to init (lib/cmdline.h's build_init_arguments), as on Linux.
#pragma once

#include "lib/cmdline.h"

namespace init {

extern klib::CommandLine g_cmdline;

bool is_kernel_param(kstd::string_view name);

// Applies console=, loglevel=, quiet, debug and panic= (Linux's semantics).
void apply_early_params();

// The serial port and speed named by the last console=ttySn[,baud] (ttyS0 otherwise).
struct ConsoleChoice {
    unsigned port = 0;
    u32 baud = 115200;
};
ConsoleChoice console_choice();

}  // namespace init
