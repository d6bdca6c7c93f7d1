// devtmpfs: the kernel's /dev (see devtmpfs.h).
#include "fs/devtmpfs/devtmpfs.h"

#include "fs/device.h"
#include "fs/tmpfs/tmpfs.h"
#include "lib/uapi/stat.h"
#include "log/klog.h"
#include "sync/mutex.h"

namespace {

using vfs::DeviceNode;

Mutex g_lock;
RefPtr<SuperBlock> g_super_block;

// The directory `name` in `directory`, made (0755, root's) when missing.
Result<RefPtr<Inode>> directory_in(Inode& directory, kstd::string_view name, u32 mode) {
    MutexGuard guard(directory.lock());
    auto existing = directory.lookup(name);
    if (!existing.is_error()) {
        if (!existing.value()->is_directory()) return err(ENOTDIR);
        return existing.release_value();
    }
    return directory.mkdir(name, mode, 0, 0);
}

// Makes the node at `path` (relative to /dev, "pts/ptmx" style), with its directories.
ErrorOr make_node(kstd::string_view path, u32 mode, u64 rdev, kstd::string_view link_target = {}) {
    RefPtr<Inode> directory = g_super_block->root();
    for (;;) {
        usize slash = path.find('/');
        if (slash == kstd::string_view::npos) break;
        if (slash > 0) directory = TRY(directory_in(*directory, path.substr(0, slash), 0755));
        path.remove_prefix(slash + 1);
    }
    if (path.empty() || path == "." || path == "..") return err(EINVAL);
    MutexGuard guard(directory->lock());
    if (!directory->lookup(path).is_error()) return {};  // made already (or by hand): keep it
    if (S_ISLNK(mode)) {
        TRY(directory->symlink(path, link_target, 0, 0));
    } else if (S_ISDIR(mode)) {
        TRY(directory->mkdir(path, mode & 07777, 0, 0));
    } else {
        TRY(directory->create(path, mode, 0, 0, rdev));
    }
    return {};
}

void add_published(DeviceNode& node) {
    MutexGuard guard(g_lock);
    if (!g_super_block) return;  // made when devtmpfs is first mounted
    if (auto made = make_node(node.name, node.mode, node.rdev); made.is_error())
        pr_warn("devtmpfs: cannot create /dev/%s (error %d)", node.name, made.error().code());
}

ErrorOr populate() {
    TRY(make_node("pts", S_IFDIR | 0755, 0));
    TRY(make_node("shm", S_IFDIR | 01777, 0));
    TRY(make_node("fd", S_IFLNK | 0777, 0, "/proc/self/fd"));
    TRY(make_node("stdin", S_IFLNK | 0777, 0, "/proc/self/fd/0"));
    TRY(make_node("stdout", S_IFLNK | 0777, 0, "/proc/self/fd/1"));
    TRY(make_node("stderr", S_IFLNK | 0777, 0, "/proc/self/fd/2"));
    vfs::for_each_device_node([](DeviceNode& node) {
        if (auto made = make_node(node.name, node.mode, node.rdev); made.is_error())
            pr_warn("devtmpfs: cannot create /dev/%s (error %d)", node.name, made.error().code());
    });
    return {};
}

Result<RefPtr<SuperBlock>> mount_devtmpfs(BlockDevice*, u64, kstd::string_view) {
    MutexGuard guard(g_lock);
    if (g_super_block) return g_super_block;
    // Linux sizes devtmpfs like any tmpfs (half of RAM); nodes take no pages.
    // Its root is 0755, as Linux's devtmpfs (mounted with mode=0755) has it.
    RefPtr<SuperBlock> super_block = TRY(TmpfsSuperBlock::create(0, "mode=0755"));
    g_super_block = super_block;
    if (auto filled = populate(); filled.is_error()) {
        g_super_block.clear();
        return filled.error();
    }
    pr_info("devtmpfs: initialized");
    return super_block;
}

FileSystemType g_devtmpfs{"devtmpfs", false, mount_devtmpfs, {}};

}  // namespace

void devtmpfs_register() {
    vfs::register_filesystem(g_devtmpfs);
    vfs::set_device_node_listener(add_published);
}
