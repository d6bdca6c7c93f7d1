// Debugging: panic and backtraces (see panic.h).
#include "debug/panic.h"

#include <stdarg.h>

#include "arch/cpu.h"
#include "debug/ksyms.h"
#include "lib/format.h"
#include "log/console.h"
#include "log/klog.h"
#include "power/power.h"
#include "time/clock.h"

namespace {
int g_panic_timeout = 0;
kstd::atomic<bool> g_in_panic{false};

bool plausible_frame(uptr frame) {
    // Kernel half, 8-byte aligned; anything else ends the walk instead of faulting.
    return frame >= 0xffff800000000000 && (frame & 7) == 0 && frame < UINTPTR_MAX - 16;
}
}  // namespace

void set_panic_timeout(int seconds) { g_panic_timeout = seconds; }
bool in_panic() { return g_in_panic.load(kstd::memory_order_relaxed); }

void print_backtrace(uptr frame) {
    pr_emerg("Call Trace:");
    for (int depth = 0; depth < 32 && plausible_frame(frame); depth++) {
        auto* words = reinterpret_cast<const uptr*>(frame);
        uptr return_address = words[1];
        if (!return_address) break;
        KernelSymbol symbol;
        // return_address - 1 points into the calling instruction, not the one after it.
        if (ksym_lookup(return_address - 1, symbol))
            pr_emerg("  [<%016lx>] %s+0x%lx", return_address, symbol.name, symbol.offset + 1);
        else
            pr_emerg("  [<%016lx>] ?", return_address);
        uptr next = words[0];
        if (next <= frame) break;  // stacks grow down: callers' frames are higher
        frame = next;
    }
}

[[noreturn]] void panic_after_report() {
    if (g_panic_timeout == 0) {
        pr_emerg("---[ end Kernel panic ]---");
        arch::halt_forever();
    }
    if (g_panic_timeout > 0) {
        pr_emerg("Rebooting in %d seconds..", g_panic_timeout);
        if (ktime::clock_ready()) {
            u64 deadline = ktime::monotonic_ns() + u64(g_panic_timeout) * 1000000000;
            while (ktime::monotonic_ns() < deadline) arch::cpu_relax();
        }
    }
    machine_restart();
}

void panic_begin() {
    arch::disable_interrupts();
    if (g_in_panic.exchange(true)) {
        // A panic while panicking: say so and stop before recursing again.
        console_write("\nnested panic\n", 14);
        arch::halt_forever();
    }
    klog_set_console_level(8);  // everything from here on must be seen
}

void panic(const char* fmt, ...) {
    panic_begin();
    char reason[256];
    va_list args;
    va_start(args, fmt);
    klib::vsnprintf(reason, sizeof(reason), fmt, args);
    va_end(args);
    pr_emerg("Kernel panic - not syncing: %s", reason);
    print_backtrace(reinterpret_cast<uptr>(__builtin_frame_address(0)));
    panic_after_report();
}
