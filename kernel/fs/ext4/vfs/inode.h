// ext4, VFS adapter: an inode as the VFS sees it — directory operations, attributes and
// extended attributes passed to the library by inode number, and regular files' data
// through a page cache (so read, write and mmap share pages; exec maps PT_LOAD segments
// from it) whose backing moves runs of pages through the library.
//
// Attributes are cached here. For a regular file with dirty pages, the size and the
// modification times here are newer than the library's: writeback extends the on-disk
// size page by page and then stores the times write() set.
//
// Orphans: an inode losing its last link while still in use (open files, mappings,
// working directories hold the VfsInode) is pinned first, so the library keeps it on the
// orphan list; the pin is dropped when the VfsInode dies (or at the next mount, after a
// crash). An unused one is freed at once.
#pragma once

#include "drivers/block/page_cache.h"
#include "fs/ext4/vfs/super.h"

namespace ext4 {

class VfsInode final : public ::Inode, public block::PageCacheBacking {
public:
    VfsInode(VfsSuperBlock& super_block, const InodeStat& stat);
    ~VfsInode() override;

    u32 number() const { return static_cast<u32>(ino()); }
    VfsSuperBlock& ext4_super() const { return *m_super; }

    Result<RefPtr<::Inode>> lookup(kstd::string_view name) override;
    Result<RefPtr<::Inode>> create(kstd::string_view name, u32 mode, u32 uid, u32 gid, u64 rdev) override;
    Result<RefPtr<::Inode>> mkdir(kstd::string_view name, u32 mode, u32 uid, u32 gid) override;
    Result<RefPtr<::Inode>> symlink(kstd::string_view name, kstd::string_view target, u32 uid,
                                    u32 gid) override;
    ErrorOr link(kstd::string_view name, ::Inode& target) override;
    ErrorOr unlink(kstd::string_view name, ::Inode& victim) override;
    ErrorOr rmdir(kstd::string_view name, ::Inode& victim) override;
    ErrorOr rename(kstd::string_view old_name, ::Inode& new_directory, kstd::string_view new_name,
                   u32 flags) override;
    ErrorOr iterate(u64 cookie, DirectoryEmitter& emitter) override;

    Result<usize> read(u64 offset, IoBuffer buffer, usize length) override;
    Result<usize> write(u64 offset, IoBuffer buffer, usize length) override;
    ErrorOr truncate(u64 size) override;
    ErrorOr allocate(int mode, u64 offset, u64 length) override;
    Result<usize> readlink(char* buffer, usize size) override;
    ErrorOr setattr(const InodeAttributes& values, u32 mask) override;
    ErrorOr sync() override;

    Result<usize> getxattr(kstd::string_view name, void* value, usize size) override;
    ErrorOr setxattr(kstd::string_view name, const void* value, usize size, int flags) override;
    Result<usize> listxattr(char* list, usize size) override;
    ErrorOr removexattr(kstd::string_view name) override;

    Result<RefPtr<MemoryObject>> mappable() override;

    // The page cache's backing: runs of pages through the library's read and write.
    ErrorOr read_pages(u64 first, kstd::span<Page* const> pages) override;
    ErrorOr write_pages(u64 first, kstd::span<Page* const> pages, usize bytes) override;

    // Writes dirty data back, then the times write() set (writeback's own writes moved
    // them). Called without the library lock.
    ErrorOr write_back(block::Writeback mode);
    block::PageCache* cache() const { return m_cache.get(); }
    // The library freed it (last link gone, not pinned): a stale object its users drop.
    bool freed() const { return m_attributes.nlink == 0 && !m_pinned; }
    bool needs_writeback() const { return (m_cache && m_cache->needs_writeback()) || m_times_dirty; }

    // For the file system's hash table and writeback list.
    VfsInode* hash_next = nullptr;
    DirtyLink dirty_link;

private:
    // Refreshes the cached attributes from the library (lock held); keeps this object's
    // newer size and times of a file with unwritten data.
    ErrorOr refresh_locked();
    void apply(const InodeStat& stat);
    // Pins `victim` when something beyond its directory entry still uses it.
    ErrorOr pin_if_in_use_locked(VfsInode& victim, u32 baseline_references);
    Result<RefPtr<::Inode>> finish_create(Result<u32> created);
    // After this inode lost a link (lock held): refreshes it, or marks it freed.
    void forget_link_locked();
    // A freed inode's cached data goes (without the library lock: it takes the cache's).
    void drop_data_if_gone();
    ErrorOr check_alive() const;

    u64 max_file_size() const;
    // Checks that `bytes` more of delayed allocation fit in the free space.
    ErrorOr reserve_space(u64 bytes);

    RefPtr<VfsSuperBlock> m_super;
    RefPtr<block::PageCache> m_cache;  // regular files
    u32 m_flags = 0;                   // i_flags
    bool m_times_dirty = false;        // mtime/ctime newer here than on disk
    bool m_pinned = false;
    kstd::atomic<u64> m_delayed_bytes{0};  // written since the last writeback
};

// What mmap and exec map: the file's page cache, holding the inode alive while mapped
// (Linux's vma->vm_file), which the page cache itself does not.
class MappedFile final : public MemoryObject {
public:
    explicit MappedFile(RefPtr<VfsInode> inode) : m_inode(kstd::move(inode)) {}
    Result<Page*> get_page(u64 index) override { return m_inode->cache()->get_page(index); }
    void mark_dirty(u64 index) override { m_inode->cache()->mark_dirty(index); }
    void drop_clean_pages() override { m_inode->cache()->drop_clean_pages(); }
    const char* describe() const override { return "ext4"; }

private:
    RefPtr<VfsInode> m_inode;
};

inline Timestamp to_timestamp(const Timespec& t) {
    return Timestamp{t.seconds, static_cast<u32>(t.nanoseconds)};
}
inline Timespec to_timespec(const Timestamp& t) { return Timespec{t.sec, static_cast<i64>(t.nsec)}; }

}  // namespace ext4
