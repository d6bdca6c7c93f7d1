// Filesystems: unpacking the initramfs into the root tmpfs, as Linux's init/initramfs.c:
// newc cpio archives, plain or gzip-compressed, several concatenated with zero padding.
// A malformed archive stops unpacking with a log line naming what was wrong; what was
// unpacked before stays, and the kernel boots on.
#pragma once

#include "lib/kstd.h"
#include "lib/result.h"

namespace initramfs {
struct Summary {
    u64 entries = 0;
    u64 bytes = 0;
    bool complete = true;
};
// Unpacks `image` into the root of the mount tree.
Summary unpack(kstd::span<const u8> image);
}  // namespace initramfs
