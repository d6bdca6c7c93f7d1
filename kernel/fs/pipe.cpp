// Filesystems: pipes and FIFOs (see pipe.h).
#include "fs/pipe.h"

#include <asm/ioctls.h>

#include "fs/device.h"
#include "mm/user_copy.h"
#include "lib/format.h"
#include "mm/kmalloc.h"
#include "proc/process.h"
#include "proc/signal.h"

class Pipe : public RefCounted<Pipe> {
public:
    static RefPtr<Pipe> create() {
        RefPtr<Pipe> pipe(adopt, new (kstd::nothrow) Pipe);
        if (pipe && !(pipe->m_buffer = static_cast<u8*>(kmalloc(PIPE_BUFFER_DEFAULT)))) return nullptr;
        if (pipe) pipe->m_capacity = PIPE_BUFFER_DEFAULT;
        return pipe;
    }
    ~Pipe() { kfree(m_buffer); }

    // Packet mode (O_DIRECT, Linux's "packetized" pipes): each write of up to PIPE_BUF
    // bytes is a packet; a read returns at most one packet and drops what it leaves of it.
    // Like Linux's pipe of 16 page buffers, at most capacity/4096 packets wait at once.
    Result<usize> read(IoBuffer buffer, usize length, bool nonblocking, bool packet_mode) {
        if (length == 0) return 0;
        for (;;) {
            if (m_count) break;
            if (m_writers == 0) return 0;  // end of file
            if (nonblocking) return err(EAGAIN);
            TRY(m_readable.wait_until([&] { return m_count || m_writers == 0; }));
        }
        usize packet = packet_mode && m_packet_count ? m_packets[m_packet_head] : m_count;
        usize n = kstd::min({length, m_count, packet});
        usize first = kstd::min(n, m_capacity - m_head);
        // A fault part-way consumes nothing and reports EFAULT (Linux's pipe_read).
        if (buffer.write_partial(0, m_buffer + m_head, first) < first) return err(EFAULT);
        if (n > first && buffer.write_partial(first, m_buffer, n - first) < n - first) return err(EFAULT);
        usize consumed = packet_mode && m_packet_count ? packet : n;
        if (m_packet_count) consume_packets(consumed);
        m_head = (m_head + consumed) % m_capacity;
        m_count -= consumed;
        m_writable.wake_all();
        return n;
    }

    Result<usize> write(IoBuffer buffer, usize length, bool nonblocking, bool packet_mode) {
        usize done = 0;
        while (done < length) {
            if (packet_mode) {
                usize n = kstd::min(length - done, PIPE_ATOMIC);
                usize copied = TRY(write_packet(buffer.offset(done), n, nonblocking, done));
                if (copied == 0) return done;
                done += copied;
                continue;
            }
            if (m_readers == 0) {
                send_kernel_signal_to_thread_sigpipe();
                return done ? Result<usize>(done) : Result<usize>(err(EPIPE));
            }
            usize space = m_capacity - m_count;
            usize left = length - done;
            // Up to PIPE_BUF bytes go in one piece or wait for room for all of them.
            bool atomic = left <= PIPE_ATOMIC;
            if (space == 0 || (atomic && space < left)) {
                if (nonblocking) return done ? Result<usize>(done) : Result<usize>(err(EAGAIN));
                auto waited = m_writable.wait_until([&] {
                    usize room = m_capacity - m_count;
                    return m_readers == 0 || (atomic ? room >= left : room > 0);
                });
                if (waited.is_error()) return done ? Result<usize>(done) : Result<usize>(waited.error());
                continue;
            }
            usize n = kstd::min(space, left);
            usize tail = (m_head + m_count) % m_capacity;
            usize first = kstd::min(n, m_capacity - tail);
            // What was copied before a fault is written; EFAULT only when nothing was.
            usize copied = buffer.read_partial(done, m_buffer + tail, first);
            if (copied == first && n > first) copied += buffer.read_partial(done + first, m_buffer, n - first);
            if (copied < n) {
                m_count += copied;
                done += copied;
                if (copied) m_readable.wake_all();
                return done ? Result<usize>(done) : Result<usize>(err(EFAULT));
            }
            m_count += n;
            done += n;
            m_readable.wake_all();
        }
        return done;
    }

    u32 poll(PollTable* table, bool reader) {
        if (table) table->add(reader ? m_readable : m_writable);
        u32 events = 0;
        if (reader) {
            if (m_count) events |= POLLIN | POLLRDNORM;
            if (m_writers == 0 && m_had_writer) events |= POLLHUP;
        } else {
            if (m_capacity - m_count >= PIPE_ATOMIC) events |= POLLOUT | POLLWRNORM;
            if (m_readers == 0) events |= POLLERR;
        }
        return events;
    }

    void add_end(bool reader) {
        if (reader) {
            m_readers++;
        } else {
            m_writers++;
            m_had_writer = true;
        }
        m_open_changed.wake_all();
    }

    void remove_end(bool reader) {
        if (reader) m_readers--;
        else m_writers--;
        m_readable.wake_all();
        m_writable.wake_all();
    }

