// ext4: POSIX ACL conversion between the xattr format user space sees and ext4's compact
// on-disk format (Linux fs/ext4/acl.c): short entries for the owner, group, mask and
// other, full entries (with an id) for named users and groups.
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>

#include "fs/ext4/xattr.h"
#include "lib/string.h"

namespace ext4 {
namespace {

constexpr u32 EXT4_ACL_VERSION = 1;
constexpr usize DISK_HEADER = 4, DISK_SHORT = 4, DISK_FULL = 8;
constexpr usize XATTR_HEADER = sizeof(posix_acl_xattr_header), XATTR_ENTRY = sizeof(posix_acl_xattr_entry);

bool has_id(u16 tag) { return tag == ACL_USER || tag == ACL_GROUP; }
bool valid_tag(u16 tag) {
    return tag == ACL_USER_OBJ || tag == ACL_USER || tag == ACL_GROUP_OBJ || tag == ACL_GROUP || tag == ACL_MASK ||
           tag == ACL_OTHER;
}

}  // namespace

Result<usize> acl_to_disk(kstd::span<const u8> xattr, u8* out, usize capacity) {
    if (xattr.size() < XATTR_HEADER || (xattr.size() - XATTR_HEADER) % XATTR_ENTRY) return err(EINVAL);
    if (load_le32(xattr.data()) != POSIX_ACL_XATTR_VERSION) return err(EOPNOTSUPP);
    usize count = (xattr.size() - XATTR_HEADER) / XATTR_ENTRY;
    usize size = DISK_HEADER;
    if (size > capacity) return err(ERANGE);
    store_le32(out, EXT4_ACL_VERSION);
    for (usize i = 0; i < count; i++) {
        const u8* entry = xattr.data() + XATTR_HEADER + i * XATTR_ENTRY;
        u16 tag = load_le16(entry);
        if (!valid_tag(tag)) return err(EINVAL);
        usize entry_size = has_id(tag) ? DISK_FULL : DISK_SHORT;
        if (size + entry_size > capacity) return err(ERANGE);
        memcpy(out + size, entry, entry_size);  // tag, perm (and id) keep their layout
        size += entry_size;
    }
    return size;
}

Result<usize> acl_from_disk(kstd::span<const u8> disk, u8* out, usize capacity) {
    if (disk.size() < DISK_HEADER || load_le32(disk.data()) != EXT4_ACL_VERSION) return err(EFSCORRUPTED);
    usize size = XATTR_HEADER;
    if (out && size > capacity) return err(ERANGE);
    if (out) store_le32(out, POSIX_ACL_XATTR_VERSION);
    for (usize at = DISK_HEADER; at < disk.size();) {
        if (disk.size() - at < DISK_SHORT) return err(EFSCORRUPTED);
        u16 tag = load_le16(disk.data() + at);
        if (!valid_tag(tag)) return err(EFSCORRUPTED);
        usize entry_size = has_id(tag) ? DISK_FULL : DISK_SHORT;
        if (disk.size() - at < entry_size) return err(EFSCORRUPTED);
        if (out) {
            if (size + XATTR_ENTRY > capacity) return err(ERANGE);
            memcpy(out + size, disk.data() + at, DISK_SHORT);
            store_le32(out + size + 4, has_id(tag) ? load_le32(disk.data() + at + 4) : static_cast<u32>(ACL_UNDEFINED_ID));
        }
        size += XATTR_ENTRY;
        at += entry_size;
    }
    return size;
}

}  // namespace ext4
