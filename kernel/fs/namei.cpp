// Filesystems: path walking (see namei.h).
#include "fs/namei.h"

#include "fs/permission.h"
#include "lib/string.h"
#include "mm/kmalloc.h"

namespace {

bool is_same(const Path& a, const Path& b) { return a.mount.get() == b.mount.get() && a.dentry.get() == b.dentry.get(); }

// Walks into mounts stacked on the path's dentry.
Path cross_mounts(Path path) {
    while (RefPtr<Mount> above = vfs::mount_on(*path.mount, *path.dentry)) path = Path{above, above->root};
    return path;
}

// ".." — up one directory, leaving mounts through their mount points, never above root.
ErrorOr go_up(Path& current, const Path& root, u32 flags) {
    if (is_same(current, root)) {
        if (flags & LOOKUP_BENEATH) return err(EXDEV);
        return {};
    }
    while (current.dentry.get() == current.mount->root.get() && current.mount->parent) {
        if (flags & LOOKUP_NO_XDEV) return err(EXDEV);
        current = Path{current.mount->parent, current.mount->mountpoint};
        if (is_same(current, root)) return {};
    }
    if (Dentry* parent = current.dentry->parent(); parent && current.dentry.get() != current.mount->root.get())
        current.dentry = RefPtr<Dentry>(parent);
    return {};
}

class Walker {
public:
    Walker(const LookupContext& context, u32 flags) : m_context(context), m_flags(flags | context.forced_flags) {}
    ~Walker() { kfree(m_buffer); }

    // Walks `path`; with a parent lookup, stops before the last component.
    ErrorOr walk(kstd::string_view path, ParentLookup* parent_out, Path& result);

private:
    ErrorOr set_remaining(kstd::string_view first, kstd::string_view rest);

