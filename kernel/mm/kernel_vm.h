// Memory: the kernel's own address space — the direct map, the kernel image with W^X
// section permissions, and the vmalloc area (kernel stacks with guard pages, MMIO).
#pragma once

#include "init/boot_info.h"
#include "lib/kstd.h"
#include "lib/result.h"
#include "mm/page.h"
#include "lib/types.h"

namespace mm {

// Builds the kernel page tables from the memory map and switches to them.
void kernel_vm_init(const BootInfo& boot);

// Kernel stacks: THREAD_STACK_SIZE bytes with an unmapped guard page below, so an
// overflow faults (a double fault on its own stack) instead of corrupting memory.
constexpr usize KERNEL_STACK_SIZE = 16 * KiB;
struct KernelStack {
    uptr base = 0;  // lowest mapped byte
    uptr top = 0;   // one past the highest byte: the initial stack pointer
};
Result<KernelStack> allocate_kernel_stack();
void free_kernel_stack(const KernelStack& stack);

// Maps device memory (uncached) or firmware tables (cached) into the vmalloc area.
enum class Caching { Uncached, WriteBack };
Result<void*> ioremap(PhysAddr phys, usize size, Caching caching = Caching::Uncached);
void iounmap(void* address, usize size);

// Maps scattered pages at consecutive kernel addresses (read-write), so code that wants
// one contiguous buffer (a file system's byte-range I/O) can work on page-cache pages in
// place; vunmap takes the mapping down (the pages stay the caller's).
Result<void*> vmap(kstd::span<Page* const> pages);
void vunmap(void* address, usize pages);

// A pointer to physical memory for reading firmware tables: the direct map when the
// range is RAM, otherwise a cached ioremap (never unmapped: tables live forever).
Result<const void*> map_firmware(PhysAddr phys, usize size);

struct VmallocStats {
    u64 reserved_pages;
    u64 mapped_pages;
};
VmallocStats vmalloc_stats();

}  // namespace mm
