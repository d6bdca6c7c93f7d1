// Syscalls: shared helpers for path and file syscalls (see fs_common.h).
#include "syscalls/fs_common.h"

#include "fs/fs_context.h"
#include "mm/kmalloc.h"
#include "mm/user_copy.h"
#include "proc/process.h"

Result<LookupContext> lookup_context_for(int dirfd, kstd::string_view path) {
    Process* process = current_process();
    LookupContext context{process->fs->root(), process->fs->cwd(), &process->credentials};
    if (dirfd == AT_FDCWD || (!path.empty() && path[0] == '/')) return context;
    RefPtr<File> file = TRY(process->files->get(dirfd));
    if (!file->path().valid()) return err(ENOTDIR);
    context.start = file->path();
    return context;
}

UserPath::~UserPath() { kfree(m_buffer); }

Result<OwnPtr<UserPath>> UserPath::copy(UserPtr<const char> path, bool allow_empty) {
    OwnPtr<UserPath> result = try_make_own<UserPath>();
    if (!result) return err(ENOMEM);
    result->m_buffer = static_cast<char*>(kmalloc(PATH_MAX_BYTES));
    if (!result->m_buffer) return err(ENOMEM);
    result->m_length = TRY(mm::copy_string_from_user(result->m_buffer, path, PATH_MAX_BYTES));
    if (result->m_length == 0 && !allow_empty) return err(ENOENT);
    return result;
}

Result<RefPtr<File>> file_for(int fd) { return current_process()->files->get(fd); }

u64 descriptor_limit() { return current_process()->limits[RLIMIT_NOFILE].current; }
