// Kernel library: the few runtime symbols a freestanding C++ kernel must define itself.
#include "debug/panic.h"
#include "lib/assert.h"
#include "lib/kstd.h"

// -fstack-protector-strong with -mstack-protector-guard=global reads this canary. It is
// fixed at link time and re-randomised from the CPU's entropy early in boot.
extern "C" {
uptr __stack_chk_guard = 0x5e3b9d2c7a1f4e68;

[[noreturn]] void __stack_chk_fail() { panic("stack protector: kernel stack corrupted"); }
}

extern "C" [[noreturn]] void __cxa_pure_virtual() { panic("pure virtual function called"); }

// Where libstdc++ headers would throw (std::optional::value and friends).
namespace std {
[[noreturn]] void __throw_length_error(const char* what) { panic("length error: %s", what); }
[[noreturn]] void __throw_out_of_range_fmt(const char* what, ...) { panic("out of range: %s", what); }
[[noreturn]] void __throw_bad_array_new_length() { panic("bad array new length"); }
[[noreturn]] void __throw_bad_alloc() { panic("bad alloc"); }
}  // namespace std

[[noreturn]] void klib_assert_fail(const char* expr, const char* file, int line, const char* func) {
    panic("assertion failed: %s (%s:%d in %s)", expr, file, line, func);
}

// Runs the constructors of global objects (the linker script gathers .init_array).
using Constructor = void (*)();
extern "C" const Constructor __init_array_start[], __init_array_end[];
void run_global_constructors() {
    for (const Constructor* c = __init_array_start; c != __init_array_end; c++) (*c)();
}

// 128-bit division, which GCC calls for `unsigned __int128` operands (libgcc is not
// linked). Only calibration-time code divides 128-bit values; hot paths multiply.
extern "C" unsigned __int128 __udivti3(unsigned __int128 dividend, unsigned __int128 divisor) {
    if (divisor == 0) panic("division by zero (128-bit)");
    unsigned __int128 quotient = 0, remainder = 0;
    for (int bit = 127; bit >= 0; bit--) {
        remainder = (remainder << 1) | ((dividend >> bit) & 1);
        if (remainder >= divisor) {
            remainder -= divisor;
            quotient |= static_cast<unsigned __int128>(1) << bit;
        }
    }
    return quotient;
}

// `new (kstd::nothrow)` names this object.
namespace std {
const nothrow_t nothrow{};
}  // namespace std
