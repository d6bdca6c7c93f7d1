// x86_64 CPU: RDRAND, the CPU's random number generator (Intel SDM vol. 1, 7.3.17).
#include "arch/cpu.h"
#include "arch/x86_64/cpu/features.h"

namespace arch {
bool hardware_random(u64* out) {
    if (!x86::g_cpu.rdrand) return false;
    // RDRAND may transiently fail (CF=0); Intel recommends ten retries.
    for (int attempt = 0; attempt < 10; attempt++) {
        u64 value;
        u8 ok;
        asm volatile("rdrand %0; setc %1" : "=r"(value), "=qm"(ok));
        if (ok) {
            *out = value;
            return true;
        }
    }
    return false;
}
}  // namespace arch
