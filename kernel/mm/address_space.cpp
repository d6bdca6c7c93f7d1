// Memory: address spaces and their regions (see address_space.h).
#include "mm/address_space.h"

#include "arch/memory_layout.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/pmm.h"

namespace {

constexpr uptr PAGE = PAGE_SIZE;

uptr page_floor(uptr a) { return a & ~(PAGE - 1); }

// Past this many pages one flush of all user entries beats a flush per page (Linux's
// tlb_single_page_flush_ceiling).
constexpr uptr SINGLE_PAGE_FLUSH_CEILING = 33;

void flush_user_range(uptr start, uptr end) {
    if ((end - start) / PAGE > SINGLE_PAGE_FLUSH_CEILING) {
        arch::flush_tlb_user();
        return;
    }
    for (uptr virt = start; virt < end; virt += PAGE) arch::flush_tlb_page(virt);
}

Vma* new_vma() { return new (kstd::nothrow) Vma(); }

Vma* clone_vma(const Vma& from) {
    Vma* vma = new_vma();
    if (!vma) return nullptr;
    vma->start = from.start;
    vma->end = from.end;
    vma->prot = from.prot;
    vma->flags = from.flags;
    vma->kind = from.kind;
    vma->object = from.object;
    vma->offset = from.offset;
    vma->name = from.name;
    vma->device = from.device;
    vma->inode = from.inode;
    return vma;
}

}  // namespace

Result<RefPtr<AddressSpace>> AddressSpace::create() {
    RefPtr<AddressSpace> space(adopt, new (kstd::nothrow) AddressSpace);
    if (!space) return err(ENOMEM);
    space->m_page_table = TRY(arch::create_user_page_table());
    return space;
}

AddressSpace::~AddressSpace() {
    while (Vma* vma = m_vmas.pop_front()) {
        unmap_pages(vma->start, vma->end);
        delete vma;
    }
    if (m_page_table) arch::destroy_user_page_table(m_page_table);
}

void AddressSpace::activate() { arch::activate_page_table(m_page_table); }

u64 AddressSpace::mapped_bytes() const {
    u64 total = 0;
    for (const Vma& vma : const_cast<AddressSpace*>(this)->m_vmas) total += vma.end - vma.start;
    return total;
}

Vma* AddressSpace::find_vma(uptr address) {
    if (m_last_found && m_last_found->contains(address) && m_last_found->node.is_linked()) return m_last_found;
    for (Vma& vma : m_vmas) {
        if (vma.end <= address) continue;
        if (vma.start > address) return nullptr;
        m_last_found = &vma;
        return &vma;
    }
    return nullptr;
}

void AddressSpace::insert(Vma& vma) {
    for (Vma& other : m_vmas) {
        if (other.start > vma.start) {
            m_vmas.insert_before(other, vma);
            return;
        }
    }
    m_vmas.push_back(vma);
}

bool AddressSpace::fully_mapped(uptr start, usize length) {
    uptr end = start + kstd::align_up<usize>(length, PAGE);
    if (end < start) return false;
    uptr covered = start;
    for (Vma& vma : m_vmas) {
        if (vma.end <= covered) continue;
        if (vma.start > covered) break;
        covered = vma.end;
        if (covered >= end) break;
    }
    return covered >= end;
}

bool AddressSpace::range_is_free(uptr start, uptr end) {
    for (Vma& vma : m_vmas) {
        if (vma.start >= end) break;
        if (vma.end > start) return false;
    }
    return true;
}

Result<uptr> AddressSpace::find_free_range(uptr hint, usize length, bool fixed) {
    if (fixed) return hint;
    if (hint >= arch::USER_BASE && hint + length <= arch::USER_END && hint + length > hint &&
        range_is_free(hint, hint + length))
        return hint;
    // Top down from mmap_base: the highest gap that fits (Linux's default layout).
    uptr ceiling = mmap_base ? mmap_base : arch::USER_END;
    for (Vma* vma = m_vmas.last();; vma = m_vmas.prev(*vma)) {
        if (vma && vma->start >= ceiling) continue;  // wholly above the ceiling
        if (vma && vma->end > ceiling) {             // straddles it: look below
            ceiling = vma->start;
            continue;
        }
        uptr floor = vma ? kstd::max(vma->end, arch::USER_BASE) : arch::USER_BASE;
        if (ceiling >= floor + length) return ceiling - length;
        if (!vma) break;
        ceiling = vma->start;
    }
    return err(ENOMEM);
}

