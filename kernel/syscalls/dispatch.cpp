// Syscalls: the dispatcher (see dispatch.h). The one place where an Error becomes -errno.
#include "syscalls/dispatch.h"

#include "lib/bitmap.h"
#include "log/klog.h"
#include "proc/thread.h"
#include "syscalls/syscall_names.h"

namespace {
u64 g_logged_words[Bitmap::words_for(SYSCALL_COUNT)];
Bitmap g_logged(g_logged_words, SYSCALL_COUNT);
bool g_logged_out_of_range = false;

// An unimplemented syscall returns ENOSYS and says so once, by name.
void log_unimplemented(u64 number) {
    if (number >= SYSCALL_COUNT) {
        if (!g_logged_out_of_range) pr_warn("syscall: number %lu is not a Linux x86_64 syscall: ENOSYS", number);
        g_logged_out_of_range = true;
        return;
    }
    if (g_logged.get(number)) return;
    g_logged.set(number);
    const char* name = SYSCALL_NAMES[number];
    Thread* thread = current_thread();
    pr_warn("syscall: %s (%lu) is not implemented: ENOSYS (first called by %s[%u])", name ? name : "unassigned",
            number, thread->name(), thread->tid());
}
bool g_trace = false;

// strace-like tracing for debugging (`syscall.trace` on the command line).
void trace(u64 number, const SyscallArguments& args, i64 result) {
    const char* name = number < SYSCALL_COUNT && SYSCALL_NAMES[number] ? SYSCALL_NAMES[number] : "?";
    pr_info("trace: %u %s(%#lx, %#lx, %#lx, %#lx) = %ld", current_thread()->tid(), name, args.raw[0], args.raw[1],
            args.raw[2], args.raw[3], result);
}

}  // namespace

void set_syscall_tracing(bool enabled) { g_trace = enabled; }

i64 dispatch_syscall(u64 number, const SyscallArguments& args) {
    const SyscallEntry* entry = syscall_entry(number);
    i64 value;
    if (!entry) {
        log_unimplemented(number);
        value = -ENOSYS;
    } else {
        SyscallResult result = entry->invoke(args);
        value = result.is_error() ? -static_cast<i64>(result.error().code()) : result.value();
    }
    if (g_trace) [[unlikely]]
        trace(number, args, value);
    return value;
}
