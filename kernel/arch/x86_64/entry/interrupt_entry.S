/*
 * x86_64 entry: interrupt and exception stubs.
 *
 * Every vector gets a stub that makes the stack look the same (an error code, real or
 * zero, and the vector number) and jumps to interrupt_common, which saves the registers
 * as an InterruptFrame (cpu/interrupt_frame.h), switches GS to the kernel's per-CPU
 * data when coming from user mode, and calls x86_interrupt_dispatch(frame).
 */
#include "arch/x86_64/entry/frame_offsets.h"

    .text
    .global interrupt_common
    .type interrupt_common, @function
interrupt_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    cld
    testb $3, FRAME_CS(%rsp)
    jz 1f
    swapgs
1:  mov %rsp, %rdi
    /* A frame pointer chain through the interrupted code: rbp -> [saved rbp, rip]. */
    xor %ebp, %ebp
    call x86_interrupt_dispatch
    .global interrupt_return
interrupt_return:
    testb $3, FRAME_CS(%rsp)
    jz 2f
    cli
    swapgs
2:  pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp                            /* vector and error code */
    iretq
    .size interrupt_common, . - interrupt_common

/* Vectors for which the CPU pushes an error code (Intel SDM vol. 3, table 6-1). */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

    .macro stub vector
    .balign 16
    .if HAS_ERROR_CODE(\vector)
    .else
    push $0
    .endif
    push $\vector
    jmp interrupt_common
    .endm

    .balign 16
    .global interrupt_stubs
interrupt_stubs:
    .set vec, 0
    .rept 256
    stub vec
    .set vec, vec + 1
    .endr

    .section .rodata
    .balign 8
    .global interrupt_stub_size
interrupt_stub_size:
    .quad 16
