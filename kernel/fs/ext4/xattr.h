// ext4: extended attributes in memory — the set of one inode's attributes, gathered from
// the inode body and the xattr block, edited, and laid out again (xattr.cpp).
#pragma once

#include "fs/ext4/filesystem.h"

namespace ext4 {

struct Ext4Filesystem::XattrName {
    u8 index;
    kstd::string_view suffix;
};

struct XattrItem {
    u8 index;
    u8 name_length;
    const char* name;
    u32 value_size;
    const u8* value;
};

// POSIX ACLs: Linux's xattr format (<linux/posix_acl_xattr.h>) to and from ext4's
// compact on-disk format (Linux fs/ext4/acl.c). Return the converted size.
Result<usize> acl_to_disk(kstd::span<const u8> xattr, u8* out, usize capacity);
Result<usize> acl_from_disk(kstd::span<const u8> disk, u8* out, usize capacity);

}  // namespace ext4
