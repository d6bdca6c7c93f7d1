/*
 * x86_64 entry: switching kernel stacks between threads.
 *
 * void x86_switch_stacks(uptr* save_rsp, uptr new_rsp)
 * pushes the callee-saved registers (the System V ABI says the caller saved the rest),
 * stores the stack pointer, loads the other thread's, pops its registers and returns
 * into wherever that thread called x86_switch_stacks — or, for a new thread, into the
 * start routine prepare_*_thread placed on its stack.
 */
    .text
    .global x86_switch_stacks
    .type x86_switch_stacks, @function
x86_switch_stacks:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, (%rdi)
    mov %rsi, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret
    .size x86_switch_stacks, . - x86_switch_stacks

/* A new kernel thread: r12 = entry, r13 = argument (from its prepared stack). */
    .global x86_kernel_thread_start
    .type x86_kernel_thread_start, @function
x86_kernel_thread_start:
    call thread_start_hook
    mov %r13, %rdi
    xor %ebp, %ebp
    call *%r12
    call thread_exit_from_kernel
    ud2
    .size x86_kernel_thread_start, . - x86_kernel_thread_start

/* A new user thread: its InterruptFrame is at the top of the stack, just above us. */
    .global x86_user_thread_start
    .type x86_user_thread_start, @function
x86_user_thread_start:
    call thread_start_hook
    mov %rsp, %rdi
    call x86_return_to_user_prepare
    jmp interrupt_return
    .size x86_user_thread_start, . - x86_user_thread_start

/*
 * void x86_enter_user_mode(InterruptFrame* frame): the frame becomes the stack and the
 * common interrupt exit pops it into the registers and IRETs to user mode. Everything
 * the calling kernel thread had on its stack above the frame is abandoned.
 */
    .global x86_enter_user_mode
    .type x86_enter_user_mode, @function
x86_enter_user_mode:
    cli
    mov %rdi, %rsp
    jmp interrupt_return
    .size x86_enter_user_mode, . - x86_enter_user_mode