    const LookupContext& m_context;
    u32 m_flags;
    char* m_buffer = nullptr;
    usize m_length = 0;
    int m_links = 0;
};

ErrorOr Walker::set_remaining(kstd::string_view first, kstd::string_view rest) {
    usize total = first.size() + 1 + rest.size();
    if (total >= PATH_MAX_BYTES) return err(ENAMETOOLONG);
    auto* buffer = static_cast<char*>(kmalloc(PATH_MAX_BYTES));
    if (!buffer) return err(ENOMEM);
    memcpy(buffer, first.data(), first.size());
    usize at = first.size();
    if (!rest.empty()) {
        buffer[at++] = '/';
        memcpy(buffer + at, rest.data(), rest.size());
        at += rest.size();
    }
    kfree(m_buffer);
    m_buffer = buffer;
    m_length = at;
    return {};
}

ErrorOr Walker::walk(kstd::string_view path, ParentLookup* parent_out, Path& result) {
    if (path.size() >= PATH_MAX_BYTES) return err(ENAMETOOLONG);
    const Path& root = (m_flags & (LOOKUP_IN_ROOT | LOOKUP_BENEATH)) ? m_context.start : m_context.root;
    if (path.empty()) {
        if (!(m_flags & LOOKUP_EMPTY) || parent_out) return err(ENOENT);
        result = m_context.start;
        return {};
    }
    TRY(set_remaining(path, {}));
    Path current = m_context.start;
    usize at = 0;
    if (m_buffer[0] == '/') {
        if (m_flags & LOOKUP_BENEATH) return err(EXDEV);
        current = root;
    }
    bool must_be_directory = false;
    for (;;) {
        while (at < m_length && m_buffer[at] == '/') at++;
        if (at >= m_length) break;
        usize end = at;
        while (end < m_length && m_buffer[end] != '/') end++;
        kstd::string_view name(m_buffer + at, end - at);
        usize after = end;
        while (after < m_length && m_buffer[after] == '/') after++;
        bool last = after >= m_length;
        bool trailing_slash = last && end < m_length;
        if (name.size() > NAME_MAX_BYTES) return err(ENAMETOOLONG);

        Inode& directory = current.inode();
        if (!directory.is_directory()) return err(ENOTDIR);
        TRY(check_permission(directory, *m_context.credentials, MAY_EXEC));

        if (last && parent_out) {
            parent_out->parent = current;
            memcpy(parent_out->last, name.data(), name.size());
            parent_out->last_length = name.size();
            parent_out->trailing_slash = trailing_slash;
            parent_out->kind = name == "." ? ParentLookup::Kind::Dot
                               : name == ".." ? ParentLookup::Kind::DotDot
                                              : ParentLookup::Kind::Normal;
            return {};
        }
        if (trailing_slash) must_be_directory = true;
        at = after;
        if (name == ".") continue;
        if (name == "..") {
            TRY(go_up(current, root, m_flags));
            continue;
        }

        RefPtr<Dentry> child = TRY(current.dentry->child(name));
        Path next = cross_mounts(Path{current.mount, child});
        if ((m_flags & LOOKUP_NO_XDEV) && next.mount.get() != current.mount.get()) return err(EXDEV);
        bool follow = !last || (m_flags & LOOKUP_FOLLOW) || trailing_slash || (m_flags & LOOKUP_DIRECTORY);
        if (next.inode().is_symlink() && follow) {
            if (m_flags & LOOKUP_NO_SYMLINKS) return err(ELOOP);
            if (++m_links > MAX_SYMLINKS) return err(ELOOP);
            if (next.inode().is_magic_link()) {
                // /proc/<pid>/fd/N and friends: continue from the object the link names.
                Path target;
                // Linux's nd_jump_link: refused outright, across mounts, or in a scoped walk.
                if (m_flags & LOOKUP_NO_MAGICLINKS) return err(ELOOP);
                TRY(next.inode().follow_magic_link(next, target));
                if ((m_flags & LOOKUP_NO_XDEV) && target.mount.get() != current.mount.get()) return err(EXDEV);
                if (m_flags & (LOOKUP_BENEATH | LOOKUP_IN_ROOT)) return err(EXDEV);
                current = kstd::move(target);
                if (trailing_slash) must_be_directory = true;
                continue;
            }
            auto* target = static_cast<char*>(kmalloc(PATH_MAX_BYTES));
            if (!target) return err(ENOMEM);
            auto length = next.inode().readlink(target, PATH_MAX_BYTES);
            if (length.is_error()) {
                kfree(target);
                return length.error();
            }
            if (length.value() == 0) {
                kfree(target);
                return err(ENOENT);
            }
            kstd::string_view rest(m_buffer + at, m_length - at);
            if (trailing_slash) rest = "";  // the slash is re-applied below
            auto rebuilt = set_remaining({target, length.value()}, rest);
            bool absolute = target[0] == '/';
            kfree(target);
            TRY(rebuilt);
            if (trailing_slash) must_be_directory = true;
            at = 0;
            if (absolute) {
                if (m_flags & LOOKUP_BENEATH) return err(EXDEV);
                current = root;
            }
            continue;
        }
        current = next;
    }
    if (parent_out) {
        // The path had no last component ("/" or "a/.."-style endings resolve to a directory).
        parent_out->parent = current;
        parent_out->last_length = 0;
        parent_out->kind = ParentLookup::Kind::Root;
        return {};
    }
    if ((must_be_directory || (m_flags & LOOKUP_DIRECTORY)) && !current.inode().is_directory()) return err(ENOTDIR);
    result = current;
    return {};
}

}  // namespace

Result<Path> resolve_path(const LookupContext& context, kstd::string_view path, u32 flags) {
    Walker walker(context, flags);
    Path result;
    TRY(walker.walk(path, nullptr, result));
    return result;
}

Result<OwnPtr<ParentLookup>> resolve_parent(const LookupContext& context, kstd::string_view path, u32 flags) {
    OwnPtr<ParentLookup> lookup = try_make_own<ParentLookup>();
    if (!lookup) return err(ENOMEM);
    Walker walker(context, flags);
    Path unused;
    TRY(walker.walk(path, lookup.get(), unused));
    return lookup;
}
