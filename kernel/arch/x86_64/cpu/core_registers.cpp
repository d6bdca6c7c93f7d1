// x86_64 CPU: a thread's registers for a core file (see arch/core_dump.h) — the saved
// InterruptFrame rearranged into Linux's user_regs_struct order, and the legacy FXSAVE
// area at the start of the thread's XSAVE image.
#include "arch/core_dump.h"
#include "arch/x86_64/cpu/features.h"
#include "arch/x86_64/cpu/fpu_state.h"
#include "arch/x86_64/cpu/interrupt_frame.h"
#include "lib/string.h"
#include "proc/core_format.h"

namespace arch {

void core_registers(const InterruptFrame& frame, const ThreadState& state, u64* registers) {
    using namespace coredump;
    memset(registers, 0, REGISTER_COUNT * sizeof(u64));
    registers[REGISTER_R15] = frame.r15;
    registers[REGISTER_R14] = frame.r14;
    registers[REGISTER_R13] = frame.r13;
    registers[REGISTER_R12] = frame.r12;
    registers[REGISTER_RBP] = frame.rbp;
    registers[REGISTER_RBX] = frame.rbx;
    registers[REGISTER_R11] = frame.r11;
    registers[REGISTER_R10] = frame.r10;
    registers[REGISTER_R9] = frame.r9;
    registers[REGISTER_R8] = frame.r8;
    registers[REGISTER_RAX] = frame.rax;
    registers[REGISTER_RCX] = frame.rcx;
    registers[REGISTER_RDX] = frame.rdx;
    registers[REGISTER_RSI] = frame.rsi;
    registers[REGISTER_RDI] = frame.rdi;
    registers[REGISTER_ORIG_RAX] = static_cast<u64>(syscall_number(frame));
    registers[REGISTER_RIP] = frame.rip;
    registers[REGISTER_CS] = frame.cs;
    registers[REGISTER_EFLAGS] = frame.rflags;
    registers[REGISTER_RSP] = frame.rsp;
    registers[REGISTER_SS] = frame.ss;
    registers[REGISTER_FS_BASE] = state.fs_base;
    registers[REGISTER_GS_BASE] = state.gs_base;
    // ds, es, fs and gs stay 0: 64-bit programs run with null data selectors.
}

void core_fpu_image(ThreadState& state, bool live, u8* image) {
    if (live) {
        if (x86::g_cpu.xsave) {
            u32 lo = static_cast<u32>(x86::g_cpu.xcr0), hi = static_cast<u32>(x86::g_cpu.xcr0 >> 32);
            asm volatile("xsave64 (%0)" : : "r"(state.fpu->bytes), "a"(lo), "d"(hi) : "memory");
        } else {
            asm volatile("fxsave64 (%0)" : : "r"(state.fpu->bytes) : "memory");
        }
    }
    memcpy(image, state.fpu->bytes, coredump::FPREGS_SIZE);
}

}  // namespace arch
