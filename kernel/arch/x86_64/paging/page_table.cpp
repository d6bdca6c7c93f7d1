// x86_64 paging: 4-level page tables (Intel SDM vol. 3, chapter 4.5).
//
// Tables are reached through the direct map. The kernel half (PML4 entries 256..511) is
// shared by every address space: the kernel creates its top-level entries at boot and
// user page tables copy them, so kernel mappings made later appear everywhere.
#include "arch/paging.h"

#include "arch/x86_64/cpu/x86.h"
#include "lib/string.h"
#include "mm/pmm.h"

namespace arch {
namespace {

constexpr u64 PTE_PRESENT = 1ull << 0;
constexpr u64 PTE_WRITE = 1ull << 1;
constexpr u64 PTE_USER = 1ull << 2;
constexpr u64 PTE_PWT = 1ull << 3;
constexpr u64 PTE_PCD = 1ull << 4;
constexpr u64 PTE_ACCESSED = 1ull << 5;
constexpr u64 PTE_DIRTY = 1ull << 6;
constexpr u64 PTE_HUGE = 1ull << 7;
constexpr u64 PTE_GLOBAL = 1ull << 8;
constexpr u64 PTE_PROTNONE = 1ull << 9;  // software bit: a kept frame with access removed
constexpr u64 PTE_NX = 1ull << 63;
constexpr u64 PTE_ADDRESS = 0x000ffffffffff000ull;

PageTableRoot g_kernel_root = 0;

u64* table_at(PhysAddr phys) { return mm::phys_to_virt<u64>(phys); }

unsigned index_at(uptr virt, int level) {  // level 4 = PML4 .. 1 = PT
    return (virt >> (12 + 9 * (level - 1))) & 511;
}

u64 leaf_bits(PageAttributes a, PageSize size) {
    if (a.no_access) return PTE_PROTNONE | PTE_NX;
    u64 bits = PTE_PRESENT;
    if (a.writable) bits |= PTE_WRITE;
    if (!a.executable) bits |= PTE_NX;
    if (a.user) bits |= PTE_USER;
    if (a.global) bits |= PTE_GLOBAL;
    if (a.uncached) bits |= PTE_PCD | PTE_PWT;
    if (size != PageSize::Size4K) bits |= PTE_HUGE;
    return bits;
}

PageAttributes attributes_of(u64 entry) {
    return {
        .writable = (entry & PTE_WRITE) != 0,
        .executable = (entry & PTE_NX) == 0,
        .user = (entry & PTE_USER) != 0,
        .global = (entry & PTE_GLOBAL) != 0,
        .uncached = (entry & PTE_PCD) != 0,
        .no_access = !(entry & PTE_PRESENT),
    };
}

// Returns the entry for `virt` at `target_level`, creating missing tables on the way.
Result<u64*> walk_create(PageTableRoot root, uptr virt, int target_level, bool user) {
    u64* table = table_at(root);
    for (int level = 4; level > target_level; level--) {
        u64& entry = table[index_at(virt, level)];
        if (!(entry & PTE_PRESENT)) {
            Page* page = mm::alloc_zeroed_page();
            if (!page) return err(ENOMEM);
            page->flags |= PG_PAGE_TABLE;
            // Intermediate levels allow everything; leaves restrict.
            entry = mm::page_to_phys(page) | PTE_PRESENT | PTE_WRITE | (user ? PTE_USER : 0);
        } else if (entry & PTE_HUGE) {
            return err(EEXIST);
        }
        table = table_at(entry & PTE_ADDRESS);
    }
    return &table[index_at(virt, target_level)];
}

bool is_leaf_present(u64 entry) { return entry & (PTE_PRESENT | PTE_PROTNONE); }

// The leaf entry mapping `virt` and its level, or null.
u64* walk_find(PageTableRoot root, uptr virt, int* level_out) {
    u64* table = table_at(root);
    for (int level = 4; level >= 1; level--) {
        u64* entry = &table[index_at(virt, level)];
        if (level == 1 ? !is_leaf_present(*entry) : !(*entry & PTE_PRESENT)) return nullptr;
        if (level == 1 || (*entry & PTE_HUGE)) {
            *level_out = level;
            return entry;
        }
        table = table_at(*entry & PTE_ADDRESS);
    }
    return nullptr;
}

bool g_huge_pages = false;

}  // namespace

ErrorOr map_page(PageTableRoot root, uptr virt, PhysAddr phys, PageAttributes attributes, PageSize size) {
    int level = size == PageSize::Size4K ? 1 : size == PageSize::Size2M ? 2 : 3;
    u64* entry = TRY(walk_create(root, virt, level, attributes.user));
    if (is_leaf_present(*entry)) return err(EEXIST);
    *entry = (phys & PTE_ADDRESS) | leaf_bits(attributes, size);
    return {};
}

ErrorOr map_range(PageTableRoot root, uptr virt, PhysAddr phys, usize length,
                  PageAttributes attributes, bool allow_large) {
    usize done = 0;
    while (done < length) {
        uptr v = virt + done;
        PhysAddr p = phys + done;
        usize left = length - done;
        PageSize size = PageSize::Size4K;
        if (allow_large && g_huge_pages && ((v | p) & (GiB - 1)) == 0 && left >= GiB)
            size = PageSize::Size1G;
        else if (allow_large && ((v | p) & (2 * MiB - 1)) == 0 && left >= 2 * MiB)
            size = PageSize::Size2M;
        TRY(map_page(root, v, p, attributes, size));
        done += page_size_bytes(size);
    }
    return {};
}

kstd::optional<PhysAddr> unmap_page(PageTableRoot root, uptr virt) {
    int level;
    u64* entry = walk_find(root, virt, &level);
    if (!entry || level != 1) return kstd::nullopt;
    PhysAddr phys = *entry & PTE_ADDRESS;
    *entry = 0;
    return phys;
}

bool protect_page(PageTableRoot root, uptr virt, PageAttributes attributes) {
    int level;
    u64* entry = walk_find(root, virt, &level);
    if (!entry || level != 1) return false;
    u64 keep = *entry & (PTE_ADDRESS | PTE_ACCESSED | PTE_DIRTY);
    *entry = keep | leaf_bits(attributes, PageSize::Size4K);
    return true;
}

kstd::optional<Translation> translate(PageTableRoot root, uptr virt) {
    int level;
    u64* entry = walk_find(root, virt, &level);
    if (!entry) return kstd::nullopt;
    PageSize size = level == 1 ? PageSize::Size4K : level == 2 ? PageSize::Size2M : PageSize::Size1G;
    usize span = page_size_bytes(size);
    PhysAddr base = *entry & PTE_ADDRESS & ~(u64(span) - 1);
    return Translation{base + (virt & (span - 1)), attributes_of(*entry), size,
                       (*entry & PTE_ACCESSED) != 0, (*entry & PTE_DIRTY) != 0};
}

Result<PageTableRoot> create_user_page_table() {
    Page* page = mm::alloc_zeroed_page();
    if (!page) return err(ENOMEM);
    page->flags |= PG_PAGE_TABLE;
    PhysAddr root = mm::page_to_phys(page);
    memcpy(table_at(root) + 256, table_at(g_kernel_root) + 256, 256 * sizeof(u64));
    return root;
}

void destroy_user_page_table(PageTableRoot root) {
    u64* pml4 = table_at(root);
    for (int i = 0; i < 256; i++) {
        if (!(pml4[i] & PTE_PRESENT)) continue;
        u64* pdpt = table_at(pml4[i] & PTE_ADDRESS);
        for (int j = 0; j < 512; j++) {
            if (!(pdpt[j] & PTE_PRESENT) || (pdpt[j] & PTE_HUGE)) continue;
            u64* pd = table_at(pdpt[j] & PTE_ADDRESS);
            for (int k = 0; k < 512; k++) {
                if (!(pd[k] & PTE_PRESENT) || (pd[k] & PTE_HUGE)) continue;
                mm::free_pages(mm::phys_to_page(pd[k] & PTE_ADDRESS), 0);
            }
            mm::free_pages(mm::phys_to_page(pdpt[j] & PTE_ADDRESS), 0);
        }
        mm::free_pages(mm::phys_to_page(pml4[i] & PTE_ADDRESS), 0);
    }
    mm::free_pages(mm::phys_to_page(root), 0);
}

bool remap_page(PageTableRoot root, uptr virt, PhysAddr phys, PageAttributes attributes) {
    int level;
    u64* entry = walk_find(root, virt, &level);
    if (!entry || level != 1) return false;
    *entry = (phys & PTE_ADDRESS) | leaf_bits(attributes, PageSize::Size4K);
    return true;
}

void walk_mappings(PageTableRoot root, uptr start, uptr end,
                   LeafUpdate (*visit)(uptr, Translation&, void*), void* context) {
    // Level by level, skipping whole missing tables (512 GiB, 1 GiB, 2 MiB at a time).
    uptr virt = start;
    while (virt < end) {
        u64* table = table_at(root);
        int level = 4;
        bool skipped = false;
        while (level > 1) {
            u64 entry = table[index_at(virt, level)];
            uptr span = uptr(1) << (12 + 9 * (level - 1));
            if (!(entry & PTE_PRESENT) || (entry & PTE_HUGE)) {
                uptr next = (virt & ~(span - 1)) + span;
                virt = next > virt ? next : end;  // wrapped past the top: done
                skipped = true;
                break;
            }
            table = table_at(entry & PTE_ADDRESS);
            level--;
        }
        if (skipped) continue;
        // A page table: visit its present leaves up to its end or `end`.
        for (; virt < end; virt += 4096) {
            u64 entry = table[index_at(virt, 1)];
            if (is_leaf_present(entry)) {
                Translation t{entry & PTE_ADDRESS, attributes_of(entry), PageSize::Size4K,
                              (entry & PTE_ACCESSED) != 0, (entry & PTE_DIRTY) != 0};
                switch (visit(virt, t, context)) {
                case LeafUpdate::Keep: break;
                case LeafUpdate::Rewrite:
                    table[index_at(virt, 1)] = (t.phys & PTE_ADDRESS) | leaf_bits(t.attributes, PageSize::Size4K);
                    break;
                case LeafUpdate::Clear: table[index_at(virt, 1)] = 0; break;
                }
            }
            if (index_at(virt, 1) == 511) {
                virt += 4096;
                break;
            }
        }
    }
}

PageTableRoot kernel_page_table() { return g_kernel_root; }
PageTableRoot active_page_table() { return x86::read_cr3() & PTE_ADDRESS; }
void activate_page_table(PageTableRoot root) { x86::write_cr3(root); }
void flush_tlb_page(uptr virt) { x86::invlpg(virt); }
void flush_tlb_user() { x86::write_cr3(x86::read_cr3()); }
void flush_tlb_all() {
    // Toggling CR4.PGE flushes global entries too.
    u64 cr4 = x86::read_cr4();
    if (cr4 & x86::CR4_PGE) {
        x86::write_cr4(cr4 & ~x86::CR4_PGE);
        x86::write_cr4(cr4);
    } else {
        x86::write_cr3(x86::read_cr3());
    }
}
bool cpu_has_huge_pages() { return g_huge_pages; }
void paging_init() { g_huge_pages = x86::cpuid(0x80000001).edx & (1u << 26); }
void set_kernel_page_table(PageTableRoot root) { g_kernel_root = root; }

}  // namespace arch
