// Filesystems: the mount tree (see mount.h).
#include "fs/mount.h"

#include "lib/string.h"
#include "sync/mutex.h"

namespace vfs {
namespace {
Mutex g_mount_lock;
IntrusiveList<Mount, &Mount::m_node> g_mounts;
RefPtr<Mount> g_root_mount;
u32 g_next_id = 1;
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

Result<RefPtr<Mount>> attach(const Path& target, RefPtr<SuperBlock> super_block, RefPtr<Dentry> root, u64 flags,
                             kstd::string_view source) {
    RefPtr<Mount> mount = try_make_ref<Mount>();
    RefPtr<KString> name = KString::create(source);
    if (!mount || !name) return err(ENOMEM);
    mount->super_block = kstd::move(super_block);
    mount->root = kstd::move(root);
    mount->parent = target.mount;
    mount->mountpoint = target.dentry;
    mount->flags = flags;
    mount->source = kstd::move(name);
    MutexGuard guard(g_mount_lock);
    mount->id = g_next_id++;
    target.dentry->mount_count++;
    mount->ref();  // the mount list's reference
    g_mounts.push_back(*mount);
    return mount;
}

ErrorOr detach(Mount& mount, bool lazy) {
    MutexGuard guard(g_mount_lock);
    if (&mount == g_root_mount.get()) return err(EBUSY);
    for (Mount& other : g_mounts) {
        if (other.parent.get() == &mount && !lazy) return err(EBUSY);  // something mounted on it
    }
    // Busy: open files or working directories hold the mount beyond the list and its children.
    if (!lazy && mount.ref_count() > 2) return err(EBUSY);
    if (mount.mountpoint) mount.mountpoint->mount_count--;
    g_mounts.remove(mount);
    if (mount.unref()) delete &mount;
    return {};
}

ErrorOr move(Mount& mount, const Path& target) {
    MutexGuard guard(g_mount_lock);
    if (mount.mountpoint) mount.mountpoint->mount_count--;
    mount.parent = target.mount;
    mount.mountpoint = target.dentry;
    target.dentry->mount_count++;
    // Keep mount order meaningful for mount_on: a moved mount counts as the newest.
    g_mounts.remove(mount);
    g_mounts.push_back(mount);
    return {};
}

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
