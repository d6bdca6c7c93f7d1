// Debugging: the kernel's own symbol table, for symbolized backtraces.
//
// The build links the kernel twice: the first link's function symbols (nm) become a
// table (tools/gen_ksyms.py) placed last in the read-only segment of the second link,
// where it cannot move any function (the approach of Linux's kallsyms).
#pragma once

#include "lib/types.h"

struct KernelSymbol {
    const char* name;
    uptr address;
    uptr offset;  // of the looked-up address from the symbol's start
};

// False when the address is not inside kernel text.
bool ksym_lookup(uptr address, KernelSymbol& out);
usize ksym_count();