ErrorOr AddressSpace::split_at(uptr address) {
    Vma* vma = find_vma(address);
    if (!vma || vma->start == address) return {};
    Vma* upper = clone_vma(*vma);
    if (!upper) return err(ENOMEM);
    upper->start = address;
    upper->offset = vma->offset + (address - vma->start);
    vma->end = address;
    m_vmas.insert_after(*vma, *upper);
    return {};
}

void AddressSpace::unmap_pages(uptr start, uptr end) {
    u64 cleared = 0;
    // One walk clears the entries; on this single CPU nothing touches the range before the
    // flush below, so the frames may go back at once.
    arch::update_each_mapping(m_page_table, start, end, [&](uptr, arch::Translation& t) {
        mm::put_page(mm::phys_to_page(t.phys));
        cleared++;
        return arch::LeafUpdate::Clear;
    });
    m_resident_pages -= cleared;
    if (cleared && arch::active_page_table() == m_page_table) flush_user_range(start, end);
}

void AddressSpace::remove_range(uptr start, uptr end) {
    for (auto it = m_vmas.begin(); it != m_vmas.end();) {
        Vma& vma = *it;
        ++it;
        if (vma.end <= start || vma.start >= end) continue;
        // split_at already cut regions at start and end.
        unmap_pages(vma.start, vma.end);
        if (m_last_found == &vma) m_last_found = nullptr;
        m_vmas.remove(vma);
        delete &vma;
    }
}

arch::PageAttributes AddressSpace::attributes_for(const Vma& vma, bool writable) const {
    arch::PageAttributes a;
    a.user = true;
    a.writable = writable && (vma.prot & PROT_WRITE);
    a.executable = vma.prot & PROT_EXEC;
    a.no_access = !(vma.prot & (PROT_READ | PROT_WRITE | PROT_EXEC));
    return a;
}

Result<uptr> AddressSpace::map(MapRequest request) {
    if (request.length == 0 || request.length > mm::MAX_MAPPING) return err(EINVAL);
    usize length = kstd::align_up<usize>(request.length, PAGE);
    if ((request.prot & PROT_WRITE) && (request.prot & PROT_EXEC)) return err(EACCES);  // W^X
    bool fixed = request.flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
    if (fixed) {
        if (request.address & (PAGE - 1)) return err(EINVAL);
        if (request.address < arch::USER_BASE || request.address + length > arch::USER_END ||
            request.address + length < request.address)
            return err(request.address < arch::USER_BASE ? EPERM : ENOMEM);
        if ((request.flags & MAP_FIXED_NOREPLACE) && !range_is_free(request.address, request.address + length))
            return err(EEXIST);
    }
    uptr start = TRY(find_free_range(page_floor(request.address), length, fixed));
    Vma* vma = new_vma();
    if (!vma) return err(ENOMEM);
    if (fixed) {
        // MAP_FIXED replaces whatever was there.
        if (auto split = split_at(start); split.is_error() || split_at(start + length).is_error()) {
            delete vma;
            return err(ENOMEM);
        }
        remove_range(start, start + length);
    }
    vma->start = start;
    vma->end = start + length;
    vma->prot = request.prot;
    vma->flags = 0;
    if (request.flags & MAP_SHARED) vma->flags |= VMA_SHARED;
    if (request.flags & MAP_GROWSDOWN) vma->flags |= VMA_GROWSDOWN;
    if (request.flags & MAP_NORESERVE) vma->flags |= VMA_NORESERVE;
    vma->kind = request.kind;
    vma->object = kstd::move(request.object);
    vma->offset = request.offset;
    vma->name = kstd::move(request.name);
    vma->device = request.device;
    vma->inode = request.inode;
    insert(*vma);
    return start;
}

ErrorOr AddressSpace::unmap(uptr start, usize length) {
    if ((start & (PAGE - 1)) || length == 0) return err(EINVAL);
    usize aligned = kstd::align_up<usize>(length, PAGE);
    uptr end = start + aligned;
    if (end < start || end > arch::USER_END) return err(EINVAL);
    TRY(split_at(start));
    TRY(split_at(end));
    remove_range(start, end);
    return {};
}

