// Filesystems: the mount tree and paths.
//
// A Path is a (mount, dentry) pair, as in Linux: the same dentry can be reached through
// several mounts (bind mounts), and ".." at a mount's root leaves through its mount point.
// Strix has one mount namespace; every mount is private (no propagation).
#pragma once

#include <linux/mount.h>

#include "fs/dentry.h"
#include "fs/super_block.h"

// The flags that belong to a mount rather than to its filesystem (Linux's MNT_* set,
// stored with the MS_* values mount(2) uses).
constexpr u64 MOUNT_FLAGS_PER_MOUNT =
    MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME;

class Mount : public RefCounted<Mount> {
public:
    RefPtr<SuperBlock> super_block;
    RefPtr<Dentry> root;         // what the mount shows (a subtree for bind mounts)
    RefPtr<Mount> parent;        // null for the root mount
    RefPtr<Dentry> mountpoint;   // where it sits in the parent
    u64 flags = 0;               // MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_NOATIME...
    RefPtr<KString> source;      // "/dev/vda1", "tmpfs", ... for /proc/mounts
    u32 id = 0;                  // for /proc/self/mountinfo
    const char* type = nullptr;  // the type mount(2) named, when not the superblock's own
    ListNode m_node;             // in the global list, in mount order

    bool read_only() const { return (flags & MS_RDONLY) || super_block->read_only(); }
    // What /proc/mounts calls it: "devtmpfs" is a tmpfs underneath.
    const char* type_name() const { return type ? type : super_block->type_name(); }
    bool attached() const { return m_node.is_linked(); }
};

struct Path {
    RefPtr<Mount> mount;
    RefPtr<Dentry> dentry;

    bool valid() const { return mount && dentry; }
    Inode& inode() const { return dentry->inode(); }
    bool operator==(const Path& other) const {
        return mount.get() == other.mount.get() && dentry.get() == other.dentry.get();
    }
};

namespace vfs {
// The root of the mount tree (set once the initramfs or root filesystem is mounted).
Path root_path();
void set_root_mount(RefPtr<Mount> mount);
// The mount sitting on (mount, dentry), or null. The walk calls it at every step.
RefPtr<Mount> mount_on(const Mount& mount, const Dentry& dentry);
// Attaches a filesystem (or, with `root` inside it, a bind of a subtree) at `target`.
Result<RefPtr<Mount>> attach(const Path& target, RefPtr<SuperBlock> super_block, RefPtr<Dentry> root,
                             u64 flags, kstd::string_view source);
// The root dentry to mount `super_block` with: the one its existing mounts show, so that
// every mount of one filesystem instance (devtmpfs) shares one dentry tree.
Result<RefPtr<Dentry>> root_dentry_for(const RefPtr<SuperBlock>& super_block);
// Whether some mount shows this filesystem instance.
bool is_mounted(const SuperBlock& super_block);

enum class DetachMode : u8 {
    Normal,  // EBUSY while anything uses the mount or something is mounted on it
    Lazy,    // MNT_DETACH: gone from the tree now, with everything mounted below it
};
ErrorOr detach(Mount& mount, DetachMode mode);
// Moves a mount to a new place (MS_MOVE). ELOOP when `target` lies inside `mount`.
ErrorOr move(Mount& mount, const Path& target);
// pivot_root(2): `new_root` (a mount) takes the place of `old_root` (a mount, not the
// absolute root), which moves to `put_old`. The caller checked Linux's conditions.
ErrorOr pivot(Mount& old_root, Mount& new_root, const Path& put_old);
// Whether `path` lies at or below `ancestor` in the mount tree.
bool is_path_beneath(const Path& path, const Path& ancestor);

// The mount list in mount order, under the mount lock (the callback walks no paths).
template <typename Fn>
void for_each_mount(Fn&& fn);
void lock_mounts();
void unlock_mounts();
Mount* first_mount();
Mount* next_mount(Mount& mount);
template <typename Fn>
void for_each_mount(Fn&& fn) {
    lock_mounts();
    for (Mount* m = first_mount(); m; m = next_mount(*m)) fn(*m);
    unlock_mounts();
}
// The absolute path of `path` as seen from `root` ("/" joined names); ENAMETOOLONG.
Result<usize> path_to_string(const Path& path, const Path& root, char* buffer, usize size);
}  // namespace vfs
