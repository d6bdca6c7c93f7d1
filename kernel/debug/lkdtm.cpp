// Debugging: deliberate crashes (see lkdtm.h).
#include "debug/lkdtm.h"

#include "debug/panic.h"
#include "log/klog.h"

namespace lkdtm {
namespace {

[[gnu::noinline]] void null_dereference() {
    volatile u64* pointer = nullptr;
    pr_info("lkdtm: reading %lu", *pointer);
}

const u64 g_read_only_word = 0x1234;

[[gnu::noinline]] void write_read_only() {
    auto* word = const_cast<volatile u64*>(&g_read_only_word);
    *word = 0;
}

u64 g_data_word = 0xc3;  // `ret`: would run if data were executable

[[gnu::noinline]] void execute_data() {
    auto fn = reinterpret_cast<void (*)()>(&g_data_word);
    fn();
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winfinite-recursion"
[[gnu::noinline]] u64 recurse(u64 depth) {
    volatile u8 frame[512];
    frame[depth % 512] = static_cast<u8>(depth);
    return recurse(depth + 1) + frame[0];
}
#pragma GCC diagnostic pop

[[gnu::noinline]] void overflow_signed() {
    volatile int value = __INT_MAX__;
    int sum = value + 1;
    pr_info("lkdtm: %d", sum);
}

}  // namespace

void trigger(kstd::string_view name) {
    pr_emerg("lkdtm: performing direct entry %.*s", static_cast<int>(name.size()), name.data());
    if (name == "PANIC") panic("dumptest");
    if (name == "BUG") KASSERT(name.empty());
    if (name == "NULL_DEREF") null_dereference();
    if (name == "WRITE_RO") write_read_only();
    if (name == "EXEC_DATA") execute_data();
    if (name == "STACK_OVERFLOW") recurse(0);
    if (name == "UD2") __builtin_trap();
    if (name == "UBSAN_OVERFLOW") {
        overflow_signed();
        return;
    }
    pr_err("lkdtm: unknown crash type");
}

}  // namespace lkdtm