ErrorOr AddressSpace::protect(uptr start, usize length, int prot) {
    if (start & (PAGE - 1)) return err(EINVAL);
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP)) return err(EINVAL);
    if ((prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP)) return err(EINVAL);
    prot &= PROT_READ | PROT_WRITE | PROT_EXEC;
    if ((prot & PROT_WRITE) && (prot & PROT_EXEC)) return err(EACCES);  // W^X
    uptr end = start + kstd::align_up<usize>(length, PAGE);
    if (end < start) return err(ENOMEM);
    if (length == 0) return {};
    // The whole range must be mapped (Linux: ENOMEM for a hole).
    if (!fully_mapped(start, end - start)) return err(ENOMEM);
    if (prot & PROT_WRITE) {
        for (Vma& vma : m_vmas) {
            if (vma.end > start && vma.start < end && (vma.flags & VMA_NEVER_WRITABLE)) return err(EACCES);
        }
    }
    TRY(split_at(start));
    TRY(split_at(end));
    bool active = arch::active_page_table() == m_page_table;
    for (Vma& vma : m_vmas) {
        if (vma.end <= start || vma.start >= end) continue;
        vma.prot = prot;
        arch::for_each_mapping(m_page_table, vma.start, vma.end, [&](uptr virt, const arch::Translation& t) {
            // Private pages stay read-only until their copy-on-write fault decides.
            Page* page = mm::phys_to_page(t.phys);
            bool exclusive = !vma.shared() && !page->owner && page->refcount.load(kstd::memory_order_relaxed) == 1;
            bool writable = (prot & PROT_WRITE) && (vma.shared() || (exclusive && t.attributes.writable));
            arch::remap_page(m_page_table, virt, t.phys, attributes_for(vma, writable));
            if (active) arch::flush_tlb_page(virt);
            if (writable && vma.shared() && vma.object) vma.object->mark_dirty((vma.offset + (virt - vma.start)) / PAGE);
        });
    }
    return {};
}

ErrorOr AddressSpace::discard(uptr start, usize length) {
    if (start & (PAGE - 1)) return err(EINVAL);
    uptr end = start + kstd::align_up<usize>(length, PAGE);
    if (end < start) return err(EINVAL);
    if (!fully_mapped(start, length)) return err(ENOMEM);
    for (Vma& vma : m_vmas) {
        if (vma.end <= start || vma.start >= end) continue;
        if (vma.flags & VMA_LOCKED) return err(EINVAL);
        // Shared memory keeps its contents; private pages are dropped and refault.
        if (!vma.shared()) unmap_pages(kstd::max(start, vma.start), kstd::min(end, vma.end));
    }
    return {};
}

ErrorOr AddressSpace::set_flags(uptr start, usize length, u32 set, u32 clear) {
    uptr end = start + kstd::align_up<usize>(length, PAGE);
    TRY(split_at(start));
    TRY(split_at(end));
    for (Vma& vma : m_vmas) {
        if (vma.end <= start || vma.start >= end) continue;
        vma.flags = (vma.flags | set) & ~clear;
    }
    return {};
}

Result<uptr> AddressSpace::remap(uptr old_address, usize old_length, usize new_length, int flags, uptr new_address) {
    if ((old_address & (PAGE - 1)) || new_length == 0) return err(EINVAL);
    if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) return err(EINVAL);
    if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) return err(EINVAL);
    old_length = kstd::align_up<usize>(old_length, PAGE);
    new_length = kstd::align_up<usize>(new_length, PAGE);
    Vma* vma = find_vma(old_address);
    if (!vma || old_address + old_length > vma->end || old_length == 0) return err(EFAULT);
    if (!(flags & MREMAP_FIXED)) {
        if (new_length <= old_length) {
            if (new_length < old_length) TRY(unmap(old_address + new_length, old_length - new_length));
            return old_address;
        }
        // Grow in place when the space after the region is free.
        if (old_address + old_length == vma->end && range_is_free(vma->end, old_address + new_length) &&
            old_address + new_length <= arch::USER_END) {
            vma->end = old_address + new_length;
            return old_address;
        }
        if (!(flags & MREMAP_MAYMOVE)) return err(ENOMEM);
    }
    // Move: a new region with the same properties, the pages carried over.
    if ((flags & MREMAP_FIXED) && (new_address & (PAGE - 1))) return err(EINVAL);
    TRY(split_at(old_address));
    TRY(split_at(old_address + old_length));
    vma = find_vma(old_address);
    MapRequest request;
    request.address = (flags & MREMAP_FIXED) ? new_address : 0;
    request.length = new_length;
    request.prot = vma->prot;
    request.flags = (vma->shared() ? MAP_SHARED : MAP_PRIVATE) | ((flags & MREMAP_FIXED) ? MAP_FIXED : 0);
    request.object = vma->object;
    request.offset = vma->offset;
    request.kind = vma->kind;
    request.name = vma->name;
    request.device = vma->device;
    request.inode = vma->inode;
    uptr target = TRY(map(kstd::move(request)));
    vma = find_vma(old_address);
    bool active = arch::active_page_table() == m_page_table;
    usize moved = kstd::min(old_length, new_length);
    Vma* new_vma = find_vma(target);
    arch::for_each_mapping(m_page_table, old_address, old_address + moved, [&](uptr virt, const arch::Translation& t) {
        arch::unmap_page(m_page_table, virt);
        if (active) arch::flush_tlb_page(virt);
        if (arch::map_page(m_page_table, target + (virt - old_address), t.phys,
                           attributes_for(*new_vma, t.attributes.writable))
                .is_error()) {
            mm::put_page(mm::phys_to_page(t.phys));  // could not carry it: the page refaults
            m_resident_pages--;
        }
    });
    remove_range(old_address, old_address + old_length);
    return target;
}

