// x86_64 CPU: a thread's saved FPU/SSE/AVX registers — an XSAVE (or FXSAVE) image of
// g_cpu.xsave_size bytes, 64-byte aligned: the legacy 512-byte area, then the header.
#pragma once

#include "lib/types.h"

namespace arch {
struct FpuState {
    u8 bytes[1];
};
}  // namespace arch
