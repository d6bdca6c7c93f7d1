// tmpfs: a filesystem in memory — the initramfs root, /tmp, /run, /dev/shm. Files keep
// their pages in a PageStore (their page cache), directories a list of entries; sizes
// are bounded by the size= option (default half of RAM), as on Linux.
#pragma once

#include "fs/super_block.h"
#include "fs/tmpfs/page_store.h"
#include "lib/kstring.h"

#include <linux/fcntl.h>

class TmpfsSuperBlock;

class TmpfsInode final : public Inode {
public:
    TmpfsInode(TmpfsSuperBlock& super_block, u64 ino, u32 mode, u32 uid, u32 gid, u64 rdev);
    ~TmpfsInode() override;

    Result<RefPtr<Inode>> lookup(kstd::string_view name) override;
    Result<RefPtr<Inode>> create(kstd::string_view name, u32 mode, u32 uid, u32 gid, u64 rdev) override;
    Result<RefPtr<Inode>> mkdir(kstd::string_view name, u32 mode, u32 uid, u32 gid) override;
    Result<RefPtr<Inode>> symlink(kstd::string_view name, kstd::string_view target, u32 uid, u32 gid) override;
    ErrorOr link(kstd::string_view name, Inode& target) override;
    ErrorOr unlink(kstd::string_view name, Inode& victim) override;
    ErrorOr rmdir(kstd::string_view name, Inode& victim) override;
    ErrorOr rename(kstd::string_view old_name, Inode& new_directory, kstd::string_view new_name, u32 flags) override;
    ErrorOr iterate(u64 cookie, DirectoryEmitter& emitter) override;
    Result<RefPtr<Inode>> tmpfile(u32 mode, u32 uid, u32 gid) override;

    Result<usize> read(u64 offset, IoBuffer buffer, usize length) override;
    Result<usize> write(u64 offset, IoBuffer buffer, usize length) override;
    ErrorOr truncate(u64 size) override;
    ErrorOr allocate(int mode, u64 offset, u64 length) override;
    Result<u64> seek_data(u64 offset, bool hole) override;
    Result<usize> readlink(char* buffer, usize size) override;
    Result<RefPtr<MemoryObject>> mappable() override;

    Result<usize> getxattr(kstd::string_view name, void* value, usize size) override;
    ErrorOr setxattr(kstd::string_view name, const void* value, usize size, int flags) override;
    Result<usize> listxattr(char* list, usize size) override;
    ErrorOr removexattr(kstd::string_view name) override;

    Result<u32> seals() const override;
    ErrorOr add_seals(u32 seals) override;
    // memfd_create(MFD_ALLOW_SEALING): the file starts with no seals (others are born
    // with F_SEAL_SEAL, as on Linux).
    void allow_sealing() { m_seals &= ~u32(F_SEAL_SEAL); }

    bool directory_empty() const { return m_entries.is_empty(); }

private:
    struct Entry {
        RefPtr<KString> name;
        RefPtr<Inode> inode;
        u64 cookie;
        ListNode node;
    };
    struct Xattr {
        RefPtr<KString> name;
        u8* value;
        usize size;
        ListNode node;
    };
    Entry* find(kstd::string_view name);
    ErrorOr add_entry(kstd::string_view name, RefPtr<Inode> inode);
    void remove_entry(Entry& entry);
    Xattr* find_xattr(kstd::string_view name);
    void touch_modified();
    TmpfsSuperBlock& tmpfs() const;

    IntrusiveList<Entry, &Entry::node> m_entries;
    u64 m_next_cookie = 2;  // 0 and 1 are "." and ".."
    RefPtr<PageStore> m_data;
    RefPtr<KString> m_link_target;
    IntrusiveList<Xattr, &Xattr::node> m_xattrs;
    TmpfsInode* m_parent = nullptr;  // directories: for ".." in getdents
    u32 m_seals = F_SEAL_SEAL;

    friend class TmpfsSuperBlock;
};

class TmpfsSuperBlock final : public SuperBlock {
public:
    static Result<RefPtr<SuperBlock>> create(u64 flags, kstd::string_view options);
    RefPtr<Inode> root() override { return m_root; }
    FileSystemStats statfs() override;
    ErrorOr remount(u64 flags, kstd::string_view options) override;
    void show_options(klib::FormatSink& out) const override;

    Result<RefPtr<TmpfsInode>> new_inode(u32 mode, u32 uid, u32 gid, u64 rdev);
    void inode_freed() { m_inodes.fetch_sub(1); }
    kstd::atomic<i64>& page_budget() { return m_free_pages; }

private:
    TmpfsSuperBlock();
    ErrorOr parse_options(kstd::string_view options, bool initial);
    RefPtr<Inode> m_root;
    kstd::atomic<u64> m_next_ino{2};
    kstd::atomic<u64> m_inodes{0};
    u64 m_max_pages = 0;
    u64 m_max_inodes = 0;
    u32 m_root_mode = 01777;  // mode=: the root directory's permissions
    kstd::atomic<i64> m_free_pages{0};
};

void tmpfs_register();
