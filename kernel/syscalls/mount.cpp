// Syscalls: mounting — mount, umount2, pivot_root (Linux's fs/namespace.c).
//
// Strix has one mount namespace and no propagation: MS_SHARED, MS_SLAVE, MS_PRIVATE and
// MS_UNBINDABLE are accepted and change nothing (every mount behaves as private). Only
// root may change the mount tree (CAP_SYS_ADMIN: EPERM otherwise).
#include <linux/fs.h>
#include <linux/mount.h>

#include "drivers/block/registry.h"
#include "fs/fs_context.h"
#include "fs/namei.h"
#include "fs/super_block.h"
#include "lib/uapi/stat.h"
#include "log/klog.h"
#include "mm/heap_buffer.h"
#include "mm/user_copy.h"
#include "proc/process.h"
#include "syscalls/fs_common.h"
#include "syscalls/syscall.h"

// umount2's flags: Linux's include/linux/fs.h (not part of the UAPI).
constexpr int MNT_FORCE = 0x1;
constexpr int MNT_DETACH = 0x2;
constexpr int MNT_EXPIRE = 0x4;
constexpr int UMOUNT_NOFOLLOW = 0x8;

namespace {

Credentials& credentials() { return current_process()->credentials; }

// The mount whose root `path` is, or EINVAL (umount, remount, MS_MOVE and propagation
// changes name mount points, not directories inside mounts).
Result<RefPtr<Mount>> mount_rooted_at(const Path& path) {
    if (path.dentry.get() != path.mount->root.get() || !path.mount->attached()) return err(EINVAL);
    return path.mount;
}

// The block device a mount's source names, for filesystems that need one (ext4): the
// block layer's lookup (ENOTBLK, ENXIO, EACCES on a nodev mount); no source is ENOTBLK.
Result<BlockDevice*> block_device_for_source(const LookupContext& context, kstd::string_view source) {
    if (source.empty()) return err(ENOTBLK);
    return block::block_device_for_path(context, source);
}

// mount(2)'s MS_* flags turned into the flags a mount keeps (Linux's path_mount):
// relatime unless noatime or strictatime.
u64 per_mount_flags(u64 flags) {
    u64 result = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME);
    if (!(flags & (MS_NOATIME | MS_STRICTATIME))) result |= MS_RELATIME;
    return result;
}

// A string argument of mount(2): null stays empty; at most a page (the options too).
Result<usize> copy_argument(UserPtr<const char> user, char* buffer, usize size) {
    if (user.is_null()) {
        buffer[0] = '\0';
        return 0;
    }
    auto copied = mm::copy_string_from_user(buffer, user, size);
    if (copied.is_error() && copied.error().code() == ENAMETOOLONG) return err(EINVAL);
    return copied;
}

ErrorOr new_mount(const LookupContext& context, const Path& target, kstd::string_view type_name,
                  kstd::string_view source, u64 flags, kstd::string_view data) {
    if (type_name.empty()) return err(EINVAL);
    FileSystemType* type = vfs::find_filesystem(type_name);
    if (!type) return err(ENODEV);
    if (!target.inode().is_directory()) return err(ENOTDIR);
    BlockDevice* device = nullptr;
    if (type->requires_device) device = TRY(block_device_for_source(context, source));
    RefPtr<SuperBlock> super_block = TRY(type->mount(device, flags, data));
    // A new instance takes MS_RDONLY; one already mounted (devtmpfs) keeps its state and
    // only this mount is read-only.
    if ((flags & MS_RDONLY) && !vfs::is_mounted(*super_block)) super_block->set_read_only(true);
    RefPtr<Dentry> root = TRY(vfs::root_dentry_for(super_block));
    RefPtr<Mount> mount =
        TRY(vfs::attach(target, super_block, root, per_mount_flags(flags), source.empty() ? "none" : source));
    mount->type = type->name;
    return {};
}

