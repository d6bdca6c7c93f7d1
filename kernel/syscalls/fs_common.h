// Syscalls: what the file and path syscalls share — turning (dirfd, user path) into a
// lookup, and file descriptors into files.
#pragma once

#include <linux/fcntl.h>

#include "fs/file_table.h"
#include "fs/namei.h"
#include "lib/result.h"
#include "mm/user_ptr.h"

// The lookup context for a path relative to `dirfd` (AT_FDCWD: the working directory):
// ENOTDIR when dirfd is not a directory, EBADF when it is not open. An absolute path
// ignores dirfd, as on Linux.
Result<LookupContext> lookup_context_for(int dirfd, kstd::string_view path = {});

// A path copied from user space; ENAMETOOLONG past PATH_MAX, EFAULT, and ENOENT for ""
// unless empty paths are allowed (AT_EMPTY_PATH).
class UserPath {
public:
    UserPath() = default;
    ~UserPath();
    UserPath(const UserPath&) = delete;
    UserPath& operator=(const UserPath&) = delete;
    static Result<OwnPtr<UserPath>> copy(UserPtr<const char> path, bool allow_empty = false);
    kstd::string_view view() const { return {m_buffer, m_length}; }

private:
    char* m_buffer = nullptr;
    usize m_length = 0;
};

// The current process's open file for fd (EBADF).
Result<RefPtr<File>> file_for(int fd);
// The limit for new descriptors (RLIMIT_NOFILE).
u64 descriptor_limit();
