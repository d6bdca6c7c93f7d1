/*
 * x86_64 boot: the first instructions. Both boot protocols enter here in 32-bit
 * protected mode with paging off:
 *   - PVH (QEMU -kernel): the Xen ELF note XEN_ELFNOTE_PHYS32_ENTRY names pvh_entry,
 *     %ebx holds the physical address of struct hvm_start_info;
 *   - Multiboot2 (GRUB, BIOS or UEFI): the header below names mb2_entry,
 *     %eax holds the Multiboot2 magic and %ebx the physical address of the boot info.
 * We load a boot GDT, zero .bss, build page tables that map the first 4 GiB at 0 (identity),
 * at DIRECT_MAP_BASE and the kernel image at KERNEL_VIRT_BASE, enter long mode and call
 * kernel_boot_main(protocol, info_phys) on the boot stack in the higher half.
 */
#include "arch/x86_64/boot/layout.h"

#define PHYS(sym) ((sym) - KERNEL_VIRT_BASE)
#define PTE_PRESENT 0x1
#define PTE_WRITE 0x2
#define PTE_HUGE 0x80

/* ---- Multiboot2 header: must sit in the first 32 KiB of the file, 8-byte aligned. ---- */
    .section .multiboot2, "a"
    .balign 8
mb2_header:
    .long MULTIBOOT2_HEADER_MAGIC
    .long 0                                  /* architecture: i386 protected mode */
    .long mb2_header_end - mb2_header
    .long -(MULTIBOOT2_HEADER_MAGIC + (mb2_header_end - mb2_header))
    .balign 8                                /* entry address tag (type 3) */
    .short 3, 0
    .long 12
    .long PHYS(mb2_entry)
    .balign 8                                /* end tag */
    .short 0, 0
    .long 8
mb2_header_end:

/* ---- PVH entry note, read by QEMU's ELF loader (hw/i386/x86.c). ---- */
    .section .note.Xen, "a"
    .balign 4
    .long 4                                  /* name size: "Xen\0" */
    .long 8                                  /* descriptor size */
    .long XEN_ELFNOTE_PHYS32_ENTRY
    .asciz "Xen"
    .balign 4
    .quad PHYS(pvh_entry)                    /* QEMU reads a full 64-bit value */

    .section .boot.text, "ax"
    .code32
    .global pvh_entry
pvh_entry:
    mov $BOOT_PROTOCOL_PVH, %ebp
    jmp start32

    .global mb2_entry
mb2_entry:
    cmp $MULTIBOOT2_BOOTLOADER_MAGIC, %eax
    jne no_long_mode
    mov $BOOT_PROTOCOL_MULTIBOOT2, %ebp

start32:
    cli
    cld
    lgdt PHYS(boot_gdtr)
    ljmp $0x18, $PHYS(1f)
1:  mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %eax, %fs
    mov %eax, %gs
    mov %ebp, PHYS(saved_protocol)
    mov %ebx, PHYS(saved_info)

    /* Zero .bss (the loaders zero it too; we do not rely on it). */
    mov $PHYS(__bss_start), %edi
    mov $PHYS(__bss_end), %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    mov $PHYS(boot_stack_top), %esp

    /* Long mode is required; NX is used when present. */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    bt $29, %edx
    jnc no_long_mode
    mov %edx, %esi                           /* keep the NX bit (20) for EFER below */

    /* Four page directories of 2 MiB pages cover 0..4 GiB. */
    mov $PHYS(boot_pd), %edi
    xor %ecx, %ecx
2:  mov %ecx, %eax
    shl $21, %eax
    or $(PTE_PRESENT | PTE_WRITE | PTE_HUGE), %eax
    mov %eax, (%edi, %ecx, 8)
    mov %ecx, %eax
    shr $11, %eax                            /* bits 32+ of the address: ecx >> 11 */
    mov %eax, 4(%edi, %ecx, 8)
    inc %ecx
    cmp $2048, %ecx
    jb 2b

    /* boot_pdpt_low[0..3] -> the four directories; used for identity and direct map. */
    mov $PHYS(boot_pdpt_low), %edi
    mov $PHYS(boot_pd), %eax
    or $(PTE_PRESENT | PTE_WRITE), %eax
    xor %ecx, %ecx
3:  mov %eax, (%edi, %ecx, 8)
    add $0x1000, %eax
    inc %ecx
    cmp $4, %ecx
    jb 3b

    /* boot_pdpt_high[510] -> first directory: KERNEL_VIRT_BASE maps physical 0..1 GiB. */
    mov $PHYS(boot_pd), %eax
    or $(PTE_PRESENT | PTE_WRITE), %eax
    mov %eax, PHYS(boot_pdpt_high) + 510 * 8

    mov $PHYS(boot_pdpt_low), %eax
    or $(PTE_PRESENT | PTE_WRITE), %eax
    mov %eax, PHYS(boot_pml4)                                   /* identity */
    mov %eax, PHYS(boot_pml4) + ((DIRECT_MAP_BASE >> 39) & 511) * 8
    mov $PHYS(boot_pdpt_high), %eax
    or $(PTE_PRESENT | PTE_WRITE), %eax
    mov %eax, PHYS(boot_pml4) + 511 * 8

    mov $PHYS(boot_pml4), %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $(1 << 5), %eax                       /* PAE */
    mov %eax, %cr4

    mov $0xc0000080, %ecx                    /* IA32_EFER */
    rdmsr
    or $(1 << 8), %eax                       /* LME */
    bt $20, %esi
    jnc 4f
    or $(1 << 11), %eax                      /* NXE */
4:  wrmsr

    mov %cr0, %eax
    or $((1 << 31) | (1 << 16) | 1), %eax    /* PG, WP, PE */
    mov %eax, %cr0
    ljmp $0x08, $PHYS(start64)

no_long_mode:
    /* Nothing to report to yet: the console comes up in 64-bit code. */
    hlt
    jmp no_long_mode

    .code64
start64:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
    movabs $higher_half, %rax
    jmp *%rax

    .text
higher_half:
    movabs $boot_stack_top, %rsp
    xor %ebp, %ebp                           /* terminates frame-pointer backtraces */
    movl saved_protocol(%rip), %edi
    movl saved_info(%rip), %esi
    call kernel_boot_main
6:  hlt
    jmp 6b

    .section .boot.data, "aw"
    .balign 16
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff                 /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff                 /* 0x10: data */
    .quad 0x00cf9a000000ffff                 /* 0x18: 32-bit code */
boot_gdt_end:
boot_gdtr:
    .short boot_gdt_end - boot_gdt - 1
    .long PHYS(boot_gdt)
    .balign 4
saved_protocol: .long 0
saved_info: .long 0

    .bss
    .balign 4096
    .global boot_pml4
boot_pml4: .skip 4096
boot_pdpt_low: .skip 4096
boot_pdpt_high: .skip 4096
boot_pd: .skip 4096 * 4
    .balign 16
    .global boot_stack_bottom
boot_stack_bottom:
    .skip BOOT_STACK_SIZE
boot_stack_top:
