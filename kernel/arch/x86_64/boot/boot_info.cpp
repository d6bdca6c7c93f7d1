// x86_64 boot: reading the PVH and Multiboot2 boot information into BootInfo.
//
// Runs first, on the boot page tables, which map physical 0..4 GiB at DIRECT_MAP_BASE;
// every structure the loaders pass lives below 4 GiB.
#include "init/boot_info.h"

#include "arch/x86_64/boot/layout.h"
#include "lib/string.h"

namespace {

template <typename T>
const T* boot_phys(u64 phys) {
    return reinterpret_cast<const T*>(DIRECT_MAP_BASE + phys);
}

void copy_string(char* dst, usize size, u64 phys) {
    if (phys) klib::strlcpy(dst, boot_phys<char>(phys), size);
}

void add_region(BootInfo& info, u64 base, u64 size, u32 type) {
    if (info.memory_count == BootInfo::MAX_MEMORY_REGIONS || size == 0) return;
    info.memory[info.memory_count++] = {base, size, static_cast<MemoryType>(type)};
}

// Xen's public header arch-x86/hvm/start_info.h, version 1.
struct HvmStartInfo {
    u32 magic;  // 0x336ec578
    u32 version;
    u32 flags;
    u32 nr_modules;
    u64 modlist_paddr;
    u64 cmdline_paddr;
    u64 rsdp_paddr;
    u64 memmap_paddr;  // version >= 1
    u32 memmap_entries;
    u32 reserved;
};
struct HvmModlistEntry {
    u64 paddr;
    u64 size;
    u64 cmdline_paddr;
    u64 reserved;
};
struct HvmMemmapEntry {
    u64 addr;
    u64 size;
    u32 type;
    u32 reserved;
};
constexpr u32 HVM_START_MAGIC = 0x336ec578;

void parse_pvh(BootInfo& info, u32 phys) {
    info.protocol = "PVH";
    const auto* start = boot_phys<HvmStartInfo>(phys);
    if (start->magic != HVM_START_MAGIC) return;
    klib::strlcpy(info.bootloader, "PVH (hvm_start_info)", sizeof(info.bootloader));
    copy_string(info.cmdline, sizeof(info.cmdline), start->cmdline_paddr);
    if (start->nr_modules > 0 && start->modlist_paddr) {
        const auto* module = boot_phys<HvmModlistEntry>(start->modlist_paddr);
        info.initrd_base = module->paddr;
        info.initrd_size = module->size;
    }
    if (start->rsdp_paddr) {
        memcpy(info.rsdp, boot_phys<u8>(start->rsdp_paddr), sizeof(info.rsdp));
        info.has_rsdp = true;
    }
    if (start->version >= 1 && start->memmap_paddr) {
        const auto* entries = boot_phys<HvmMemmapEntry>(start->memmap_paddr);
        for (u32 i = 0; i < start->memmap_entries; i++)
            add_region(info, entries[i].addr, entries[i].size, entries[i].type);
    }
}

// The Multiboot2 specification, section 3.6.
struct Mb2Tag {
    u32 type;
    u32 size;
};
enum : u32 {
    MB2_TAG_END = 0,
    MB2_TAG_CMDLINE = 1,
    MB2_TAG_LOADER_NAME = 2,
    MB2_TAG_MODULE = 3,
    MB2_TAG_MMAP = 6,
    MB2_TAG_ACPI_OLD = 14,
    MB2_TAG_ACPI_NEW = 15,
};

void parse_multiboot2(BootInfo& info, u32 phys) {
    info.protocol = "Multiboot2";
    u32 total = *boot_phys<u32>(phys);
    u64 offset = 8;
    while (offset + sizeof(Mb2Tag) <= total) {
        const auto* tag = boot_phys<Mb2Tag>(phys + offset);
        const u8* body = reinterpret_cast<const u8*>(tag) + sizeof(Mb2Tag);
        if (tag->type == MB2_TAG_END || tag->size < sizeof(Mb2Tag)) break;
        switch (tag->type) {
        case MB2_TAG_CMDLINE:
            klib::strlcpy(info.cmdline, reinterpret_cast<const char*>(body), sizeof(info.cmdline));
            break;
        case MB2_TAG_LOADER_NAME:
            klib::strlcpy(info.bootloader, reinterpret_cast<const char*>(body), sizeof(info.bootloader));
            break;
        case MB2_TAG_MODULE:
            // The first module is the initrd, as with GRUB's `module2` line.
            if (!info.initrd_size) {
                u32 start = reinterpret_cast<const u32*>(body)[0];
                u32 end = reinterpret_cast<const u32*>(body)[1];
                info.initrd_base = start;
                info.initrd_size = end > start ? end - start : 0;
            }
            break;
        case MB2_TAG_MMAP: {
            u32 entry_size = reinterpret_cast<const u32*>(body)[0];
            if (entry_size < 24) break;
            for (u32 at = 8; at + entry_size <= tag->size - sizeof(Mb2Tag); at += entry_size) {
                const auto* e = reinterpret_cast<const HvmMemmapEntry*>(body + at);
                add_region(info, e->addr, e->size, e->type);
            }
            break;
        }
        case MB2_TAG_ACPI_OLD:
        case MB2_TAG_ACPI_NEW: {
            // The tag holds a copy of the RSDP; prefer the ACPI 2.0 one.
            if (info.has_rsdp && tag->type == MB2_TAG_ACPI_OLD) break;
            usize len = kstd::min<usize>(tag->size - sizeof(Mb2Tag), sizeof(info.rsdp));
            memset(info.rsdp, 0, sizeof(info.rsdp));
            memcpy(info.rsdp, body, len);
            info.has_rsdp = true;
            break;
        }
        default: break;
        }
        offset += kstd::align_up<u64>(tag->size, 8);
    }
}

}  // namespace

BootInfo g_boot_info;

namespace x86 {
void parse_boot_info(u32 protocol, u32 info_phys) {
    if (protocol == BOOT_PROTOCOL_PVH) parse_pvh(g_boot_info, info_phys);
    else if (protocol == BOOT_PROTOCOL_MULTIBOOT2) parse_multiboot2(g_boot_info, info_phys);
}
}  // namespace x86
