/*
 * x86_64 vDSO: the shared object built from vclock.c (kernel/CMakeLists.txt), linked into
 * the kernel's read-only data. vdso.cpp copies it into pages of its own at boot.
 */
    .section .rodata.vdso_image, "a"
    .balign 4096
    .globl vdso_image_start
vdso_image_start:
    .incbin VDSO_IMAGE_PATH
    .globl vdso_image_end
vdso_image_end:
