// Filesystems: open files (see file.h).
#include "fs/file.h"

#include <linux/fs.h>

#include "fs/epoll.h"
#include "fs/locks.h"
#include "lib/format.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "proc/thread.h"

File::~File() = default;

bool File::unref() const {
    if (!RefCounted<File>::unref()) return false;
    // Detaching needs the file intact; it is still, for the last reference is gone and
    // nobody can take a new one (epoll reaches it only under the locks detaching takes).
    auto& self = const_cast<File&>(*this);
    if (self.epoll_items) epoll::file_released(self);
    if (self.may_hold_locks) locks::file_released(self);
    return true;
}

Result<usize> File::read(u64, IoBuffer, usize) { return err(EINVAL); }
Result<usize> File::write(u64, IoBuffer, usize) { return err(EINVAL); }
Result<u64> File::seek_limit(int, u64) { return err(ESPIPE); }
Result<i64> File::ioctl(u32, u64) { return err(ENOTTY); }
u32 File::poll(PollTable*) { return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM; }
Result<RefPtr<MemoryObject>> File::mmap_object() { return err(ENODEV); }
ErrorOr File::iterate(DirectoryEmitter&) { return err(ENOTDIR); }
ErrorOr File::fsync(bool) { return err(EINVAL); }

Result<usize> File::describe(char* buffer, usize size) {
    return klib::snprintf(buffer, size, "anon_inode:[%s]", kind_name());
}

void File::set_status_flags(u32 flags) {
    constexpr u32 CHANGEABLE = O_APPEND | O_NONBLOCK | FASYNC | O_DIRECT | O_NOATIME;
    m_flags = (m_flags & ~CHANGEABLE) | (flags & CHANGEABLE);
}

Result<RefPtr<File>> InodeFile::create(const Path& path, u32 flags) {
    RefPtr<InodeFile> file(adopt, new (kstd::nothrow) InodeFile(flags, path, path.dentry->inode_ref()));
    if (!file) return err(ENOMEM);
    if (file->writable() && file->inode()->is_regular()) {
        if (!file->inode()->get_write_access()) return err(ETXTBSY);  // being exec'ed
        file->m_write_access = true;
    }
    return RefPtr<File>(file);
}

InodeFile::~InodeFile() {
    if (m_write_access) inode()->put_write_access();
}

Result<usize> InodeFile::read(u64 offset, IoBuffer buffer, usize length) {
    Inode& node = *inode();
    if (node.is_directory()) return err(EISDIR);
    return node.read(offset, buffer, length);
}

Result<usize> InodeFile::write(u64 offset, IoBuffer buffer, usize length) {
    Inode& node = *inode();
    if (path().mount->read_only()) return err(EROFS);
    Process* process = current_thread()->process();  // none for the kernel's own writes
    if (process && node.is_regular() && length) {
        // RLIMIT_FSIZE (Linux's generic_write_check_limits): SIGXFSZ and EFBIG at the
        // limit, a short write up to it.
        u64 limit = process->limits[RLIMIT_FSIZE].current;
        if (offset >= limit) {
            (void)send_signal_to_thread(*current_thread(), make_signal_info(SIGXFSZ, SI_USER));
            return err(EFBIG);
        }
        length = static_cast<usize>(kstd::min<u64>(length, limit - offset));
    }
    return node.write(offset, buffer, length);
}

Result<u64> InodeFile::seek_limit(int whence, u64 offset) {
    Inode& node = *inode();
    switch (whence) {
    case SEEK_END: return node.size();
    case SEEK_DATA: return node.seek_data(offset, false);
    case SEEK_HOLE: return node.seek_data(offset, true);
    default: return err(EINVAL);
    }
}

Result<RefPtr<MemoryObject>> InodeFile::mmap_object() { return inode()->mappable(); }

ErrorOr InodeFile::iterate(DirectoryEmitter& emitter) {
    Inode& node = *inode();
    if (!node.is_directory()) return err(ENOTDIR);
    MutexGuard guard(node.lock());
    return node.iterate(directory_cookie, emitter);
}

ErrorOr InodeFile::fsync(bool) { return inode()->sync(); }
