// Filesystems: Unix permission checks (see permission.h).
#include "fs/permission.h"

namespace {
ErrorOr check(const Inode& inode, u32 uid, u32 gid, bool superuser, const Credentials& credentials, int mask) {
    u32 mode = inode.mode();
    if (superuser) {
        if (!(mask & MAY_EXEC) || inode.is_directory() || (mode & 0111)) return {};
        return err(EACCES);
    }
    u32 bits;
    if (uid == inode.attributes().uid) bits = (mode >> 6) & 7;
    else if (gid == inode.attributes().gid || credentials.in_group(inode.attributes().gid)) bits = (mode >> 3) & 7;
    else bits = mode & 7;
    if ((bits & static_cast<u32>(mask)) == static_cast<u32>(mask)) return {};
    return err(EACCES);
}
}  // namespace

ErrorOr check_permission(const Inode& inode, const Credentials& c, int mask) {
    return check(inode, c.fsuid, c.fsgid, c.fsuid == 0, c, mask);
}

ErrorOr check_permission_real(const Inode& inode, const Credentials& c, int mask) {
    return check(inode, c.uid, c.gid, c.uid == 0, c, mask);
}

bool is_owner_or_root(const Inode& inode, const Credentials& c) {
    return c.fsuid == 0 || c.fsuid == inode.attributes().uid;
}

bool may_delete_in_sticky(const Inode& directory, const Inode& victim, const Credentials& c) {
    if (!(directory.mode() & S_ISVTX)) return true;
    return c.fsuid == 0 || c.fsuid == victim.attributes().uid || c.fsuid == directory.attributes().uid;
}
