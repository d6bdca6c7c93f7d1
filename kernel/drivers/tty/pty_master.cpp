// TTY layer: the pty master (/dev/ptmx, 5:2) and the slave devices (136:N) — reading the
// slave's output, writing its input, the master's ioctls (TIOCGPTN, TIOCSPTLCK,
// TIOCGPTLCK, TIOCGPTPEER, TIOCSIG; the rest act on the slave, as Linux's real_tty).
#include <asm/ioctls.h>
#include <asm/resource.h>

#include "drivers/tty/pty.h"
#include "drivers/tty/tty_file.h"
#include "drivers/tty/tty_init.h"
#include "fs/device.h"
#include "fs/devpts/devpts.h"
#include "fs/file_table.h"
#include "lib/errno.h"
#include "mm/user_copy.h"
#include "proc/process.h"
#include "proc/signal.h"

namespace {

class PtyMasterFile final : public File {
public:
    PtyMasterFile(RefPtr<Pty> pty, u32 flags, const Path& path)
        : File(flags, path, path.valid() ? path.dentry->inode_ref() : RefPtr<Inode>()),
          m_pty(kstd::move(pty)) {}
    ~PtyMasterFile() override { m_pty->master_closed(); }

    Result<usize> read(u64, IoBuffer buffer, usize length) override {
        return m_pty->master_read(*this, buffer, length);
    }
    Result<usize> write(u64, IoBuffer buffer, usize length) override {
        return m_pty->master_write(*this, buffer, length);
    }
    u32 poll(PollTable* table) override { return m_pty->master_poll(table); }
    Result<i64> ioctl(u32 request, u64 argument) override {
        return m_pty->master_ioctl(*this, request, argument);
    }
    const char* kind_name() const override { return "pty master"; }
    u32 stat_mode() const override { return S_IFCHR | 0666; }

private:
    RefPtr<Pty> m_pty;
};

Result<RefPtr<File>> open_ptmx(const Path& path, u32 flags, u32, void*) {
    // A master never becomes a controlling terminal (Linux treats ptmx opens as O_NOCTTY).
    RefPtr<Pty> pty = TRY(Pty::create());
    RefPtr<File> file(adopt, new (kstd::nothrow) PtyMasterFile(pty, flags, path));
    if (!file) {
        pty->master_closed();
        return err(ENOMEM);
    }
    return file;
}

Result<RefPtr<File>> open_slave(const Path& path, u32 flags, u32 minor, void*) {
    RefPtr<Pty> pty = Pty::find(minor);
    if (!pty) return err(EIO);  // no such pair (its master closed)
    return TtyFile::open(pty, path, flags, TtyFile::OpenedAs::Terminal);
}

CharDevice g_ptmx_device{false, 5, 2, 1, "/dev/ptmx", open_ptmx, nullptr, {}};  // /proc/devices names
CharDevice g_slave_devices{false, Pty::SLAVE_MAJOR, 0, Pty::MAX_PTYS, "pts", open_slave, nullptr, {}};
vfs::DeviceNode g_ptmx_node{"ptmx", S_IFCHR | 0666, make_dev(5, 2), {}};

}  // namespace

Result<usize> Pty::master_read(File& file, IoBuffer buffer, usize length) {
    if (length == 0) return 0;
    u8 chunk[256];
    usize copied = 0;
    for (;;) {
        usize n;
        {
            SpinLockGuard guard(m_lock);
            n = kstd::min({sizeof(chunk), length - copied, m_queued});
            for (usize i = 0; i < n; i++) chunk[i] = m_queue[(m_queue_head + i) % MASTER_QUEUE_SIZE];
            m_queue_head = (m_queue_head + n) % MASTER_QUEUE_SIZE;
            m_queued -= n;
        }
        if (n) {
            wake_writers();  // the slave's writers have room again
            if (buffer.write(copied, chunk, n).is_error())
                return copied ? Result<usize>(copied) : err(EFAULT);
            copied += n;
            if (copied < length && m_queued) continue;
            return copied;
        }
        if (copied) return copied;
        // Everything the slave wrote has been read: now its closing shows (n_tty's
        // TTY_OTHER_CLOSED check).
        if (m_slave_closed) return err(EIO);
        if (file.nonblocking()) return err(EAGAIN);
        auto waited = m_master_read_wait.wait_until([&] { return m_queued || m_slave_closed; });
        if (waited.is_error()) return err(ERESTARTSYS);
    }
}

