// ext4: directory internals shared by the linear and htree code.
#pragma once

#include "fs/ext4/filesystem.h"

namespace ext4 {

// Where a directory entry was found.
struct Ext4Filesystem::DirSlot {
    u64 logical = 0;       // directory block
    u32 offset = 0;        // of the entry within the block
    u32 previous = ~0u;    // offset of the entry before it in the block, ~0u if first
    u32 ino = 0;
    u8 file_type = 0;
};

inline DirEntryHeader* dirent_at(u8* block, u32 offset) { return reinterpret_cast<DirEntryHeader*>(block + offset); }
inline const char* dirent_name(const DirEntryHeader* entry) { return reinterpret_cast<const char*>(entry + 1); }
inline bool dirent_matches(const DirEntryHeader* entry, kstd::string_view name) {
    return entry->inode && entry->name_len == name.size() && memcmp(dirent_name(entry), name.data(), name.size()) == 0;
}

}  // namespace ext4
