// Kernel log: consoles, the devices the kernel log is printed on.
#pragma once

#include "lib/list.h"
#include "lib/types.h"

class Console {
public:
    // Must work with interrupts disabled and from a panic: no sleeping, no allocation.
    virtual void write(const char* data, usize len) = 0;
    virtual const char* name() const = 0;

    ListNode m_console_node;

protected:
    ~Console() = default;
};

void register_console(Console& console);
// Writes straight to every console, bypassing the log (panic output, ktest results).
void console_write(const char* data, usize len);
