/*
 * x86_64 entry: access probes for in-kernel tests (see arch/probe.h).
 *
 * probe_read/probe_write fault inside themselves and recover through .ex_table.
 * probe_execute faults at the target address, which no table can list, so it records
 * where to resume in x86_probe_resume_rip/rsp; the page-fault path consults them.
 */
#define EX_ENTRY(insn, fixup) \
    .pushsection .ex_table, "a"; .balign 8; .quad insn, fixup; .popsection

    .text
/* int x86_probe_read(uptr address): 0 or 1 (faulted). */
    .global x86_probe_read
x86_probe_read:
    xor %eax, %eax
1:  movb (%rdi), %cl
    ret
2:  mov $1, %eax
    ret
    EX_ENTRY(1b, 2b)

/* int x86_probe_write(uptr address): 0 or 1 (faulted). */
    .global x86_probe_write
x86_probe_write:
    xor %eax, %eax
1:  movb (%rdi), %cl
3:  movb %cl, (%rdi)
    ret
2:  mov $1, %eax
    ret
    EX_ENTRY(1b, 2b)
    EX_ENTRY(3b, 2b)

/* int x86_probe_execute(uptr address): 0 or 1 (faulted). */
    .global x86_probe_execute
x86_probe_execute:
    push %rbp
    mov %rsp, %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    lea 1f(%rip), %rax
    mov %rax, x86_probe_resume_rip(%rip)
    mov %rsp, x86_probe_resume_rsp(%rip)
    call *%rdi
    xor %eax, %eax
    jmp 2f
1:  mov $1, %eax
2:  movq $0, x86_probe_resume_rip(%rip)
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

    .bss
    .balign 8
    .global x86_probe_resume_rip
x86_probe_resume_rip: .quad 0
    .global x86_probe_resume_rsp
x86_probe_resume_rsp: .quad 0
