// Drivers, block layer: the disk registry — every disk and partition by name ("vda",
// "vda1") and device number, its node in /dev (published for devtmpfs) and its entry in
// the VFS's device registry, so that opening /dev/vda gives a file that reads and
// writes the disk.
//
// Device numbers follow Linux's virtio-blk: a dynamic major (Strix takes 254, what Linux
// gets in practice) and 16 minors per disk: the disk itself, then partitions 1-15.
// Disks are registered once at boot and live forever (no hot-unplug).
#pragma once

#include "drivers/block/block_device.h"
#include "drivers/block/page_cache.h"
#include "fs/device.h"
#include "fs/namei.h"
#include "lib/kstd.h"

namespace block {

constexpr u32 VIRTIO_BLOCK_MAJOR = 254;
constexpr u32 MINORS_PER_DISK = 16;
constexpr usize NAME_BYTES = 16;

struct Entry {
    BlockDevice* device = nullptr;
    u64 rdev = 0;
    char name[NAME_BYTES] = {};
    Entry* disk = nullptr;   // the whole disk (itself for a disk)
    u32 partition = 0;       // 0 for the whole disk
    u64 start_sector = 0;    // partitions: where they start on the disk
    char partuuid[40] = {};  // root=PARTUUID=: GPT unique GUID, or MBR "SSSSSSSS-PP"; "" if none
    bool mounted = false;    // a filesystem holds it (O_EXCL opens fail with EBUSY)
    // /dev/<name>'s page cache (Linux's block device mapping), made at first open.
    RefPtr<PageCache> cache;
    vfs::DeviceNode node{};
    ListNode list_node;
};

// The next name of a family: "vd" gives vda, vdb, ... vdz, vdaa, as Linux's sd/vd
// naming; returns the disk's index in its family (0 for vda).
u32 allocate_disk_name(const char* family, char* out, usize size);
// Registers a whole disk (whose name() is one allocate_disk_name gave), reads its
// partition table and registers every partition. The device must live forever.
ErrorOr add_disk(BlockDevice& disk, u32 major, u32 first_minor);

Entry* find_by_name(kstd::string_view name);
Entry* find_by_device(const BlockDevice* device);
Entry* find_by_number(u64 rdev);
Entry* find_by_partuuid(kstd::string_view partuuid);
template <typename Fn>
void for_each_entry(Fn&& fn);
Entry* first_entry();
Entry* next_entry(Entry& entry);
template <typename Fn>
void for_each_entry(Fn&& fn) {
    for (Entry* e = first_entry(); e; e = next_entry(*e)) fn(*e);
}

// For mount(2): the block device a source path names. ENOTBLK when the path is not a
// block device node, ENXIO when no disk has that number, EACCES on a nodev mount.
Result<BlockDevice*> block_device_for_path(const LookupContext& context, kstd::string_view path);

}  // namespace block
