// Filesystems: eventfd (Linux's fs/eventfd.c) — a 64-bit counter shared through a file.
// A write adds its 8-byte value (waiting while that would reach 2^64 - 1); a read takes
// the whole count, or 1 with EFD_SEMAPHORE, waiting while it is 0.
#include <linux/poll.h>

#include "fs/event_files.h"

namespace {

constexpr u64 COUNT_MAX = ~u64(0);  // ULLONG_MAX: never reached; a write that would is refused

class EventFd final : public File {
public:
    EventFd(u64 count, u32 flags)
        : File(O_RDWR | (flags & O_NONBLOCK)), m_count(count), m_semaphore(flags & EFD_SEMAPHORE) {}

    Result<usize> read(u64, IoBuffer buffer, usize length) override {
        if (length < sizeof(u64)) return err(EINVAL);
        if (!m_count) {
            if (nonblocking()) return err(EAGAIN);
            // Interrupted reads restart under SA_RESTART (Linux returns ERESTARTSYS).
            if (m_wait.wait_until([&] { return m_count != 0; }).is_error()) return err(ERESTARTSYS);
        }
        u64 value = m_semaphore ? 1 : m_count;
        m_count -= value;
        m_wait.wake_all(POLLOUT | POLLWRNORM);
        TRY(buffer.write(0, &value, sizeof(value)));
        return sizeof(value);
    }

    Result<usize> write(u64, IoBuffer buffer, usize length) override {
        if (length < sizeof(u64)) return err(EINVAL);
        u64 value;
        TRY(buffer.read(0, &value, sizeof(value)));
        if (value == COUNT_MAX) return err(EINVAL);
        if (COUNT_MAX - m_count <= value) {
            if (nonblocking()) return err(EAGAIN);
            if (m_wait.wait_until([&] { return COUNT_MAX - m_count > value; }).is_error())
                return err(ERESTARTSYS);
        }
        m_count += value;
        if (m_count) m_wait.wake_all(POLLIN | POLLRDNORM);
        return sizeof(value);
    }

    u32 poll(PollTable* table) override {
        if (table) table->add(m_wait);
        u32 events = 0;
        if (m_count > 0) events |= POLLIN | POLLRDNORM;
        if (m_count == COUNT_MAX) events |= POLLERR;
        if (COUNT_MAX - 1 > m_count) events |= POLLOUT | POLLWRNORM;
        return events;
    }

    const char* kind_name() const override { return "eventfd"; }
    u32 stat_mode() const override { return 0600; }  // an anonymous inode: no type bits

private:
    u64 m_count;
    bool m_semaphore;
    WaitQueue m_wait;
};

}  // namespace

namespace event_files {

Result<RefPtr<File>> create_eventfd(u64 initial, u32 flags) {
    RefPtr<File> file(adopt, new (kstd::nothrow) EventFd(initial, flags));
    if (!file) return err(ENOMEM);
    return file;
}

}  // namespace event_files
