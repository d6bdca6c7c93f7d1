// Filesystems: the VFS operations — what syscalls and the kernel itself (initramfs
// unpacking, exec) do to the tree: open, create, link, unlink, rename, attributes. Each
// resolves its paths (fs/namei.h), checks permissions and read-only mounts the way Linux
// does, and calls the filesystem.
#pragma once

#include "fs/file.h"
#include "fs/namei.h"

namespace vfs {

// open(2): flags O_*; mode for O_CREAT/O_TMPFILE (before the umask, which the caller applied).
Result<RefPtr<File>> open(const LookupContext& context, kstd::string_view path, u32 flags, u32 mode);
// Opens an already resolved path (no creation).
Result<RefPtr<File>> open_path(const Path& path, u32 flags, const Credentials& credentials);

ErrorOr mkdir(const LookupContext& context, kstd::string_view path, u32 mode);
// mknod: regular files, device nodes, FIFOs, sockets (by S_IFMT in mode).
ErrorOr mknod(const LookupContext& context, kstd::string_view path, u32 mode, u64 device);
ErrorOr symlink(const LookupContext& context, kstd::string_view target, kstd::string_view path);
ErrorOr link(const LookupContext& old_context, kstd::string_view old_path, const LookupContext& new_context,
             kstd::string_view new_path, u32 lookup_flags);
ErrorOr unlink(const LookupContext& context, kstd::string_view path);
ErrorOr rmdir(const LookupContext& context, kstd::string_view path);
ErrorOr rename(const LookupContext& old_context, kstd::string_view old_path, const LookupContext& new_context,
               kstd::string_view new_path, u32 flags);

// Attribute changes on a resolved path (chmod, chown, utimensat, truncate).
ErrorOr chmod(const Path& path, u32 mode, const Credentials& credentials);
ErrorOr chown(const Path& path, u32 uid, u32 gid, const Credentials& credentials);  // -1: unchanged
ErrorOr set_times(const Path& path, const Timespec* atime, const Timespec* mtime, const Credentials& credentials,
                  bool explicit_times);
ErrorOr truncate(const Path& path, u64 size, const Credentials& credentials);

// Whether a path's mount forbids writing (EROFS).
inline bool read_only(const Path& path) { return path.mount->read_only(); }

}  // namespace vfs