Result<uptr> AddressSpace::set_brk(uptr new_end) {
    if (new_end < brk_start) return brk_end;
    uptr old_top = kstd::align_up<uptr>(brk_end, PAGE);
    uptr new_top = kstd::align_up<uptr>(new_end, PAGE);
    if (new_top > old_top) {
        if (!range_is_free(old_top, new_top) || new_top > mmap_base) return brk_end;
        Vma* heap = old_top > brk_start ? find_vma(old_top - 1) : nullptr;
        if (heap && heap->kind == VmaKind::Heap && heap->end == old_top) {
            heap->end = new_top;
        } else {
            MapRequest request;
            request.address = old_top;
            request.length = new_top - old_top;
            request.prot = PROT_READ | PROT_WRITE;
            request.flags = MAP_PRIVATE | MAP_FIXED;
            request.kind = VmaKind::Heap;
            if (map(kstd::move(request)).is_error()) return brk_end;
        }
    } else if (new_top < old_top) {
        if (unmap(new_top, old_top - new_top).is_error()) return brk_end;
    }
    brk_end = new_end;
    return brk_end;
}

Vma* AddressSpace::grow_down_to(uptr address, u64 stack_limit) {
    // A MAP_GROWSDOWN region extends to cover a fault below it, as a stack grows, while
    // Linux's guard gap (256 pages) stays free below it.
    constexpr uptr GUARD_GAP = 256 * PAGE;
    Vma* above = nullptr;
    for (Vma& vma : m_vmas) {
        if (vma.start > address) {
            above = &vma;
            break;
        }
    }
    if (!above || !(above->flags & VMA_GROWSDOWN)) return nullptr;
    uptr new_start = page_floor(address);
    // The grown region may not exceed RLIMIT_STACK (Linux's acct_stack_growth).
    if (above->end - new_start > stack_limit) return nullptr;
    Vma* below = m_vmas.prev(*above);
    if (below && (below->end > new_start || new_start - below->end < GUARD_GAP)) return nullptr;
    if (new_start < arch::USER_BASE) return nullptr;
    above->offset -= above->start - new_start;
    above->start = new_start;
    return above;
}

Result<RefPtr<AddressSpace>> AddressSpace::fork() {
    RefPtr<AddressSpace> child = TRY(create());
    child->brk_start = brk_start;
    child->brk_end = brk_end;
    child->mmap_base = mmap_base;
    child->stack_top = stack_top;
    child->arg_start = arg_start, child->arg_end = arg_end;
    child->env_start = env_start, child->env_end = env_end;
    child->auxv_start = auxv_start, child->auxv_end = auxv_end;
    child->start_stack = start_stack;
    child->vdso_base = vdso_base;
    // Write-protected parent entries are flushed once at the end (Linux: flush_tlb_mm after
    // dup_mmap), also when the copy fails part-way.
    bool protected_any = false;
    struct FlushAtEnd {
        AddressSpace& parent;
        bool& needed;
        ~FlushAtEnd() {
            if (needed && arch::active_page_table() == parent.m_page_table) arch::flush_tlb_user();
        }
    } flush_at_end{*this, protected_any};
    for (Vma& vma : m_vmas) {
        if (vma.flags & VMA_DONTFORK) continue;
        Vma* copy = clone_vma(vma);
        if (!copy) return err(ENOMEM);
        child->m_vmas.push_back(*copy);
        ErrorOr failure;
        arch::update_each_mapping(m_page_table, vma.start, vma.end, [&](uptr virt, arch::Translation& t) {
            if (failure.is_error()) return arch::LeafUpdate::Keep;
            bool writable = t.attributes.writable;
            auto update = arch::LeafUpdate::Keep;
            if (!vma.shared() && writable) {
                // Both sides now share the page read-only; the first write copies it.
                writable = false;
                t.attributes = attributes_for(vma, false);
                update = arch::LeafUpdate::Rewrite;
                protected_any = true;
            }
            arch::PageAttributes attributes = attributes_for(vma, writable);
            if (t.attributes.no_access) attributes.no_access = true;
            if (auto mapped = arch::map_page(child->m_page_table, virt, t.phys, attributes); mapped.is_error()) {
                failure = mapped;
                return update;
            }
            mm::get_page(mm::phys_to_page(t.phys));
            child->m_resident_pages++;
            return update;
        });
        if (failure.is_error()) return failure.error();
    }
    return child;
}

