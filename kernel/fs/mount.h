// Filesystems: the mount tree and paths.
//
// A Path is a (mount, dentry) pair, as in Linux: the same dentry can be reached through
// several mounts (bind mounts), and ".." at a mount's root leaves through its mount point.
#pragma once

#include <linux/mount.h>

#include "fs/dentry.h"
#include "fs/super_block.h"

class Mount : public RefCounted<Mount> {
public:
    RefPtr<SuperBlock> super_block;
    RefPtr<Dentry> root;          // what the mount shows (a subtree for bind mounts)
    RefPtr<Mount> parent;         // null for the root mount
    RefPtr<Dentry> mountpoint;    // where it sits in the parent
    u64 flags = 0;                // MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_NOATIME...
    RefPtr<KString> source;       // "/dev/vda1", "tmpfs", ... for /proc/mounts
    u32 id = 0;                   // for /proc/self/mountinfo
    ListNode m_node;              // in the global list, in mount order

    bool read_only() const { return (flags & MS_RDONLY) || super_block->read_only(); }
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
// Attaches a filesystem (or a bind of `source_root`) at `target`.
Result<RefPtr<Mount>> attach(const Path& target, RefPtr<SuperBlock> super_block, RefPtr<Dentry> root, u64 flags,
                             kstd::string_view source);
ErrorOr detach(Mount& mount, bool lazy);
// Moves a mount to a new place (MS_MOVE, pivot_root).
ErrorOr move(Mount& mount, const Path& target);
template <typename Fn>
void for_each_mount(Fn&& fn);
Mount* first_mount();
Mount* next_mount(Mount& mount);
template <typename Fn>
void for_each_mount(Fn&& fn) {
    for (Mount* m = first_mount(); m; m = next_mount(*m)) fn(*m);
}
// The absolute path of `path` as seen from `root` ("/" joined names); ENAMETOOLONG.
Result<usize> path_to_string(const Path& path, const Path& root, char* buffer, usize size);
}  // namespace vfs