    // FIFO opens wait for the other side (Linux's fifo_open).
    ErrorOr wait_for_partner(bool reader) {
        u32 generation = reader ? m_writer_opens : m_reader_opens;
        return m_open_changed.wait_until([&] { return (reader ? m_writer_opens : m_reader_opens) != generation; });
    }
    void count_open(bool reader) {
        if (reader) m_reader_opens++;
        else m_writer_opens++;
    }

    usize capacity() const { return m_capacity; }
    static constexpr usize MAX_PACKETS = PIPE_BUFFER_MAX / 4096;
    ErrorOr resize(usize size) {
        if (size < m_count) return err(EBUSY);
        auto* buffer = static_cast<u8*>(kmalloc(size));
        if (!buffer) return err(ENOMEM);
        for (usize i = 0; i < m_count; i++) buffer[i] = m_buffer[(m_head + i) % m_capacity];
        kfree(m_buffer);
        m_buffer = buffer;
        m_capacity = size;
        m_head = 0;
        m_writable.wake_all();
        return {};
    }
    u32 readers() const { return m_readers; }
    usize available() const { return m_count; }
    u32 writers() const { return m_writers; }
    u64 id = 0;

private:
    static void send_kernel_signal_to_thread_sigpipe() {
        SignalInfo info = make_signal_info(SIGPIPE, SI_USER);
        info.si_pid = static_cast<int>(current_process()->pid());
        (void)send_signal_to_thread(*current_thread(), info);
    }

    // One packet into the ring, waiting for room (data and a packet slot).
    Result<usize> write_packet(IoBuffer buffer, usize n, bool nonblocking, usize done_before) {
        for (;;) {
            if (m_readers == 0) {
                send_kernel_signal_to_thread_sigpipe();
                return done_before ? Result<usize>(0) : Result<usize>(err(EPIPE));
            }
            usize slots = kstd::min<usize>(MAX_PACKETS, m_capacity / 4096);
            if (m_capacity - m_count >= n && m_packet_count < slots) break;
            if (nonblocking) return done_before ? Result<usize>(0) : Result<usize>(err(EAGAIN));
            auto waited = m_writable.wait_until([&] {
                return m_readers == 0 ||
                       (m_capacity - m_count >= n && m_packet_count < kstd::min<usize>(MAX_PACKETS, m_capacity / 4096));
            });
            if (waited.is_error()) return done_before ? Result<usize>(0) : Result<usize>(waited.error());
        }
        usize tail = (m_head + m_count) % m_capacity;
        usize first = kstd::min(n, m_capacity - tail);
        if (buffer.read_partial(0, m_buffer + tail, first) < first ||
            (n > first && buffer.read_partial(first, m_buffer, n - first) < n - first))
            return done_before ? Result<usize>(0) : Result<usize>(err(EFAULT));
        m_packets[(m_packet_head + m_packet_count) % MAX_PACKETS] = static_cast<u16>(n);
        m_packet_count++;
        m_count += n;
        m_readable.wake_all();
        return n;
    }

    // Bytes leaving the ring in stream mode still end packets written in packet mode.
    void consume_packets(usize bytes) {
        while (bytes && m_packet_count) {
            u16& first = m_packets[m_packet_head];
            usize take = kstd::min<usize>(bytes, first);
            first = static_cast<u16>(first - take);
            bytes -= take;
            if (first == 0) {
                m_packet_head = (m_packet_head + 1) % MAX_PACKETS;
                m_packet_count--;
            }
        }
    }

    u8* m_buffer = nullptr;
    usize m_capacity = 0;
    u16 m_packets[MAX_PACKETS] = {};
    usize m_packet_head = 0;
    usize m_packet_count = 0;
    usize m_head = 0;
    usize m_count = 0;
    u32 m_readers = 0;
    u32 m_writers = 0;
    bool m_had_writer = false;
    u32 m_reader_opens = 0;
    u32 m_writer_opens = 0;
    WaitQueue m_readable;
    WaitQueue m_writable;
    WaitQueue m_open_changed;
};

namespace {

kstd::atomic<u64> g_next_pipe_id{1};

// FIFOs: the pipe behind each FIFO inode, kept while any end is open.
struct FifoBinding {
    Inode* inode;
    RefPtr<Pipe> pipe;
    ListNode node;
};
IntrusiveList<FifoBinding, &FifoBinding::node> g_fifos;
Mutex g_fifo_lock;

void unbind_fifo_if_unused(Pipe& pipe) {
    MutexGuard guard(g_fifo_lock);
    if (pipe.readers() || pipe.writers()) return;
    for (FifoBinding& binding : g_fifos) {
        if (binding.pipe.get() == &pipe) {
            g_fifos.remove(binding);
            delete &binding;
            return;
        }
    }
}

class PipeFile final : public File {
public:
    PipeFile(RefPtr<Pipe> pipe, u32 flags, bool reads, bool writes, const Path* path = nullptr)
        : File(flags), m_pipe(kstd::move(pipe)), m_reads(reads), m_writes(writes) {
        if (path) set_path(*path, path->dentry->inode_ref());
        if (m_reads) m_pipe->add_end(true);
        if (m_writes) m_pipe->add_end(false);
    }
    ~PipeFile() override {
        if (m_reads) m_pipe->remove_end(true);
        if (m_writes) m_pipe->remove_end(false);
        if (inode()) unbind_fifo_if_unused(*m_pipe);
    }

