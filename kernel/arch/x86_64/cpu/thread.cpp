// x86_64 CPU: per-thread machine state and thread switching (see arch/thread.h).
#include "arch/thread.h"

#include "arch/x86_64/cpu/cpu_local.h"
#include "arch/x86_64/cpu/features.h"
#include "arch/x86_64/cpu/fpu_state.h"
#include "arch/x86_64/cpu/gdt.h"
#include "arch/x86_64/cpu/interrupt_frame.h"
#include "arch/x86_64/cpu/x86.h"
#include "lib/string.h"
#include "mm/kmalloc.h"

extern "C" void x86_switch_stacks(uptr* save_rsp, uptr new_rsp);
extern "C" void x86_kernel_thread_start();
extern "C" void x86_user_thread_start();

namespace arch {

namespace {

constexpr usize FPU_ALIGNMENT = 64;

// What a fresh Linux program sees (arch/x86/kernel/fpu/init.c): x87 control word 0x37f,
// MXCSR 0x1f80 (all exceptions masked), every register zero, XSTATE_BV empty.
void write_initial_fpu(FpuState* fpu) {
    memset(fpu->bytes, 0, x86::g_cpu.xsave_size);
    u16 fcw = 0x37f;
    u32 mxcsr = 0x1f80;
    memcpy(fpu->bytes + 0, &fcw, sizeof(fcw));
    memcpy(fpu->bytes + 24, &mxcsr, sizeof(mxcsr));
}

void save_fpu(FpuState* fpu) {
    if (x86::g_cpu.xsave) {
        u32 lo = static_cast<u32>(x86::g_cpu.xcr0), hi = static_cast<u32>(x86::g_cpu.xcr0 >> 32);
        asm volatile("xsave64 (%0)" : : "r"(fpu->bytes), "a"(lo), "d"(hi) : "memory");
    } else {
        asm volatile("fxsave64 (%0)" : : "r"(fpu->bytes) : "memory");
    }
}

void restore_fpu(const FpuState* fpu) {
    if (x86::g_cpu.xsave) {
        u32 lo = static_cast<u32>(x86::g_cpu.xcr0), hi = static_cast<u32>(x86::g_cpu.xcr0 >> 32);
        asm volatile("xrstor64 (%0)" : : "r"(fpu->bytes), "a"(lo), "d"(hi) : "memory");
    } else {
        asm volatile("fxrstor64 (%0)" : : "r"(fpu->bytes) : "memory");
    }
}

// The frames prepare_*_thread leave for x86_switch_stacks to pop.
struct SwitchFrame {
    u64 r15, r14, r13, r12, rbx, rbp;
    u64 return_address;
};

}  // namespace

ErrorOr init_thread_state(ThreadState& state) {
    void* raw = kmalloc(x86::g_cpu.xsave_size + FPU_ALIGNMENT);
    if (!raw) return err(ENOMEM);
    state.fpu_allocation = raw;
    state.fpu = reinterpret_cast<FpuState*>(kstd::align_up(reinterpret_cast<uptr>(raw), uptr(FPU_ALIGNMENT)));
    write_initial_fpu(state.fpu);
    return {};
}

void destroy_thread_state(ThreadState& state) {
    kfree(state.fpu_allocation);
    state.fpu_allocation = nullptr;
    state.fpu = nullptr;
}

void copy_thread_state(ThreadState& to, const ThreadState& from) {
    to.fs_base = from.fs_base;
    to.gs_base = from.gs_base;
    // The parent's live registers are newer than its saved area while it runs.
    save_fpu(from.fpu);
    memcpy(to.fpu->bytes, from.fpu->bytes, x86::g_cpu.xsave_size);
}

void reset_fpu(ThreadState& state) {
    write_initial_fpu(state.fpu);
    restore_fpu(state.fpu);
}

void prepare_kernel_thread(ThreadState& state, uptr stack_top, void (*entry)(void*), void* argument) {
    state.kernel_stack_top = stack_top;
    auto* frame = reinterpret_cast<SwitchFrame*>(stack_top - 16 - sizeof(SwitchFrame));
    *frame = {};
    frame->r12 = reinterpret_cast<u64>(entry);
    frame->r13 = reinterpret_cast<u64>(argument);
    frame->return_address = reinterpret_cast<u64>(x86_kernel_thread_start);
    state.kernel_rsp = reinterpret_cast<uptr>(frame);
}

InterruptFrame* prepare_user_thread(ThreadState& state, uptr stack_top, const InterruptFrame& frame) {
    state.kernel_stack_top = stack_top;
    auto* user = reinterpret_cast<InterruptFrame*>(stack_top - sizeof(InterruptFrame));
    *user = frame;
    auto* switch_frame = reinterpret_cast<SwitchFrame*>(reinterpret_cast<uptr>(user) - sizeof(SwitchFrame));
    *switch_frame = {};
    switch_frame->return_address = reinterpret_cast<u64>(x86_user_thread_start);
    state.kernel_rsp = reinterpret_cast<uptr>(switch_frame);
    return user;
}

InterruptFrame& user_frame(const ThreadState& state) {
    return *reinterpret_cast<InterruptFrame*>(state.kernel_stack_top - sizeof(InterruptFrame));
}

void switch_threads(ThreadState& from, ThreadState& to) {
    save_fpu(from.fpu);
    restore_fpu(to.fpu);
    if (from.fs_base != to.fs_base) x86::wrmsr(x86::MSR_FS_BASE, to.fs_base);
    // While in the kernel the user's GS base sits in KERNEL_GS_BASE (swapgs swapped it).
    if (from.gs_base != to.gs_base) x86::wrmsr(x86::MSR_KERNEL_GS_BASE, to.gs_base);
    x86::CpuLocal* cpu = x86::this_cpu();
    cpu->kernel_stack_top = to.kernel_stack_top;
    x86::set_kernel_stack(cpu->tss, to.kernel_stack_top);
    x86_switch_stacks(&from.kernel_rsp, to.kernel_rsp);
}

}  // namespace arch
