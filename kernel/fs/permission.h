// Filesystems: Unix permission checks (Linux's generic_permission): owner, group, other
// bits against the filesystem ids, with root's override — root may read and write
// anything and search any directory, but executes a file only if some execute bit is set.
#pragma once

#include "fs/inode.h"
#include "proc/credentials.h"

enum AccessMask : int { MAY_EXEC = 1, MAY_WRITE = 2, MAY_READ = 4 };

ErrorOr check_permission(const Inode& inode, const Credentials& credentials, int mask);
// Same, judged by the real ids (access(2), faccessat without AT_EACCESS).
ErrorOr check_permission_real(const Inode& inode, const Credentials& credentials, int mask);
// Whether the caller may change the inode's metadata (chmod, utimes…): owner or root.
bool is_owner_or_root(const Inode& inode, const Credentials& credentials);
// Sticky directories: only the file's owner, the directory's owner or root may remove.
bool may_delete_in_sticky(const Inode& directory, const Inode& victim, const Credentials& credentials);
