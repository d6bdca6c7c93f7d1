// Filesystems: a process's filesystem context — its root (chroot), working directory and
// umask — shared by CLONE_FS threads, copied by fork.
#pragma once

#include "fs/mount.h"
#include "sync/spinlock.h"

class FsContext : public RefCounted<FsContext> {
public:
    static RefPtr<FsContext> create(const Path& root);
    RefPtr<FsContext> clone();

    Path root();
    Path cwd();
    void set_root(const Path& path);
    void set_cwd(const Path& path);
    u32 umask = 022;

private:
    SpinLock m_lock;
    Path m_root;
    Path m_cwd;
};
