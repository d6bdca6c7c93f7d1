// Filesystems: a process's root, working directory and umask (see fs_context.h).
#include "fs/fs_context.h"

RefPtr<FsContext> FsContext::create(const Path& root) {
    RefPtr<FsContext> context = try_make_ref<FsContext>();
    if (context) {
        context->m_root = root;
        context->m_cwd = root;
    }
    return context;
}

RefPtr<FsContext> FsContext::clone() {
    RefPtr<FsContext> copy = try_make_ref<FsContext>();
    if (!copy) return nullptr;
    SpinLockGuard guard(m_lock);
    copy->m_root = m_root;
    copy->m_cwd = m_cwd;
    copy->umask = umask;
    return copy;
}

Path FsContext::root() {
    SpinLockGuard guard(m_lock);
    return m_root;
}

Path FsContext::cwd() {
    SpinLockGuard guard(m_lock);
    return m_cwd;
}

void FsContext::set_root(const Path& path) {
    Path old;
    SpinLockGuard guard(m_lock);
    old = kstd::move(m_root);
    m_root = path;
}

void FsContext::set_cwd(const Path& path) {
    Path old;
    SpinLockGuard guard(m_lock);
    old = kstd::move(m_cwd);
    m_cwd = path;
}
