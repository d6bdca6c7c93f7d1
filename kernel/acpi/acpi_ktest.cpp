// In-kernel tests: what the machine's ACPI tables told us.
#include "acpi/acpi.h"
#include "ktest/ktest.h"

KTEST(acpi, tables_describe_this_machine) {
    KASSERT_TRUE(acpi::available());
    KASSERT_TRUE(acpi::madt() != nullptr);
    KEXPECT(acpi::madt()->cpu_count >= 1);
    KEXPECT(acpi::madt()->ioapic_count >= 1);
    KASSERT_TRUE(acpi::fadt() != nullptr);
    KEXPECT(acpi::fadt()->pm1a_control.address != 0);
    KEXPECT(acpi::tables().dsdt() != nullptr);
}
