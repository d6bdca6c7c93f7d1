// Memory: the physical memory manager — the boot memory map turned into Page
// descriptors and a buddy allocator (mm/buddy.h), behind a lock.
#pragma once

#include "init/boot_info.h"
#include "mm/buddy.h"
#include "mm/page.h"
#include "mm/phys.h"

namespace mm {

// Phase 1: frames below 4 GiB (reachable through the boot page tables).
void pmm_init(const BootInfo& boot);
// Phase 2, once the full direct map is live: frames above 4 GiB.
void pmm_add_high_memory(const BootInfo& boot);

// A block of 2^order frames, or null when memory is exhausted (after asking the
// reclaim hook, if any, to free some).
Page* alloc_pages(unsigned order);
// Called when an allocation fails, to free up to `pages` frames (the page cache evicts
// clean pages); returns how many it freed. It decides itself whether the caller's
// context allows reclaiming.
void set_reclaim_hook(usize (*hook)(usize pages));
void free_pages(Page* page, unsigned order);
// One zero-filled frame, or null.
Page* alloc_zeroed_page();
// Returns frames the kernel no longer needs (the unpacked initrd) to the allocator.
void release_boot_range(PhysAddr base, u64 size);
// Whether [base, base + size) overlaps the kernel image, bss included (a loader can put the
// initrd there when memory is short: QEMU's places it at the top of RAM).
bool overlaps_kernel_image(PhysAddr base, u64 size);

Page* phys_to_page(PhysAddr phys);
PhysAddr page_to_phys(const Page* page);
inline void* page_address(const Page* page) { return phys_to_virt(page_to_phys(page)); }
inline Page* virt_to_page(const void* virt) { return phys_to_page(virt_to_phys(virt)); }
bool is_ram_frame(u64 pfn);

struct MemoryStats {
    u64 total_pages;      // RAM given to the allocator
    u64 free_pages;
    u64 kernel_image_bytes;
    u64 page_array_bytes;
    BuddyAllocator::Stats buddy;
};
MemoryStats memory_stats();
u64 max_pfn();

}  // namespace mm
