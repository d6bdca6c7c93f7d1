// Filesystems: the default inode operations (see inode.h) — each answers with the errno
// Linux gives when the operation does not apply to this kind of inode.
#include "fs/inode.h"

#include <linux/fs.h>

#include "fs/file.h"
#include "fs/super_block.h"
#include "time/clock.h"

Inode::Inode(SuperBlock& super_block, u64 ino) : m_super_block(&super_block) { m_attributes.ino = ino; }
Inode::~Inode() = default;

bool Inode::get_write_access() {
    i32 count = m_write_count.load();
    do {
        if (count < 0) return false;
    } while (!m_write_count.compare_exchange_strong(count, count + 1));
    return true;
}

bool Inode::deny_write_access() {
    i32 count = m_write_count.load();
    do {
        if (count > 0) return false;
    } while (!m_write_count.compare_exchange_strong(count, count - 1));
    return true;
}

namespace {
Error not_a_directory(const Inode& inode) { return err(inode.is_directory() ? EPERM : ENOTDIR); }
}  // namespace

Result<RefPtr<Inode>> Inode::lookup(kstd::string_view) { return err(is_directory() ? ENOENT : ENOTDIR); }
Result<RefPtr<Inode>> Inode::create(kstd::string_view, u32, u32, u32, u64) { return not_a_directory(*this); }
Result<RefPtr<Inode>> Inode::mkdir(kstd::string_view, u32, u32, u32) { return not_a_directory(*this); }
Result<RefPtr<Inode>> Inode::symlink(kstd::string_view, kstd::string_view, u32, u32) { return not_a_directory(*this); }
ErrorOr Inode::link(kstd::string_view, Inode&) { return not_a_directory(*this); }
ErrorOr Inode::unlink(kstd::string_view, Inode&) { return not_a_directory(*this); }
ErrorOr Inode::rmdir(kstd::string_view, Inode&) { return not_a_directory(*this); }
ErrorOr Inode::rename(kstd::string_view, Inode&, kstd::string_view, u32) { return not_a_directory(*this); }
ErrorOr Inode::iterate(u64, DirectoryEmitter&) { return err(ENOTDIR); }
Result<RefPtr<Inode>> Inode::tmpfile(u32, u32, u32) { return err(is_directory() ? EOPNOTSUPP : ENOTDIR); }
Result<usize> Inode::read(u64, IoBuffer, usize) { return err(is_directory() ? EISDIR : EINVAL); }
Result<usize> Inode::write(u64, IoBuffer, usize) { return err(is_directory() ? EISDIR : EINVAL); }
ErrorOr Inode::truncate(u64) { return err(is_directory() ? EISDIR : EINVAL); }
ErrorOr Inode::allocate(int, u64, u64) { return err(EOPNOTSUPP); }
Result<usize> Inode::readlink(char*, usize) { return err(EINVAL); }
ErrorOr Inode::sync() { return {}; }
Result<RefPtr<File>> Inode::open_special(const Path&, int) { return err(ENXIO); }
ErrorOr Inode::follow_magic_link(const Path&, Path&) { return err(EINVAL); }
Result<RefPtr<MemoryObject>> Inode::mappable() { return err(ENODEV); }

Result<u64> Inode::seek_data(u64 offset, bool hole) {
    // Without hole information the whole file is data and the end is the only hole.
    if (offset >= size()) return err(ENXIO);
    return hole ? size() : offset;
}

ErrorOr Inode::setattr(const InodeAttributes& values, u32 mask) {
    // Filesystems that keep attributes only in memory (tmpfs, procfs) use this as is.
    if (mask & ATTRIBUTE_SIZE) TRY(truncate(values.size));
    if (mask & ATTRIBUTE_MODE) m_attributes.mode = (m_attributes.mode & S_IFMT) | (values.mode & 07777);
    if (mask & ATTRIBUTE_UID) m_attributes.uid = values.uid;
    if (mask & ATTRIBUTE_GID) m_attributes.gid = values.gid;
    if (mask & ATTRIBUTE_ATIME) m_attributes.atime = values.atime;
    if (mask & ATTRIBUTE_MTIME) m_attributes.mtime = values.mtime;
    if (mask & ATTRIBUTE_CTIME) m_attributes.ctime = values.ctime;
    return {};
}

Result<usize> Inode::getxattr(kstd::string_view, void*, usize) { return err(EOPNOTSUPP); }
ErrorOr Inode::setxattr(kstd::string_view, const void*, usize, int) { return err(EOPNOTSUPP); }
Result<usize> Inode::listxattr(char*, usize) { return 0; }
ErrorOr Inode::removexattr(kstd::string_view) { return err(EOPNOTSUPP); }

u8 directory_type_of(u32 mode) {
    // DT_* values are the S_IF* type bits shifted down by 12 (Linux's fs_umode_to_dtype).
    return static_cast<u8>((mode & S_IFMT) >> 12);
}

Timespec current_time() {
    u64 ns = ktime::realtime_ns();
    return {static_cast<i64>(ns / ktime::NSEC_PER_SEC), static_cast<i64>(ns % ktime::NSEC_PER_SEC)};
}
