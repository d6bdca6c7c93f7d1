// x86_64 CPU: the rt_sigframe — what a signal handler finds on its stack, and what
// rt_sigreturn reads back (Linux arch/x86/kernel/signal.c and signal_64.c; structures
// from <asm/ucontext.h>, <asm/sigcontext.h>, <asm/siginfo.h>).
//
//   higher addresses   interrupted stack (minus the 128-byte red zone)
//                      XSAVE/FXSAVE area (64-byte aligned) + FP_XSTATE_MAGIC2
//                      struct rt_sigframe { pretcode; ucontext; siginfo }
//   %rsp at entry ->   pretcode (= sa_restorer; the handler's `ret` goes there)
#include <asm/sigcontext.h>
#include <asm/signal.h>
#include <asm/ucontext.h>

#include "arch/signal_frame.h"
#include "arch/x86_64/cpu/features.h"
#include "arch/x86_64/cpu/fpu_state.h"
#include "arch/x86_64/cpu/gdt.h"
#include "lib/string.h"
#include "mm/user_copy.h"
#include "proc/thread.h"

namespace arch {

namespace {

struct RtSigframe {
    u64 pretcode;
    struct ucontext uc;
    siginfo_t info;
};

constexpr u64 RED_ZONE = 128;
constexpr u64 FLAGS_USER_MODIFIABLE = 0x40dd5;  // AC|OF|DF|TF|SF|ZF|AF|PF|CF|RF (Linux's FIX_EFLAGS)
constexpr u64 FLAG_TF = 1 << 8, FLAG_DF = 1 << 10, FLAG_RF = 1 << 16;

usize fpu_frame_size() { return x86::g_cpu.xsave_size + (x86::g_cpu.xsave ? FP_XSTATE_MAGIC2_SIZE : 0); }

bool on_alt_stack(const Thread& thread, uptr sp) {
    return thread.alt_stack.flags != SS_DISABLE && sp > thread.alt_stack.base &&
           sp - thread.alt_stack.base <= thread.alt_stack.size;
}

// Saves the live FPU registers into the thread's area (the handler gets a clean FPU).
void save_live_fpu(Thread& thread) {
    u8* area = thread.arch_state().fpu->bytes;
    if (x86::g_cpu.xsave) {
        u32 lo = static_cast<u32>(x86::g_cpu.xcr0), hi = static_cast<u32>(x86::g_cpu.xcr0 >> 32);
        asm volatile("xsave64 (%0)" : : "r"(area), "a"(lo), "d"(hi) : "memory");
    } else {
        asm volatile("fxsave64 (%0)" : : "r"(area) : "memory");
    }
}

// Makes a user-supplied FPU image safe for XRSTOR/FXRSTOR (reserved bits would #GP).
void sanitize_fpu_image(u8* area) {
    u32 mxcsr, mask;
    memcpy(&mxcsr, area + 24, 4);
    memcpy(&mask, area + 28, 4);
    if (mask == 0) mask = 0xffbf;
    mxcsr &= mask;
    memcpy(area + 24, &mxcsr, 4);
    if (!x86::g_cpu.xsave) return;
    u64 xstate_bv;
    memcpy(&xstate_bv, area + 512, 8);
    xstate_bv &= x86::g_cpu.xcr0;
    memcpy(area + 512, &xstate_bv, 8);
    memset(area + 520, 0, 56);  // XCOMP_BV (standard format) and the reserved header bytes
}

}  // namespace

ErrorOr setup_signal_frame(InterruptFrame& frame, Thread& thread, int signal, const SignalInfo& info,
                           const KernelSigaction& action, SignalSet old_mask) {
    uptr sp = frame.rsp - RED_ZONE;
    bool was_on_alt_stack = on_alt_stack(thread, frame.rsp);
    if ((action.sa_flags & SA_ONSTACK) && thread.alt_stack.flags != SS_DISABLE && !was_on_alt_stack)
        sp = thread.alt_stack.base + thread.alt_stack.size;

    // The FPU image first (its own alignment), then the frame below it.
    usize fpu_size = fpu_frame_size();
    uptr fpu_address = kstd::align_down<uptr>(sp - fpu_size, 64);
    uptr frame_address = kstd::align_down<uptr>(fpu_address - sizeof(RtSigframe), 16) - 8;
    if (!mm::is_user_range(frame_address, sp - frame_address)) return err(EFAULT);

    save_live_fpu(thread);
    u8* area = thread.arch_state().fpu->bytes;
    if (x86::g_cpu.xsave) {
        // Bytes 464..511 of the FXSAVE area tell user space an XSAVE image follows.
        _fpx_sw_bytes sw{};
        sw.magic1 = FP_XSTATE_MAGIC1;
        sw.extended_size = static_cast<u32>(fpu_size);
        sw.xfeatures = x86::g_cpu.xcr0;
        sw.xstate_size = x86::g_cpu.xsave_size;
        memcpy(area + 464, &sw, sizeof(sw));
    }
    TRY(mm::copy_to_user(UserPtr<void>(fpu_address), area, x86::g_cpu.xsave_size));
    if (x86::g_cpu.xsave) {
        u32 magic2 = FP_XSTATE_MAGIC2;
        TRY(mm::copy_to_user(UserPtr<void>(fpu_address + x86::g_cpu.xsave_size), &magic2, sizeof(magic2)));
    }

    RtSigframe sigframe;
    memset(&sigframe, 0, sizeof(sigframe));
    sigframe.pretcode = reinterpret_cast<u64>(action.sa_restorer);
    sigframe.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS | (x86::g_cpu.xsave ? UC_FP_XSTATE : 0);
    sigframe.uc.uc_stack.ss_sp = reinterpret_cast<void*>(thread.alt_stack.base);
    sigframe.uc.uc_stack.ss_size = thread.alt_stack.size;
    sigframe.uc.uc_stack.ss_flags = thread.alt_stack.flags == SS_DISABLE ? SS_DISABLE
                                    : was_on_alt_stack                  ? SS_ONSTACK
                                                                        : thread.alt_stack.flags;
    sigcontext& mc = sigframe.uc.uc_mcontext;
    mc.r8 = frame.r8, mc.r9 = frame.r9, mc.r10 = frame.r10, mc.r11 = frame.r11;
    mc.r12 = frame.r12, mc.r13 = frame.r13, mc.r14 = frame.r14, mc.r15 = frame.r15;
    mc.rdi = frame.rdi, mc.rsi = frame.rsi, mc.rbp = frame.rbp, mc.rbx = frame.rbx;
    mc.rdx = frame.rdx, mc.rax = frame.rax, mc.rcx = frame.rcx, mc.rsp = frame.rsp;
    mc.rip = frame.rip, mc.eflags = frame.rflags;
    mc.cs = static_cast<u16>(frame.cs);
    mc.ss = static_cast<u16>(frame.ss);
    bool fault = info.si_signo == SIGSEGV || info.si_signo == SIGBUS;
    mc.err = frame.vector < 32 ? frame.error_code : 0;
    mc.trapno = frame.vector < 32 ? frame.vector : 0;
    mc.cr2 = fault ? reinterpret_cast<u64>(info.si_addr) : 0;
    mc.oldmask = old_mask.bits();
    mc.fpstate = reinterpret_cast<struct _fpstate*>(fpu_address);
    sigframe.uc.uc_sigmask = old_mask.bits();
    memcpy(&sigframe.info, &info, sizeof(info));
    TRY(mm::copy_to_user(UserPtr<void>(frame_address), &sigframe, sizeof(sigframe)));

    if ((action.sa_flags & SA_ONSTACK) && (thread.alt_stack.flags & SS_AUTODISARM) && !was_on_alt_stack)
        thread.alt_stack = AltStack{};

    // The handler: handler(signal, &info, &uc) on the new stack, with a clean FPU.
    frame.rdi = static_cast<u64>(signal);
    frame.rsi = frame_address + offsetof(RtSigframe, info);
    frame.rdx = frame_address + offsetof(RtSigframe, uc);
    frame.rax = 0;
    frame.rsp = frame_address;
    frame.rip = reinterpret_cast<u64>(action.sa_handler);
    frame.rflags &= ~(FLAG_DF | FLAG_TF | FLAG_RF);
    frame.cs = x86::USER_CS;
    frame.ss = x86::USER_DS;
    reset_fpu(thread.arch_state());
    return {};
}

ErrorOr restore_signal_frame(InterruptFrame& frame, Thread& thread) {
    uptr frame_address = frame.rsp - 8;  // the handler's `ret` popped pretcode
    RtSigframe sigframe;
    TRY(mm::copy_from_user(&sigframe, UserPtr<const void>(frame_address), sizeof(sigframe)));
    const sigcontext& mc = sigframe.uc.uc_mcontext;
    if (mc.rip >= 0x00007ffffffff000) return err(EFAULT);

    frame.r8 = mc.r8, frame.r9 = mc.r9, frame.r10 = mc.r10, frame.r11 = mc.r11;
    frame.r12 = mc.r12, frame.r13 = mc.r13, frame.r14 = mc.r14, frame.r15 = mc.r15;
    frame.rdi = mc.rdi, frame.rsi = mc.rsi, frame.rbp = mc.rbp, frame.rbx = mc.rbx;
    frame.rdx = mc.rdx, frame.rax = mc.rax, frame.rcx = mc.rcx, frame.rsp = mc.rsp;
    frame.rip = mc.rip;
    frame.rflags = (frame.rflags & ~FLAGS_USER_MODIFIABLE) | (mc.eflags & FLAGS_USER_MODIFIABLE) | (1 << 9);
    frame.cs = x86::USER_CS;
    frame.ss = x86::USER_DS;
    // No syscall restart after this: the restored rax is the interrupted call's result
    // (Linux sets orig_ax to -1 for the same reason).
    frame.error_code = static_cast<u64>(-1);

    thread.blocked_signals() = SignalSet(sigframe.uc.uc_sigmask) & ~UNBLOCKABLE;

    // The alternate stack as it was (errors ignored, as Linux's restore_altstack does).
    const stack_t& ss = sigframe.uc.uc_stack;
    if (!on_alt_stack(thread, frame.rsp)) {
        if (ss.ss_flags == SS_DISABLE) thread.alt_stack = AltStack{};
        else if (ss.ss_size >= MINSIGSTKSZ)
            thread.alt_stack = AltStack{reinterpret_cast<uptr>(ss.ss_sp), ss.ss_size, ss.ss_flags & ~SS_ONSTACK};
    }

    if (mc.fpstate) {
        u8* area = thread.arch_state().fpu->bytes;
        if (mm::copy_from_user(area, UserPtr<const void>(reinterpret_cast<uptr>(mc.fpstate)), x86::g_cpu.xsave_size)
                .is_error())
            return err(EFAULT);
        sanitize_fpu_image(area);
        if (x86::g_cpu.xsave) {
            u32 lo = static_cast<u32>(x86::g_cpu.xcr0), hi = static_cast<u32>(x86::g_cpu.xcr0 >> 32);
            asm volatile("xrstor64 (%0)" : : "r"(area), "a"(lo), "d"(hi) : "memory");
        } else {
            asm volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
        }
    } else {
        reset_fpu(thread.arch_state());
    }
    return {};
}

void init_user_frame(InterruptFrame& f, uptr entry, uptr sp) {
    memset(&f, 0, sizeof(f));
    f.rip = entry;
    f.rsp = sp;
    f.cs = x86::USER_CS;
    f.ss = x86::USER_DS;
    f.rflags = 1 << 9;  // IF
    f.error_code = static_cast<u64>(-1);
}

void restart_syscall(InterruptFrame& f, i64 number) {
    f.rax = static_cast<u64>(number);
    f.rip -= 2;  // the SYSCALL instruction is two bytes: 0f 05
}

}  // namespace arch
