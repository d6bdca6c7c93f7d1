// Filesystems: path walking (Linux's namei) — from a path string to a (mount, dentry),
// crossing mount points, following symbolic links (at most 40: ELOOP), honouring "." and
// "..", trailing slashes and the process's root, and checking search permission on every
// directory on the way.
#pragma once

#include "fs/mount.h"
#include "proc/credentials.h"

constexpr u32 LOOKUP_FOLLOW = 1 << 0;       // follow a symlink in the last component
constexpr u32 LOOKUP_DIRECTORY = 1 << 1;    // the result must be a directory
constexpr u32 LOOKUP_EMPTY = 1 << 2;        // AT_EMPTY_PATH: "" names the starting directory itself
constexpr u32 LOOKUP_NO_SYMLINKS = 1 << 3;  // openat2 RESOLVE_NO_SYMLINKS
constexpr u32 LOOKUP_BENEATH = 1 << 4;      // openat2 RESOLVE_BENEATH: never above the start
constexpr u32 LOOKUP_IN_ROOT = 1 << 5;      // openat2 RESOLVE_IN_ROOT: the start acts as the root
constexpr u32 LOOKUP_NO_XDEV = 1 << 6;      // openat2 RESOLVE_NO_XDEV
constexpr u32 LOOKUP_NO_MAGICLINKS = 1 << 7;  // openat2 RESOLVE_NO_MAGICLINKS (/proc/<pid>/fd/N and friends)

constexpr usize PATH_MAX_BYTES = 4096;  // Linux's PATH_MAX, including the NUL
constexpr usize NAME_MAX_BYTES = 255;
constexpr int MAX_SYMLINKS = 40;        // Linux's MAXSYMLINKS

struct LookupContext {
    Path root;   // the process's root (chroot)
    Path start;  // cwd or the dirfd's directory
    const Credentials* credentials;
    u32 forced_flags = 0;  // LOOKUP_* every walk in this context adds (openat2's RESOLVE_*)
};

Result<Path> resolve_path(const LookupContext& context, kstd::string_view path, u32 flags);

// Everything but the last component: for create, unlink, rename, link…
struct ParentLookup {
    Path parent;
    char last[NAME_MAX_BYTES + 1];
    usize last_length = 0;
    bool trailing_slash = false;
    enum class Kind : u8 { Normal, Dot, DotDot, Root } kind = Kind::Normal;
    kstd::string_view last_name() const { return {last, last_length}; }
};
Result<OwnPtr<ParentLookup>> resolve_parent(const LookupContext& context, kstd::string_view path, u32 flags);
