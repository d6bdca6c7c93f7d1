// Architecture interface: the per-thread machine state and switching between threads.
//
// A thread's kernel-side registers live on its kernel stack while it is switched out;
// what the architecture keeps besides (user TLS bases, the FPU/SSE/AVX state) lives in
// ThreadState. New threads start either in the kernel (a function and its argument) or
// by returning to user mode through a prepared register frame.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

struct InterruptFrame;

namespace arch {

struct FpuState;

struct ThreadState {
    uptr kernel_rsp = 0;        // saved stack pointer while switched out
    uptr kernel_stack_top = 0;  // loaded into the TSS and per-CPU data when switched in
    u64 fs_base = 0;            // user TLS (arch_prctl ARCH_SET_FS)
    u64 gs_base = 0;
    FpuState* fpu = nullptr;    // XSAVE area, 64-byte aligned
    void* fpu_allocation = nullptr;
};

// Allocates the FPU area, in the state a fresh Linux program starts with.
ErrorOr init_thread_state(ThreadState& state);
void destroy_thread_state(ThreadState& state);
// Copies FPU state and TLS bases (fork, clone).
void copy_thread_state(ThreadState& to, const ThreadState& from);
// Resets the FPU to its initial state (execve).
void reset_fpu(ThreadState& state);

// Prepares a new thread's kernel stack so that the first switch to it calls
// entry(argument) on that stack.
void prepare_kernel_thread(ThreadState& state, uptr stack_top, void (*entry)(void*), void* argument);
// Prepares a new thread so that the first switch to it returns to user mode with the
// registers in `frame` (copied to the top of its kernel stack). Returns that copy.
InterruptFrame* prepare_user_thread(ThreadState& state, uptr stack_top, const InterruptFrame& frame);

// Saves the current thread's state into `from` and resumes `to`.
void switch_threads(ThreadState& from, ThreadState& to);

// The register frame saved at the top of a thread's kernel stack when it entered the
// kernel from user mode.
InterruptFrame& user_frame(const ThreadState& state);

}  // namespace arch
