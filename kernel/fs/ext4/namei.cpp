// ext4: the namespace — lookup, stat, creating inodes of every type (files, directories,
// device nodes, fast and slow symlinks), hard links, unlink and rmdir.
#include "fs/ext4/directory.h"
#include "lib/string.h"
#include "log/klog.h"

namespace ext4 {
namespace {

constexpr u32 LINK_MAX = 65000;  // Linux: EXT4_LINK_MAX
constexpr usize FAST_SYMLINK_MAX = sizeof(RawInode::i_block) - 1;

}  // namespace

ErrorOr Ext4Filesystem::load_inode(u32 ino, Inode& inode) {
    if (ino != ROOT_INO && ino < m_first_ino) {
        pr_err("ext4 (%s): reference to reserved inode %u", m_device.name(), ino);
        return err(EFSCORRUPTED);
    }
    TRY(read_inode(ino, inode));
    if (inode.mode() == 0 || (inode.raw.i_links_count == 0 && !find_pin(ino))) {
        pr_err("ext4 (%s): reference to deleted inode %u", m_device.name(), ino);
        return err(ESTALE);
    }
    return {};
}

ErrorOr Ext4Filesystem::check_name(kstd::string_view name) const {
    if (name.empty()) return err(ENOENT);
    if (name.size() > NAME_LEN) return err(ENAMETOOLONG);
    for (char c : name)
        if (c == '/' || c == '\0') return err(EINVAL);
    return {};
}

Result<u32> Ext4Filesystem::lookup(u32 dir_ino, kstd::string_view name) {
    TRY(check_name(name));
    Inode dir;
    TRY(load_inode(dir_ino, dir));
    if (!dir.is_dir()) return err(ENOTDIR);
    DirSlot slot;
    TRY(find_entry(dir, name, &slot));
    if (slot.ino == 0 || slot.ino > m_sb.s_inodes_count) return err(EFSCORRUPTED);
    return slot.ino;
}

Result<InodeStat> Ext4Filesystem::stat(u32 ino) {
    Inode inode;
    TRY(load_inode(ino, inode));
    return make_stat(inode);
}

// Creates an inode of any type and links it as dir_ino/name.
Result<u32> Ext4Filesystem::make_node(u32 dir_ino, kstd::string_view name, u32 mode, u32 uid, u32 gid, Inode& out) {
    TRY(require_writable());
    TRY(check_name(name));
    Inode dir;
    TRY(load_inode(dir_ino, dir));
    if (!dir.is_dir()) return err(ENOTDIR);
    if (dir.raw.i_links_count == 0) return err(ENOENT);
    DirSlot slot;
    auto found = find_entry(dir, name, &slot);
    if (!found.is_error()) return err(EEXIST);
    if (found.error().code() != ENOENT) return found.error();
    bool is_dir = (mode & MODE_TYPE_MASK) == MODE_DIR;
    if (is_dir && dir.raw.i_links_count >= LINK_MAX && !has_ro_compat(RO_COMPAT_DIR_NLINK)) return err(EMLINK);
    u32 ino = TRY(allocate_inode(dir_ino, is_dir));
    if (auto result = init_new_inode(out, ino, mode, uid, gid); result.is_error()) {
        (void)free_inode(ino, is_dir);
        return result.error();
    }
    return ino;
}

// Links a freshly made inode into its directory; on failure the inode is freed again.
ErrorOr Ext4Filesystem::link_new_inode(u32 dir_ino, kstd::string_view name, Inode& inode) {
    Inode dir;
    TRY(read_inode(dir_ino, dir));
    auto status = write_inode(inode);
    if (!status.is_error()) status = add_entry(dir, name, inode.ino, file_type_for_mode(inode.mode()));
    if (status.is_error()) {
        inode.raw.i_links_count = 0;
        (void)release_inode_blocks(inode);
        (void)write_inode(inode);
        (void)free_inode(inode.ino, inode.is_dir());
        (void)write_inode(dir);
        return status.error();
    }
    if (inode.is_dir()) {
        dir.raw.i_links_count++;
        if (dir.raw.i_links_count >= LINK_MAX) dir.raw.i_links_count = 1;  // dir_nlink: "many"
    }
    touch(dir, false, true, true);
    TRY(write_inode(dir));
    return maybe_commit();
}

Result<u32> Ext4Filesystem::create(u32 dir_ino, kstd::string_view name, u32 mode, u32 uid, u32 gid) {
    Inode inode;
    u32 ino = TRY(make_node(dir_ino, name, MODE_REG | (mode & 07777), uid, gid, inode));
    TRY(link_new_inode(dir_ino, name, inode));
    return ino;
}

Result<u32> Ext4Filesystem::mknod(u32 dir_ino, kstd::string_view name, u32 mode, DeviceNumber rdev, u32 uid, u32 gid) {
    u32 type = mode & MODE_TYPE_MASK;
    if (type == MODE_REG || type == 0) return create(dir_ino, name, mode, uid, gid);
    if (type != MODE_CHR && type != MODE_BLK && type != MODE_FIFO && type != MODE_SOCK) return err(EINVAL);
    Inode inode;
    u32 ino = TRY(make_node(dir_ino, name, type | (mode & 07777), uid, gid, inode));
    if (type == MODE_CHR || type == MODE_BLK) {
        if (rdev.major < 256 && rdev.minor < 256) {
            inode.raw.i_block[0] = rdev.major << 8 | rdev.minor;
        } else {
            inode.raw.i_block[1] = (rdev.minor & 0xFF) | (rdev.major << 8) | ((rdev.minor & ~0xFFu) << 12);
        }
    }
    TRY(link_new_inode(dir_ino, name, inode));
    return ino;
}

Result<u32> Ext4Filesystem::mkdir(u32 dir_ino, kstd::string_view name, u32 mode, u32 uid, u32 gid) {
    Inode inode;
    u32 ino = TRY(make_node(dir_ino, name, MODE_DIR | (mode & 07777), uid, gid, inode));
    inode.raw.i_links_count = 2;
    u32 got;
    auto block = map_block_for_write(inode, 0, 1, &got);
    ErrorOr status;
    if (block.is_error()) {
        status = block.error();
    } else {
        auto buffer = m_cache.get_zeroed(block.value());
        if (buffer.is_error()) {
            status = buffer.error();
        } else {
            inode.set_size(m_block_size);
            TRY(init_dir_block(inode, buffer.value().data(), ino, dir_ino));
            buffer.value().mark_dirty();
        }
    }
    if (status.is_error()) {
        inode.raw.i_links_count = 0;
        (void)release_inode_blocks(inode);
        (void)write_inode(inode);
        (void)free_inode(ino, true);
        return status.error();
    }
    TRY(link_new_inode(dir_ino, name, inode));
    return ino;
}

Result<u32> Ext4Filesystem::symlink(u32 dir_ino, kstd::string_view name, kstd::string_view target, u32 uid, u32 gid) {
    if (target.empty()) return err(ENOENT);
    if (target.size() >= m_block_size) return err(ENAMETOOLONG);
    Inode inode;
    u32 ino = TRY(make_node(dir_ino, name, MODE_LNK | 0777, uid, gid, inode));
    if (target.size() <= FAST_SYMLINK_MAX) {
        memcpy(inode.raw.i_block, target.data(), target.size());
        inode.set_size(target.size());
    } else {
        if (has_incompat(INCOMPAT_EXTENTS)) TRY(extent_init_root(inode));
        auto written = write_inode_data(inode, 0, {reinterpret_cast<const u8*>(target.data()), target.size()});
        if (written.is_error() || written.value() != target.size()) {
            inode.raw.i_links_count = 0;
            (void)release_inode_blocks(inode);
            (void)write_inode(inode);
            (void)free_inode(ino, false);
            return written.is_error() ? written.error() : err(ENOSPC);
        }
    }
    TRY(link_new_inode(dir_ino, name, inode));
    return ino;
}

Result<usize> Ext4Filesystem::readlink(u32 ino, kstd::span<char> buffer) {
    Inode inode;
    TRY(load_inode(ino, inode));
    if (!inode.is_symlink()) return err(EINVAL);
    u64 size = inode.size();
    if (size == 0 || size >= m_block_size) {
        pr_err("ext4 (%s): symlink %u has invalid size %llu", m_device.name(), ino, static_cast<unsigned long long>(size));
        return err(EFSCORRUPTED);
    }
    usize length = static_cast<usize>(kstd::min<u64>(size, buffer.size()));
    if (size <= FAST_SYMLINK_MAX) {
        memcpy(buffer.data(), inode.raw.i_block, length);
        return length;
    }
    auto* block = new (kstd::nothrow) u8[m_block_size];
    if (!block) return err(ENOMEM);
    auto read = read_inode_data(inode, 0, {block, static_cast<usize>(size)});
    if (!read.is_error()) memcpy(buffer.data(), block, length);
    delete[] block;
    if (read.is_error()) return read.error();
    return length;
}

ErrorOr Ext4Filesystem::link(u32 ino, u32 dir_ino, kstd::string_view name) {
    TRY(require_writable());
    TRY(check_name(name));
    Inode inode;
    TRY(load_inode(ino, inode));
    if (inode.is_dir()) return err(EPERM);
    if (inode.raw.i_links_count == 0) return err(ENOENT);
    if (inode.raw.i_links_count >= LINK_MAX) return err(EMLINK);
    Inode dir;
    TRY(load_inode(dir_ino, dir));
    if (!dir.is_dir()) return err(ENOTDIR);
    DirSlot slot;
    auto found = find_entry(dir, name, &slot);
    if (!found.is_error()) return err(EEXIST);
    if (found.error().code() != ENOENT) return found.error();
    TRY(add_entry(dir, name, ino, file_type_for_mode(inode.mode())));
    touch(dir, false, true, true);
    TRY(write_inode(dir));
    inode.raw.i_links_count++;
    touch(inode, false, false, true);
    TRY(write_inode(inode));
    return maybe_commit();
}

// The inode lost a link; with none left it is freed now, or when its last user unpins it.
ErrorOr Ext4Filesystem::drop_link(Inode& inode) {
    if (inode.is_dir()) {
        inode.raw.i_links_count = 0;
    } else if (inode.raw.i_links_count > 0) {
        inode.raw.i_links_count--;
    }
    touch(inode, false, false, true);
    if (inode.raw.i_links_count > 0) return write_inode(inode);
    if (find_pin(inode.ino)) return orphan_add(inode);
    return evict_inode(inode);
}

ErrorOr Ext4Filesystem::evict_inode(Inode& inode) {
    TRY(release_inode_blocks(inode));
    inode.raw.i_dtime = static_cast<u32>(now().sec);
    inode.raw.i_links_count = 0;
    TRY(write_inode(inode));
    return free_inode(inode.ino, inode.is_dir());
}

ErrorOr Ext4Filesystem::unlink(u32 dir_ino, kstd::string_view name) {
    TRY(require_writable());
    TRY(check_name(name));
    Inode dir;
    TRY(load_inode(dir_ino, dir));
    if (!dir.is_dir()) return err(ENOTDIR);
    DirSlot slot;
    TRY(find_entry(dir, name, &slot));
    Inode inode;
    TRY(load_inode(slot.ino, inode));
    if (inode.is_dir()) return err(EISDIR);
    TRY(remove_entry(dir, slot));
    touch(dir, false, true, true);
    TRY(write_inode(dir));
    TRY(drop_link(inode));
    return maybe_commit();
}

ErrorOr Ext4Filesystem::rmdir(u32 dir_ino, kstd::string_view name) {
    TRY(require_writable());
    TRY(check_name(name));
    if (name == ".") return err(EINVAL);
    if (name == "..") return err(ENOTEMPTY);
    Inode dir;
    TRY(load_inode(dir_ino, dir));
    if (!dir.is_dir()) return err(ENOTDIR);
    DirSlot slot;
    TRY(find_entry(dir, name, &slot));
    Inode inode;
    TRY(load_inode(slot.ino, inode));
    if (!inode.is_dir()) return err(ENOTDIR);
    if (!TRY(dir_is_empty(inode))) return err(ENOTEMPTY);
    TRY(remove_entry(dir, slot));
    if (dir.raw.i_links_count > 2) dir.raw.i_links_count--;
    touch(dir, false, true, true);
    TRY(write_inode(dir));
    TRY(drop_link(inode));
    return maybe_commit();
}

}  // namespace ext4
