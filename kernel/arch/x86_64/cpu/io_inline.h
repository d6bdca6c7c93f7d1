// x86_64 CPU: inline implementations of arch/io.h.
#pragma once

#include "arch/x86_64/cpu/x86.h"

namespace arch {
inline u8 io_read8(u16 port) { return x86::inb(port); }
inline u16 io_read16(u16 port) { return x86::inw(port); }
inline u32 io_read32(u16 port) { return x86::inl(port); }
inline void io_write8(u16 port, u8 value) { x86::outb(port, value); }
inline void io_write16(u16 port, u16 value) { x86::outw(port, value); }
inline void io_write32(u16 port, u32 value) { x86::outl(port, value); }
}  // namespace arch