Result<usize> Pty::master_write(File& file, IoBuffer buffer, usize length) {
    u8 chunk[256];
    usize done = 0;
    while (done < length) {
        usize n = kstd::min(sizeof(chunk), length - done);
        if (buffer.read(done, chunk, n).is_error()) return done ? Result<usize>(done) : err(EFAULT);
        usize offset = 0;
        while (offset < n) {
            usize so_far = done + offset;
            // Linux's n_tty_write: no slave open, nobody to read: EIO.
            if (m_slave_files == 0) return so_far ? Result<usize>(so_far) : err(EIO);
            usize taken = receive(chunk + offset, n - offset);
            offset += taken;
            if (taken) continue;
            if (file.nonblocking()) return so_far ? Result<usize>(so_far) : err(EAGAIN);
            auto waited = m_master_write_wait.wait_until(
                [&] { return m_discipline.receive_room() > 0 || m_slave_files == 0; });
            if (waited.is_error()) return so_far ? Result<usize>(so_far) : err(ERESTARTSYS);
        }
        done += n;
    }
    return done;
}

u32 Pty::master_poll(PollTable* table) {
    if (table) {
        table->add(m_master_read_wait);
        table->add(m_master_write_wait);
    }
    SpinLockGuard guard(m_lock);
    u32 events = 0;
    if (m_queued) events |= POLLIN | POLLRDNORM;
    if (m_slave_closed) events |= POLLHUP;
    if (m_discipline.receive_room() > 0) events |= POLLOUT | POLLWRNORM;
    return events;
}

Result<i64> Pty::open_peer(u64 flags) {
    // TIOCGPTPEER: the slave opened through the master (no path lookup to race).
    Process* process = current_process();
    if (!process || !process->files) return err(EBADF);
    u32 open_flags = static_cast<u32>(flags) & (O_ACCMODE | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    Path path = TRY(devpts::node_path(m_index));
    RefPtr<File> file = TRY(TtyFile::open(RefPtr<Tty>(this), path, open_flags, TtyFile::OpenedAs::Terminal));
    return TRY(process->files->allocate(kstd::move(file), open_flags & O_CLOEXEC, 0,
                                        process->limits[RLIMIT_NOFILE].current));
}

Result<i64> Pty::master_ioctl(File& file, u32 request, u64 argument) {
    switch (request) {
        case TIOCSPTLCK: {
            int lock;
            TRY(mm::copy_from_user(&lock, UserPtr<const int>(argument)));
            set_locked(lock != 0);
            return 0;
        }
        case TIOCGPTLCK: {
            int locked = m_locked ? 1 : 0;
            TRY(mm::copy_to_user(UserPtr<int>(argument), &locked));
            return 0;
        }
        case TIOCGPTN: {
            unsigned number = m_index;
            TRY(mm::copy_to_user(UserPtr<unsigned>(argument), &number));
            return 0;
        }
        case TIOCGPTPEER: return open_peer(argument);
        case TIOCSIG: {
            // Linux's pty_signal: only the keyboard signals.
            int signal = static_cast<int>(argument);
            if (signal != SIGINT && signal != SIGQUIT && signal != SIGTSTP) return err(EINVAL);
            signal_foreground_group(signal);
            return 0;
        }
        case FIONREAD: {
            int queued = static_cast<int>(m_queued);
            TRY(mm::copy_to_user(UserPtr<int>(argument), &queued));
            return 0;
        }
        case TIOCOUTQ: {
            int zero = 0;
            TRY(mm::copy_to_user(UserPtr<int>(argument), &zero));
            return 0;
        }
        case TCFLSH:
            // The master's own input is the slave's output queue.
            if (argument != TCIFLUSH && argument != TCOFLUSH && argument != TCIOFLUSH) return err(EINVAL);
            if (argument != TCOFLUSH) {
                SpinLockGuard guard(m_lock);
                m_queued = 0;
            }
            wake_writers();
            return 0;
        case TCXONC:
        case TCSBRK:
        case TCSBRKP:
        case TIOCEXCL:
        case TIOCNXCL: return 0;
        // A master is nobody's controlling terminal: giving it up is ENOTTY, faking its
        // input (what the master reads) is for root only.
        case TIOCNOTTY: return err(ENOTTY);
        case TIOCSTI: {
            Process* process = current_process();
            if (!process || !process->credentials.is_superuser()) return err(EPERM);
            u8 character;
            TRY(mm::copy_from_user(&character, UserPtr<const u8>(argument)));
            {
                SpinLockGuard guard(m_lock);
                if (device_output_room()) device_output(&character, 1);
            }
            return 0;
        }
        default:
            // Settings, window size and job control belong to the slave (Linux's real_tty).
            return ioctl(file, request, argument, true);
    }
}

namespace tty {
void register_ptys() {
    vfs::register_char_device(g_ptmx_device);
    vfs::register_char_device(g_slave_devices);
    vfs::publish_device_node(g_ptmx_node);
    devpts::register_filesystem();
}
}  // namespace tty