FaultResult AddressSpace::fault_locked(Vma& vma, uptr page_address, Access access) {
    auto existing = arch::translate(m_page_table, page_address);
    bool write = access == Access::Write;
    if (existing && !existing->attributes.no_access) {
        if (!write || existing->attributes.writable) return FaultResult::Handled;  // raced: already fixed
        Page* page = mm::phys_to_page(existing->phys);
        if (vma.shared()) {
            arch::remap_page(m_page_table, page_address, existing->phys, attributes_for(vma, true));
            if (vma.object) vma.object->mark_dirty((vma.offset + (page_address - vma.start)) / PAGE);
        } else if (!page->owner && page->refcount.load(kstd::memory_order_acquire) == 1) {
            // The last holder of a private page: take it over instead of copying.
            arch::remap_page(m_page_table, page_address, existing->phys, attributes_for(vma, true));
        } else {
            Page* copy = mm::alloc_pages(0);
            if (!copy) return FaultResult::OutOfMemory;
            memcpy(mm::page_address(copy), mm::page_address(page), PAGE);
            arch::remap_page(m_page_table, page_address, mm::page_to_phys(copy), attributes_for(vma, true));
            mm::put_page(page);
        }
        arch::flush_tlb_page(page_address);
        return FaultResult::Handled;
    }
    if (existing) {
        // A PROT_NONE leftover whose region is accessible again: refresh the entry.
        arch::remap_page(m_page_table, page_address, existing->phys, attributes_for(vma, write && vma.shared()));
        arch::flush_tlb_page(page_address);
        return FaultResult::Handled;
    }

    Page* page;
    bool writable;
    if (!vma.object) {
        page = mm::alloc_zeroed_page();
        if (!page) return FaultResult::OutOfMemory;
        writable = true;
    } else {
        u64 index = (vma.offset + (page_address - vma.start)) / PAGE;
        auto got = vma.object->get_page(index);
        if (got.is_error()) return got.error().code() == ENOMEM ? FaultResult::OutOfMemory : FaultResult::BeyondObject;
        page = got.value();
        writable = vma.shared();
        if (!vma.shared() && write) {
            // A private write to file data: the process gets its own copy at once.
            Page* copy = mm::alloc_pages(0);
            if (!copy) {
                mm::put_page(page);
                return FaultResult::OutOfMemory;
            }
            memcpy(mm::page_address(copy), mm::page_address(page), PAGE);
            mm::put_page(page);
            page = copy;
            writable = true;
        }
        // Mapped writable, the page takes later writes without a fault: tell the object now.
        if (vma.shared() && (vma.prot & PROT_WRITE)) vma.object->mark_dirty(index);
    }
    if (arch::map_page(m_page_table, page_address, mm::page_to_phys(page), attributes_for(vma, writable)).is_error()) {
        mm::put_page(page);
        return FaultResult::OutOfMemory;
    }
    m_resident_pages++;
    m_peak_resident_pages = kstd::max(m_peak_resident_pages, m_resident_pages);
    return FaultResult::Handled;
}

FaultResult AddressSpace::handle_fault(uptr address, Access access, u64 stack_limit) {
    MutexGuard guard(m_lock);
    Vma* vma = find_vma(address);
    if (!vma) vma = grow_down_to(address, stack_limit);
    if (!vma) return FaultResult::NoMapping;
    bool allowed = access == Access::Write     ? (vma->prot & PROT_WRITE)
                   : access == Access::Execute ? (vma->prot & PROT_EXEC)
                                               : (vma->prot & (PROT_READ | PROT_WRITE | PROT_EXEC));
    if (!allowed) return FaultResult::NoPermission;
    return fault_locked(*vma, page_floor(address), access);
}
