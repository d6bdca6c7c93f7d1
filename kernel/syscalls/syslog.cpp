// Syscalls: syslog(2) — the kernel log for dmesg and klogd (Linux's do_syslog in
// kernel/printk/printk.c). Lines are "<prefix>[seconds.micros] text\n".
//
// Permissions follow Linux with kernel.dmesg_restrict = 0: anyone may read the whole log
// (READ_ALL) and ask its size; everything else needs root.
#include "drivers/char/kmsg.h"
#include "drivers/char/kmsg_format.h"
#include "log/klog.h"
#include "mm/kmalloc.h"
#include "mm/user_copy.h"
#include "proc/process.h"
#include "syscalls/syscall.h"

// Linux's include/linux/syslog.h (not part of the UAPI).
constexpr int SYSLOG_ACTION_CLOSE = 0;
constexpr int SYSLOG_ACTION_OPEN = 1;
constexpr int SYSLOG_ACTION_READ = 2;
constexpr int SYSLOG_ACTION_READ_ALL = 3;
constexpr int SYSLOG_ACTION_READ_CLEAR = 4;
constexpr int SYSLOG_ACTION_CLEAR = 5;
constexpr int SYSLOG_ACTION_CONSOLE_OFF = 6;
constexpr int SYSLOG_ACTION_CONSOLE_ON = 7;
constexpr int SYSLOG_ACTION_CONSOLE_LEVEL = 8;
constexpr int SYSLOG_ACTION_SIZE_UNREAD = 9;
constexpr int SYSLOG_ACTION_SIZE_BUFFER = 10;
constexpr int MINIMUM_CONSOLE_LOGLEVEL = 1;  // Linux's CONSOLE_LOGLEVEL_MIN

namespace {

u64 g_syslog_seq = 0;            // where SYSLOG_ACTION_READ continues
int g_saved_console_level = -1;  // CONSOLE_OFF remembers the level CONSOLE_ON restores

usize syslog_length(const klib::LogEntry& entry) {
    return kmsg::format_syslog(nullptr, 0, entry.level, entry.timestamp_ns, entry.text);
}

// READ: waits for unread records, then moves as many whole lines as fit (at least one,
// truncated if it alone is too long) and consumes them.
SyscallResult read_unread(UserPtr<char> buffer, usize length) {
    TRY(kmsg::wait_for_record(g_syslog_seq));
    usize capacity = 0;
    klog_with_ring([&](klib::LogRing& ring) { capacity = ring.capacity(); });
    length = kstd::min<usize>(length, capacity * 4);
    char* text = static_cast<char*>(kmalloc(length));
    if (!text) return err(ENOMEM);
    usize used = 0;
    klog_with_ring([&](klib::LogRing& ring) {
        if (g_syslog_seq < ring.first_seq()) g_syslog_seq = ring.first_seq();
        klib::LogRing::Cursor cursor = kmsg::cursor_at(ring, g_syslog_seq);
        klib::LogEntry entry;
        while (ring.read(cursor, entry) == klib::LogRing::ReadStatus::Ok) {
            usize needed = syslog_length(entry);
            if (used + needed > length && used) break;
            usize room = length - used;
            if (needed <= room) {
                kmsg::format_syslog(text + used, room, entry.level, entry.timestamp_ns, entry.text);
                used += needed;
            } else {
                // One line longer than the whole buffer: its beginning, as Linux gives.
                kmsg::format_syslog(text + used, room, entry.level, entry.timestamp_ns, entry.text);
                used = length;
            }
            g_syslog_seq = entry.seq + 1;
        }
    });
    auto copied = mm::copy_to_user(buffer.cast<void>(), text, used);
    kfree(text);
    TRY(copied);
    return static_cast<i64>(used);
}

// READ_ALL and READ_CLEAR: the newest lines that fit, oldest first, from the last CLEAR.
SyscallResult read_all(UserPtr<char> buffer, usize length, bool clear) {
    usize capacity = 0;
    klog_with_ring([&](klib::LogRing& ring) { capacity = ring.capacity(); });
    // A line costs at most its record's size plus the "<p>[s.us] " header per text line.
    usize limit = kstd::min<usize>(length, capacity * 4);
    char* text = static_cast<char*>(kmalloc(limit ? limit : 1));
    if (!text) return err(ENOMEM);
    usize used = 0;
    klog_with_ring([&](klib::LogRing& ring) {
        u64 first = kstd::max(kmsg::clear_seq(), ring.first_seq());
        klib::LogRing::Cursor start = kmsg::cursor_at(ring, first);
        klib::LogEntry entry;
        usize total = 0;
        for (klib::LogRing::Cursor c = start; ring.read(c, entry) == klib::LogRing::ReadStatus::Ok;)
            total += syslog_length(entry);
        klib::LogRing::Cursor c = start;
        while (total > limit && ring.read(c, entry) == klib::LogRing::ReadStatus::Ok)
            total -= syslog_length(entry);
        while (ring.read(c, entry) == klib::LogRing::ReadStatus::Ok) {
            usize needed = syslog_length(entry);
            if (used + needed > limit) break;
            kmsg::format_syslog(text + used, limit - used, entry.level, entry.timestamp_ns, entry.text);
            used += needed;
        }
        if (clear) kmsg::set_clear_seq(ring.next_seq());
    });
    auto copied = mm::copy_to_user(buffer.cast<void>(), text, used);
    kfree(text);
    TRY(copied);
    return static_cast<i64>(used);
}

}  // namespace

