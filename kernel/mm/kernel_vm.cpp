// Memory: the kernel's own address space (see kernel_vm.h).
#include "mm/kernel_vm.h"

#include "arch/memory_layout.h"
#include "arch/paging.h"
#include "debug/panic.h"
#include "lib/bitmap.h"
#include "log/klog.h"
#include "mm/pmm.h"
#include "sync/spinlock.h"

extern "C" const char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern "C" const char __data_start[], __bss_end[], __kernel_start[];

namespace mm {
namespace {

struct Interval {
    PhysAddr base, end;
};

// RAM-like regions of the memory map, page aligned, sorted and merged.
usize collect_ram(const BootInfo& boot, Interval* out, usize capacity) {
    usize n = 0;
    for (const MemoryRegion& region : boot.memory_map()) {
        if (region.type != MemoryType::Usable && region.type != MemoryType::AcpiReclaimable &&
            region.type != MemoryType::AcpiNvs)
            continue;
        if (n == capacity) break;
        out[n++] = {kstd::align_down<PhysAddr>(region.base, PAGE_SIZE),
                    kstd::align_up<PhysAddr>(region.base + region.size, PAGE_SIZE)};
    }
    kstd::sort(out, out + n, [](const Interval& a, const Interval& b) { return a.base < b.base; });
    usize merged = 0;
    for (usize i = 0; i < n; i++) {
        if (merged && out[i].base <= out[merged - 1].end) {
            out[merged - 1].end = kstd::max(out[merged - 1].end, out[i].end);
        } else {
            out[merged++] = out[i];
        }
    }
    return merged;
}

void map_or_panic(arch::PageTableRoot root, uptr virt, PhysAddr phys, usize length,
                  arch::PageAttributes attributes, bool allow_large, const char* what) {
    if (length == 0) return;
    if (map_range(root, virt, phys, length, attributes, allow_large).is_error())
        panic("mm: cannot map %s (%#lx bytes at %#lx)", what, length, virt);
}

// The vmalloc area, page granular: a bitmap of reserved pages.
constexpr usize VMALLOC_PAGES = arch::VMALLOC_SIZE / PAGE_SIZE;
u64 g_vmalloc_words[Bitmap::words_for(VMALLOC_PAGES)];
Bitmap g_vmalloc_map(g_vmalloc_words, VMALLOC_PAGES);
SpinLock g_vmalloc_lock;
u64 g_vmalloc_reserved = 0;
u64 g_vmalloc_mapped = 0;

Result<uptr> reserve_virtual(usize pages) {
    SpinLockGuard guard(g_vmalloc_lock);
    auto first = g_vmalloc_map.find_clear_run(pages);
    if (!first) return err(ENOMEM);
    g_vmalloc_map.set_range(*first, pages, true);
    g_vmalloc_reserved += pages;
    return arch::VMALLOC_BASE + *first * PAGE_SIZE;
}

void release_virtual(uptr base, usize pages) {
    SpinLockGuard guard(g_vmalloc_lock);
    g_vmalloc_map.set_range((base - arch::VMALLOC_BASE) / PAGE_SIZE, pages, false);
    g_vmalloc_reserved -= pages;
}

const BootInfo* g_boot = nullptr;

}  // namespace

void kernel_vm_init(const BootInfo& boot) {
    g_boot = &boot;
    arch::paging_init();
    Page* root_page = alloc_zeroed_page();
    if (!root_page) panic("mm: out of memory for the kernel page table");
    arch::PageTableRoot root = page_to_phys(root_page);

    // The kernel image, section by section (the linker script aligns them to pages).
    auto image_phys = [](const char* symbol) { return virt_to_phys(symbol); };
    auto span = [](const char* a, const char* b) {
        return kstd::align_up<usize>(reinterpret_cast<uptr>(b) - reinterpret_cast<uptr>(a), PAGE_SIZE);
    };
    const arch::PageAttributes text{.executable = true, .global = true};
    const arch::PageAttributes rodata{.global = true};
    const arch::PageAttributes data{.writable = true, .global = true};
    map_or_panic(root, reinterpret_cast<uptr>(__text_start), image_phys(__text_start),
                 span(__text_start, __text_end), text, false, "kernel text");
    map_or_panic(root, reinterpret_cast<uptr>(__rodata_start), image_phys(__rodata_start),
                 span(__rodata_start, __rodata_end), rodata, false, "kernel rodata");
    map_or_panic(root, reinterpret_cast<uptr>(__data_start), image_phys(__data_start),
                 span(__data_start, __bss_end), data, false, "kernel data");

    // The direct map: RAM read/write and never executable. The kernel's text and rodata
    // appear there read-only, so no alias can write to code.
    Interval ram[BootInfo::MAX_MEMORY_REGIONS];
    usize count = collect_ram(boot, ram, kstd::size(ram));
    PhysAddr ro_base = image_phys(__text_start);
    PhysAddr ro_end = image_phys(__data_start);
    const arch::PageAttributes direct{.writable = true, .global = true};
    for (usize i = 0; i < count; i++) {
        PhysAddr base = ram[i].base, end = ram[i].end;
        if (end <= ro_base || base >= ro_end) {
            map_or_panic(root, arch::DIRECT_MAP + base, base, end - base, direct, true, "direct map");
            continue;
        }
        map_or_panic(root, arch::DIRECT_MAP + base, base, kstd::max(base, ro_base) - base, direct, true, "direct map");
        PhysAddr ro_lo = kstd::max(base, ro_base), ro_hi = kstd::min(end, ro_end);
        map_or_panic(root, arch::DIRECT_MAP + ro_lo, ro_lo, ro_hi - ro_lo, rodata, false, "direct map (image)");
        if (end > ro_end) map_or_panic(root, arch::DIRECT_MAP + ro_end, ro_end, end - ro_end, direct, true, "direct map");
    }

    // The vmalloc area's top-level entry exists from the start, so every user page table
    // (which copies the kernel half once) sees later kernel stacks and MMIO mappings.
    Page* guard_page = alloc_zeroed_page();
    if (!guard_page || arch::map_page(root, arch::VMALLOC_BASE, page_to_phys(guard_page), {}).is_error())
        panic("mm: cannot prepare the vmalloc area");
    arch::unmap_page(root, arch::VMALLOC_BASE);
    free_pages(guard_page, 0);

    arch::set_kernel_page_table(root);
    arch::activate_page_table(root);
    arch::flush_tlb_all();
}

// Unmaps `pages` pages from `base` and frees the frames behind them.
static void unmap_and_free(uptr base, usize pages) {
    for (usize i = 0; i < pages; i++) {
        uptr virt = base + i * PAGE_SIZE;
        auto phys = arch::unmap_page(arch::kernel_page_table(), virt);
        arch::flush_tlb_page(virt);
        if (phys) free_pages(phys_to_page(*phys), 0);
    }
}

Result<KernelStack> allocate_kernel_stack() {
    constexpr usize pages = KERNEL_STACK_SIZE / PAGE_SIZE;
    uptr base = TRY(reserve_virtual(pages + 1)) + PAGE_SIZE;  // first page: the guard
    for (usize i = 0; i < pages; i++) {
        Page* page = alloc_pages(0);
        ErrorOr mapped = page ? arch::map_page(arch::kernel_page_table(), base + i * PAGE_SIZE,
                                               page_to_phys(page), {.writable = true, .global = true})
                              : ErrorOr(err(ENOMEM));
        if (mapped.is_error()) {
            if (page) free_pages(page, 0);
            unmap_and_free(base, i);
            release_virtual(base - PAGE_SIZE, pages + 1);
            return mapped.error();
        }
    }
    __atomic_add_fetch(&g_vmalloc_mapped, pages, __ATOMIC_RELAXED);
    return KernelStack{base, base + KERNEL_STACK_SIZE};
}

void free_kernel_stack(const KernelStack& stack) {
    constexpr usize pages = KERNEL_STACK_SIZE / PAGE_SIZE;
    unmap_and_free(stack.base, pages);
    __atomic_sub_fetch(&g_vmalloc_mapped, pages, __ATOMIC_RELAXED);
    release_virtual(stack.base - PAGE_SIZE, pages + 1);
}

Result<void*> ioremap(PhysAddr phys, usize size, Caching caching) {
    PhysAddr base = kstd::align_down<PhysAddr>(phys, PAGE_SIZE);
    usize length = kstd::align_up<usize>(phys + size - base, PAGE_SIZE);
    uptr virt = TRY(reserve_virtual(length / PAGE_SIZE));
    const arch::PageAttributes attributes{.writable = true, .global = true,
                                          .uncached = caching == Caching::Uncached};
    if (auto mapped = arch::map_range(arch::kernel_page_table(), virt, base, length, attributes, false);
        mapped.is_error()) {
        release_virtual(virt, length / PAGE_SIZE);
        return mapped.error();
    }
    __atomic_add_fetch(&g_vmalloc_mapped, length / PAGE_SIZE, __ATOMIC_RELAXED);
    return reinterpret_cast<void*>(virt + (phys - base));
}

void iounmap(void* address, usize size) {
    uptr virt = kstd::align_down<uptr>(reinterpret_cast<uptr>(address), PAGE_SIZE);
    usize length = kstd::align_up<usize>(reinterpret_cast<uptr>(address) + size - virt, PAGE_SIZE);
    for (usize off = 0; off < length; off += PAGE_SIZE) {
        arch::unmap_page(arch::kernel_page_table(), virt + off);
        arch::flush_tlb_page(virt + off);
    }
    __atomic_sub_fetch(&g_vmalloc_mapped, length / PAGE_SIZE, __ATOMIC_RELAXED);
    release_virtual(virt, length / PAGE_SIZE);
}

Result<void*> vmap(kstd::span<Page* const> pages) {
    uptr base = TRY(reserve_virtual(pages.size()));
    const arch::PageAttributes attributes{.writable = true, .global = true};
    for (usize i = 0; i < pages.size(); i++) {
        auto mapped = arch::map_page(arch::kernel_page_table(), base + i * PAGE_SIZE, page_to_phys(pages[i]),
                                     attributes);
        if (mapped.is_error()) {
            for (usize j = 0; j < i; j++) {
                arch::unmap_page(arch::kernel_page_table(), base + j * PAGE_SIZE);
                arch::flush_tlb_page(base + j * PAGE_SIZE);
            }
            release_virtual(base, pages.size());
            return mapped.error();
        }
    }
    __atomic_add_fetch(&g_vmalloc_mapped, pages.size(), __ATOMIC_RELAXED);
    return reinterpret_cast<void*>(base);
}

void vunmap(void* address, usize pages) {
    uptr base = reinterpret_cast<uptr>(address);
    for (usize i = 0; i < pages; i++) {
        arch::unmap_page(arch::kernel_page_table(), base + i * PAGE_SIZE);
        arch::flush_tlb_page(base + i * PAGE_SIZE);
    }
    __atomic_sub_fetch(&g_vmalloc_mapped, pages, __ATOMIC_RELAXED);
    release_virtual(base, pages);
}

Result<const void*> map_firmware(PhysAddr phys, usize size) {
    for (const MemoryRegion& region : g_boot->memory_map()) {
        bool ram = region.type == MemoryType::Usable || region.type == MemoryType::AcpiReclaimable ||
                   region.type == MemoryType::AcpiNvs;
        if (ram && phys >= region.base && phys + size <= region.base + region.size)
            return static_cast<const void*>(phys_to_virt(phys));
    }
    return TRY(ioremap(phys, size, Caching::WriteBack));
}

VmallocStats vmalloc_stats() { return {g_vmalloc_reserved, g_vmalloc_mapped}; }

}  // namespace mm
