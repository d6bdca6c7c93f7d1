// procfs and sysfs: generated directory trees — "pseudo" filesystems whose files are
// printed when read rather than stored.
//
// A tree is described by constant tables of PseudoEntry: a name, a mode, and what the
// entry does (static children, dynamic children such as the pids in /proc, a function that
// prints a file's text or a symlink's target, one that takes a write, one that resolves a
// magic link). Inodes are made at lookup from (entry, key), where the key says which
// process, thread, descriptor or device the entry is about; procfs lets nothing be cached,
// so a process that exits disappears from the tree at once.
#pragma once

#include "fs/file.h"
#include "fs/procfs/seq_buffer.h"
#include "fs/super_block.h"

// What an entry is about.
struct PseudoKey {
    u32 pid = 0;                   // a process (procfs), 0 for none
    u32 tid = 0;                   // a thread (/proc/<pid>/task/<tid>), 0 for the process
    u64 item = 0;                  // a descriptor number, a device number…
    const void* object = nullptr;  // a long-lived kernel object (a published device node)
};

struct PseudoEntry;

// One child of a directory with dynamic contents.
struct PseudoChild {
    const PseudoEntry* entry = nullptr;
    PseudoKey key;
    char name[64] = {};
    u64 position = 0;  // where a directory listing resumes after this child
};

struct PseudoDirectoryOps {
    // The child called `name` (ENOENT when there is none).
    ErrorOr (*lookup)(const PseudoKey& parent, kstd::string_view name, PseudoChild& out);
    // The first child at or after `position`; false when there is none. Positions only
    // increase along a listing, and stay valid while children come and go.
    bool (*next)(const PseudoKey& parent, u64 position, PseudoChild& out);
};

enum PseudoFlag : u32 {
    PSEUDO_TASK_PRIVATE = 1 << 0,  // opening or following needs ptrace-like access
};

struct PseudoEntry {
    const char* name;
    u32 mode;  // S_IFDIR, S_IFREG or S_IFLNK, and permissions
    u32 flags = 0;
    kstd::span<const PseudoEntry> children = {};
    const PseudoDirectoryOps* dynamic = nullptr;
    // A file's text or a symlink's target.
    ErrorOr (*show)(const PseudoKey& key, SeqBuffer& out) = nullptr;
    // A write to a file (the whole buffer of one write call); returns the bytes taken.
    Result<usize> (*store)(const PseudoKey& key, kstd::string_view data) = nullptr;
    // A magic link's object (`link` is the link's own path, for objects without one).
    ErrorOr (*resolve)(const PseudoKey& key, const Path& link, Path& target) = nullptr;
};

// Whether the VFS may keep a tree's names: not when entries vanish on their own (procfs),
// yes when they only ever appear (sysfs's devices), which lets /sys hold mount points.
enum class NameCaching : u8 { Off, On };

class PseudoSuperBlock : public SuperBlock {
public:
    RefPtr<Inode> root() override { return m_root; }
    FileSystemStats statfs() override;
    bool caches_names() const override { return m_caching == NameCaching::On; }

    Result<RefPtr<Inode>> make_inode(const PseudoEntry& entry, const PseudoKey& key, u64 parent_ino);

    // Hooks for the filesystem: whether the key's object still exists (a dead process's
    // directory answers nothing), who owns an entry, and who may read a private one.
    virtual bool key_alive(const PseudoKey&) const { return true; }
    virtual void set_owner(const PseudoEntry&, const PseudoKey&, InodeAttributes&) const {}
    virtual ErrorOr check_access(const PseudoEntry&, const PseudoKey&) const { return {}; }

protected:
    PseudoSuperBlock(const char* type_name, u64 magic, const PseudoEntry& root_entry, NameCaching caching);
    // Makes the root inode; the constructor of a subclass cannot (its hooks are not ready).
    ErrorOr create_root();

private:
    const PseudoEntry& m_root_entry;
    u64 m_magic;
    NameCaching m_caching;
    RefPtr<Inode> m_root;
};

class PseudoInode final : public Inode {
public:
    PseudoInode(PseudoSuperBlock& super_block, const PseudoEntry& entry, const PseudoKey& key, u64 ino,
                u64 parent_ino);

    const PseudoEntry& entry() const { return m_entry; }
    const PseudoKey& key() const { return m_key; }

    Result<RefPtr<Inode>> lookup(kstd::string_view name) override;
    ErrorOr iterate(u64 cookie, DirectoryEmitter& emitter) override;
    Result<usize> readlink(char* buffer, usize size) override;
    Result<RefPtr<File>> open_special(const Path& path, int flags) override;
    bool is_magic_link() const override { return m_entry.resolve != nullptr; }
    ErrorOr follow_magic_link(const Path& link, Path& target) override;
    ErrorOr setattr(const InodeAttributes& values, u32 mask) override;

private:
    PseudoSuperBlock& pseudo() const { return static_cast<PseudoSuperBlock&>(super_block()); }
    u64 m_parent_ino;
    const PseudoEntry& m_entry;
    PseudoKey m_key;
};

// Inode numbers: a stable mix of the entry and its key (the root directory is 1).
u64 pseudo_inode_number(const PseudoEntry& entry, const PseudoKey& key);
