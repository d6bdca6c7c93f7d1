// Processes: execve — replacing a process's program: ELF executables (static,
// static-PIE, dynamically linked through their PT_INTERP interpreter) and "#!" scripts.
#pragma once

#include "arch/registers.h"
#include "fs/namei.h"
#include "lib/result.h"

class Process;
class Thread;

struct ExecArguments {
    // Kernel copies of the strings, each NUL-terminated, back to back.
    const char* argv_strings = nullptr;
    usize argc = 0;
    usize argv_bytes = 0;
    const char* envp_strings = nullptr;
    usize envc = 0;
    usize envp_bytes = 0;
};

// Linux's limits (<linux/binfmts.h>: MAX_ARG_STRLEN per string, MAX_ARG_STRINGS): the
// total is a quarter of the default 8 MiB stack, as Linux computes ARG_MAX.
constexpr usize MAX_ARG_BYTES = 2 * 1024 * 1024;
constexpr int MAX_INTERPRETER_DEPTH = 4;          // "#!" chains (Linux's BINPRM_MAX_RECURSION)

// Runs `path` in the current process. On success the process's memory, threads and
// handlers are replaced and `frame` holds the new program's first registers; an error
// before the point of no return leaves the process untouched.
ErrorOr do_execve(const LookupContext& lookup, kstd::string_view path, const ExecArguments& arguments,
                  InterruptFrame& frame, u32 lookup_flags = LOOKUP_FOLLOW);

// Copies argv or envp (a NULL-terminated array of user string pointers) into one kernel
// buffer: E2BIG past MAX_ARG_BYTES total, EFAULT on bad pointers. The caller kfree()s.
ErrorOr copy_strings_from_user(uptr array, char** out, usize* count, usize* bytes);

// Pieces of execve that the process layer provides (proc/exec_process.cpp).
// Ends every other thread of the process (Linux's de_thread); the caller continues alone.
void exec_kill_other_threads(Process& process, Thread& survivor);
// After the new image is in place: close-on-exec descriptors, default signal handlers,
// the new name, the vfork parent released.
// `filename` is the name execve was given: the new comm is its last component, as on
// Linux (a symlink's name, "init" for /sbin/init -> busybox).
void exec_finish(Process& process, const Path& executable, kstd::string_view filename,
                 const ExecArguments& arguments);
