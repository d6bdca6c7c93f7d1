// Memory: a process's address space — its page tables and the regions (VMAs) that say
// what may be mapped where, with demand paging and copy-on-write.
//
// Pages are filled on first touch (the page-fault handler asks the region); fork shares
// private pages read-only and copies on the first write. W^X holds for user mappings
// too: a region is never writable and executable at once (EACCES).
#pragma once

#include <asm/mman.h>
#include <linux/mman.h>

#include "arch/paging.h"
#include "lib/kstring.h"
#include "lib/list.h"
#include "lib/ref_ptr.h"
#include "lib/result.h"
#include "mm/memory_object.h"
#include "sync/mutex.h"

enum class VmaKind : u8 { Anonymous, File, Heap, Stack, Vdso, Vvar };

// Flags beyond protection, as Linux's VM_* (only those Strix needs).
enum VmaFlag : u32 {
    VMA_SHARED = 1 << 0,
    VMA_GROWSDOWN = 1 << 1,
    VMA_DONTFORK = 1 << 2,   // MADV_DONTFORK
    VMA_NORESERVE = 1 << 3,
    VMA_LOCKED = 1 << 4,
    VMA_NEVER_WRITABLE = 1 << 5,  // Linux: no VM_MAYWRITE (the vDSO's data page); mprotect says EACCES
};

struct Vma {
    uptr start = 0;
    uptr end = 0;  // exclusive, page aligned
    int prot = 0;  // PROT_READ | PROT_WRITE | PROT_EXEC
    u32 flags = 0;
    VmaKind kind = VmaKind::Anonymous;
    RefPtr<MemoryObject> object;  // null: private anonymous memory
    u64 offset = 0;               // byte offset of `start` within the object
    RefPtr<KString> name;         // the file's path, for /proc/<pid>/maps
    u64 device = 0;
    u64 inode = 0;
    ListNode node;

    bool shared() const { return flags & VMA_SHARED; }
    bool contains(uptr address) const { return address >= start && address < end; }
};

enum class Access : u8 { Read, Write, Execute };

enum class FaultResult : u8 {
    Handled,
    NoMapping,     // SIGSEGV, SEGV_MAPERR
    NoPermission,  // SIGSEGV, SEGV_ACCERR
    BeyondObject,  // SIGBUS, BUS_ADRERR (past the end of a mapped file)
    OutOfMemory,
};

class AddressSpace : public RefCounted<AddressSpace> {
public:
    static Result<RefPtr<AddressSpace>> create();
    ~AddressSpace();

    // A copy for fork: shared regions stay shared, private pages become copy-on-write.
    Result<RefPtr<AddressSpace>> fork();

    arch::PageTableRoot page_table() const { return m_page_table; }
    Mutex& lock() { return m_lock; }
    void activate();

    struct MapRequest {
        uptr address = 0;  // hint, or the exact place with MAP_FIXED
        usize length = 0;
        int prot = 0;
        int flags = 0;     // MAP_SHARED/PRIVATE, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN, ...
        RefPtr<MemoryObject> object;
        u64 offset = 0;
        VmaKind kind = VmaKind::Anonymous;
        RefPtr<KString> name;
        u64 device = 0, inode = 0;
    };
    // The mmap core (the caller holds lock()). Returns the address mapped.
    Result<uptr> map(MapRequest request);
    ErrorOr unmap(uptr start, usize length);
    ErrorOr protect(uptr start, usize length, int prot);
    Result<uptr> remap(uptr old_address, usize old_length, usize new_length, int flags, uptr new_address);
    // MADV_DONTNEED: private pages go back to zero-fill (or the file's contents).
    ErrorOr discard(uptr start, usize length);
    ErrorOr set_flags(uptr start, usize length, u32 set, u32 clear);

    // Demand paging and copy-on-write; takes lock() itself. A MAP_GROWSDOWN region may
    // grow to stack_limit bytes (the process's RLIMIT_STACK) to cover the address.
    FaultResult handle_fault(uptr address, Access access, u64 stack_limit);
    // Faults in [start, start+length) for writing, as the kernel does before writing user
    // memory it may not touch otherwise (none needed today: faults are handled inline).

    // The program break.
    uptr brk_start = 0;
    uptr brk_end = 0;
    Result<uptr> set_brk(uptr new_end);

    // Where mmap places things without a hint: top down from here.
    uptr mmap_base = 0;
    uptr stack_top = 0;
    // Where exec put the program's arguments, environment and auxiliary vector, and the
    // initial stack pointer (/proc/<pid>/cmdline, environ, auxv and stat).
    uptr arg_start = 0, arg_end = 0;
    uptr env_start = 0, env_end = 0;
    uptr auxv_start = 0, auxv_end = 0;
    uptr start_stack = 0;
    uptr vdso_base = 0;  // AT_SYSINFO_EHDR; 0 without a vDSO

    Vma* find_vma(uptr address);
    // Whether every page of [start, start+length) belongs to some region (ENOMEM if not,
    // for madvise, msync, mlock and mprotect).
    bool fully_mapped(uptr start, usize length);
    IntrusiveList<Vma, &Vma::node>& vmas() { return m_vmas; }
    u64 resident_pages() const { return m_resident_pages; }
    u64 peak_resident_pages() const { return m_peak_resident_pages; }
    u64 mapped_bytes() const;

private:
    AddressSpace() = default;
    Result<uptr> find_free_range(uptr hint, usize length, bool fixed);
    bool range_is_free(uptr start, uptr end);
    // Splits the region so that a boundary falls at `address`; ENOMEM when out of memory.
    ErrorOr split_at(uptr address);
    void remove_range(uptr start, uptr end);
    void insert(Vma& vma);
    void unmap_pages(uptr start, uptr end);
    arch::PageAttributes attributes_for(const Vma& vma, bool writable) const;
    FaultResult fault_locked(Vma& vma, uptr page, Access access);
    Vma* grow_down_to(uptr address, u64 stack_limit);

    arch::PageTableRoot m_page_table = 0;
    Mutex m_lock;
    IntrusiveList<Vma, &Vma::node> m_vmas;  // sorted by address, never overlapping
    Vma* m_last_found = nullptr;
    u64 m_resident_pages = 0;
    u64 m_peak_resident_pages = 0;
};

namespace mm {
// The page-fault entry for user addresses (installed with the architecture at boot).
void address_space_init();
// Largest user mapping Strix accepts in one call.
constexpr usize MAX_MAPPING = usize(1) << 46;
}  // namespace mm
