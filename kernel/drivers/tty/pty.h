// TTY layer: pseudo-terminals (Linux's drivers/tty/pty.c, the UNIX 98 kind). Opening
// /dev/ptmx makes a pair: the master (a PtyMasterFile) and a slave terminal, /dev/pts/N.
// What the master writes is the slave's input, through the slave's line discipline;
// what the slave writes (its output processing applied) waits in the master's queue.
//
// The slave starts locked (open gives EIO) until TIOCSPTLCK unlocks it — glibc's and
// musl's unlockpt. When the master closes, the slave is hung up (reads give end of file,
// writes EIO) and its devpts node goes; when every slave file is closed, the master reads
// EIO once its queue is empty and polls POLLHUP.
#pragma once

#include "drivers/tty/tty.h"

class Pty final : public Tty {
public:
    // Linux's default /proc/sys/kernel/pty/max is 4096; this many pairs at once here.
    static constexpr u32 MAX_PTYS = 1024;
    static constexpr u32 SLAVE_MAJOR = 136;  // UNIX98_PTY_SLAVE_MAJOR
    static constexpr usize MASTER_QUEUE_SIZE = 4096;

    // A new pair with the lowest free index (ENOSPC when all are taken), its devpts node
    // owned by the caller.
    static Result<RefPtr<Pty>> create();
    // The pair with `index` whose master is still open, or null.
    static RefPtr<Pty> find(u32 index);
    ~Pty() override;

    u32 index() const { return m_index; }
    void set_locked(bool locked);  // TIOCSPTLCK

    // The master's side.
    Result<usize> master_read(File& file, IoBuffer buffer, usize length);
    Result<usize> master_write(File& file, IoBuffer buffer, usize length);
    u32 master_poll(PollTable* table);
    Result<i64> master_ioctl(File& file, u32 request, u64 argument);
    void master_closed();

    // The slave's opens.
    ErrorOr check_open(u32 flags) override;
    void file_opened(TtyFile& file) override;
    void file_closed(TtyFile& file) override;

private:
    Pty(u32 index, const char* name);

    usize device_output_room() override { return MASTER_QUEUE_SIZE - m_queued; }
    void device_output(const u8* data, usize length) override;
    void device_flush_output() override { m_queued = 0; }
    void input_consumed() override { m_master_write_wait.wake_all(); }

    Result<i64> open_peer(u64 flags);

    u32 m_index;
    // The slave's output, for the master to read.
    u8 m_queue[MASTER_QUEUE_SIZE];
    usize m_queue_head = 0;
    usize m_queued = 0;
    WaitQueue m_master_read_wait;
    WaitQueue m_master_write_wait;
    bool m_locked = true;  // TIOCSPTLCK
    bool m_master_open = true;
    u32 m_slave_files = 0;
    bool m_slave_closed = false;  // every slave file closed after one was opened (TTY_OTHER_CLOSED)
};
