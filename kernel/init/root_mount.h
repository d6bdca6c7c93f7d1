// Kernel init: the root filesystem from a disk, as Linux's prepare_namespace() — used when
// root= is given and the initramfs has no init of its own (rdinit=, default /init), or
// there is no initramfs.
//
//   root=/dev/vda, /dev/vda1, vda1     a disk or partition by name
//   root=UUID=<uuid>                   the ext2/3/4 file system with that superblock UUID
//   root=PARTUUID=<uuid>               a GPT partition's unique GUID, or MBR "SSSSSSSS-PP"
//   root=254:1, root=fe01              major:minor, or Linux's old hexadecimal number
//   rootfstype=ext4[,ext3...]          types to try (default: every disk filesystem)
//   rootflags=<options>                the mount's option string
//   ro / rw                            read-only (Linux's default) or read-write
//   rootwait[=seconds], rootdelay=N    wait for the device (forever, or N seconds) / sleep first
// Then devtmpfs is mounted on /dev when the kernel has it (Linux's DEVTMPFS_MOUNT).
// Failure panics with the list of disks, as Linux does.
#pragma once

namespace init {

// Mounts the root from root= when that is what the boot asks for; returns whether it
// did (init then runs init= or /sbin/init... from it, not rdinit).
bool prepare_root();

}  // namespace init
