// Kernel init: finding the machine's devices — the PCI bus and the drivers bound to its
// devices (virtio-blk disks, their partitions), the page cache's memory limits and the
// writeback thread. Runs on the boot path, before the root filesystem is chosen.
#pragma once

namespace init {
void probe_devices();
// Kernel threads of the storage stack (the flusher); after pid 1 exists, as Linux's.
void start_device_threads();
}  // namespace init
