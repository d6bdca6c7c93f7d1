// Kernel log: records into the ring, printing onto the consoles (see klog.h).
#include "log/klog.h"

#include "lib/format.h"
#include "lib/string.h"
#include "log/console.h"
#include "sync/spinlock.h"

namespace {

constexpr usize LOG_BUFFER_SIZE = 128 * KiB;  // Linux's default CONFIG_LOG_BUF_SHIFT=17
constexpr usize LOG_LINE_MAX = 1024;

alignas(8) u8 g_log_buffer[LOG_BUFFER_SIZE];
klib::LogRing g_ring(g_log_buffer, LOG_BUFFER_SIZE);
SpinLock g_log_lock;
int g_console_level = 7;  // CONSOLE_LOGLEVEL_DEFAULT
u64 (*g_clock)() = nullptr;

IntrusiveList<Console, &Console::m_console_node> g_consoles;

}  // namespace

void register_console(Console& console) {
    SpinLockGuard guard(g_log_lock);
    g_consoles.push_back(console);
}

void console_write(const char* data, usize len) {
    for (Console& console : g_consoles) console.write(data, len);
}

void klog_set_console_level(int level) { g_console_level = level; }
int klog_console_level() { return g_console_level; }
void klog_set_clock(u64 (*monotonic_ns)()) { g_clock = monotonic_ns; }
klib::LogRing& klog_ring_unlocked() { return g_ring; }
bool klog_lock() { return g_log_lock.lock(); }
void klog_unlock(bool restore) { g_log_lock.unlock(restore); }

namespace {
void record_and_print(LogLevel level, bool always_print, const char* fmt, va_list args) {
    char line[LOG_LINE_MAX];
    usize len = klib::vsnprintf(line, sizeof(line), fmt, args);
    len = kstd::min(len, sizeof(line) - 1);
    while (len && line[len - 1] == '\n') len--;
    u64 now = g_clock ? g_clock() : 0;

    SpinLockGuard guard(g_log_lock);
    g_ring.append(static_cast<u8>(level), now, {line, len});
    // A record's level byte may carry a facility above the level (records user space
    // writes to /dev/kmsg): the console compares the level alone.
    if (!always_print && (static_cast<int>(level) & 7) >= g_console_level) return;
    char prefix[32];
    usize prefix_len = klib::snprintf(prefix, sizeof(prefix), "[%5llu.%06llu] ",
                                      static_cast<unsigned long long>(now / 1000000000),
                                      static_cast<unsigned long long>(now / 1000 % 1000000));
    console_write(prefix, prefix_len);
    console_write(line, len);
    console_write("\n", 1);
}

}  // namespace

void vklog(LogLevel level, const char* fmt, va_list args) { record_and_print(level, false, fmt, args); }

void klog_always(LogLevel level, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    record_and_print(level, true, fmt, args);
    va_end(args);
}

void klog(LogLevel level, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vklog(level, fmt, args);
    va_end(args);
}
