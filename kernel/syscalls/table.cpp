// Syscalls: the dispatch table, built from table.inc (see there).
#include <asm/unistd_64.h>

#include "syscalls/handler_types.h"
#include "syscalls/syscall.h"
#include "syscalls/syscall_names.h"

#define SYSCALL(name, status, notes, parameters) SyscallResult sys_##name parameters;
#include "syscalls/table.inc"
#undef SYSCALL

namespace {
struct Table {
    SyscallEntry entries[SYSCALL_COUNT];
};

constexpr Table build_table() {
    Table table{};
#define SYSCALL(name, status_, notes_, parameters)                                  \
    table.entries[__NR_##name] = {syscall_detail::invoke<sys_##name>, SyscallStatus::status_, notes_};
#include "syscalls/table.inc"
#undef SYSCALL
    return table;
}
}  // namespace

constinit const Table g_syscall_table = build_table();

const SyscallEntry* syscall_entry(u64 number) {
    if (number >= SYSCALL_COUNT || !g_syscall_table.entries[number].invoke) return nullptr;
    return &g_syscall_table.entries[number];
}
