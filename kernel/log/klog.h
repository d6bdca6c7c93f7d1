// Kernel log: printk for Strix. Every message is a record in the log ring (read later by
// /dev/kmsg and dmesg) and, when its level is below the console level, printed on the
// consoles as "[seconds.micros] text", as Linux prints it.
#pragma once

#include <stdarg.h>

#include "lib/log_ring.h"
#include "lib/types.h"

// Linux's KERN_* levels.
enum class LogLevel : u8 {
    Emerg = 0,
    Alert = 1,
    Crit = 2,
    Err = 3,
    Warning = 4,
    Notice = 5,
    Info = 6,
    Debug = 7,
};

void klog(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void vklog(LogLevel level, const char* fmt, va_list args);
// Like klog, but printed on the consoles whatever the console level (test results,
// the ready line): output a harness must see even with `quiet`.
void klog_always(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

#define pr_emerg(...) klog(LogLevel::Emerg, __VA_ARGS__)
#define pr_crit(...) klog(LogLevel::Crit, __VA_ARGS__)
#define pr_err(...) klog(LogLevel::Err, __VA_ARGS__)
#define pr_warn(...) klog(LogLevel::Warning, __VA_ARGS__)
#define pr_notice(...) klog(LogLevel::Notice, __VA_ARGS__)
#define pr_info(...) klog(LogLevel::Info, __VA_ARGS__)
#define pr_debug(...) klog(LogLevel::Debug, __VA_ARGS__)

// Messages with a level numerically below this are printed (Linux: console_loglevel).
void klog_set_console_level(int level);
int klog_console_level();
// The clock used for timestamps; until it is set, records carry 0 as Linux's do.
void klog_set_clock(u64 (*monotonic_ns)());

// Reads records for /dev/kmsg and dmesg with the log lock held around `fn`.
template <typename Fn>
void klog_with_ring(Fn&& fn);
klib::LogRing& klog_ring_unlocked();
bool klog_lock();
void klog_unlock(bool restore);

template <typename Fn>
void klog_with_ring(Fn&& fn) {
    bool restore = klog_lock();
    fn(klog_ring_unlocked());
    klog_unlock(restore);
}
