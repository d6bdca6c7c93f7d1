// x86_64 boot: the first C++ code, called by head.S in 64-bit mode on the boot stack.
#include "arch/x86_64/time/clocks.h"
#include "init/boot_info.h"

namespace x86 {
void parse_boot_info(u32 protocol, u32 info_phys);
}
void run_global_constructors();
[[noreturn]] void kernel_main();

extern "C" [[noreturn]] void kernel_boot_main(u32 protocol, u32 info_phys) {
    x86::tsc_mark_boot();
    // Copied before anything else can allocate over the loader's structures.
    x86::parse_boot_info(protocol, info_phys);
    run_global_constructors();
    kernel_main();
}
