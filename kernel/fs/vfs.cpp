// Filesystems: the VFS operations (see vfs.h). Checks follow Linux's fs/namei.c:
// write+search permission on the parent to create or remove, sticky directories, EROFS
// on read-only mounts, EISDIR/ENOTDIR/ENOTEMPTY/EXDEV for the wrong kinds of operands.
#include "fs/vfs.h"

#include <linux/fs.h>

#include "fs/device.h"
#include "fs/permission.h"
#include "mm/heap_buffer.h"

namespace vfs {
namespace {

// The parent directory, locked, with the last component's name; for creating entries.
struct Creation {
    OwnPtr<ParentLookup> lookup;
    Inode& directory() const { return lookup->parent.inode(); }
};

Result<Creation> prepare_create(const LookupContext& context, kstd::string_view path) {
    Creation c{TRY(resolve_parent(context, path, 0))};
    if (c.lookup->kind != ParentLookup::Kind::Normal) return err(EEXIST);
    if (c.lookup->parent.dentry->is_deleted()) return err(ENOENT);
    if (!c.directory().is_directory()) return err(ENOTDIR);
    if (read_only(c.lookup->parent)) return err(EROFS);
    TRY(check_permission(c.directory(), *context.credentials, MAY_WRITE | MAY_EXEC));
    return c;
}

// The gid a new inode gets: the directory's when it is setgid (and a new directory
// inherits the bit), otherwise the creator's filesystem gid.
u32 new_gid(const Inode& directory, const Credentials& credentials) {
    return (directory.mode() & S_ISGID) ? directory.attributes().gid : credentials.fsgid;
}

ErrorOr check_may_delete(const Inode& directory, const Inode& victim, const Credentials& credentials) {
    TRY(check_permission(directory, credentials, MAY_WRITE | MAY_EXEC));
    if (!may_delete_in_sticky(directory, victim, credentials)) return err(EPERM);
    return {};
}

}  // namespace

Result<RefPtr<File>> open_path(const Path& path, u32 flags, const Credentials& credentials) {
    Inode& inode = path.inode();
    if (flags & O_PATH) return InodeFile::create(path, flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    u32 access = flags & O_ACCMODE;
    if (access == 3) return err(EINVAL);
    if ((flags & O_DIRECTORY) && !inode.is_directory()) return err(ENOTDIR);
    if (inode.is_symlink()) return err(ELOOP);  // O_NOFOLLOW met a link
    bool wants_write = access != O_RDONLY || (flags & O_TRUNC);
    if (inode.is_directory() && wants_write) return err(EISDIR);
    int mask = (access != O_WRONLY ? MAY_READ : 0) | (access != O_RDONLY ? MAY_WRITE : 0);
    if (flags & O_TRUNC) mask |= MAY_WRITE;
    TRY(check_permission(inode, credentials, mask));
    if (auto special = inode.open_special(path, static_cast<int>(flags));
        !special.is_error() || special.error().code() != ENXIO)
        return special;

    switch (inode.type()) {
    case S_IFCHR:
        if (path.mount->flags & MS_NODEV) return err(EACCES);
        return open_device(false, inode.attributes().rdev, path, flags);
    case S_IFBLK:
        if (path.mount->flags & MS_NODEV) return err(EACCES);
        return open_device(true, inode.attributes().rdev, path, flags);
    case S_IFIFO:
        return open_fifo(path, flags);
    case S_IFSOCK:
        return err(ENXIO);
    default:
        break;
    }
    if (wants_write && read_only(path) && !inode.is_directory()) return err(EROFS);
    if ((flags & O_TRUNC) && inode.is_regular()) {
        MutexGuard guard(inode.lock());
        InodeAttributes values;
        values.size = 0;
        values.mtime = values.ctime = current_time();
        TRY(inode.setattr(values, ATTRIBUTE_SIZE | ATTRIBUTE_MTIME | ATTRIBUTE_CTIME));
    }
    return InodeFile::create(path, flags);
}

namespace {
Result<RefPtr<File>> open_following(const LookupContext& context, kstd::string_view path, u32 flags, u32 mode,
                                    int links);
}  // namespace

Result<RefPtr<File>> open(const LookupContext& context, kstd::string_view path, u32 flags, u32 mode) {
    return open_following(context, path, flags, mode, 0);
}

namespace {
Result<RefPtr<File>> open_following(const LookupContext& context, kstd::string_view path, u32 flags, u32 mode,
                                    int links) {
    u32 lookup_flags = (flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
    if (flags & O_DIRECTORY) lookup_flags |= LOOKUP_DIRECTORY;
    if (!(flags & O_CREAT)) {
        Path resolved = TRY(resolve_path(context, path, lookup_flags));
        return open_path(resolved, flags, *context.credentials);
    }
    if (flags & O_DIRECTORY) return err(EINVAL);  // O_CREAT|O_DIRECTORY: Linux 6.x says EINVAL
    OwnPtr<ParentLookup> lookup = TRY(resolve_parent(context, path, 0));
    if (lookup->kind != ParentLookup::Kind::Normal || lookup->trailing_slash) return err(EISDIR);
    Inode& directory = lookup->parent.inode();
    if (!directory.is_directory()) return err(ENOTDIR);
    auto existing = lookup->parent.dentry->child(lookup->last_name());
    if (!existing.is_error()) {
        if (flags & O_EXCL) return err(EEXIST);
        Path found{lookup->parent.mount, existing.value()};
        if (RefPtr<Mount> above = mount_on(*found.mount, *found.dentry)) found = Path{above, above->root};
        if (found.inode().is_symlink()) {
            if (flags & O_NOFOLLOW) return err(ELOOP);
            // O_CREAT follows a symlink, creating its target when it dangles (Linux does).
            if (++links > MAX_SYMLINKS) return err(ELOOP);
            HeapBuffer target(PATH_MAX_BYTES);
            if (!target) return err(ENOMEM);
            usize length = TRY(found.inode().readlink(target.data(), target.size()));
            LookupContext from_link = context;
            from_link.start = lookup->parent;
            return open_following(from_link, {target.data(), length}, flags, mode, links);
        }
        return open_path(found, flags & ~O_CREAT, *context.credentials);
    }
    if (existing.error().code() != ENOENT) return existing.error();
    if (lookup->parent.dentry->is_deleted()) return err(ENOENT);  // a removed directory takes no new names
    if (read_only(lookup->parent)) return err(EROFS);
    TRY(check_permission(directory, *context.credentials, MAY_WRITE | MAY_EXEC));
    RefPtr<Inode> inode;
    {
        MutexGuard guard(directory.lock());
        inode = TRY(directory.create(lookup->last_name(), S_IFREG | (mode & 07777), context.credentials->fsuid,
                                     new_gid(directory, *context.credentials), 0));
    }
    RefPtr<Dentry> dentry = TRY(lookup->parent.dentry->add_child(lookup->last_name(), inode));
    // A file created now may be opened for writing even if its mode says read-only.
    return InodeFile::create(Path{lookup->parent.mount, dentry}, flags);
}
}  // namespace

ErrorOr mkdir(const LookupContext& context, kstd::string_view path, u32 mode) {
    auto prepared = prepare_create(context, path);
    if (prepared.is_error()) {
        // "mkdir /" or "mkdir existing/." is EEXIST.
        return prepared.error();
    }
    Creation& c = prepared.value();
    if (!c.lookup->parent.dentry->child(c.lookup->last_name()).is_error()) return err(EEXIST);
    Inode& directory = c.directory();
    u32 inherited = (directory.mode() & S_ISGID) ? S_ISGID : 0;
    RefPtr<Inode> inode;
    {
        MutexGuard guard(directory.lock());
        inode = TRY(directory.mkdir(c.lookup->last_name(), (mode & 07777) | inherited, context.credentials->fsuid,
                                    new_gid(directory, *context.credentials)));
    }
    TRY(c.lookup->parent.dentry->add_child(c.lookup->last_name(), inode));
    return {};
}

ErrorOr mknod(const LookupContext& context, kstd::string_view path, u32 mode, u64 device) {
    u32 type = mode & S_IFMT;
    if (type == 0) type = S_IFREG;
    if (type != S_IFREG && type != S_IFCHR && type != S_IFBLK && type != S_IFIFO && type != S_IFSOCK) return err(EINVAL);
    if ((type == S_IFCHR || type == S_IFBLK) && !context.credentials->is_superuser()) return err(EPERM);
    Creation c = TRY(prepare_create(context, path));
    if (c.lookup->trailing_slash) return err(ENOENT);
    if (!c.lookup->parent.dentry->child(c.lookup->last_name()).is_error()) return err(EEXIST);
    Inode& directory = c.directory();
    RefPtr<Inode> inode;
    {
        MutexGuard guard(directory.lock());
        inode = TRY(directory.create(c.lookup->last_name(), type | (mode & 07777), context.credentials->fsuid,
                                     new_gid(directory, *context.credentials),
                                     (type == S_IFCHR || type == S_IFBLK) ? device : 0));
    }
    TRY(c.lookup->parent.dentry->add_child(c.lookup->last_name(), inode));
    return {};
}

ErrorOr symlink(const LookupContext& context, kstd::string_view target, kstd::string_view path) {
    if (target.empty()) return err(ENOENT);
    if (target.size() >= PATH_MAX_BYTES) return err(ENAMETOOLONG);
    Creation c = TRY(prepare_create(context, path));
    if (c.lookup->trailing_slash) return err(ENOENT);
    if (!c.lookup->parent.dentry->child(c.lookup->last_name()).is_error()) return err(EEXIST);
    Inode& directory = c.directory();
    RefPtr<Inode> inode;
    {
        MutexGuard guard(directory.lock());
        inode = TRY(directory.symlink(c.lookup->last_name(), target, context.credentials->fsuid,
                                      new_gid(directory, *context.credentials)));
    }
    TRY(c.lookup->parent.dentry->add_child(c.lookup->last_name(), inode));
    return {};
}

ErrorOr link(const LookupContext& old_context, kstd::string_view old_path, const LookupContext& new_context,
             kstd::string_view new_path, u32 lookup_flags) {
    Path old_resolved = TRY(resolve_path(old_context, old_path, lookup_flags));
    if (old_resolved.inode().is_directory()) return err(EPERM);
    // A file whose last name is gone cannot get one back, unless it is an O_TMPFILE file.
    if (old_resolved.inode().attributes().nlink == 0 && !old_resolved.inode().linkable) return err(ENOENT);
    Creation c = TRY(prepare_create(new_context, new_path));
    if (c.lookup->trailing_slash) return err(ENOENT);
    if (c.lookup->parent.mount->super_block.get() != old_resolved.mount->super_block.get() ||
        c.lookup->parent.mount.get() != old_resolved.mount.get())
        return err(EXDEV);
    if (!c.lookup->parent.dentry->child(c.lookup->last_name()).is_error()) return err(EEXIST);
    Inode& directory = c.directory();
    {
        MutexGuard guard(directory.lock());
        TRY(directory.link(c.lookup->last_name(), old_resolved.inode()));
    }
    old_resolved.inode().linkable = false;
    TRY(c.lookup->parent.dentry->add_child(c.lookup->last_name(), old_resolved.dentry->inode_ref()));
    return {};
}

ErrorOr unlink(const LookupContext& context, kstd::string_view path) {
    OwnPtr<ParentLookup> lookup = TRY(resolve_parent(context, path, 0));
    if (lookup->kind != ParentLookup::Kind::Normal) return err(lookup->kind == ParentLookup::Kind::Root ? EISDIR : EISDIR);
    Inode& directory = lookup->parent.inode();
    if (!directory.is_directory()) return err(ENOTDIR);
    RefPtr<Dentry> victim = TRY(lookup->parent.dentry->child(lookup->last_name()));
    if (victim->inode().is_directory()) return err(EISDIR);
    if (lookup->trailing_slash) return err(ENOTDIR);
    if (victim->is_mountpoint()) return err(EBUSY);
    if (read_only(lookup->parent)) return err(EROFS);
    TRY(check_may_delete(directory, victim->inode(), *context.credentials));
    {
        MutexGuard guard(directory.lock());
        TRY(directory.unlink(lookup->last_name(), victim->inode()));
    }
    lookup->parent.dentry->drop_child(lookup->last_name());
    return {};
}

ErrorOr rmdir(const LookupContext& context, kstd::string_view path) {
    OwnPtr<ParentLookup> lookup = TRY(resolve_parent(context, path, 0));
    switch (lookup->kind) {
    case ParentLookup::Kind::Dot: return err(EINVAL);
    case ParentLookup::Kind::DotDot: return err(ENOTEMPTY);
    case ParentLookup::Kind::Root: return err(EBUSY);
    default: break;
    }
    Inode& directory = lookup->parent.inode();
    RefPtr<Dentry> victim = TRY(lookup->parent.dentry->child(lookup->last_name()));
    if (!victim->inode().is_directory()) return err(ENOTDIR);
    if (victim->is_mountpoint()) return err(EBUSY);
    if (read_only(lookup->parent)) return err(EROFS);
    TRY(check_may_delete(directory, victim->inode(), *context.credentials));
    {
        MutexGuard guard(directory.lock());
        TRY(directory.rmdir(lookup->last_name(), victim->inode()));
    }
    lookup->parent.dentry->drop_child(lookup->last_name());
    return {};
}

ErrorOr rename(const LookupContext& old_context, kstd::string_view old_path, const LookupContext& new_context,
               kstd::string_view new_path, u32 flags) {
    if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) return err(EINVAL);
    if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE)) return err(EINVAL);
    if (flags & RENAME_WHITEOUT) return err(EINVAL);
    OwnPtr<ParentLookup> from = TRY(resolve_parent(old_context, old_path, 0));
    OwnPtr<ParentLookup> to = TRY(resolve_parent(new_context, new_path, 0));
    if (from->kind != ParentLookup::Kind::Normal || to->kind != ParentLookup::Kind::Normal)
        return err(from->kind == ParentLookup::Kind::Normal && to->kind == ParentLookup::Kind::Normal ? EINVAL : EBUSY);
    if (from->parent.mount.get() != to->parent.mount.get()) return err(EXDEV);
    if (read_only(from->parent)) return err(EROFS);
    Inode& old_directory = from->parent.inode();
    Inode& new_directory = to->parent.inode();
    RefPtr<Dentry> source = TRY(from->parent.dentry->child(from->last_name()));
    auto target = to->parent.dentry->child(to->last_name());
    if (target.is_error() && target.error().code() != ENOENT) return target.error();
    bool target_exists = !target.is_error();
    if ((flags & RENAME_EXCHANGE) && !target_exists) return err(ENOENT);
    if ((flags & RENAME_NOREPLACE) && target_exists) return err(EEXIST);
    bool source_is_directory = source->inode().is_directory();
    if ((from->trailing_slash || to->trailing_slash) && !source_is_directory) return err(ENOTDIR);
    if (source->is_mountpoint() || (target_exists && target.value()->is_mountpoint())) return err(EBUSY);
    if (target_exists && !(flags & RENAME_EXCHANGE)) {
        Inode& victim = target.value()->inode();
        if (&victim == &source->inode()) return {};  // two names of one inode: nothing to do
        if (source_is_directory && !victim.is_directory()) return err(ENOTDIR);
        if (!source_is_directory && victim.is_directory()) return err(EISDIR);
    }
    // A directory may not move into its own subtree.
    if (source_is_directory) {
        for (Dentry* d = to->parent.dentry.get(); d; d = d->parent()) {
            if (d == source.get()) return err(EINVAL);
        }
    }
    TRY(check_may_delete(old_directory, source->inode(), *old_context.credentials));
    TRY(check_permission(new_directory, *new_context.credentials, MAY_WRITE | MAY_EXEC));
    if (target_exists && !may_delete_in_sticky(new_directory, target.value()->inode(), *new_context.credentials))
        return err(EPERM);
    {
        MutexGuard guard(old_directory.lock());
        if (&new_directory != &old_directory) {
            MutexGuard guard2(new_directory.lock());
            TRY(old_directory.rename(from->last_name(), new_directory, to->last_name(), flags));
        } else {
            TRY(old_directory.rename(from->last_name(), new_directory, to->last_name(), flags));
        }
    }
    from->parent.dentry->drop_child(from->last_name());
    to->parent.dentry->drop_child(to->last_name());
    return {};
}

