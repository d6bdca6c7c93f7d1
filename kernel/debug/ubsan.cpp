// Debugging: the kernel's UBSan runtime. The compiler calls these handlers (GCC's
// libsanitizer ABI, ubsan_handlers.h) when an instrumented check fails; each report
// names the kind and the source location, and the kernel keeps running, as Linux's
// lib/ubsan.c does. The ktest summary fails a run that produced any report.
#include "debug/ubsan.h"

#include "debug/panic.h"
#include "log/klog.h"

namespace {

struct SourceLocation {
    const char* file;
    u32 line;
    u32 column;
};

struct TypeDescriptor {
    u16 kind;
    u16 info;
    char name[1];
};

// Every handler's data starts with the source location.
struct LocationOnly {
    SourceLocation location;
};

kstd::atomic<u64> g_reports{0};

void report(const char* kind, const void* data) {
    g_reports.fetch_add(1, kstd::memory_order_relaxed);
    const auto* loc = &static_cast<const LocationOnly*>(data)->location;
    pr_err("UBSAN: %s in %s:%u:%u", kind, loc->file ? loc->file : "?", loc->line, loc->column);
    print_backtrace(reinterpret_cast<uptr>(__builtin_frame_address(0)));
}

}  // namespace

u64 ubsan_report_count() { return g_reports.load(kstd::memory_order_relaxed); }

#define UBSAN_HANDLER(name, kind, ...)                                           \
    extern "C" void __ubsan_handle_##name(const void* data, ##__VA_ARGS__) { report(kind, data); }

UBSAN_HANDLER(add_overflow, "signed integer overflow (+)", void*, void*)
UBSAN_HANDLER(sub_overflow, "signed integer overflow (-)", void*, void*)
UBSAN_HANDLER(mul_overflow, "signed integer overflow (*)", void*, void*)
UBSAN_HANDLER(negate_overflow, "signed integer overflow (negation)", void*)
UBSAN_HANDLER(divrem_overflow, "division overflow or by zero", void*, void*)
UBSAN_HANDLER(shift_out_of_bounds, "shift out of bounds", void*, void*)
UBSAN_HANDLER(out_of_bounds, "array index out of bounds", void*)
UBSAN_HANDLER(type_mismatch_v1, "misaligned or null access", void*)
UBSAN_HANDLER(load_invalid_value, "load of invalid value (bool or enum)", void*)
UBSAN_HANDLER(nonnull_arg, "null passed as a nonnull argument")
UBSAN_HANDLER(nonnull_return_v1, "null returned from a returns_nonnull function", void*)
UBSAN_HANDLER(pointer_overflow, "pointer arithmetic overflow", void*, void*)
UBSAN_HANDLER(vla_bound_not_positive, "variable-length array bound not positive", void*)
UBSAN_HANDLER(invalid_builtin, "invalid builtin use (ctz/clz of zero)")
UBSAN_HANDLER(float_cast_overflow, "float cast overflow", void*)
UBSAN_HANDLER(alignment_assumption, "alignment assumption violated", void*, void*, void*)

extern "C" [[noreturn]] void __ubsan_handle_builtin_unreachable(const void* data) {
    report("__builtin_unreachable reached", data);
    panic("UBSAN: unreachable code reached");
}
extern "C" [[noreturn]] void __ubsan_handle_missing_return(const void* data) {
    report("missing return", data);
    panic("UBSAN: function fell off its end without returning");
}
