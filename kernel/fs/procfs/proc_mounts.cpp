// procfs: /proc/<pid>/mounts and mountinfo (Linux's fs/proc_namespace.c) — the mounts a
// process can see from its root, in mount order.
#include "fs/device.h"
#include "fs/namei.h"
#include "fs/procfs/proc_internal.h"
#include "lib/string.h"
#include "mm/heap_buffer.h"

namespace procfs {
namespace {

// Where a mount sits, as a Path: its mount point in the parent (the root mount: itself).
Path mount_point_of(Mount& mount) {
    if (!mount.parent) return Path{RefPtr<Mount>(&mount), mount.root};
    return Path{mount.parent, mount.mountpoint};
}

// A dentry's path inside its own filesystem (mountinfo's "root" field for bind mounts).
usize dentry_path(const Dentry& dentry, char* buffer, usize size) {
    kstd::string_view names[64];
    usize depth = 0;
    for (const Dentry* d = &dentry; d->parent() && depth < 64; d = d->parent()) names[depth++] = d->name();
    usize at = 0;
    if (depth == 0 && size >= 2) buffer[at++] = '/';
    for (usize i = depth; i-- > 0;) {
        if (at + 1 + names[i].size() + 1 > size) break;
        buffer[at++] = '/';
        memcpy(buffer + at, names[i].data(), names[i].size());
        at += names[i].size();
    }
    buffer[at] = '\0';
    return at;
}

// Calls fn(mount, mount point text) for each mount visible from `root`.
template <typename Fn>
ErrorOr for_each_visible_mount(const Path& root, Fn&& fn) {
    HeapBuffer point(PATH_MAX_BYTES);
    if (!point) return err(ENOMEM);
    ErrorOr result;
    vfs::for_each_mount([&](Mount& mount) {
        if (result.is_error()) return;
        Path where = mount_point_of(mount);
        Path top{RefPtr<Mount>(&mount), mount.root};
        // Mounts outside a chroot are not shown (Linux skips what d_path cannot reach).
        if (!vfs::is_path_beneath(top, root)) return;
        auto length = vfs::path_to_string(where, root, point.data(), point.size());
        if (length.is_error()) {
            result = length.error();
            return;
        }
        fn(mount, kstd::string_view(point.data(), length.value()));
    });
    return result;
}

}  // namespace

ErrorOr print_mounts(SeqBuffer& out, const Path& root) {
    SeqBuffer options(PAGE_SIZE);
    return for_each_visible_mount(root, [&](Mount& mount, kstd::string_view point) {
        options.clear();
        mount.super_block->show_options(options);
        format_mounts_line(out, mount.source ? mount.source->view() : "none", point, mount.type_name(),
                           mount.flags, mount.read_only(), options.view());
    });
}

ErrorOr print_mountinfo(SeqBuffer& out, const Path& root) {
    HeapBuffer inside(PATH_MAX_BYTES);
    if (!inside) return err(ENOMEM);
    SeqBuffer options(PAGE_SIZE);
    return for_each_visible_mount(root, [&](Mount& mount, kstd::string_view point) {
        options.clear();
        mount.super_block->show_options(options);
        MountinfoLine line;
        line.id = mount.id;
        // The root mount names itself as its parent, as Linux's does.
        line.parent_id = mount.parent ? mount.parent->id : mount.id;
        u64 device = mount.super_block->device();
        line.major = dev_major(device);
        line.minor = dev_minor(device);
        line.root = {inside.data(), dentry_path(*mount.root, inside.data(), inside.size())};
        line.mount_point = point;
        line.mount_flags = mount.flags;
        line.mount_read_only = mount.flags & MS_RDONLY;
        line.type = mount.type_name();
        line.source = mount.source ? mount.source->view() : "none";
        line.super_read_only = mount.super_block->read_only();
        line.filesystem_options = options.view();
        format_mountinfo_line(out, line);
    });
}

}  // namespace procfs
