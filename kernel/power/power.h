// Power: turning the machine off and restarting it.
//
// ACPI first (FADT's PM1 control for S5, its reset register), then the architecture's
// fallbacks. A power-off makes QEMU exit with status 0.
#pragma once

[[noreturn]] void machine_power_off();
[[noreturn]] void machine_restart();
