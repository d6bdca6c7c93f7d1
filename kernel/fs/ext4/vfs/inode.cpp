// ext4, VFS adapter: inodes — directory operations, attributes and extended attributes
// (see inode.h; file data is in file_data.cpp).
#include "fs/ext4/vfs/inode.h"

#include <linux/fs.h>

#include "fs/device.h"
#include "lib/string.h"
#include "log/klog.h"
#include "mm/kmalloc.h"

namespace ext4 {

VfsInode::VfsInode(VfsSuperBlock& super_block, const InodeStat& stat)
    : ::Inode(super_block, stat.ino), m_super(&super_block) {
    apply(stat);
    m_attributes.block_size = super_block.block_size();
    if (is_regular()) {
        m_cache = block::PageCache::create(this, "ext4");
        if (m_cache) {
            m_cache->set_size(stat.size);
            m_cache->set_dirty_hook(
                [](void* context) {
                    auto* inode = static_cast<VfsInode*>(context);
                    inode->m_super->mark_inode_dirty(*inode);
                },
                this);
        }
    }
}

VfsInode::~VfsInode() {
    // No I/O here: the last reference may go anywhere. Unwritten data cannot be left: the
    // writeback list holds a reference while there is any.
    m_super->inode_destroyed(*this, m_pinned ? number() : 0);
}

void VfsInode::apply(const InodeStat& stat) {
    m_attributes.ino = stat.ino;
    m_attributes.mode = stat.mode;
    m_attributes.nlink = stat.nlink;
    m_attributes.uid = stat.uid;
    m_attributes.gid = stat.gid;
    m_attributes.rdev = make_dev(stat.rdev.major, stat.rdev.minor);
    m_attributes.blocks = stat.blocks;
    m_flags = stat.flags;
    m_attributes.atime = to_timespec(stat.atime);
    m_attributes.btime = to_timespec(stat.crtime);
    // A file with data not yet written back has a newer size and times here.
    bool unwritten = m_cache && m_cache->needs_writeback();
    if (!unwritten || stat.size > m_attributes.size) m_attributes.size = stat.size;
    if (!m_times_dirty) {
        m_attributes.mtime = to_timespec(stat.mtime);
        m_attributes.ctime = to_timespec(stat.ctime);
    }
}

ErrorOr VfsInode::refresh_locked() {
    InodeStat stat = TRY(m_super->fs().stat(number()));
    apply(stat);
    return {};
}

ErrorOr VfsInode::check_alive() const {
    if (m_super->dead()) return err(EIO);
    return {};
}

Result<RefPtr<::Inode>> VfsInode::lookup(kstd::string_view name) {
    if (!is_directory()) return err(ENOTDIR);
    TRY(check_alive());
    u32 ino;
    {
        Locked locked(*m_super);
        ino = TRY(m_super->fs().lookup(number(), name));
    }
    RefPtr<VfsInode> inode = TRY(m_super->get_inode(ino));
    return RefPtr<::Inode>(inode);
}

Result<RefPtr<::Inode>> VfsInode::finish_create(Result<u32> created) {
    u32 ino = TRY(kstd::move(created));
    RefPtr<VfsInode> inode = TRY(m_super->get_inode(ino));
    return RefPtr<::Inode>(inode);
}

Result<RefPtr<::Inode>> VfsInode::create(kstd::string_view name, u32 mode, u32 uid, u32 gid, u64 rdev) {
    if (!is_directory()) return err(ENOTDIR);
    TRY(check_alive());
    Result<u32> created = err(EIO);
    {
        Locked locked(*m_super);
        if (S_ISREG(mode) || (mode & S_IFMT) == 0)
            created = m_super->fs().create(number(), name, mode & 07777, uid, gid);
        else
            created = m_super->fs().mknod(number(), name, mode,
                                          DeviceNumber{dev_major(rdev), dev_minor(rdev)}, uid, gid);
        if (!created.is_error()) (void)refresh_locked();
    }
    return finish_create(kstd::move(created));
}

Result<RefPtr<::Inode>> VfsInode::mkdir(kstd::string_view name, u32 mode, u32 uid, u32 gid) {
    if (!is_directory()) return err(ENOTDIR);
    TRY(check_alive());
    Result<u32> created = err(EIO);
    {
        Locked locked(*m_super);
        created = m_super->fs().mkdir(number(), name, mode & 07777, uid, gid);
        if (!created.is_error()) (void)refresh_locked();
    }
    return finish_create(kstd::move(created));
}

Result<RefPtr<::Inode>> VfsInode::symlink(kstd::string_view name, kstd::string_view target, u32 uid,
                                          u32 gid) {
    if (!is_directory()) return err(ENOTDIR);
    TRY(check_alive());
    Result<u32> created = err(EIO);
    {
        Locked locked(*m_super);
        created = m_super->fs().symlink(number(), name, target, uid, gid);
        if (!created.is_error()) (void)refresh_locked();
    }
    return finish_create(kstd::move(created));
}

ErrorOr VfsInode::link(kstd::string_view name, ::Inode& target) {
    if (!is_directory()) return err(ENOTDIR);
    if (&target.super_block() != &super_block()) return err(EXDEV);
    TRY(check_alive());
    auto& other = static_cast<VfsInode&>(target);
    Locked locked(*m_super);
    TRY(m_super->fs().link(other.number(), number(), name));
    (void)refresh_locked();
    (void)other.refresh_locked();
    return {};
}

ErrorOr VfsInode::pin_if_in_use_locked(VfsInode& victim, u32 baseline_references) {
    // The directory entry's dentry holds one reference and the writeback list may hold
    // another; anything more is an open file, a mapping or a working directory.
    u32 baseline = baseline_references + (victim.dirty_link.node.is_linked() ? 1 : 0);
    bool last_link = victim.is_directory() || victim.attributes().nlink <= 1;
    if (!last_link || victim.m_pinned || victim.ref_count() <= baseline) return {};
    TRY(m_super->fs().pin_inode(victim.number()));
    victim.m_pinned = true;
    return {};
}

ErrorOr VfsInode::unlink(kstd::string_view name, ::Inode& victim_inode) {
    if (!is_directory()) return err(ENOTDIR);
    TRY(check_alive());
    auto& victim = static_cast<VfsInode&>(victim_inode);
    {
        Locked locked(*m_super);
        TRY(pin_if_in_use_locked(victim, 1));
        TRY(m_super->fs().unlink(number(), name));
        (void)refresh_locked();
        victim.forget_link_locked();
    }
    victim.drop_data_if_gone();
    return {};
}

void VfsInode::forget_link_locked() {
    if (m_pinned || (!is_directory() && m_attributes.nlink > 1)) {
        (void)refresh_locked();
        return;
    }
    // Freed by the library: nothing to write back any more (write_pages checks this).
    m_attributes.nlink = 0;
}

void VfsInode::drop_data_if_gone() {
    if (!freed()) return;
    m_super->forget_freed_inode(*this);
    if (m_cache) m_cache->truncate(0);
    m_times_dirty = false;
}

ErrorOr VfsInode::rmdir(kstd::string_view name, ::Inode& victim_inode) {
    if (!is_directory()) return err(ENOTDIR);
    TRY(check_alive());
    auto& victim = static_cast<VfsInode&>(victim_inode);
    {
        Locked locked(*m_super);
        TRY(pin_if_in_use_locked(victim, 1));
        TRY(m_super->fs().rmdir(number(), name));
        (void)refresh_locked();
        victim.forget_link_locked();
    }
    victim.drop_data_if_gone();
    return {};
}

ErrorOr VfsInode::rename(kstd::string_view old_name, ::Inode& new_directory, kstd::string_view new_name,
                         u32 flags) {
    if (&new_directory.super_block() != &super_block()) return err(EXDEV);
    TRY(check_alive());
    auto& target_dir = static_cast<VfsInode&>(new_directory);
    // A replaced target loses a link: find it first, to pin it if it is in use.
    RefPtr<VfsInode> victim;
    if (!(flags & RENAME_EXCHANGE)) {
        u32 victim_ino = 0;
        {
            Locked locked(*m_super);
            auto found = m_super->fs().lookup(target_dir.number(), new_name);
            if (!found.is_error()) victim_ino = found.value();
        }
        if (victim_ino) {
            auto got = m_super->get_inode(victim_ino);
            if (!got.is_error()) victim = got.release_value();
        }
    }
    {
        Locked locked(*m_super);
        // Our own reference to the victim is not a user: the baseline is dentry + ours.
        if (victim) TRY(pin_if_in_use_locked(*victim, 2));
        TRY(m_super->fs().rename(number(), old_name, target_dir.number(), new_name, flags));
        (void)refresh_locked();
        if (&target_dir != this) (void)target_dir.refresh_locked();
        if (victim) victim->forget_link_locked();
    }
    if (victim) victim->drop_data_if_gone();
    return {};
}

ErrorOr VfsInode::iterate(u64 cookie, DirectoryEmitter& emitter) {
    if (!is_directory()) return err(ENOTDIR);
    TRY(check_alive());
    // Entries are collected under the lock and emitted without it: the emitter copies to
    // user memory, whose faults may need this file system.
    constexpr usize BATCH = 16;
    struct Batch {
        DirEntry entries[BATCH];
        usize count;
    };
    auto* batch = static_cast<Batch*>(kmalloc(sizeof(Batch)));
    if (!batch) return err(ENOMEM);
    ErrorOr result;
    for (;;) {
        batch->count = 0;
        {
            Locked locked(*m_super);
            auto read = m_super->fs().readdir(
                number(), cookie,
                [](const DirEntry& entry, void* context) {
                    auto* b = static_cast<Batch*>(context);
                    if (b->count == BATCH) return false;
                    b->entries[b->count++] = entry;
                    return true;
                },
                batch);
            if (read.is_error()) result = read.error();
        }
        if (result.is_error() || batch->count == 0) break;
        bool stopped = false;
        for (usize i = 0; i < batch->count && !stopped; i++) {
            const DirEntry& e = batch->entries[i];
            stopped = !emitter.emit({e.name, e.name_len}, e.ino, e.type, e.next_cookie);
            cookie = e.next_cookie;
        }
        if (stopped || batch->count < BATCH) break;
    }
    kfree(batch);
    return result;
}

Result<usize> VfsInode::readlink(char* buffer, usize size) {
    if (!is_symlink()) return err(EINVAL);
    TRY(check_alive());
    Locked locked(*m_super);
    return m_super->fs().readlink(number(), {buffer, size});
}

ErrorOr VfsInode::setattr(const InodeAttributes& values, u32 mask) {
    TRY(check_alive());
    if (mask & ATTRIBUTE_SIZE) TRY(truncate(values.size));
    SetAttr attr;
    if (mask & ATTRIBUTE_MODE) attr.mask |= SETATTR_MODE, attr.mode = values.mode & 07777;
    if (mask & ATTRIBUTE_UID) attr.mask |= SETATTR_UID, attr.uid = values.uid;
    if (mask & ATTRIBUTE_GID) attr.mask |= SETATTR_GID, attr.gid = values.gid;
    if (mask & ATTRIBUTE_ATIME) attr.mask |= SETATTR_ATIME, attr.atime = to_timestamp(values.atime);
    if (mask & ATTRIBUTE_MTIME) attr.mask |= SETATTR_MTIME, attr.mtime = to_timestamp(values.mtime);
    if (mask & ATTRIBUTE_CTIME) attr.mask |= SETATTR_CTIME, attr.ctime = to_timestamp(values.ctime);
    if (!attr.mask) return {};
    Locked locked(*m_super);
    TRY(m_super->fs().setattr(number(), attr));
    (void)refresh_locked();
    // Explicit times win over those a pending write() set (writeback stores these).
    if (mask & ATTRIBUTE_MTIME) m_attributes.mtime = values.mtime;
    if (mask & ATTRIBUTE_CTIME) m_attributes.ctime = values.ctime;
    return {};
}

Result<usize> VfsInode::getxattr(kstd::string_view name, void* value, usize size) {
    TRY(check_alive());
    Locked locked(*m_super);
    return m_super->fs().getxattr(number(), name, {static_cast<u8*>(value), size});
}

ErrorOr VfsInode::setxattr(kstd::string_view name, const void* value, usize size, int flags) {
    TRY(check_alive());
    if (m_super->read_only()) return err(EROFS);
    Locked locked(*m_super);
    TRY(m_super->fs().setxattr(number(), name, {static_cast<const u8*>(value), size}, flags));
    (void)refresh_locked();
    return {};
}

Result<usize> VfsInode::listxattr(char* list, usize size) {
    TRY(check_alive());
    Locked locked(*m_super);
    return m_super->fs().listxattr(number(), {list, size});
}

ErrorOr VfsInode::removexattr(kstd::string_view name) {
    TRY(check_alive());
    if (m_super->read_only()) return err(EROFS);
    Locked locked(*m_super);
    TRY(m_super->fs().removexattr(number(), name));
    (void)refresh_locked();
    return {};
}

}  // namespace ext4
