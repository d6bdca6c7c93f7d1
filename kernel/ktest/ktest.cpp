// In-kernel tests: the runner (see ktest.h).
#include "ktest/ktest.h"

#include "debug/ubsan.h"
#include "lib/kstd.h"
#include "lib/string.h"
#include "log/klog.h"
#include "time/clock.h"

extern "C" const KTestCase __ktests_start[], __ktests_end[];

bool KTestContext::check(bool ok, const char* expr, const char* file, int line) {
    if (!ok) {
        m_failed = true;
        klog_always(LogLevel::Err, "ktest:   check failed: %s (%s:%d)", expr, file, line);
    }
    return ok;
}

bool KTestContext::check_eq(u64 a, u64 b, const char* expr_a, const char* expr_b, const char* file, int line) {
    if (a != b) {
        m_failed = true;
        klog_always(LogLevel::Err, "ktest:   check failed: %s == %s: %#lx != %#lx (%s:%d)", expr_a, expr_b, a, b, file, line);
    }
    return a == b;
}

namespace ktest {
namespace {
// `filter` is empty (everything) or a comma-separated list of suites.
bool selected(const char* filter, const char* suite) {
    if (!filter || !*filter) return true;
    kstd::string_view list(filter), name(suite);
    while (!list.empty()) {
        usize comma = list.find(',');
        kstd::string_view item = list.substr(0, comma);
        if (item == name) return true;
        if (comma == kstd::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}
}  // namespace

usize run_all(const char* filter) {
    usize passed = 0, failed = 0;
    u64 ubsan_before = ubsan_report_count();
    u64 ubsan_expected = 0;
    for (const KTestCase* test = __ktests_start; test != __ktests_end; test++) {
        if (!selected(filter, test->suite)) continue;
        KTestContext context;
        u64 start = ktime::monotonic_ns();
        test->run(context);
        ubsan_expected += context.expected_ubsan_reports();
        u64 micros = (ktime::monotonic_ns() - start) / 1000;
        if (context.failed()) {
            failed++;
            klog_always(LogLevel::Info, "ktest: FAIL %s.%s (%lu us)", test->suite, test->name, micros);
        } else {
            passed++;
            klog_always(LogLevel::Info, "ktest: PASS %s.%s (%lu us)", test->suite, test->name, micros);
        }
    }
    u64 ubsan = ubsan_report_count() - ubsan_before - ubsan_expected;
    klog_always(LogLevel::Info, "ktest: summary: %zu passed, %zu failed, %lu ubsan reports", passed, failed, ubsan);
    return failed + ubsan;
}
}  // namespace ktest
