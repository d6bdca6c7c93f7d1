// x86_64 CPU: the exception fixup table (see extable.h).
#include "arch/x86_64/cpu/extable.h"

struct ExceptionTableEntry {
    u64 instruction;
    u64 fixup;
};
extern "C" const ExceptionTableEntry __ex_table_start[], __ex_table_end[];

namespace x86 {
bool has_exception_fixup(uptr rip) {
    for (const ExceptionTableEntry* e = __ex_table_start; e != __ex_table_end; e++) {
        if (e->instruction == rip) return true;
    }
    return false;
}

bool apply_exception_fixup(InterruptFrame& frame) {
    for (const ExceptionTableEntry* e = __ex_table_start; e != __ex_table_end; e++) {
        if (e->instruction == frame.rip) {
            frame.rip = e->fixup;
            return true;
        }
    }
    return false;
}
}  // namespace x86
