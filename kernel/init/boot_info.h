// Kernel init: what the boot loader told us, in one protocol-neutral structure.
//
// arch code fills it from PVH's hvm_start_info or from Multiboot2's tags before anything
// else runs, copying everything it needs: the loader's own memory is free to reuse after.
#pragma once

#include "lib/cmdline.h"
#include "lib/kstd.h"
#include "lib/types.h"

// E820 numbering, which both PVH and Multiboot2 use.
enum class MemoryType : u32 {
    Usable = 1,
    Reserved = 2,
    AcpiReclaimable = 3,
    AcpiNvs = 4,
    Unusable = 5,
    Disabled = 6,
    Persistent = 7,
};

struct MemoryRegion {
    PhysAddr base;
    u64 size;
    MemoryType type;
};

struct BootInfo {
    static constexpr usize MAX_MEMORY_REGIONS = 128;

    const char* protocol = "unknown";
    char bootloader[64] = {};
    char cmdline[klib::COMMAND_LINE_SIZE] = {};
    MemoryRegion memory[MAX_MEMORY_REGIONS] = {};
    usize memory_count = 0;
    PhysAddr initrd_base = 0;
    u64 initrd_size = 0;
    // A copy of the ACPI RSDP when the loader handed one over (Multiboot2 copies it, PVH
    // gives its address); otherwise ACPI searches the BIOS areas.
    u8 rsdp[36] = {};
    bool has_rsdp = false;

    kstd::span<const MemoryRegion> memory_map() const { return {memory, memory_count}; }
};

// Filled by the architecture's entry code before kernel_main runs.
extern BootInfo g_boot_info;

const char* memory_type_name(MemoryType type);
