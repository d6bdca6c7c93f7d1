// Syscalls: the dispatcher — from a Linux syscall number and six arguments to a handler
// and back to a value or -errno.
#pragma once

#include "syscalls/syscall.h"

i64 dispatch_syscall(u64 number, const SyscallArguments& args);
const SyscallEntry* syscall_entry(u64 number);
// Logs every syscall with its arguments and result (the `syscall.trace` parameter).
void set_syscall_tracing(bool enabled);
