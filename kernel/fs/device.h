// Filesystems: device numbers and the character device registry — what opening
// /dev/null or /dev/ttyS0 turns into.
//
// Device numbers use Linux's user-visible encoding (glibc's makedev, new_encode_dev):
// 12 bits of major and 20 of minor, split around the low byte.
#pragma once

#include "fs/file.h"

constexpr u32 dev_major(u64 dev) { return static_cast<u32>(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffull)); }
constexpr u32 dev_minor(u64 dev) { return static_cast<u32>((dev & 0xff) | ((dev >> 12) & ~0xffull)); }
constexpr u64 make_dev(u32 major, u32 minor) {
    return ((u64(major) & 0xfffff000) << 32) | ((u64(major) & 0xfff) << 8) | ((u64(minor) & 0xffffff00) << 12) |
           (u64(minor) & 0xff);
}

using CharDeviceOpen = Result<RefPtr<File>> (*)(const Path& path, u32 flags, u32 minor, void* context);

// One driver's range of device numbers, character or block.
struct CharDevice {
    bool block;  // a block device (S_IFBLK) rather than a character device
    u32 major;
    u32 first_minor;
    u32 minor_count;
    const char* name;  // for /proc/devices
    CharDeviceOpen open;
    void* context;
    ListNode node;
};

namespace vfs {
void register_char_device(CharDevice& device);
// ENXIO when nothing is registered for the number (as Linux's chrdev_open).
Result<RefPtr<File>> open_device(bool block, u64 rdev, const Path& path, u32 flags);
template <typename Fn>
void for_each_char_device(Fn&& fn);
CharDevice* first_char_device();
CharDevice* next_char_device(CharDevice& device);
template <typename Fn>
void for_each_char_device(Fn&& fn) {
    for (CharDevice* d = first_char_device(); d; d = next_char_device(*d)) fn(*d);
}

// Device nodes drivers want in /dev (devtmpfs creates them when mounted, and for
// devices published later, at once): `name` relative to /dev, e.g. "ttyS0", "pts/ptmx".
struct DeviceNode {
    const char* name;
    u32 mode;  // S_IFCHR or S_IFBLK, and permissions
    u64 rdev;
    ListNode node;
};
void publish_device_node(DeviceNode& node);
template <typename Fn>
void for_each_device_node(Fn&& fn);
DeviceNode* first_device_node();
DeviceNode* next_device_node(DeviceNode& node);
// Called by devtmpfs to hear about nodes published after it is mounted.
void set_device_node_listener(void (*listener)(DeviceNode& node));
template <typename Fn>
void for_each_device_node(Fn&& fn) {
    for (DeviceNode* n = first_device_node(); n; n = next_device_node(*n)) fn(*n);
}

// FIFOs are opened through the pipe layer (fs/pipe.cpp).
Result<RefPtr<File>> open_fifo(const Path& path, u32 flags);
}  // namespace vfs
