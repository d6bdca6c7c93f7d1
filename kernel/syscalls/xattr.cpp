// Syscalls: extended attributes — setxattr, getxattr, listxattr, removexattr and their
// l* (no symlink following) and f* (by descriptor) forms, after Linux's fs/xattr.c.
//
// The namespaces are checked here, the values stored by the filesystem (Inode's xattr
// operations; tmpfs and ext4 keep them, others answer EOPNOTSUPP):
//   user.      regular files and directories only, by file permission; sticky
//              directories only by their owner
//   trusted.   root only (others see ENODATA, and no such names in lists)
//   security.  anyone may read; writing needs root (Linux's cap_inode_setxattr)
//   system.posix_acl_access / _default   the file's owner or root; passed through after
//              a format check (ext4 converts them, tmpfs stores them)
#include <linux/fcntl.h>
#include <linux/limits.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/xattr.h>

#include "fs/permission.h"
#include "fs/vfs.h"
#include "mm/kmalloc.h"
#include "mm/user_copy.h"
#include "proc/process.h"
#include "syscalls/fs_common.h"
#include "syscalls/syscall.h"

namespace {

constexpr kstd::string_view ACL_ACCESS = "system.posix_acl_access";
constexpr kstd::string_view ACL_DEFAULT = "system.posix_acl_default";

enum class Namespace : u8 { User, Trusted, Security, AclAccess, AclDefault };

Credentials& credentials() { return current_process()->credentials; }

// A name copied from user space: ERANGE when empty or longer than XATTR_NAME_MAX.
struct AttributeName {
    char text[XATTR_NAME_MAX + 1];
    usize length = 0;
    kstd::string_view view() const { return {text, length}; }
};

Result<OwnPtr<AttributeName>> copy_name(UserPtr<const char> user) {
    OwnPtr<AttributeName> name = try_make_own<AttributeName>();
    if (!name) return err(ENOMEM);
    auto length = mm::copy_string_from_user(name->text, user, sizeof(name->text));
    if (length.is_error()) return length.error().code() == ENAMETOOLONG ? err(ERANGE) : length.error();
    if (length.value() == 0) return err(ERANGE);
    name->length = length.value();
    return name;
}

// Linux's xattr_resolve_name: EOPNOTSUPP for unknown namespaces, EINVAL for a bare prefix.
Result<Namespace> namespace_of(kstd::string_view name) {
    struct Prefix {
        kstd::string_view text;
        Namespace space;
    };
    static constexpr Prefix PREFIXES[] = {{XATTR_USER_PREFIX, Namespace::User},
                                          {XATTR_TRUSTED_PREFIX, Namespace::Trusted},
                                          {XATTR_SECURITY_PREFIX, Namespace::Security}};
    for (const Prefix& prefix : PREFIXES) {
        if (name.starts_with(prefix.text)) {
            if (name.size() == prefix.text.size()) return err(EINVAL);
            return prefix.space;
        }
    }
    if (name == ACL_ACCESS) return Namespace::AclAccess;
    if (name == ACL_DEFAULT) return Namespace::AclDefault;
    return err(EOPNOTSUPP);
}

enum class Access : u8 { Read, Write };

// Linux's xattr_permission, then the namespace's own rules.
ErrorOr check_access(const Path& path, kstd::string_view name, Access access) {
    Inode& inode = path.inode();
    const Credentials& who = credentials();
    bool write = access == Access::Write;
    if (write && vfs::read_only(path)) return err(EROFS);
    auto space = namespace_of(name);
    if (space.is_error()) {
        // An unknown namespace still needs file permission first (then EOPNOTSUPP).
        TRY(check_permission(inode, who, write ? MAY_WRITE : MAY_READ));
        return space.error();
    }
    switch (space.value()) {
    case Namespace::Security:
        if (write && !who.is_superuser()) return err(EPERM);
        return {};
    case Namespace::AclAccess:
    case Namespace::AclDefault:
        if (write && !is_owner_or_root(inode, who)) return err(EPERM);
        if (space.value() == Namespace::AclDefault && !inode.is_directory())
            return err(write ? EACCES : ENODATA);
        return {};
    case Namespace::Trusted:
        if (!who.is_superuser()) return err(write ? EPERM : ENODATA);
        return {};
    case Namespace::User:
        if (!inode.is_regular() && !inode.is_directory()) return err(write ? EPERM : ENODATA);
        if (write && inode.is_directory() && (inode.mode() & S_ISVTX) && !is_owner_or_root(inode, who))
            return err(EPERM);
        return check_permission(inode, who, write ? MAY_WRITE : MAY_READ);
    }
    return {};
}

// Linux's posix_acl_from_xattr: a version header and whole 8-byte entries.
ErrorOr check_acl(const u8* value, usize size) {
    if (!value || size < sizeof(posix_acl_xattr_header)) return err(EINVAL);
    u32 version;
    memcpy(&version, value, sizeof(version));
    if (version != POSIX_ACL_XATTR_VERSION) return err(EOPNOTSUPP);
    usize entries = size - sizeof(posix_acl_xattr_header);
    if (entries % sizeof(posix_acl_xattr_entry)) return err(EINVAL);
    for (usize at = sizeof(posix_acl_xattr_header); at < size; at += sizeof(posix_acl_xattr_entry)) {
        u16 tag;
        memcpy(&tag, value + at, sizeof(tag));
        if (tag != ACL_USER_OBJ && tag != ACL_USER && tag != ACL_GROUP_OBJ && tag != ACL_GROUP &&
            tag != ACL_MASK && tag != ACL_OTHER)
            return err(EINVAL);
    }
    return {};
}

struct KernelBuffer {
    u8* data = nullptr;
    explicit KernelBuffer(usize size) : data(static_cast<u8*>(kmalloc(size ? size : 1))) {}
    ~KernelBuffer() { kfree(data); }
};

SyscallResult set_attribute(const Path& path, UserPtr<const char> user_name, UserPtr<const void> user_value,
                            usize size, int flags) {
    if (flags & ~(XATTR_CREATE | XATTR_REPLACE)) return err(EINVAL);
    OwnPtr<AttributeName> name = TRY(copy_name(user_name));
    if (size > XATTR_SIZE_MAX) return err(E2BIG);
    KernelBuffer value(size);
    if (!value.data) return err(ENOMEM);
    if (size) TRY(mm::copy_from_user(value.data, user_value, size));
    TRY(check_access(path, name->view(), Access::Write));
    Namespace space = TRY(namespace_of(name->view()));
    if (space == Namespace::AclAccess || space == Namespace::AclDefault) TRY(check_acl(value.data, size));
    Inode& inode = path.inode();
    MutexGuard guard(inode.lock());
    TRY(inode.setxattr(name->view(), value.data, size, flags));
    return 0;
}

SyscallResult get_attribute(const Path& path, UserPtr<const char> user_name, UserPtr<void> user_value,
                            usize size) {
    OwnPtr<AttributeName> name = TRY(copy_name(user_name));
    TRY(check_access(path, name->view(), Access::Read));
    size = kstd::min<usize>(size, XATTR_SIZE_MAX);
    KernelBuffer value(size);
    if (!value.data) return err(ENOMEM);
    Inode& inode = path.inode();
    Result<usize> length = err(ENODATA);
    {
        MutexGuard guard(inode.lock());
        length = inode.getxattr(name->view(), size ? value.data : nullptr, size);
    }
    if (length.is_error()) {
        // A value larger than any buffer may be: Linux says E2BIG.
        if (length.error().code() == ERANGE && size >= XATTR_SIZE_MAX) return err(E2BIG);
        return length.error();
    }
    if (size && length.value()) TRY(mm::copy_to_user(user_value, value.data, length.value()));
    return static_cast<i64>(length.value());
}

// The names a caller may see: trusted.* only for root (as tmpfs and ext4 list them).
bool listed(kstd::string_view name) {
    if (name.starts_with(XATTR_TRUSTED_PREFIX)) return credentials().is_superuser();
    return true;
}

SyscallResult list_attributes(const Path& path, UserPtr<char> user_list, usize size) {
    Inode& inode = path.inode();
    MutexGuard guard(inode.lock());
    usize total = TRY(inode.listxattr(nullptr, 0));
    if (total == 0) return 0;
    KernelBuffer names(total);
    if (!names.data) return err(ENOMEM);
    total = TRY(inode.listxattr(reinterpret_cast<char*>(names.data), total));
    // Keep what the caller may see, packed in place.
    usize kept = 0;
    for (usize at = 0; at < total;) {
        auto* name = reinterpret_cast<const char*>(names.data + at);
        usize length = klib::strnlen(name, total - at);
        if (listed({name, length})) {
            memmove(names.data + kept, name, length);
            names.data[kept + length] = 0;
            kept += length + 1;
        }
        at += length + 1;
    }
    if (kept > XATTR_LIST_MAX) return err(E2BIG);
    if (size == 0) return static_cast<i64>(kept);
    if (size < kept) return err(ERANGE);
    TRY(mm::copy_to_user(user_list.cast<void>(), names.data, kept));
    return static_cast<i64>(kept);
}

SyscallResult remove_attribute(const Path& path, UserPtr<const char> user_name) {
    OwnPtr<AttributeName> name = TRY(copy_name(user_name));
    TRY(check_access(path, name->view(), Access::Write));
    Inode& inode = path.inode();
    MutexGuard guard(inode.lock());
    TRY(inode.removexattr(name->view()));
    return 0;
}

enum class Follow : u8 { Yes, No };

Result<Path> resolve(UserPtr<const char> user_path, Follow follow) {
    OwnPtr<UserPath> path = TRY(UserPath::copy(user_path));
    LookupContext context = TRY(lookup_context_for(AT_FDCWD));
    return resolve_path(context, path->view(), follow == Follow::Yes ? LOOKUP_FOLLOW : 0);
}

// The f* forms: O_PATH descriptors are refused (EBADF), anonymous files have none.
Result<Path> path_of(int fd) {
    RefPtr<File> file = TRY(file_for(fd));
    if (file->flags() & O_PATH) return err(EBADF);
    if (!file->path().valid()) return err(EOPNOTSUPP);
    return file->path();
}

}  // namespace

