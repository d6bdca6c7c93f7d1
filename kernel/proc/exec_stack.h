// Processes: the initial user stack of a new program (System V AMD64 ABI, 3.4.1):
// argc, argv, envp and the auxiliary vector, with the strings and AT_RANDOM's bytes above.
#pragma once

#include "proc/credentials.h"
#include "proc/exec.h"

class AddressSpace;

struct StackLayoutInput {
    const ExecArguments* arguments;
    kstd::string_view execfn;  // AT_EXECFN: the path as given to execve
    u64 phdr, phnum, entry;
    u64 interpreter_base;      // AT_BASE: 0 without an interpreter
    u64 vdso_base = 0;         // AT_SYSINFO_EHDR: 0 leaves the entry out
    const Credentials* credentials;
    bool secure;               // AT_SECURE: set-id execution
    AddressSpace* space = nullptr;  // records where argv, envp and auxv went (for /proc)
};

// Writes the stack below `stack_top` in the current (new) address space; returns the
// initial stack pointer (16-byte aligned, pointing at argc).
Result<uptr> build_initial_stack(uptr stack_top, const StackLayoutInput& input);
