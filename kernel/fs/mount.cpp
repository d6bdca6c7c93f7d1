// Filesystems: the mount tree (see mount.h).
#include "fs/mount.h"

#include "lib/string.h"
#include "sync/mutex.h"

namespace vfs {
namespace {
Mutex g_mount_lock;
IntrusiveList<Mount, &Mount::m_node> g_mounts;
RefPtr<Mount> g_root_mount;
u32 g_next_id = 2;  // 1 is the root mount's

bool still_mounted_locked(const SuperBlock& super_block) {
    for (Mount& m : g_mounts) {
        if (m.super_block.get() == &super_block) return true;
    }
    return false;
}

// Takes a mount out of the tree. The last mount of a filesystem writes it back, and when
// nothing can still use it (not a lazy detach), shuts it down, as Linux's kill_sb.
void unlink_locked(Mount& mount, DetachMode mode) {
    if (mount.mountpoint) mount.mountpoint->mount_count--;
    g_mounts.remove(mount);
    if (!still_mounted_locked(*mount.super_block)) {
        (void)mount.super_block->sync();
        if (mode == DetachMode::Normal) mount.super_block->shutdown();
    }
    if (mount.unref()) delete &mount;
}

// Whether `mount` is `ancestor` or sits (through its parents) on it.
bool descends_from(const Mount* mount, const Mount* ancestor) {
    for (; mount; mount = mount->parent.get()) {
        if (mount == ancestor) return true;
    }
    return false;
}

// A name in a filesystem that keeps none (procfs) is made afresh at every lookup, so a
// mount on it would never be found again: refused (Linux can; Strix cannot yet).
ErrorOr check_mount_point(const Path& target) {
    if (target.dentry->parent() && !target.inode().super_block().caches_names()) return err(EINVAL);
    return {};
}

void place_locked(Mount& mount, const Path& target) {
    if (mount.mountpoint) mount.mountpoint->mount_count--;
    mount.parent = target.mount;
    mount.mountpoint = target.dentry;
    target.dentry->mount_count++;
    // Keep mount order meaningful for mount_on: a moved mount counts as the newest.
    g_mounts.remove(mount);
    g_mounts.push_back(mount);
}
}  // namespace

Path root_path() { return Path{g_root_mount, g_root_mount ? g_root_mount->root : nullptr}; }

void set_root_mount(RefPtr<Mount> mount) {
    MutexGuard guard(g_mount_lock);
    if (!mount->m_node.is_linked()) {
        mount->ref();
        g_mounts.push_front(*mount);
    }
    g_root_mount = kstd::move(mount);
}

RefPtr<Mount> mount_on(const Mount& mount, const Dentry& dentry) {
    if (!dentry.is_mountpoint()) return nullptr;
    // The most recent mount wins: the list is in mount order, so keep the last match.
    RefPtr<Mount> found;
    MutexGuard guard(g_mount_lock);
    for (Mount& m : g_mounts) {
        if (m.parent.get() == &mount && m.mountpoint.get() == &dentry) found = RefPtr<Mount>(&m);
    }
    return found;
}

Result<RefPtr<Mount>> attach(const Path& target, RefPtr<SuperBlock> super_block, RefPtr<Dentry> root,
                             u64 flags, kstd::string_view source) {
    TRY(check_mount_point(target));
    RefPtr<Mount> mount = try_make_ref<Mount>();
    RefPtr<KString> name = KString::create(source);
    if (!mount || !name) return err(ENOMEM);
    mount->super_block = kstd::move(super_block);
    mount->root = kstd::move(root);
    mount->parent = target.mount;
    mount->mountpoint = target.dentry;
    mount->flags = flags & MOUNT_FLAGS_PER_MOUNT;
    mount->source = kstd::move(name);
    MutexGuard guard(g_mount_lock);
    // A mount point removed meanwhile (rmdir) takes no mounts, as Linux's lock_mount.
    if (target.dentry->is_deleted()) return err(ENOENT);
    mount->id = g_next_id++;
    target.dentry->mount_count++;
    mount->ref();  // the mount list's reference
    g_mounts.push_back(*mount);
    return mount;
}

Result<RefPtr<Dentry>> root_dentry_for(const RefPtr<SuperBlock>& super_block) {
    {
        MutexGuard guard(g_mount_lock);
        for (Mount& m : g_mounts) {
            if (m.super_block.get() == super_block.get() && !m.root->parent()) return m.root;
        }
    }
    RefPtr<Dentry> root = Dentry::create_root(super_block->root());
    if (!root) return err(ENOMEM);
    return root;
}

bool is_mounted(const SuperBlock& super_block) {
    MutexGuard guard(g_mount_lock);
    return still_mounted_locked(super_block);
}

ErrorOr detach(Mount& mount, DetachMode mode) {
    MutexGuard guard(g_mount_lock);
    if (&mount == g_root_mount.get() || !mount.attached()) return err(EINVAL);
    if (mode == DetachMode::Normal) {
        for (Mount& other : g_mounts) {
            if (other.parent.get() == &mount) return err(EBUSY);  // something mounted on it
        }
        // Busy: open files, working directories and mapped paths hold the mount beyond
        // the list's reference and the caller's.
        if (mount.ref_count() > 2) return err(EBUSY);
        unlink_locked(mount, mode);
        return {};
    }
    // Lazy: the mount and everything below it leave the tree; users keep what they hold.
    for (Mount* m = g_mounts.first(); m;) {
        Mount* next = g_mounts.next(*m);
        if (m != &mount && descends_from(m, &mount)) unlink_locked(*m, mode);
        m = next;
    }
    unlink_locked(mount, mode);
    return {};
}

ErrorOr move(Mount& mount, const Path& target) {
    MutexGuard guard(g_mount_lock);
    if (&mount == g_root_mount.get() || !mount.attached()) return err(EINVAL);
    if (descends_from(target.mount.get(), &mount)) return err(ELOOP);  // into its own subtree
    TRY(check_mount_point(target));
    place_locked(mount, target);
    return {};
}

ErrorOr pivot(Mount& old_root, Mount& new_root, const Path& put_old) {
    MutexGuard guard(g_mount_lock);
    if (!old_root.parent || !new_root.parent || !old_root.attached() || !new_root.attached())
        return err(EINVAL);
    TRY(check_mount_point(put_old));
    Path old_place{old_root.parent, old_root.mountpoint};
    place_locked(new_root, old_place);
    place_locked(old_root, put_old);
    return {};
}

bool is_path_beneath(const Path& path, const Path& ancestor) {
    Path current = path;
    for (;;) {
        if (current.mount.get() == ancestor.mount.get()) {
            for (Dentry* d = current.dentry.get(); d; d = d->parent()) {
                if (d == ancestor.dentry.get()) return true;
                if (d == current.mount->root.get()) break;
            }
            return false;
        }
        if (!current.mount->parent) return false;
        current = Path{current.mount->parent, current.mount->mountpoint};
    }
}

void lock_mounts() { g_mount_lock.lock(); }
void unlock_mounts() { g_mount_lock.unlock(); }
Mount* first_mount() { return g_mounts.first(); }
Mount* next_mount(Mount& mount) { return g_mounts.next(mount); }

Result<usize> path_to_string(const Path& path, const Path& root, char* buffer, usize size) {
    // Collect names from the leaf up, then write them in order.
    constexpr usize MAX_DEPTH = 256;
    kstd::string_view names[MAX_DEPTH];
    usize depth = 0;
    Path current = path;
    while (!(current.mount.get() == root.mount.get() && current.dentry.get() == root.dentry.get())) {
        if (current.dentry.get() == current.mount->root.get()) {
            if (!current.mount->parent) break;  // outside the caller's root (chroot): stop at the top
            current = Path{current.mount->parent, current.mount->mountpoint};
            continue;
        }
        if (depth == MAX_DEPTH) return err(ENAMETOOLONG);
        names[depth++] = current.dentry->name();
        Dentry* parent = current.dentry->parent();
        if (!parent) break;
        current.dentry = RefPtr<Dentry>(parent);
    }
    usize at = 0;
    if (depth == 0) {
        if (size < 2) return err(ERANGE);
        buffer[0] = '/';
        buffer[1] = '\0';
        return 1;
    }
    for (usize i = depth; i-- > 0;) {
        if (at + 1 + names[i].size() + 1 > size) return err(ENAMETOOLONG);
        buffer[at++] = '/';
        memcpy(buffer + at, names[i].data(), names[i].size());
        at += names[i].size();
    }
    buffer[at] = '\0';
    return at;
}
}  // namespace vfs
