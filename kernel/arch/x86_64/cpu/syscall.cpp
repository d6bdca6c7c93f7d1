// x86_64 CPU: SYSCALL/SYSRET set-up and the bridge from the entry stub to the generic
// dispatcher (syscalls/dispatch.h).
//
// STAR's selector arithmetic fixes the GDT order (cpu/gdt.h): SYSCALL loads CS=0x08 and
// SS=0x10 from STAR[47:32]; SYSRET loads CS=STAR[63:48]+16=0x20 and SS=STAR[63:48]+8=0x18,
// both with RPL 3.
#include "arch/memory_layout.h"
#include "arch/x86_64/cpu/gdt.h"
#include "arch/x86_64/cpu/interrupt_frame.h"
#include "arch/x86_64/cpu/x86.h"
#include "proc/return_to_user.h"
#include "syscalls/dispatch.h"

extern "C" void x86_syscall_entry();

namespace x86 {

void syscall_init() {
    wrmsr(MSR_STAR, (u64(KERNEL_DS) << 48) | (u64(KERNEL_CS) << 32));
    wrmsr(MSR_LSTAR, reinterpret_cast<u64>(x86_syscall_entry));
    wrmsr(MSR_CSTAR, 0);  // no 32-bit compatibility syscalls
    // Cleared on entry: interrupts (until the kernel stack is in use), direction,
    // trap, alignment check (so SMAP applies) and nested task.
    wrmsr(MSR_SFMASK, RFLAGS_IF | (1 << 10) | (1 << 8) | RFLAGS_AC | (1 << 14));
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

}  // namespace x86

extern "C" int x86_syscall_dispatch(InterruptFrame* frame) {
    asm volatile("sti");
    SyscallArguments args{{frame->rdi, frame->rsi, frame->rdx, frame->r10, frame->r8, frame->r9}};
    frame->rax = static_cast<u64>(dispatch_syscall(frame->error_code, args));
    bool full_restore = return_to_user(*frame, ReturnFrom::Syscall);
    asm volatile("cli");
    // SYSRET takes RIP from RCX and RFLAGS from R11: usable only for an ordinary user
    // address, and only when nothing asked for every register to be restored as saved.
    if (full_restore || frame->rip >= arch::USER_END) return 1;
    frame->rcx = frame->rip;
    frame->r11 = frame->rflags;
    return 0;
}

// The interrupt path's return to user mode (entry/switch.S for new threads too).
extern "C" void x86_return_to_user_prepare(InterruptFrame* frame) {
    return_to_user(*frame, ReturnFrom::Interrupt);
    asm volatile("cli");
}
