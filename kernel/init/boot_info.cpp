// Kernel init: names for the boot memory map's region types (see boot_info.h).
#include "init/boot_info.h"

const char* memory_type_name(MemoryType type) {
    switch (type) {
    case MemoryType::Usable: return "usable";
    case MemoryType::Reserved: return "reserved";
    case MemoryType::AcpiReclaimable: return "ACPI data";
    case MemoryType::AcpiNvs: return "ACPI NVS";
    case MemoryType::Unusable: return "unusable";
    case MemoryType::Disabled: return "disabled";
    case MemoryType::Persistent: return "persistent";
    }
    return "unknown";
}
