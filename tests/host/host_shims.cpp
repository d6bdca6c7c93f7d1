// Host tests: what the kernel provides to its pure code, provided instead by the host.
#include <cstdio>
#include <cstdlib>

#include "lib/assert.h"

[[noreturn]] void klib_assert_fail(const char* expr, const char* file, int line, const char* func) {
    std::fprintf(stderr, "assertion failed: %s (%s:%d in %s)\n", expr, file, line, func);
    std::abort();
}

// The kernel log: echoed on stderr and kept for tests that check what was reported.
#include <stdarg.h>

#include <string>

#include "host_shims.h"
#include "lib/format.h"
#include "log/klog.h"

namespace {
std::string g_klog_text;
bool g_klog_echo = true;
}  // namespace

std::string host_klog_text() { return g_klog_text; }
void host_klog_clear() { g_klog_text.clear(); }
void host_klog_set_echo(bool echo) { g_klog_echo = echo; }

void vklog(LogLevel level, const char* fmt, va_list args) {
    char line[1024];
    klib::vsnprintf(line, sizeof(line), fmt, args);
    if (g_klog_text.size() < (1u << 20)) g_klog_text.append(line).append("\n");
    if (g_klog_echo) std::fprintf(stderr, "<%d>%s\n", static_cast<int>(level), line);
}

void klog(LogLevel level, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vklog(level, fmt, args);
    va_end(args);
}