// MS_BIND: the subtree at `source` shown again at `target`, with the source mount's
// flags; with MS_REC the mounts inside the subtree come along.
ErrorOr bind_mount(const Path& source, const Path& target, u64 flags) {
    if (source.inode().is_directory() != target.inode().is_directory()) return err(ENOTDIR);
    Mount& origin = *source.mount;
    RefPtr<Mount> top = TRY(vfs::attach(target, origin.super_block, source.dentry, origin.flags,
                                        origin.source ? origin.source->view() : "none"));
    top->type = origin.type;
    if (!(flags & MS_REC)) return {};

    // Copy the submounts: each mount below the source gets a clone on the clone of its
    // parent. Passes repeat until nothing new appears (a moved mount may precede its parent
    // in mount order).
    struct Pair {
        Mount* original;
        RefPtr<Mount> clone;
    };
    constexpr usize MAX_SUBMOUNTS = 64;
    Pair* pairs = new (kstd::nothrow) Pair[MAX_SUBMOUNTS];
    if (!pairs) return err(ENOMEM);
    usize count = 0;
    pairs[count++] = {&origin, top};
    ErrorOr result;
    for (bool progress = true; progress && !result.is_error();) {
        progress = false;
        Mount* candidate = nullptr;
        Path where;
        vfs::for_each_mount([&](Mount& m) {
            if (candidate || !m.parent) return;
            for (usize i = 0; i < count; i++) {
                if (pairs[i].original == &m || pairs[i].clone.get() == &m) return;  // done, or a clone
            }
            for (usize i = 0; i < count; i++) {
                if (pairs[i].original != m.parent.get()) continue;
                Path mountpoint{m.parent, m.mountpoint};
                // A submount of the bound mount itself must sit inside the bound subtree.
                if (i == 0 && !vfs::is_path_beneath(mountpoint, source)) continue;
                candidate = &m;
                where = Path{pairs[i].clone, m.mountpoint};
                return;
            }
        });
        if (!candidate) break;
        if (count == MAX_SUBMOUNTS) {
            pr_warn("mount: MS_REC: more than %zu submounts; the rest are not bound", MAX_SUBMOUNTS);
            break;
        }
        auto clone = vfs::attach(where, candidate->super_block, candidate->root, candidate->flags,
                                 candidate->source ? candidate->source->view() : "none");
        if (clone.is_error()) {
            result = clone.error();
            break;
        }
        clone.value()->type = candidate->type;
        pairs[count++] = {candidate, clone.release_value()};
        progress = true;
    }
    delete[] pairs;
    return result;
}

}  // namespace

SyscallResult sys_mount(UserPtr<const char> user_source, UserPtr<const char> user_target,
                        UserPtr<const char> user_type, u64 flags, UserPtr<const void> user_data) {
    if (!credentials().is_superuser()) return err(EPERM);
    // The old "magic" in the high half of the flags (MS_MGC_VAL) means nothing today.
    if ((flags & MS_MGC_MSK) == MS_MGC_VAL) flags &= ~u64(MS_MGC_MSK);
    OwnPtr<UserPath> target_name = TRY(UserPath::copy(user_target));
    HeapBuffer strings(PATH_MAX_BYTES + 256 + PAGE_SIZE);
    if (!strings) return err(ENOMEM);
    char* source = strings.data();
    char* type = source + PATH_MAX_BYTES;
    char* data = type + 256;
    usize source_length = TRY(copy_argument(user_source, source, PATH_MAX_BYTES));
    usize type_length = TRY(copy_argument(user_type, type, 256));
    usize data_length = TRY(copy_argument(user_data.cast<const char>(), data, PAGE_SIZE));
    kstd::string_view source_view(source, source_length), type_view(type, type_length),
        data_view(data, data_length);

    LookupContext context = TRY(lookup_context_for(AT_FDCWD));
    Path target = TRY(resolve_path(context, target_name->view(), LOOKUP_FOLLOW));

    constexpr u64 PROPAGATION = MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE;
    if ((flags & (MS_REMOUNT | MS_BIND)) == (MS_REMOUNT | MS_BIND)) {
        // Per-mount flags only (mount -o remount,bind,ro).
        RefPtr<Mount> mount = TRY(mount_rooted_at(target));
        mount->flags = per_mount_flags(flags);
        return 0;
    }
    if (flags & MS_REMOUNT) {
        RefPtr<Mount> mount = TRY(mount_rooted_at(target));
        TRY(mount->super_block->remount(flags, data_view));
        mount->super_block->set_read_only(flags & MS_RDONLY);
        mount->flags = per_mount_flags(flags);
        return 0;
    }
    if (flags & MS_BIND) {
        Path source_path = TRY(resolve_path(context, source_view, LOOKUP_FOLLOW));
        TRY(bind_mount(source_path, target, flags));
        return 0;
    }
    if (flags & PROPAGATION) {
        TRY(mount_rooted_at(target));
        static bool noted = false;
        if (!noted) {
            noted = true;
            pr_info(
                "mount: propagation flags (shared, slave, private, unbindable) accepted; every mount is "
                "private");
        }
        return 0;
    }
    if (flags & MS_MOVE) {
        Path source_path = TRY(resolve_path(context, source_view, LOOKUP_FOLLOW));
        RefPtr<Mount> mount = TRY(mount_rooted_at(source_path));
        if (!mount->parent) return err(EINVAL);
        if (source_path.inode().is_directory() != target.inode().is_directory()) return err(ENOTDIR);
        TRY(vfs::move(*mount, target));
        return 0;
    }
    TRY(new_mount(context, target, type_view, source_view, flags, data_view));
    return 0;
}