ErrorOr chmod(const Path& path, u32 mode, const Credentials& credentials) {
    Inode& inode = path.inode();
    if (read_only(path)) return err(EROFS);
    if (!is_owner_or_root(inode, credentials)) return err(EPERM);
    // Linux clears setgid when the owner is not in the file's group (and not root).
    if (credentials.fsuid != 0 && !credentials.in_group(inode.attributes().gid)) mode &= ~S_ISGID;
    InodeAttributes values;
    values.mode = mode & 07777;
    values.ctime = current_time();
    MutexGuard guard(inode.lock());
    return inode.setattr(values, ATTRIBUTE_MODE | ATTRIBUTE_CTIME);
}

ErrorOr chown(const Path& path, u32 uid, u32 gid, const Credentials& credentials) {
    Inode& inode = path.inode();
    if (read_only(path)) return err(EROFS);
    bool change_uid = uid != u32(-1) && uid != inode.attributes().uid;
    bool change_gid = gid != u32(-1) && gid != inode.attributes().gid;
    if (!credentials.fs_is_superuser()) {
        // Only root gives a file away; the owner may change its group to one of theirs.
        if (change_uid) return err(EPERM);
        if (change_gid && (credentials.fsuid != inode.attributes().uid || !credentials.in_group(gid))) return err(EPERM);
        if (uid != u32(-1) && credentials.fsuid != inode.attributes().uid) return err(EPERM);
    }
    InodeAttributes values;
    u32 mask = ATTRIBUTE_CTIME;
    values.ctime = current_time();
    if (uid != u32(-1)) values.uid = uid, mask |= ATTRIBUTE_UID;
    if (gid != u32(-1)) values.gid = gid, mask |= ATTRIBUTE_GID;
    // A change of owner drops setuid, and setgid when group-executable (Linux's should_remove_suid).
    if ((change_uid || change_gid) && !inode.is_directory()) {
        u32 mode = inode.mode();
        u32 cleared = mode & ~(S_ISUID | ((mode & S_IXGRP) ? S_ISGID : 0));
        if (cleared != mode) values.mode = cleared, mask |= ATTRIBUTE_MODE;
    }
    MutexGuard guard(inode.lock());
    return inode.setattr(values, mask);
}

