// Filesystems: superblock defaults and the registry of filesystem types.
#include "fs/super_block.h"

#include "lib/string.h"

FileSystemStats SuperBlock::statfs() { return {}; }
ErrorOr SuperBlock::sync() { return {}; }
ErrorOr SuperBlock::remount(u64, kstd::string_view) { return {}; }

namespace vfs {
namespace {
IntrusiveList<FileSystemType, &FileSystemType::node> g_types;
kstd::atomic<u32> g_next_anonymous_minor{1};
}  // namespace

void register_filesystem(FileSystemType& type) { g_types.push_back(type); }

FileSystemType* find_filesystem(kstd::string_view name) {
    for (FileSystemType& type : g_types) {
        if (name == type.name) return &type;
    }
    return nullptr;
}

FileSystemType* first_filesystem() { return g_types.first(); }
FileSystemType* next_filesystem(FileSystemType& type) { return g_types.next(type); }

u64 allocate_anonymous_device() {
    // Major 0 (Linux's UNNAMED_MAJOR), minors handed out in order: st_dev of tmpfs, procfs…
    return g_next_anonymous_minor.fetch_add(1);
}
}  // namespace vfs
