// Drivers, character devices: /dev/kmsg (see kmsg.h), after Linux's devkmsg_* in
// kernel/printk/printk.c. Each open file reads the log record by record from its own
// cursor, one record per read(2), in the "prefix,seq,usec,-;text" format; a reader the
// ring overtook gets EPIPE once and continues at the oldest record. A write becomes one
// log record.
//
// The log is appended to from any context, even with scheduler locks held, so appending
// wakes no one: a timer looks at the ring while readers wait (every 50 ms) and wakes them
// when records arrived.
#include "drivers/char/kmsg.h"

#include <linux/fs.h>

#include "drivers/char/kmsg_format.h"
#include "fs/device.h"
#include "log/klog.h"
#include "mm/heap_buffer.h"
#include "mm/kmalloc.h"
#include "sync/wait_queue.h"
#include "time/clock.h"
#include "time/timer.h"

namespace kmsg {
namespace {

constexpr u64 WATCH_INTERVAL_NS = 50 * ktime::NSEC_PER_MSEC;

u64 g_clear_seq = 0;
WaitQueue g_readers;
Timer g_watch;
u64 g_watched_seq = 0;

u64 next_seq() {
    u64 seq = 0;
    klog_with_ring([&](klib::LogRing& ring) { seq = ring.next_seq(); });
    return seq;
}

void watch(Timer&, void*);
void arm_watch() {
    if (!g_watch.pending()) g_watch.arm(ktime::monotonic_ns() + WATCH_INTERVAL_NS, watch, nullptr);
}
// Interrupt context.
void watch(Timer&, void*) {
    u64 seq = next_seq();
    if (seq != g_watched_seq) {
        g_watched_seq = seq;
        g_readers.wake_all();
    }
    if (g_readers.has_waiters()) arm_watch();
}

class KmsgFile final : public File {
public:
    KmsgFile(u32 flags, const Path& path) : File(flags, path, path.dentry->inode_ref()) {
        klog_with_ring([&](klib::LogRing& ring) { m_cursor = ring.oldest(); });
    }
    ~KmsgFile() override { kfree(m_record); }

    Result<usize> read(u64 offset, IoBuffer buffer, usize length) override {
        MutexGuard guard(m_lock);
        if (offset == 0 && m_expected_offset != 0) rewind(0);  // lseek(fd, 0, SEEK_SET)
        if (!m_record) m_record = static_cast<char*>(kmalloc(RECORD_MAX));
        if (!m_record) return err(ENOMEM);
        usize record_length = 0;
        for (;;) {
            klib::LogRing::ReadStatus status;
            klog_with_ring([&](klib::LogRing& ring) {
                klib::LogEntry entry;
                status = ring.read(m_cursor, entry);
                if (status == klib::LogRing::ReadStatus::Ok)
                    record_length = format_record(m_record, RECORD_MAX, entry.level, entry.seq,
                                                  entry.timestamp_ns, entry.text);
            });
            if (status == klib::LogRing::ReadStatus::Overwritten) return err(EPIPE);
            if (status == klib::LogRing::ReadStatus::Ok) break;
            if (nonblocking()) return err(EAGAIN);
            TRY(wait_for_record(m_cursor.seq));
        }
        // Linux consumes a record too long for the reader's buffer and says EINVAL.
        if (record_length == 0 || record_length > length) return err(EINVAL);
        TRY(buffer.write(0, m_record, record_length));
        m_expected_offset = offset + record_length;
        return record_length;
    }

    Result<usize> write(u64, IoBuffer buffer, usize length) override {
        if (length > WRITE_MAX) return err(EINVAL);
        HeapBuffer text(WRITE_MAX);
        if (!text) return err(ENOMEM);
        TRY(buffer.read(0, text.data(), length));
        ParsedWrite parsed = parse_write({text.data(), length});
        klog(static_cast<LogLevel>(parsed.prefix), "%.*s", static_cast<int>(parsed.text.size()),
             parsed.text.data());
        return length;
    }

    // Linux's devkmsg_llseek: SEEK_SET 0 is the oldest record, SEEK_DATA the first after
    // the last syslog CLEAR, SEEK_END the next new one; other offsets ESPIPE. The generic
    // lseek sets the position itself: a position of 1 marks "moved by SEEK_END/SEEK_DATA",
    // and a read at position 0 after reading means SEEK_SET 0.
    bool seekable() const override { return true; }
    Result<u64> seek_limit(int whence, u64 offset) override {
        if (offset != 0 && whence != SEEK_END) return err(ESPIPE);
        MutexGuard guard(m_lock);
        switch (whence) {
            case SEEK_END: rewind(~u64(0)); break;
            case SEEK_DATA: rewind(g_clear_seq); break;
            default: return err(EINVAL);
        }
        m_expected_offset = 1;
        return 1;
    }

    u32 poll(PollTable* table) override {
        if (table) poll_wait(*table);
        u32 events = POLLOUT | POLLWRNORM;
        klog_with_ring([&](klib::LogRing& ring) {
            if (m_cursor.seq < ring.first_seq())
                events |= POLLIN | POLLRDNORM | POLLERR | POLLPRI;
            else if (m_cursor.seq < ring.next_seq())
                events |= POLLIN | POLLRDNORM;
        });
        return events;
    }

    const char* kind_name() const override { return "kmsg"; }

private:
    void rewind(u64 seq) {
        klog_with_ring([&](klib::LogRing& ring) { m_cursor = cursor_at(ring, seq); });
        m_expected_offset = 0;
    }

    Mutex m_lock;
    klib::LogRing::Cursor m_cursor;
    u64 m_expected_offset = 0;
    char* m_record = nullptr;
};

}  // namespace

Result<RefPtr<File>> open(const Path& path, u32 flags) {
    RefPtr<File> file(adopt, new (kstd::nothrow) KmsgFile(flags, path));
    if (!file) return err(ENOMEM);
    return file;
}

u64 clear_seq() { return g_clear_seq; }
void set_clear_seq(u64 seq) { g_clear_seq = seq; }

klib::LogRing::Cursor cursor_at(const klib::LogRing& ring, u64 seq) {
    klib::LogRing::Cursor cursor = ring.oldest();
    klib::LogEntry entry;
    for (;;) {
        if (cursor.seq >= seq) return cursor;
        klib::LogRing::Cursor before = cursor;
        if (ring.read(cursor, entry) != klib::LogRing::ReadStatus::Ok) return before;
    }
}

ErrorOr wait_for_record(u64 seq) {
    for (;;) {
        arm_watch();
        auto waited = g_readers.wait_until([&] { return next_seq() > seq; }, WaitMode::Interruptible,
                                           ktime::monotonic_ns() + WATCH_INTERVAL_NS);
        if (!waited.is_error()) return {};
        if (waited.error().code() != ETIMEDOUT) return waited.error();
    }
}

void poll_wait(PollTable& table) {
    table.add(g_readers);
    arm_watch();
}

}  // namespace kmsg
