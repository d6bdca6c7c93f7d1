// Kernel init: the root filesystem (see rootfs.h).
#include "init/rootfs.h"

#include "debug/panic.h"
#include "fs/devtmpfs/devtmpfs.h"
#include "fs/ext4/vfs/super.h"
#include "fs/initramfs.h"
#include "fs/mount.h"
#include "fs/procfs/procfs.h"
#include "fs/sysfs/sysfs.h"
#include "fs/tmpfs/tmpfs.h"
#include "log/klog.h"
#include "mm/pmm.h"
#include "time/clock.h"

namespace init {

void mount_root(const BootInfo& boot) {
    // The filesystem types mount(2) can name; the kernel itself mounts only the root,
    // and init mounts the rest, as on Linux.
    tmpfs_register();
    procfs_register();
    sysfs_register();
    devtmpfs_register();
    ext4::register_filesystems();
    auto super_block = vfs::find_filesystem("tmpfs")->mount(nullptr, 0, "");
    if (super_block.is_error()) panic("rootfs: cannot create the root tmpfs (error %d)", super_block.error().code());
    RefPtr<SuperBlock> sb = super_block.release_value();
    RefPtr<Dentry> root = Dentry::create_root(sb->root());
    RefPtr<Mount> mount = try_make_ref<Mount>();
    RefPtr<KString> source = KString::create("rootfs");
    if (!root || !mount || !source) panic("rootfs: out of memory");
    mount->super_block = sb;
    mount->root = root;
    mount->source = source;
    mount->id = 1;
    mount->type = "rootfs";  // what Linux's /proc/mounts calls the initramfs root
    vfs::set_root_mount(mount);

    if (!boot.initrd_size) {
        pr_info("initramfs: none given");
        return;
    }
    if (mm::overlaps_kernel_image(boot.initrd_base, boot.initrd_size)) {
        // The kernel's bss was cleared over it, and its frames are the kernel's: neither
        // unpacked nor freed.
        pr_err(
            "initramfs: the initrd at %#lx+%#lx overlaps the kernel image (too little memory for the "
            "loader to place it above): not unpacked",
            boot.initrd_base, boot.initrd_size);
        return;
    }
    u64 start = ktime::monotonic_ns();
    auto image = kstd::span<const u8>(mm::phys_to_virt<const u8>(boot.initrd_base), boot.initrd_size);
    initramfs::Summary summary = initramfs::unpack(image);
    pr_info("initramfs: unpacked %lu entries, %lu KiB of files, in %lu ms%s", summary.entries, summary.bytes / KiB,
            (ktime::monotonic_ns() - start) / ktime::NSEC_PER_MSEC, summary.complete ? "" : " (incomplete)");
    mm::release_boot_range(boot.initrd_base, boot.initrd_size);
}

}  // namespace init
