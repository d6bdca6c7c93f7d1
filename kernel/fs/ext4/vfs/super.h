// ext4, VFS adapter: a mounted ext2/ext3/ext4 file system as the VFS sees it — the
// SuperBlock wrapping one ext4::Ext4Filesystem (the library), its lock, the inode cache
// (one VfsInode per inode number, so hard links share a page cache), the list of inodes
// with dirty data, and writeback (periodic, sync, unmount).
//
// Locking: m_lock serialises every library call, as the library asks. Page caches are
// locked before it (a backing runs under its cache's lock and takes m_lock); code holding
// m_lock never takes a cache's lock and never touches user memory. Inode objects die
// through RefPtr anywhere, so their destructor does no I/O: a pinned inode's unpin is
// queued and done the next time the lock is taken.
#pragma once

#include "drivers/block/registry.h"
#include "drivers/block/writeback.h"
#include "fs/ext4/filesystem.h"
#include "fs/super_block.h"
#include "sync/spinlock.h"

namespace ext4 {

class VfsInode;

// An inode's place on its file system's writeback list.
struct DirtyLink {
    VfsInode* inode = nullptr;
    ListNode node;
};

class VfsSuperBlock final : public ::SuperBlock, public block::WritebackTarget {
public:
    static Result<RefPtr<::SuperBlock>> mount(BlockDevice* device, u64 flags, kstd::string_view options,
                                              const char* type_name);
    ~VfsSuperBlock() override;

    RefPtr<::Inode> root() override;
    FileSystemStats statfs() override;
    ErrorOr sync() override;
    ErrorOr remount(u64 flags, kstd::string_view options) override;
    void shutdown() override;
    void write_back_periodic(u64 expired_before) override;

    // The inode object for `ino`, made (and its attributes read) when not cached.
    Result<RefPtr<VfsInode>> get_inode(u32 ino);
    // Takes the library lock and does queued unpins first.
    void lock();
    void unlock() { m_lock.unlock(); }
    Ext4Filesystem& fs() { return *m_fs; }
    bool dead() const { return m_dead; }
    u32 block_size() const { return m_fs->block_size(); }

    // Contiguous scratch memory for moving file data through the library (under lock()).
    u8* bounce() { return m_bounce; }
    usize bounce_bytes() const { return m_bounce_bytes; }

    // The inode has dirty data: it joins the writeback list (holding a reference).
    void mark_inode_dirty(VfsInode& inode);
    // Called by a dying inode: forget it, and unpin it later if it was pinned.
    void inode_destroyed(VfsInode& inode, u32 pinned_ino);
    // The library freed the inode: its number may be reused at once, so the object leaves
    // the table (and the writeback list) while its last users finish with it.
    void forget_freed_inode(VfsInode& inode);
    // Bytes of file data not yet given blocks (dirty pages), for ENOSPC checks at write time.
    kstd::atomic<u64>& delayed_bytes() { return m_delayed_bytes; }

private:
    VfsSuperBlock(const char* type_name, BlockDevice& device, block::Entry* entry, OwnPtr<Ext4Filesystem> fs);
    // Writes back the inodes on the dirty list whose data is older than expired_before.
    ErrorOr write_back_inodes(block::Writeback mode, u64 expired_before);
    void run_deferred_unpins();
    ErrorOr parse_options(kstd::string_view options, bool remount);

    static constexpr usize HASH_BUCKETS = 1024;
    struct PendingUnpin {
        u32 ino;
        ListNode node;
    };

    BlockDevice& m_device;
    block::Entry* m_entry;
    OwnPtr<Ext4Filesystem> m_fs;
    Mutex m_lock;
    block::page_cache::Shrinker m_shrinker{};  // the library's metadata buffers
    bool m_dead = false;
    u8* m_bounce = nullptr;
    usize m_bounce_bytes = 0;
    unsigned m_bounce_order = 0;
    u64 m_commit_interval_ns = 5ull * 1000 * 1000 * 1000;
    u64 m_last_commit_ns = 0;

    SpinLock m_inodes_lock;  // the hash table, the dirty list and pending unpins
    VfsInode* m_hash[HASH_BUCKETS] = {};
    IntrusiveList<DirtyLink, &DirtyLink::node> m_dirty;
    IntrusiveList<PendingUnpin, &PendingUnpin::node> m_pending_unpins;
    kstd::atomic<u64> m_delayed_bytes{0};

    friend class VfsInode;
};

void register_filesystems();

// Holds a file system's library lock (VfsSuperBlock::lock) for a scope.
class Locked {
public:
    explicit Locked(VfsSuperBlock& sb) : m_sb(sb) { m_sb.lock(); }
    ~Locked() { m_sb.unlock(); }
    Locked(const Locked&) = delete;
    Locked& operator=(const Locked&) = delete;

private:
    VfsSuperBlock& m_sb;
};

}  // namespace ext4
