// Kernel init: the root filesystem at boot — a tmpfs holding the unpacked initramfs, as
// Linux's rootfs.
#pragma once

#include "init/boot_info.h"

namespace init {
// Mounts the root tmpfs and unpacks the boot loader's initrd into it (then frees it).
void mount_root(const BootInfo& boot);
}  // namespace init
