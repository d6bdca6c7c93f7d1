// Power: turning the machine off and restarting it (see power.h).
#include "power/power.h"

#include "acpi/acpi.h"
#include "arch/cpu.h"
#include "arch/platform.h"
#include "log/klog.h"

void machine_power_off() {
    pr_emerg("reboot: Power down");
    arch::disable_interrupts();
    acpi::power_off();
    pr_emerg("reboot: ACPI power-off failed; System halted");
    arch::halt_forever();
}

void machine_restart() {
    pr_emerg("reboot: Restarting system");
    arch::disable_interrupts();
    acpi::reset();
    arch::reset_fallback();
}