SyscallResult sys_syslog(int action, UserPtr<char> buffer, int length) {
    bool open_to_all = action == SYSLOG_ACTION_READ_ALL || action == SYSLOG_ACTION_SIZE_BUFFER ||
                       action == SYSLOG_ACTION_CLOSE || action == SYSLOG_ACTION_OPEN;
    if (!open_to_all && !current_process()->credentials.is_superuser()) return err(EPERM);
    switch (action) {
        case SYSLOG_ACTION_CLOSE:
        case SYSLOG_ACTION_OPEN: return 0;
        case SYSLOG_ACTION_READ:
        case SYSLOG_ACTION_READ_ALL:
        case SYSLOG_ACTION_READ_CLEAR:
            if (buffer.is_null() || length < 0) return err(EINVAL);
            if (length == 0) return 0;
            if (!mm::is_user_range(buffer.address(), static_cast<usize>(length))) return err(EFAULT);
            if (action == SYSLOG_ACTION_READ) return read_unread(buffer, static_cast<usize>(length));
            return read_all(buffer, static_cast<usize>(length), action == SYSLOG_ACTION_READ_CLEAR);
        case SYSLOG_ACTION_CLEAR:
            klog_with_ring([](klib::LogRing& ring) { kmsg::set_clear_seq(ring.next_seq()); });
            return 0;
        case SYSLOG_ACTION_CONSOLE_OFF:
            if (g_saved_console_level < 0) g_saved_console_level = klog_console_level();
            klog_set_console_level(MINIMUM_CONSOLE_LOGLEVEL);
            return 0;
        case SYSLOG_ACTION_CONSOLE_ON:
            if (g_saved_console_level >= 0) klog_set_console_level(g_saved_console_level);
            g_saved_console_level = -1;
            return 0;
        case SYSLOG_ACTION_CONSOLE_LEVEL:
            if (length < 1 || length > 8) return err(EINVAL);
            klog_set_console_level(kstd::max(length, MINIMUM_CONSOLE_LOGLEVEL));
            g_saved_console_level = -1;
            return 0;
        case SYSLOG_ACTION_SIZE_UNREAD: {
            usize unread = 0;
            klog_with_ring([&](klib::LogRing& ring) {
                klib::LogRing::Cursor c = kmsg::cursor_at(ring, g_syslog_seq);
                klib::LogEntry entry;
                while (ring.read(c, entry) == klib::LogRing::ReadStatus::Ok) unread += syslog_length(entry);
            });
            return static_cast<i64>(unread);
        }
        case SYSLOG_ACTION_SIZE_BUFFER: {
            usize capacity = 0;
            klog_with_ring([&](klib::LogRing& ring) { capacity = ring.capacity(); });
            return static_cast<i64>(capacity);
        }
        default: return err(EINVAL);
    }
}
