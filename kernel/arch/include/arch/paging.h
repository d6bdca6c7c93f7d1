// Architecture interface: page tables.
//
// A page table is named by the physical address of its root. Intermediate tables are
// allocated from the physical memory manager and can fail with ENOMEM; permissions are
// enforced at the leaf, so every mapping states read/write/execute/user explicitly.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace arch {

struct PageAttributes {
    bool writable = false;
    bool executable = false;
    bool user = false;
    bool global = false;    // kernel mappings: survive CR3 switches in the TLB
    bool uncached = false;  // MMIO
    // A user page that stays mapped to its frame but faults on any access (PROT_NONE),
    // so mprotect can take access away and give it back without losing the contents.
    bool no_access = false;
};

enum class PageSize : u8 { Size4K, Size2M, Size1G };
constexpr usize page_size_bytes(PageSize size) {
    return size == PageSize::Size4K ? 4096 : size == PageSize::Size2M ? 2 * MiB : GiB;
}

struct Translation {
    PhysAddr phys;  // of the byte looked up
    PageAttributes attributes;
    PageSize size;
    bool accessed;
    bool dirty;
};

using PageTableRoot = PhysAddr;

// Maps one page of `size`; the virtual and physical addresses must be aligned to it.
// EEXIST when something is already mapped there.
ErrorOr map_page(PageTableRoot root, uptr virt, PhysAddr phys, PageAttributes attributes,
                 PageSize size = PageSize::Size4K);
// Maps [virt, virt+length) to [phys, ...) with the largest pages alignment allows
// (large pages only where `allow_large`).
ErrorOr map_range(PageTableRoot root, uptr virt, PhysAddr phys, usize length,
                  PageAttributes attributes, bool allow_large);
// Removes a 4 KiB mapping; returns the frame it mapped. Does not flush the TLB.
kstd::optional<PhysAddr> unmap_page(PageTableRoot root, uptr virt);
// Changes the attributes of an existing 4 KiB mapping; false when nothing is mapped.
bool protect_page(PageTableRoot root, uptr virt, PageAttributes attributes);
kstd::optional<Translation> translate(PageTableRoot root, uptr virt);

// Calls fn(virt, translation) for every 4 KiB mapping in [start, end), skipping empty
// tables quickly (fork, munmap and exit walk sparse ranges).
template <typename Fn>
void for_each_mapping(PageTableRoot root, uptr start, uptr end, Fn&& fn);
// Sets the leaf entry for an existing 4 KiB mapping to (phys, attributes); false if none.
bool remap_page(PageTableRoot root, uptr virt, PhysAddr phys, PageAttributes attributes);

// A new root whose kernel half is shared with the kernel's page tables.
Result<PageTableRoot> create_user_page_table();
// Frees a user page table's intermediate tables (not the frames it maps).
void destroy_user_page_table(PageTableRoot root);

PageTableRoot kernel_page_table();
PageTableRoot active_page_table();
void activate_page_table(PageTableRoot root);
void flush_tlb_page(uptr virt);
void flush_tlb_all();
// Every non-global entry, which is every user mapping (a CR3 reload on x86).
void flush_tlb_user();

bool cpu_has_huge_pages();  // 1 GiB pages
void paging_init();
// Records the page table whose kernel half every address space shares.
void set_kernel_page_table(PageTableRoot root);

// What a visitor of update_each_mapping does to the leaf it was shown. The walk changes the
// entry in place (no second walk per page, as fork, munmap and exit would otherwise do) but
// flushes no TLB: the caller does, after the walk.
enum class LeafUpdate : u8 {
    Keep,
    Rewrite,  // set to the visitor's (phys, attributes), as remap_page does
    Clear,    // unmap, as unmap_page does
};

// Calls fn(virt, translation&) -> LeafUpdate for every 4 KiB mapping in [start, end).
template <typename Fn>
void update_each_mapping(PageTableRoot root, uptr start, uptr end, Fn&& fn);

// Visits the 4 KiB leaves of [start, end) through a callback pointer (the templates above
// forward to it).
void walk_mappings(PageTableRoot root, uptr start, uptr end,
                   LeafUpdate (*visit)(uptr virt, Translation& translation, void* context), void* context);

template <typename Fn>
void for_each_mapping(PageTableRoot root, uptr start, uptr end, Fn&& fn) {
    walk_mappings(
        root, start, end,
        [](uptr virt, Translation& t, void* context) {
            (*static_cast<Fn*>(context))(virt, static_cast<const Translation&>(t));
            return LeafUpdate::Keep;
        },
        &fn);
}

template <typename Fn>
void update_each_mapping(PageTableRoot root, uptr start, uptr end, Fn&& fn) {
    walk_mappings(
        root, start, end,
        [](uptr virt, Translation& t, void* context) { return (*static_cast<Fn*>(context))(virt, t); }, &fn);
}

}  // namespace arch
