// x86_64 boot: where the kernel sits in physical and virtual memory.
//
// Usable from both C++ and assembly. The image is linked at KERNEL_VIRT_BASE +
// KERNEL_PHYS_LOAD, like Linux's __START_KERNEL (0xffffffff81000000), and loaded at
// KERNEL_PHYS_LOAD by QEMU's PVH loader or by GRUB.
#pragma once

#define KERNEL_VIRT_BASE 0xffffffff80000000
#define KERNEL_PHYS_LOAD 0x1000000
// Linux's direct map base (x86_64 4-level paging, no KASLR): all physical memory.
#define DIRECT_MAP_BASE 0xffff888000000000
#define BOOT_STACK_SIZE 0x4000

#define BOOT_PROTOCOL_PVH 1
#define BOOT_PROTOCOL_MULTIBOOT2 2

#define MULTIBOOT2_HEADER_MAGIC 0xe85250d6
#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289
#define XEN_ELFNOTE_PHYS32_ENTRY 18
