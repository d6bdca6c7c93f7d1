// Filesystems: open files (see file.h).
#include "fs/file.h"

#include <linux/fs.h>

#include "fs/epoll.h"
#include "fs/locks.h"
#include "lib/format.h"

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
    RefPtr<File> file(adopt, new (kstd::nothrow) InodeFile(flags, path, path.dentry->inode_ref()));
    if (!file) return err(ENOMEM);
    return file;
}

Result<usize> InodeFile::read(u64 offset, IoBuffer buffer, usize length) {
    Inode& node = *inode();
    if (node.is_directory()) return err(EISDIR);
    return node.read(offset, buffer, length);
}

Result<usize> InodeFile::write(u64 offset, IoBuffer buffer, usize length) {
    Inode& node = *inode();
    if (path().mount->read_only()) return err(EROFS);
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
