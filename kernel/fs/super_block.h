// Filesystems: a mounted filesystem instance (its superblock), and the registry of
// filesystem types that mount(2) names.
#pragma once

#include <linux/magic.h>

#include "fs/inode.h"
#include "lib/format.h"
#include "lib/kstd.h"
#include "lib/list.h"

class BlockDevice;

struct FileSystemStats {  // what statfs reports (struct statfs)
    u64 type = 0;         // the filesystem's magic number (<linux/magic.h>)
    u64 block_size = 4096;
    u64 blocks = 0;
    u64 blocks_free = 0;
    u64 blocks_available = 0;
    u64 files = 0;
    u64 files_free = 0;
    u64 name_max = 255;
    u64 fragment_size = 4096;
    u64 flags = 0;
};

class SuperBlock : public RefCounted<SuperBlock> {
public:
    virtual ~SuperBlock() = default;
    virtual RefPtr<Inode> root() = 0;
    virtual FileSystemStats statfs();
    virtual ErrorOr sync();
    // Remount with new flags (MS_RDONLY); may refuse.
    virtual ErrorOr remount(u64 flags, kstd::string_view options);
    // Called at unmount, after sync; the filesystem writes its clean state.
    virtual void shutdown() {}
    // Linux's show_options: the filesystem's own options for /proc/mounts, each written
    // as ",name=value" (only those that differ from the defaults, as Linux prints them).
    virtual void show_options(klib::FormatSink&) const {}
    // Whether names may be cached: false for filesystems whose entries come and go on
    // their own (procfs), which are then looked up afresh at every walk.
    virtual bool caches_names() const { return true; }

    const char* type_name() const { return m_type_name; }
    u64 device() const { return m_device; }  // st_dev of its inodes
    bool read_only() const { return m_read_only; }
    void set_read_only(bool value) { m_read_only = value; }

protected:
    SuperBlock(const char* type_name, u64 device) : m_type_name(type_name), m_device(device) {}

private:
    const char* m_type_name;
    u64 m_device;
    bool m_read_only = false;
};

struct FileSystemType {
    const char* name;
    bool requires_device;  // "nodev" in /proc/filesystems when false
    // source: the device path's block device (or null), data: mount's option string.
    Result<RefPtr<SuperBlock>> (*mount)(BlockDevice* device, u64 flags, kstd::string_view data);
    ListNode node;
};

namespace vfs {
void register_filesystem(FileSystemType& type);
FileSystemType* find_filesystem(kstd::string_view name);
template <typename Fn>
void for_each_filesystem(Fn&& fn);
FileSystemType* first_filesystem();
FileSystemType* next_filesystem(FileSystemType& type);
template <typename Fn>
void for_each_filesystem(Fn&& fn) {
    for (FileSystemType* t = first_filesystem(); t; t = next_filesystem(*t)) fn(*t);
}
// Device numbers for filesystems without a device (Linux's "anonymous" major 0).
u64 allocate_anonymous_device();
}  // namespace vfs