SyscallResult sys_setxattr(UserPtr<const char> path, UserPtr<const char> name, UserPtr<const void> value,
                           usize size, int flags) {
    return set_attribute(TRY(resolve(path, Follow::Yes)), name, value, size, flags);
}
SyscallResult sys_lsetxattr(UserPtr<const char> path, UserPtr<const char> name, UserPtr<const void> value,
                            usize size, int flags) {
    return set_attribute(TRY(resolve(path, Follow::No)), name, value, size, flags);
}
SyscallResult sys_fsetxattr(int fd, UserPtr<const char> name, UserPtr<const void> value, usize size,
                            int flags) {
    return set_attribute(TRY(path_of(fd)), name, value, size, flags);
}

SyscallResult sys_getxattr(UserPtr<const char> path, UserPtr<const char> name, UserPtr<void> value,
                           usize size) {
    return get_attribute(TRY(resolve(path, Follow::Yes)), name, value, size);
}
SyscallResult sys_lgetxattr(UserPtr<const char> path, UserPtr<const char> name, UserPtr<void> value,
                            usize size) {
    return get_attribute(TRY(resolve(path, Follow::No)), name, value, size);
}
SyscallResult sys_fgetxattr(int fd, UserPtr<const char> name, UserPtr<void> value, usize size) {
    return get_attribute(TRY(path_of(fd)), name, value, size);
}

SyscallResult sys_listxattr(UserPtr<const char> path, UserPtr<char> list, usize size) {
    return list_attributes(TRY(resolve(path, Follow::Yes)), list, size);
}
SyscallResult sys_llistxattr(UserPtr<const char> path, UserPtr<char> list, usize size) {
    return list_attributes(TRY(resolve(path, Follow::No)), list, size);
}
SyscallResult sys_flistxattr(int fd, UserPtr<char> list, usize size) {
    return list_attributes(TRY(path_of(fd)), list, size);
}

SyscallResult sys_removexattr(UserPtr<const char> path, UserPtr<const char> name) {
    return remove_attribute(TRY(resolve(path, Follow::Yes)), name);
}
SyscallResult sys_lremovexattr(UserPtr<const char> path, UserPtr<const char> name) {
    return remove_attribute(TRY(resolve(path, Follow::No)), name);
}
SyscallResult sys_fremovexattr(int fd, UserPtr<const char> name) {
    return remove_attribute(TRY(path_of(fd)), name);
}