ErrorOr set_times(const Path& path, const Timespec* atime, const Timespec* mtime, const Credentials& credentials,
                  bool explicit_times) {
    Inode& inode = path.inode();
    if (read_only(path)) return err(EROFS);
    // Setting explicit times needs ownership; setting "now" write permission suffices.
    if (!is_owner_or_root(inode, credentials)) {
        if (explicit_times) return err(EPERM);
        TRY(check_permission(inode, credentials, MAY_WRITE));
    }
    InodeAttributes values;
    u32 mask = ATTRIBUTE_CTIME;
    values.ctime = current_time();
    if (atime) values.atime = *atime, mask |= ATTRIBUTE_ATIME;
    if (mtime) values.mtime = *mtime, mask |= ATTRIBUTE_MTIME;
    MutexGuard guard(inode.lock());
    return inode.setattr(values, mask);
}

ErrorOr truncate(const Path& path, u64 size, const Credentials& credentials) {
    Inode& inode = path.inode();
    if (inode.is_directory()) return err(EISDIR);
    if (!inode.is_regular()) return err(EINVAL);
    if (read_only(path)) return err(EROFS);
    TRY(check_permission(inode, credentials, MAY_WRITE));
    InodeAttributes values;
    values.size = size;
    values.mtime = values.ctime = current_time();
    MutexGuard guard(inode.lock());
    return inode.setattr(values, ATTRIBUTE_SIZE | ATTRIBUTE_MTIME | ATTRIBUTE_CTIME);
}

}  // namespace vfs
