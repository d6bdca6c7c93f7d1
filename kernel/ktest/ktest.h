// In-kernel tests: KTEST cases linked into every image and run at boot when the command
// line says `ktest` (or `ktest=SUITE[,SUITE...]`). Each prints one line; a summary line
// follows and the machine powers off, so the QEMU harness reads the result from the
// serial console (tests/qemu/).
//
//   KTEST(buddy, splits_and_merges) {
//       KEXPECT(x == 1);
//       KEXPECT_EQ(a, b);
//   }
#pragma once

#include "lib/types.h"

class KTestContext {
public:
    bool check(bool ok, const char* expr, const char* file, int line);
    bool check_eq(u64 a, u64 b, const char* expr_a, const char* expr_b, const char* file, int line);
    bool failed() const { return m_failed; }
    // A test that provokes sanitizer reports on purpose declares how many.
    void expect_ubsan_reports(u64 count) { m_expected_ubsan_reports += count; }
    u64 expected_ubsan_reports() const { return m_expected_ubsan_reports; }

private:
    bool m_failed = false;
    u64 m_expected_ubsan_reports = 0;
};

// Aligned to 32 bytes because GCC aligns each 24-byte static object to 32: the linker
// must see an array with no padding between entries.
struct alignas(32) KTestCase {
    const char* suite;
    const char* name;
    void (*run)(KTestContext& ktest_context);
};

#define KTEST(suite, name)                                                                   \
    static void ktest_##suite##_##name(KTestContext& ktest_context);                        \
    [[gnu::used, gnu::section(".ktests")]] static const KTestCase ktest_case_##suite##_##name{ \
        #suite, #name, ktest_##suite##_##name};                                             \
    static void ktest_##suite##_##name([[maybe_unused]] KTestContext& ktest_context)

#define KEXPECT(expr) ktest_context.check(static_cast<bool>(expr), #expr, __FILE__, __LINE__)
#define KEXPECT_EQ(a, b) \
    ktest_context.check_eq(static_cast<u64>(a), static_cast<u64>(b), #a, #b, __FILE__, __LINE__)
// Stops the test case when the check fails (for checks later steps depend on).
#define KASSERT_TRUE(expr)                  \
    do {                                    \
        if (!KEXPECT(expr)) return;         \
    } while (0)

namespace ktest {
// Runs the selected tests, prints the summary; returns the number of failures.
usize run_all(const char* filter);
}  // namespace ktest
