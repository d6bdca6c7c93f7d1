// Filesystems: the dentry cache (see dentry.h).
#include "fs/dentry.h"

#include "fs/super_block.h"

RefPtr<Dentry> Dentry::create_root(RefPtr<Inode> inode) {
    RefPtr<Dentry> dentry(adopt, new (kstd::nothrow) Dentry);
    if (dentry) dentry->m_inode = kstd::move(inode);
    return dentry;
}

Dentry::~Dentry() {
    // Children hold references to their parent, so none can be left when the parent dies;
    // the cache's own references to children were dropped by drop_child.
    while (Dentry* child = m_children.pop_front()) {
        if (child->unref()) delete child;
    }
}

RefPtr<Dentry> Dentry::cached_child(kstd::string_view name) {
    MutexGuard guard(m_lock);
    for (Dentry& child : m_children) {
        if (child.name() == name) return RefPtr<Dentry>(&child);
    }
    return nullptr;
}

Result<RefPtr<Dentry>> Dentry::add_child(kstd::string_view name, RefPtr<Inode> inode) {
    RefPtr<KString> stored = KString::create(name);
    RefPtr<Dentry> child(adopt, new (kstd::nothrow) Dentry);
    if (!stored || !child) return err(ENOMEM);
    child->m_name = kstd::move(stored);
    child->m_parent = RefPtr<Dentry>(this);
    child->m_inode = kstd::move(inode);
    if (!m_inode->super_block().caches_names()) return child;
    MutexGuard guard(m_lock);
    for (Dentry& existing : m_children) {
        if (existing.name() == name) return RefPtr<Dentry>(&existing);  // lost a race: keep the first
    }
    child->ref();  // the cache's reference
    m_children.push_back(*child);
    return child;
}

Result<RefPtr<Dentry>> Dentry::child(kstd::string_view name) {
    if (RefPtr<Dentry> cached = cached_child(name)) return cached;
    RefPtr<Inode> inode;
    {
        MutexGuard guard(m_inode->lock());
        inode = TRY(m_inode->lookup(name));
    }
    return add_child(name, kstd::move(inode));
}

Result<RefPtr<Dentry>> Dentry::add_detached_child(kstd::string_view name, RefPtr<Inode> inode) {
    RefPtr<KString> stored = KString::create(name);
    RefPtr<Dentry> child(adopt, new (kstd::nothrow) Dentry);
    if (!stored || !child) return err(ENOMEM);
    child->m_name = kstd::move(stored);
    child->m_parent = RefPtr<Dentry>(this);
    child->m_inode = kstd::move(inode);
    child->m_deleted = true;
    return child;
}

void Dentry::drop_child(kstd::string_view name) {
    Dentry* victim = nullptr;
    {
        MutexGuard guard(m_lock);
        for (Dentry& child : m_children) {
            if (child.name() == name) {
                victim = &child;
                break;
            }
        }
        if (!victim) return;
        m_children.remove(*victim);
    }
    victim->mark_deleted();
    if (victim->unref()) delete victim;
}