    Result<usize> read(u64, IoBuffer buffer, usize length) override {
        if (!m_reads) return err(EBADF);
        return m_pipe->read(buffer, length, nonblocking(), flags() & O_DIRECT);
    }
    Result<usize> write(u64, IoBuffer buffer, usize length) override {
        if (!m_writes) return err(EBADF);
        return m_pipe->write(buffer, length, nonblocking(), flags() & O_DIRECT);
    }
    u32 poll(PollTable* table) override {
        return (m_reads ? m_pipe->poll(table, true) : 0) | (m_writes ? m_pipe->poll(table, false) : 0);
    }
    Result<i64> ioctl(u32 request, u64 argument) override {
        if (request != FIONREAD) return err(ENOTTY);
        int available = static_cast<int>(m_pipe->available());
        TRY(mm::copy_to_user(UserPtr<int>(argument), &available));
        return 0;
    }
    const char* kind_name() const override { return "pipe"; }
    u32 stat_mode() const override { return S_IFIFO | 0600; }
    Result<usize> describe(char* buffer, usize size) override {
        return klib::snprintf(buffer, size, "pipe:[%lu]", m_pipe->id);
    }
    Pipe& pipe() { return *m_pipe; }

private:
    RefPtr<Pipe> m_pipe;
    bool m_reads;
    bool m_writes;
};

}  // namespace

namespace pipes {

ErrorOr create(u32 flags, RefPtr<File>& read_end, RefPtr<File>& write_end) {
    RefPtr<Pipe> pipe = Pipe::create();
    if (!pipe) return err(ENOMEM);
    pipe->id = g_next_pipe_id.fetch_add(1);
    u32 status = flags & (O_NONBLOCK | O_DIRECT);
    read_end = RefPtr<File>(adopt, new (kstd::nothrow) PipeFile(pipe, O_RDONLY | status, true, false));
    write_end = RefPtr<File>(adopt, new (kstd::nothrow) PipeFile(pipe, O_WRONLY | status, false, true));
    if (!read_end || !write_end) return err(ENOMEM);
    return {};
}

Result<i64> get_size(File& file) {
    if (kstd::string_view(file.kind_name()) != "pipe") return err(EBADF);
    return static_cast<i64>(static_cast<PipeFile&>(file).pipe().capacity());
}

Result<i64> set_size(File& file, u64 size) {
    if (kstd::string_view(file.kind_name()) != "pipe") return err(EBADF);
    if (size > PIPE_BUFFER_MAX && !current_process()->credentials.is_superuser()) return err(EPERM);
    // Linux rounds up to a power-of-two number of pages, at least one.
    usize bytes = kstd::max<usize>(4096, kstd::bit_ceil(static_cast<usize>(size)));
    if (bytes > (usize(1) << 31)) return err(EINVAL);
    TRY(static_cast<PipeFile&>(file).pipe().resize(bytes));
    return static_cast<i64>(bytes);
}

}  // namespace pipes

Result<RefPtr<File>> vfs::open_fifo(const Path& path, u32 flags) {
    Inode* inode = &path.inode();
    u32 access = flags & O_ACCMODE;
    bool reader = access == O_RDONLY;
    RefPtr<Pipe> pipe;
    {
        MutexGuard guard(g_fifo_lock);
        for (FifoBinding& binding : g_fifos) {
            if (binding.inode == inode) pipe = binding.pipe;
        }
        if (!pipe) {
            pipe = Pipe::create();
            auto* binding = pipe ? new (kstd::nothrow) FifoBinding{inode, pipe, {}} : nullptr;
            if (!binding) return err(ENOMEM);
            pipe->id = g_next_pipe_id.fetch_add(1);
            g_fifos.push_back(*binding);
        }
    }
    if (access == O_RDWR) {
        // Linux: O_RDWR on a FIFO never blocks; the opener holds both ends.
        RefPtr<File> file(adopt, new (kstd::nothrow) PipeFile(pipe, flags, true, true, &path));
        if (!file) return err(ENOMEM);
        pipe->count_open(true);
        pipe->count_open(false);
        return file;
    }
    if (!reader && (flags & O_NONBLOCK) && pipe->readers() == 0) {
        unbind_fifo_if_unused(*pipe);
        return err(ENXIO);
    }
    RefPtr<File> file(adopt, new (kstd::nothrow) PipeFile(pipe, flags, reader, !reader, &path));
    if (!file) return err(ENOMEM);
    pipe->count_open(reader);
    if (!(flags & O_NONBLOCK) && (reader ? pipe->writers() == 0 : pipe->readers() == 0))
        TRY(pipe->wait_for_partner(reader));
    return file;
}
