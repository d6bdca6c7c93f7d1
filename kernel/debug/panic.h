// Debugging: panic, assertions and backtraces.
//
// A panic prints its reason, the registers and a symbolized backtrace, then halts, or
// reboots after `panic=N` seconds (`panic=-1`: at once), as Linux does.
#pragma once

#include "lib/types.h"

[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Prints "  [<address>] symbol+offset" lines walking saved frame pointers from `frame`.
void print_backtrace(uptr frame_pointer);
// The two halves of panic(), for the architecture's exception handlers, which print the
// registers in between: panic_begin stops interrupts and makes every message visible
// (a nested panic halts at once); panic_after_report halts or reboots per `panic=`.
void panic_begin();
[[noreturn]] void panic_after_report();
void set_panic_timeout(int seconds);
bool in_panic();

#define KASSERT(expr)                                                                   \
    do {                                                                                \
        if (!(expr)) [[unlikely]]                                                       \
            panic("assertion failed: %s (%s:%d in %s)", #expr, __FILE__, __LINE__, __func__); \
    } while (0)
