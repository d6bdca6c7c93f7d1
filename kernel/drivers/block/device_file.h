// Drivers, block layer: /dev/vda as a file — reads and writes go through the device's
// page cache (so dd with any block size and offset works, and mmap maps it), fsync
// writes back and flushes the device's cache, and the block ioctls answer as Linux's:
// BLKGETSIZE64, BLKGETSIZE, BLKSSZGET, BLKPBSZGET, BLKBSZGET, BLKROGET, BLKFLSBUF.
#pragma once

#include "drivers/block/registry.h"
#include "fs/file.h"

namespace block {

// Opening a block device node. EACCES for writing to a read-only device, EBUSY for
// O_EXCL while a filesystem holds it.
Result<RefPtr<File>> open_block_device(Entry& entry, const Path& path, u32 flags);

// Writes back every block device's dirty pages (sync(2)).
ErrorOr sync_block_devices();

}  // namespace block