SyscallResult sys_umount2(UserPtr<const char> user_target, int flags) {
    if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW)) return err(EINVAL);
    if (!credentials().is_superuser()) return err(EPERM);
    // Expiry marks (for automounters) are not kept: say so rather than pretend.
    if (flags & MNT_EXPIRE) return err(EINVAL);
    OwnPtr<UserPath> name = TRY(UserPath::copy(user_target));
    LookupContext context = TRY(lookup_context_for(AT_FDCWD));
    Path target = TRY(resolve_path(context, name->view(), (flags & UMOUNT_NOFOLLOW) ? 0 : LOOKUP_FOLLOW));
    TRY(mount_rooted_at(target));
    Mount* mount = target.mount.get();
    // The absolute root (rootfs) stays: Linux locks it (MNT_LOCKED, so can_umount says EINVAL).
    if (!mount->parent) return err(EINVAL);
    if (mount == context.root.mount.get() && !(flags & MNT_DETACH)) {
        // Linux's do_umount_root: "unmounting" one's root remounts it read-only.
        TRY(mount->super_block->remount(MS_RDONLY, {}));
        mount->super_block->set_read_only(true);
        return 0;
    }
    // Only `target` holds the mount besides the list: a busy check sees exactly two.
    context = {};
    TRY(vfs::detach(*mount, (flags & MNT_DETACH) ? vfs::DetachMode::Lazy : vfs::DetachMode::Normal));
    return 0;
}

SyscallResult sys_pivot_root(UserPtr<const char> user_new_root, UserPtr<const char> user_put_old) {
    if (!credentials().is_superuser()) return err(EPERM);
    OwnPtr<UserPath> new_name = TRY(UserPath::copy(user_new_root));
    OwnPtr<UserPath> old_name = TRY(UserPath::copy(user_put_old));
    LookupContext context = TRY(lookup_context_for(AT_FDCWD));
    Path new_root = TRY(resolve_path(context, new_name->view(), LOOKUP_FOLLOW | LOOKUP_DIRECTORY));
    Path put_old = TRY(resolve_path(context, old_name->view(), LOOKUP_FOLLOW | LOOKUP_DIRECTORY));
    Path root = context.root;
    // Linux's checks, in its order (fs/namespace.c, pivot_root).
    if (new_root.mount.get() == root.mount.get() || put_old.mount.get() == root.mount.get())
        return err(EBUSY);
    if (root.dentry.get() != root.mount->root.get() || !root.mount->parent) return err(EINVAL);
    if (new_root.dentry.get() != new_root.mount->root.get() || !new_root.mount->parent) return err(EINVAL);
    if (!vfs::is_path_beneath(put_old, new_root)) return err(EINVAL);
    if (!vfs::is_path_beneath(new_root, root)) return err(EINVAL);
    TRY(vfs::pivot(*root.mount, *new_root.mount, put_old));
    // Every process whose root or working directory was the old root moves to the new one.
    Path fresh{new_root.mount, new_root.mount->root};
    process_table::for_each([&](Process& process) {
        if (!process.fs) return;
        if (process.fs->root() == root) process.fs->set_root(fresh);
        if (process.fs->cwd() == root) process.fs->set_cwd(fresh);
    });
    return 0;
}
