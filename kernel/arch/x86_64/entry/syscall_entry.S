/*
 * x86_64 entry: the SYSCALL instruction's landing point (IA32_LSTAR).
 *
 * SYSCALL leaves the user RIP in %rcx and RFLAGS in %r11, masks RFLAGS with IA32_FMASK
 * (IF, DF, TF, AC cleared) and does not switch stacks. We swap GS to the per-CPU data,
 * switch to the thread's kernel stack and save an InterruptFrame exactly like the
 * interrupt path, so the rest of the kernel sees one register layout. The return uses
 * SYSRET when the frame allows it (the common case) and IRET otherwise (after
 * rt_sigreturn or execve, or when the return address is not a plain user address: SYSRET
 * with a non-canonical RCX would fault in ring 0 on the user's stack).
 */
#include "arch/x86_64/entry/frame_offsets.h"

#define CPU_LOCAL_USER_RSP 8
#define CPU_LOCAL_KERNEL_STACK 16
#define USER_DS (0x18 | 3)
#define USER_CS (0x20 | 3)

    .text
    .global x86_syscall_entry
    .type x86_syscall_entry, @function
x86_syscall_entry:
    swapgs
    mov %rsp, %gs:CPU_LOCAL_USER_RSP
    mov %gs:CPU_LOCAL_KERNEL_STACK, %rsp
    push $USER_DS                            /* ss */
    push %gs:CPU_LOCAL_USER_RSP              /* rsp */
    push %r11                                /* rflags */
    push $USER_CS                            /* cs */
    push %rcx                                /* rip */
    push %rax                                /* error_code: the syscall number (orig_ax) */
    push $256                                /* vector: 256 marks a syscall frame */
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
    xor %ebp, %ebp
    mov %rsp, %rdi
    call x86_syscall_dispatch                /* returns nonzero when IRET is needed */
    test %eax, %eax
    jnz 1f
    /* SYSRET: RIP from %rcx, RFLAGS from %r11, which the dispatcher made match the frame. */
    pop %r15
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
    mov FRAME_RSP - FRAME_VECTOR(%rsp), %rsp
    swapgs
    sysretq
1:  jmp interrupt_return
    .size x86_syscall_entry, . - x86_syscall_entry
