// Filesystems: dentries — names in the directory tree, cached so that a path walk does
// not ask the filesystem again, and so that a path can be rebuilt (getcwd, /proc/*/cwd).
//
// A dentry names one inode under its parent. The parent's cache keeps a reference to each
// child; unlink and rename update it. Mount points are marked so the walk can cross them.
#pragma once

#include "fs/inode.h"
#include "lib/kstring.h"
#include "lib/list.h"

class Dentry : public RefCounted<Dentry> {
public:
    static RefPtr<Dentry> create_root(RefPtr<Inode> inode);
    ~Dentry();

    kstd::string_view name() const { return m_name ? m_name->view() : kstd::string_view("/"); }
    Dentry* parent() const { return m_parent.get(); }  // null for a filesystem's root
    Inode& inode() const { return *m_inode; }
    RefPtr<Inode> inode_ref() const { return m_inode; }

    // The cached child named `name`, or a fresh lookup through the filesystem (then
    // cached). ENOENT when there is no such entry.
    Result<RefPtr<Dentry>> child(kstd::string_view name);
    // Caches a child the caller just created.
    Result<RefPtr<Dentry>> add_child(kstd::string_view name, RefPtr<Inode> inode);
    // A child that is in no cache and no directory (memfds, O_TMPFILE files): it names
    // the inode for /proc paths only.
    Result<RefPtr<Dentry>> add_detached_child(kstd::string_view name, RefPtr<Inode> inode);
    // Forgets a child (after unlink/rmdir/rename).
    void drop_child(kstd::string_view name);
    RefPtr<Dentry> cached_child(kstd::string_view name);

    u32 mount_count = 0;  // how many mounts sit on this dentry
    bool is_mountpoint() const { return mount_count > 0; }
    bool is_deleted() const { return m_deleted; }
    void mark_deleted() { m_deleted = true; }

    ListNode m_sibling_node;

private:
    Dentry() = default;
    RefPtr<KString> m_name;
    RefPtr<Dentry> m_parent;
    RefPtr<Inode> m_inode;
    IntrusiveList<Dentry, &Dentry::m_sibling_node> m_children;
    bool m_deleted = false;
    Mutex m_lock;
};
