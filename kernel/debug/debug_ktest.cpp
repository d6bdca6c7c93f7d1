// In-kernel tests: symbols, the log ring and the sanitizer runtime.
#include "debug/ksyms.h"
#include "debug/ubsan.h"
#include "ktest/ktest.h"
#include "lib/string.h"
#include "log/klog.h"

void print_backtrace(uptr frame_pointer);

KTEST(ksyms, finds_functions_by_address) {
    KernelSymbol symbol;
    auto address = reinterpret_cast<uptr>(&print_backtrace);
    KASSERT_TRUE(ksym_lookup(address + 3, symbol));
    KEXPECT_EQ(symbol.address, address);
    KEXPECT_EQ(symbol.offset, 3u);
    KEXPECT(kstd::string_view(symbol.name).find("print_backtrace") != kstd::string_view::npos);
    KEXPECT(!ksym_lookup(0x1000, symbol));
    KEXPECT(ksym_count() > 100);
}

KTEST(klog, records_reach_the_ring_with_levels) {
    klog(LogLevel::Debug, "ktest marker %d", 4242);
    bool found = false;
    klog_with_ring([&](klib::LogRing& ring) {
        auto cursor = ring.oldest();
        klib::LogEntry entry;
        while (ring.read(cursor, entry) == klib::LogRing::ReadStatus::Ok) {
            if (entry.text == "ktest marker 4242" && entry.level == 7) found = true;
        }
    });
    KEXPECT(found);
}

#ifdef STRIX_UBSAN
namespace {
[[gnu::noinline]] int add(int a, int b) { return a + b; }
}  // namespace

KTEST(ubsan, reports_signed_overflow_and_keeps_running) {
    u64 before = ubsan_report_count();
    ktest_context.expect_ubsan_reports(1);
    volatile int big = __INT_MAX__;
    volatile int sum = add(big, 1);
    (void)sum;
    KEXPECT_EQ(ubsan_report_count(), before + 1);
}
#endif
