// TTY layer: pseudo-terminal pairs and the slave side (see pty.h): the table of pairs by
// index, the slave's open rules (locked or orphaned: EIO), and the queue the slave's
// output goes to.
#include "drivers/tty/pty.h"

#include "drivers/tty/job_control.h"
#include "drivers/tty/tty_file.h"
#include "fs/device.h"
#include "fs/devpts/devpts.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "proc/process.h"

namespace {

// Pairs whose master is open, by index. A pair leaves the table when its master closes.
SpinLock g_table_lock;
Pty* g_ptys[Pty::MAX_PTYS];

termios2 slave_termios() {
    // Linux's pts driver: tty_std_termios with c_cflag B38400 | CS8 | CREAD.
    termios2 settings = tty::default_termios();
    settings.c_cflag = B38400 | CS8 | CREAD;
    return settings;
}

}  // namespace

Pty::Pty(u32 index, const char* name)
    : Tty(TtyKind::PtySlave, name, make_dev(SLAVE_MAJOR, index), slave_termios()), m_index(index) {}

Pty::~Pty() = default;

Result<RefPtr<Pty>> Pty::create() {
    u32 index = MAX_PTYS;
    {
        SpinLockGuard guard(g_table_lock);
        for (u32 i = 0; i < MAX_PTYS; i++) {
            if (!g_ptys[i]) {
                index = i;
                g_ptys[i] = reinterpret_cast<Pty*>(1);  // reserved while the pair is built
                break;
            }
        }
    }
    if (index == MAX_PTYS) return err(ENOSPC);
    auto release_index = [index] {
        SpinLockGuard guard(g_table_lock);
        g_ptys[index] = nullptr;
    };
    char name[16];
    klib::snprintf(name, sizeof(name), "pts/%u", index);
    RefPtr<Pty> pty(adopt, new (kstd::nothrow) Pty(index, name));
    if (!pty) {
        release_index();
        return err(ENOMEM);
    }
    Process* process = current_process();
    auto node = devpts::add_node(index, process ? process->credentials.fsuid : 0,
                                 process ? process->credentials.fsgid : 0);
    if (node.is_error()) {
        release_index();
        return node.error();
    }
    SpinLockGuard guard(g_table_lock);
    g_ptys[index] = pty.get();
    return pty;
}

RefPtr<Pty> Pty::find(u32 index) {
    if (index >= MAX_PTYS) return nullptr;
    SpinLockGuard guard(g_table_lock);
    Pty* pty = g_ptys[index];
    if (!pty || pty == reinterpret_cast<Pty*>(1)) return nullptr;
    return RefPtr<Pty>(pty);
}

void Pty::master_closed() {
    {
        SpinLockGuard guard(g_table_lock);
        if (g_ptys[m_index] == this) g_ptys[m_index] = nullptr;
    }
    devpts::remove_node(m_index);
    {
        SpinLockGuard guard(m_lock);
        m_master_open = false;
    }
    // Linux's pty_close: the slave is hung up, its session loses it.
    job_control::hang_up(*this, false);
    m_master_read_wait.wake_all();
    m_master_write_wait.wake_all();
}

void Pty::set_locked(bool locked) {
    SpinLockGuard guard(m_lock);
    m_locked = locked;
}

ErrorOr Pty::check_open(u32 flags) {
    {
        SpinLockGuard guard(m_lock);
        if (!m_master_open || m_locked) return err(EIO);
    }
    return Tty::check_open(flags);
}

void Pty::file_opened(TtyFile&) {
    SpinLockGuard guard(m_lock);
    m_slave_files++;
    m_slave_closed = false;
}

void Pty::file_closed(TtyFile&) {
    {
        SpinLockGuard guard(m_lock);
        if (--m_slave_files) return;
        m_slave_closed = true;
    }
    m_master_read_wait.wake_all();
    m_master_write_wait.wake_all();
}

void Pty::device_output(const u8* data, usize length) {
    for (usize i = 0; i < length && m_queued < MASTER_QUEUE_SIZE; i++) {
        m_queue[(m_queue_head + m_queued) % MASTER_QUEUE_SIZE] = data[i];
        m_queued++;
    }
    m_master_read_wait.wake_all();
}
