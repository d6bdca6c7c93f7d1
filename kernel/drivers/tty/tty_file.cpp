// TTY layer: open terminals (see tty_file.h).
#include "drivers/tty/tty_file.h"

#include <asm/ioctls.h>

#include "drivers/tty/job_control.h"
#include "lib/format.h"

TtyFile::TtyFile(RefPtr<Tty> tty, u32 flags, const Path& path, bool console)
    : File(flags, path, path.valid() ? path.dentry->inode_ref() : RefPtr<Inode>()),
      m_tty(kstd::move(tty)),
      m_console(console),
      m_generation(m_tty->hangup_generation()) {}

Result<RefPtr<File>> TtyFile::open(RefPtr<Tty> tty, const Path& path, u32 flags, OpenedAs opened_as) {
    TRY(tty->check_open(flags));
    RefPtr<TtyFile> file(adopt,
                         new (kstd::nothrow) TtyFile(tty, flags, path, opened_as == OpenedAs::Console));
    if (!file) return err(ENOMEM);
    tty->file_opened(*file);
    job_control::acquire_on_open(*tty, *file, flags);
    return RefPtr<File>(file);
}

TtyFile::~TtyFile() { m_tty->file_closed(*this); }

Result<usize> TtyFile::read(u64, IoBuffer buffer, usize length) { return m_tty->read(*this, buffer, length); }

Result<usize> TtyFile::write(u64, IoBuffer buffer, usize length) {
    return m_tty->write(*this, buffer, length);
}

u32 TtyFile::poll(PollTable* table) { return m_tty->poll(*this, table); }

Result<i64> TtyFile::ioctl(u32 request, u64 argument) {
    // Linux's hung_up_tty_ioctl.
    if (hung_up()) return err(request == TIOCSPGRP ? ENOTTY : EIO);
    return m_tty->ioctl(*this, request, argument);
}

Result<usize> TtyFile::describe(char* buffer, usize size) {
    return klib::snprintf(buffer, size, "/dev/%s", m_tty->name());
}
