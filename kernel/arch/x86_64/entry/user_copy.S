/*
 * x86_64 entry: the only code that touches user memory.
 *
 * Each routine opens user access with STAC (when SMAP is on), copies with string
 * instructions whose faults are listed in .ex_table, and closes it with CLAC. A fault
 * resumes at the fixup, which reports how many bytes were left. The callers
 * (mm/user_copy.cpp) check ranges first; these only survive bad pages.
 */
#define EX_ENTRY(insn, fixup) \
    .pushsection .ex_table, "a"; .balign 8; .quad insn, fixup; .popsection

    .macro user_access_begin
    testb $1, x86_smap_enabled(%rip)
    jz 98f
    stac
98:
    .endm
    .macro user_access_end
    testb $1, x86_smap_enabled(%rip)
    jz 99f
    clac
99:
    .endm

    .text
/* usize arch_copy_user(void* dst, const void* src, usize n): bytes NOT copied. */
    .global arch_copy_user
    .type arch_copy_user, @function
arch_copy_user:
    mov %rdx, %rcx
    user_access_begin
1:  rep movsb
2:  user_access_end
    mov %rcx, %rax
    ret
    EX_ENTRY(1b, 2b)
    .size arch_copy_user, . - arch_copy_user

/* usize arch_clear_user(void* dst, usize n): bytes NOT cleared. */
    .global arch_clear_user
    .type arch_clear_user, @function
arch_clear_user:
    mov %rsi, %rcx
    xor %eax, %eax
    user_access_begin
1:  rep stosb
2:  user_access_end
    mov %rcx, %rax
    ret
    EX_ENTRY(1b, 2b)
    .size arch_clear_user, . - arch_clear_user

/*
 * isize arch_strncpy_user(char* dst, const char* src, usize max): the string's length
 * when a NUL was copied within max bytes, max when none was, -1 on a fault.
 */
    .global arch_strncpy_user
    .type arch_strncpy_user, @function
arch_strncpy_user:
    xor %eax, %eax
    user_access_begin
3:  cmp %rdx, %rax
    je 5f
1:  movb (%rsi, %rax), %cl
    movb %cl, (%rdi, %rax)
    test %cl, %cl
    jz 5f
    inc %rax
    jmp 3b
2:  mov $-1, %rax
5:  user_access_end
    ret
    EX_ENTRY(1b, 2b)
    .size arch_strncpy_user, . - arch_strncpy_user

/* int arch_user_cmpxchg32(u32* uaddr, u32 expected, u32 desired, u32* old): 0 or -1. */
    .global arch_user_cmpxchg32
    .type arch_user_cmpxchg32, @function
arch_user_cmpxchg32:
    mov %esi, %eax
    user_access_begin
1:  lock cmpxchgl %edx, (%rdi)
    mov %eax, (%rcx)
    xor %eax, %eax
    jmp 3f
2:  mov $-1, %eax
3:  user_access_end
    ret
    EX_ENTRY(1b, 2b)
    .size arch_user_cmpxchg32, . - arch_user_cmpxchg32

/* int arch_user_load32(const u32* uaddr, u32* out): 0 or -1 (atomic 32-bit read). */
    .global arch_user_load32
    .type arch_user_load32, @function
arch_user_load32:
    user_access_begin
1:  movl (%rdi), %eax
    movl %eax, (%rsi)
    xor %eax, %eax
    jmp 3f
2:  mov $-1, %eax
3:  user_access_end
    ret
    EX_ENTRY(1b, 2b)
    .size arch_user_load32, . - arch_user_load32
