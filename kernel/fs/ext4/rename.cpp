// ext4: rename in all its forms — plain moves, replacing a target, RENAME_NOREPLACE and
// RENAME_EXCHANGE (<linux/fs.h>), with '..' and parent link counts kept right.
#include <linux/fs.h>

#include "fs/ext4/directory.h"
#include "log/klog.h"

namespace ext4 {

// Whether `ancestor` is `dir` or one of its ancestors (moving a directory below itself
// would detach a loop from the tree).
Result<bool> Ext4Filesystem::is_ancestor(u32 ancestor, u32 dir_ino) {
    u32 current = dir_ino;
    for (u32 depth = 0; depth < 4096; depth++) {
        if (current == ancestor) return true;
        if (current == ROOT_INO) return false;
        Inode dir;
        TRY(load_inode(current, dir));
        DirSlot slot;
        TRY(find_entry(dir, "..", &slot));
        current = slot.ino;
    }
    pr_err("ext4 (%s): directory %u: '..' chain too long", m_device.name(), dir_ino);
    return err(EFSCORRUPTED);
}

ErrorOr Ext4Filesystem::rename(u32 old_dir_ino, kstd::string_view old_name, u32 new_dir_ino,
                               kstd::string_view new_name, u32 flags) {
    TRY(require_writable());
    if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) return err(EINVAL);
    if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE)) return err(EINVAL);
    TRY(check_name(old_name));
    TRY(check_name(new_name));
    if (old_name == "." || old_name == ".." || new_name == "." || new_name == "..") return err(EINVAL);

    // One Inode object per directory, so a same-directory rename edits a single copy.
    Inode old_dir_storage, new_dir_storage;
    Inode& old_dir = old_dir_storage;
    TRY(load_inode(old_dir_ino, old_dir));
    Inode& new_dir = old_dir_ino == new_dir_ino ? old_dir : new_dir_storage;
    if (old_dir_ino != new_dir_ino) TRY(load_inode(new_dir_ino, new_dir));
    if (!old_dir.is_dir() || !new_dir.is_dir()) return err(ENOTDIR);

    DirSlot old_slot, new_slot;
    TRY(find_entry(old_dir, old_name, &old_slot));
    Inode source;
    TRY(load_inode(old_slot.ino, source));
    auto found = find_entry(new_dir, new_name, &new_slot);
    if (found.is_error() && found.error().code() != ENOENT) return found.error();
    bool target_exists = !found.is_error();
    if ((flags & RENAME_EXCHANGE) && !target_exists) return err(ENOENT);
    if ((flags & RENAME_NOREPLACE) && target_exists) return err(EEXIST);

    Inode target;
    if (target_exists) {
        TRY(load_inode(new_slot.ino, target));
        if (target.ino == source.ino) return {};  // two links to one inode: nothing to do
    }
    if (old_dir_ino != new_dir_ino) {
        if (source.is_dir() && TRY(is_ancestor(source.ino, new_dir_ino))) return err(EINVAL);
        if ((flags & RENAME_EXCHANGE) && target.is_dir() && TRY(is_ancestor(target.ino, old_dir_ino)))
            return err(EINVAL);
    }

    if (flags & RENAME_EXCHANGE) {
        TRY(set_entry_inode(old_dir, old_slot, target.ino, file_type_for_mode(target.mode())));
        TRY(set_entry_inode(new_dir, new_slot, source.ino, file_type_for_mode(source.mode())));
        if (old_dir_ino != new_dir_ino) {
            if (source.is_dir()) TRY(set_dotdot(source, new_dir_ino));
            if (target.is_dir()) TRY(set_dotdot(target, old_dir_ino));
            if (source.is_dir() != target.is_dir()) {
                Inode& gains = source.is_dir() ? new_dir : old_dir;
                Inode& loses = source.is_dir() ? old_dir : new_dir;
                gains.raw.i_links_count++;
                if (loses.raw.i_links_count > 2) loses.raw.i_links_count--;
            }
        }
        touch(source, false, false, true);
        touch(target, false, false, true);
        TRY(write_inode(source));
        TRY(write_inode(target));
    } else {
        if (target_exists) {
            if (source.is_dir()) {
                if (!target.is_dir()) return err(ENOTDIR);
                if (!TRY(dir_is_empty(target))) return err(ENOTEMPTY);
            } else if (target.is_dir()) {
                return err(EISDIR);
            }
            TRY(set_entry_inode(new_dir, new_slot, source.ino, file_type_for_mode(source.mode())));
        } else {
            TRY(add_entry(new_dir, new_name, source.ino, file_type_for_mode(source.mode())));
        }
        // Adding may have split directory blocks: find the old entry again before removing it.
        TRY(find_entry(old_dir, old_name, &old_slot));
        if (old_slot.ino != source.ino) return err(EFSCORRUPTED);
        TRY(remove_entry(old_dir, old_slot));
        if (source.is_dir()) {
            if (old_dir_ino != new_dir_ino) {
                TRY(set_dotdot(source, new_dir_ino));
                if (old_dir.raw.i_links_count > 2) old_dir.raw.i_links_count--;
                if (!target_exists) new_dir.raw.i_links_count++;
            } else if (target_exists && old_dir.raw.i_links_count > 2) {
                old_dir.raw.i_links_count--;
            }
        }
        touch(source, false, false, true);
        TRY(write_inode(source));
        if (target_exists) TRY(drop_link(target));
    }
    touch(old_dir, false, true, true);
    TRY(write_inode(old_dir));
    if (old_dir_ino != new_dir_ino) {
        touch(new_dir, false, true, true);
        TRY(write_inode(new_dir));
    }
    return maybe_commit();
}

}  // namespace ext4
