// Architecture interface: the kernel's virtual memory layout.
//
//   USER_BASE..USER_END          user space (lower half)
//   DIRECT_MAP_BASE              all physical memory, read/write, never executable
//   VMALLOC_BASE..VMALLOC_END    kernel stacks (with guard pages) and MMIO (ioremap)
//   KERNEL_VIRT_BASE + 16 MiB    the kernel image
#pragma once

#include "arch/x86_64/boot/layout.h"
#include "lib/types.h"

namespace arch {
constexpr uptr USER_BASE = 0x10000;             // Linux's default vm.mmap_min_addr
constexpr uptr USER_END = 0x00007ffffffff000;   // Linux's TASK_SIZE: the last page is a guard
constexpr uptr DIRECT_MAP = DIRECT_MAP_BASE;
constexpr uptr DIRECT_MAP_SIZE = 64 * 1024ull * GiB;
constexpr uptr VMALLOC_BASE = 0xffffc90000000000;
constexpr uptr VMALLOC_SIZE = 1 * GiB;
constexpr uptr KERNEL_IMAGE_BASE = KERNEL_VIRT_BASE;
}  // namespace arch
