// Memory: the physical memory manager (see pmm.h).
#include "mm/pmm.h"

#include "debug/panic.h"
#include "lib/string.h"
#include "log/klog.h"
#include "sync/spinlock.h"

extern "C" const char __kernel_start[], __kernel_end[];

namespace mm {
namespace {

constexpr PhysAddr LOW_MEMORY_END = 1 * MiB;   // BIOS data, EBDA, option ROMs, trampolines
constexpr PhysAddr BOOT_MAPPED_END = 4 * GiB;  // what the boot page tables reach

BuddyAllocator g_buddy;
SpinLock g_lock;
Page* g_pages = nullptr;
u64 g_max_pfn = 0;
PhysAddr g_page_array_phys = 0;
u64 g_page_array_bytes = 0;

struct Range {
    PhysAddr base, end;
};

Range kernel_range() {
    return {virt_to_phys(__kernel_start), kstd::align_up<PhysAddr>(virt_to_phys(__kernel_end), PAGE_SIZE)};
}

// Whether [base, end) touches memory the allocator must never hand out at boot; if so,
// *skip_to is the end of the reservation it touches. The page array counts once placed.
bool overlaps_reserved(PhysAddr base, PhysAddr end, const BootInfo& boot, PhysAddr* skip_to) {
    const Range reserved[] = {
        {0, LOW_MEMORY_END},
        kernel_range(),
        {kstd::align_down<PhysAddr>(boot.initrd_base, PAGE_SIZE),
         kstd::align_up<PhysAddr>(boot.initrd_base + boot.initrd_size, PAGE_SIZE)},
        {g_page_array_phys,
         g_page_array_phys ? kstd::align_up<PhysAddr>(g_page_array_phys + g_page_array_bytes, PAGE_SIZE) : 0},
    };
    for (const Range& r : reserved) {
        if (r.end > r.base && base < r.end && r.base < end) {
            *skip_to = r.end;
            return true;
        }
    }
    return false;
}

// Gives every usable frame in [lo, hi) not covered by a reservation to the buddy allocator.
void add_usable(const BootInfo& boot, PhysAddr lo, PhysAddr hi) {
    for (const MemoryRegion& region : boot.memory_map()) {
        if (region.type != MemoryType::Usable) continue;
        PhysAddr base = kstd::max(kstd::align_up<PhysAddr>(region.base, PAGE_SIZE), lo);
        PhysAddr end = kstd::min(kstd::align_down<PhysAddr>(region.base + region.size, PAGE_SIZE), hi);
        while (base < end) {
            PhysAddr skip_to;
            if (overlaps_reserved(base, base + PAGE_SIZE, boot, &skip_to)) {
                base = kstd::align_up<PhysAddr>(skip_to, PAGE_SIZE);
                continue;
            }
            // Grow the run by halving steps up to the next reservation or the region end.
            PhysAddr run_end = base + PAGE_SIZE;
            for (PhysAddr step = kstd::bit_floor(end - run_end); step >= PAGE_SIZE; step /= 2) {
                while (run_end + step <= end && !overlaps_reserved(run_end, run_end + step, boot, &skip_to))
                    run_end += step;
            }
            g_buddy.add_free_range(base >> PAGE_SHIFT, (run_end - base) >> PAGE_SHIFT);
            base = run_end;
        }
    }
}

}  // namespace

void pmm_init(const BootInfo& boot) {
    for (const MemoryRegion& region : boot.memory_map()) {
        if (region.type == MemoryType::Usable)
            g_max_pfn = kstd::max(g_max_pfn, (region.base + region.size) >> PAGE_SHIFT);
    }
    if (g_max_pfn == 0) panic("mm: the boot loader gave no usable memory");

    // The Page array goes in the first usable place below 4 GiB that holds it.
    g_page_array_bytes = kstd::align_up<u64>(g_max_pfn * sizeof(Page), PAGE_SIZE);
    for (const MemoryRegion& region : boot.memory_map()) {
        if (region.type != MemoryType::Usable) continue;
        PhysAddr base = kstd::align_up<PhysAddr>(kstd::max(region.base, LOW_MEMORY_END), PAGE_SIZE);
        PhysAddr end = kstd::min<PhysAddr>(region.base + region.size, BOOT_MAPPED_END);
        while (base + g_page_array_bytes <= end) {
            PhysAddr skip_to;
            // g_page_array_phys is still 0 here, so the array's own range is empty.
            if (!overlaps_reserved(base, base + g_page_array_bytes, boot, &skip_to)) {
                g_page_array_phys = base;
                break;
            }
            base = kstd::align_up<PhysAddr>(skip_to, PAGE_SIZE);
        }
        if (g_page_array_phys) break;
    }
    if (!g_page_array_phys)
        panic("mm: no room for the page array (%lu KiB)", g_page_array_bytes / KiB);

    g_pages = phys_to_virt<Page>(g_page_array_phys);
    g_buddy.init(g_pages, 0, g_max_pfn);
    add_usable(boot, 0, BOOT_MAPPED_END);
}

void pmm_add_high_memory(const BootInfo& boot) {
    SpinLockGuard guard(g_lock);
    add_usable(boot, BOOT_MAPPED_END, ~PhysAddr(0));
}

namespace {
usize (*g_reclaim_hook)(usize pages) = nullptr;

Page* try_alloc_pages(unsigned order) {
    SpinLockGuard guard(g_lock);
    auto pfn = g_buddy.allocate(order);
    if (!pfn) return nullptr;
    Page* page = g_buddy.page(*pfn);
    page->refcount.store(1, kstd::memory_order_relaxed);
    page->owner = nullptr;
    return page;
}
}  // namespace

void set_reclaim_hook(usize (*hook)(usize pages)) { g_reclaim_hook = hook; }

Page* alloc_pages(unsigned order) {
    if (Page* page = try_alloc_pages(order)) return page;
    // Out of frames: let the page cache give clean pages back (outside the lock, which
    // freeing takes), then try once more.
    if (!g_reclaim_hook || !g_reclaim_hook(usize(1) << order)) return nullptr;
    return try_alloc_pages(order);
}

void free_pages(Page* page, unsigned order) {
    SpinLockGuard guard(g_lock);
    page->owner = nullptr;
    g_buddy.free(page - g_pages, order);
}

Page* alloc_zeroed_page() {
    Page* page = alloc_pages(0);
    if (page) memset(page_address(page), 0, PAGE_SIZE);
    return page;
}

void release_boot_range(PhysAddr base, u64 size) {
    PhysAddr start = kstd::align_up<PhysAddr>(base, PAGE_SIZE);
    PhysAddr end = kstd::align_down<PhysAddr>(base + size, PAGE_SIZE);
    if (end <= start) return;
    SpinLockGuard guard(g_lock);
    g_buddy.add_free_range(start >> PAGE_SHIFT, (end - start) >> PAGE_SHIFT);
}

bool overlaps_kernel_image(PhysAddr base, u64 size) {
    Range kernel = kernel_range();
    return size && base < kernel.end && kernel.base < base + size;
}

Page* phys_to_page(PhysAddr phys) {
    u64 pfn = phys >> PAGE_SHIFT;
    return pfn < g_max_pfn ? &g_pages[pfn] : nullptr;
}
PhysAddr page_to_phys(const Page* page) { return static_cast<PhysAddr>(page - g_pages) << PAGE_SHIFT; }
bool is_ram_frame(u64 pfn) { return pfn < g_max_pfn; }
u64 max_pfn() { return g_max_pfn; }

MemoryStats memory_stats() {
    SpinLockGuard guard(g_lock);
    Range k = kernel_range();
    return {g_buddy.stats().total_pages, g_buddy.stats().free_pages, k.end - k.base,
            g_page_array_bytes, g_buddy.stats()};
}

}  // namespace mm
