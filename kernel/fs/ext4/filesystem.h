// ext4: the file system object and its public API, keyed by inode numbers.
//
// One Ext4Filesystem per mounted block device. The API is what a VFS adapter needs:
// lookup, stat, read/write, namespace operations, xattrs, readdir with getdents64
// cookies, and open-but-unlinked inodes kept alive on the orphan list. The caller
// serialises all calls (one lock per file system). Errors are Linux errno values;
// corrupt metadata is EUCLEAN (Linux's EFSCORRUPTED) or EIO, with a pr_err line.
#pragma once

#include "drivers/block/block_device.h"
#include "fs/ext4/block_cache.h"
#include "fs/ext4/format.h"
#include "fs/ext4/inode.h"
#include "lib/ref_ptr.h"
#include "lib/result.h"

namespace ext4 {

constexpr int EFSCORRUPTED = EUCLEAN;
constexpr int EFSBADCRC = EBADMSG;

enum MountFlags : u32 {
    MOUNT_READ_ONLY = 1 << 0,
};

struct DeviceNumber {
    u32 major = 0;
    u32 minor = 0;
};

struct InodeStat {
    u32 ino;
    u32 mode;
    u32 nlink;
    u32 uid;
    u32 gid;
    u64 size;
    u64 blocks;  // 512-byte units, as st_blocks
    DeviceNumber rdev;
    Timestamp atime, mtime, ctime, crtime;
    u32 generation;
    u32 flags;  // i_flags
};

enum SetAttrMask : u32 {
    SETATTR_MODE = 1 << 0,
    SETATTR_UID = 1 << 1,
    SETATTR_GID = 1 << 2,
    SETATTR_SIZE = 1 << 3,
    SETATTR_ATIME = 1 << 4,
    SETATTR_MTIME = 1 << 5,
    SETATTR_CTIME = 1 << 6,
};
struct SetAttr {
    u32 mask = 0;
    u32 mode = 0;  // permission bits only; the file type never changes
    u32 uid = 0;
    u32 gid = 0;
    u64 size = 0;
    Timestamp atime, mtime, ctime;
};

struct DirEntry {
    u32 ino;
    u8 type;           // DT_* (the file type bits >> 12), as getdents64 reports it
    u64 next_cookie;   // d_off: pass to readdir to continue after this entry
    u32 name_len;
    char name[NAME_LEN + 1];
};
// Returns false to stop (the caller's buffer is full); the entry is then not consumed.
using DirCallback = bool (*)(const DirEntry& entry, void* context);

struct StatFs {
    u32 block_size;
    u64 blocks;
    u64 free_blocks;
    u64 available_blocks;  // free minus the root-reserved blocks
    u64 inodes;
    u64 free_inodes;
    u32 name_max;
    u8 uuid[16];
};

class Ext4Filesystem {
public:
    struct Journal;

    // Reads and checks the superblock, replays a dirty journal, and processes the orphan
    // list. Unsupported incompatible features fail with EINVAL (named in the log);
    // unsupported read-only-compatible ones force a read-only mount.
    static Result<OwnPtr<Ext4Filesystem>> mount(BlockDevice& device, u32 flags);
    ~Ext4Filesystem();

    // Syncs and detaches; the object may only be destroyed afterwards.
    ErrorOr unmount();
    // Switches between read-only and read-write (MOUNT_READ_ONLY in flags). Going
    // read-only syncs first; going read-write is refused (EROFS) where a read-only mount
    // was forced (read-only device, unsupported read-only-compatible features), and
    // processes the orphan list as a read-write mount does.
    ErrorOr remount(u32 flags);
    // Commits everything (through the journal when there is one) and flushes the device.
    ErrorOr sync();
    bool read_only() const { return m_read_only; }
    // The clock used for new timestamps (the kernel passes its realtime clock).
    void set_clock(Timestamp (*now)()) { m_clock = now; }

    u32 root_ino() const { return ROOT_INO; }
    Result<u32> lookup(u32 dir_ino, kstd::string_view name);
    Result<InodeStat> stat(u32 ino);
    Result<usize> read(u32 ino, u64 offset, kstd::span<u8> buffer);
    Result<usize> write(u32 ino, u64 offset, kstd::span<const u8> data);
    ErrorOr truncate(u32 ino, u64 size);
    // mode: FALLOC_FL_KEEP_SIZE or 0 (<linux/falloc.h>); blocks are allocated unwritten.
    ErrorOr fallocate(u32 ino, int mode, u64 offset, u64 length);
    ErrorOr setattr(u32 ino, const SetAttr& attr);

    // mode carries the permission bits (and, for mknod, the file type).
    Result<u32> create(u32 dir_ino, kstd::string_view name, u32 mode, u32 uid, u32 gid);
    Result<u32> mkdir(u32 dir_ino, kstd::string_view name, u32 mode, u32 uid, u32 gid);
    Result<u32> mknod(u32 dir_ino, kstd::string_view name, u32 mode, DeviceNumber rdev, u32 uid,
                      u32 gid);
    Result<u32> symlink(u32 dir_ino, kstd::string_view name, kstd::string_view target, u32 uid,
                        u32 gid);
    Result<usize> readlink(u32 ino, kstd::span<char> buffer);
    ErrorOr link(u32 ino, u32 dir_ino, kstd::string_view name);
    ErrorOr unlink(u32 dir_ino, kstd::string_view name);
    ErrorOr rmdir(u32 dir_ino, kstd::string_view name);
    // flags: 0, RENAME_NOREPLACE or RENAME_EXCHANGE (<linux/fs.h>).
    ErrorOr rename(u32 old_dir, kstd::string_view old_name, u32 new_dir,
                   kstd::string_view new_name, u32 flags);
    // Reports entries from `cookie` on (0 = the start) and returns the cookie to continue
    // with; the end of the directory is reached when no entry is reported.
    Result<u64> readdir(u32 dir_ino, u64 cookie, DirCallback callback, void* context);

    // Extended attributes by full name ("user.x", "trusted.x", "security.x",
    // "system.posix_acl_access", "system.posix_acl_default"). getxattr with an empty
    // buffer returns the size; flags: XATTR_CREATE / XATTR_REPLACE (<linux/xattr.h>).
    Result<usize> getxattr(u32 ino, kstd::string_view name, kstd::span<u8> buffer);
    ErrorOr setxattr(u32 ino, kstd::string_view name, kstd::span<const u8> value, int flags);
    Result<usize> listxattr(u32 ino, kstd::span<char> buffer);
    ErrorOr removexattr(u32 ino, kstd::string_view name);

    Result<StatFs> statfs();

    // Open files: an inode opened through the VFS is pinned; when its last link goes
    // while pinned it moves to the orphan list, and its blocks are freed on the last
    // unpin (or at the next mount after a crash).
    ErrorOr pin_inode(u32 ino);
    ErrorOr unpin_inode(u32 ino);

    // Memory pressure: frees up to `count` clean metadata buffers; returns how many.
    usize shrink_cache(usize count) { return m_cache.shrink(count); }

    // Introspection for tests and the VFS.
    u32 block_size() const { return m_block_size; }
    u64 blocks_count() const { return m_blocks_count; }
    const SuperBlock& superblock() const { return m_sb; }
    bool journal_replayed() const { return m_journal_replayed; }

private:
    friend struct ExtentTree;
    friend struct BlockMapTree;
    friend struct HTree;
    friend struct XattrStore;
    friend struct JournalOps;
    Ext4Filesystem(BlockDevice& device, u32 block_size);

    // superblock.cpp
    ErrorOr load_superblock(u32 flags);
    ErrorOr check_features(u32 flags);
    void store_superblock(u8* block_data, usize offset_in_block);
    ErrorOr write_superblock();
    u32 superblock_checksum(const SuperBlock& sb) const;
    bool has_compat(u32 f) const { return m_sb.s_feature_compat & f; }
    bool has_incompat(u32 f) const { return m_sb.s_feature_incompat & f; }
    bool has_ro_compat(u32 f) const { return m_sb.s_feature_ro_compat & f; }
    bool has_metadata_csum() const { return has_ro_compat(RO_COMPAT_METADATA_CSUM); }
    u64 free_blocks_count() const;
    void set_free_blocks_count(u64 count);
    Timestamp now() const;
    ErrorOr require_writable() const;

    // group.cpp
    ErrorOr load_group_descriptors();
    Result<BufferRef> group_desc_buffer(u32 group, GroupDesc** desc);
    u64 gd_block_bitmap(const GroupDesc& d) const;
    u64 gd_inode_bitmap(const GroupDesc& d) const;
    u64 gd_inode_table(const GroupDesc& d) const;
    u32 gd_free_blocks(const GroupDesc& d) const;
    u32 gd_free_inodes(const GroupDesc& d) const;
    u32 gd_used_dirs(const GroupDesc& d) const;
    u32 gd_itable_unused(const GroupDesc& d) const;
    void gd_set_free_blocks(GroupDesc& d, u32 v);
    void gd_set_free_inodes(GroupDesc& d, u32 v);
    void gd_set_used_dirs(GroupDesc& d, u32 v);
    void gd_set_itable_unused(GroupDesc& d, u32 v);
    void gd_update_checksum(u32 group, GroupDesc& d);
    u16 gd_checksum(u32 group, const GroupDesc& d) const;
    bool has_group_checksums() const;
    bool group_has_superblock(u32 group) const;
    u64 group_first_block(u32 group) const;
    u32 group_block_count(u32 group) const;
    u32 group_overhead_blocks(u32 group) const;  // superblock + descriptors + reserved GDT
    u64 descriptor_block_location(u32 index) const;
    ErrorOr validate_group(u32 group, const GroupDesc& d);
    u32 block_bitmap_checksum(const u8* bitmap) const;
    u32 inode_bitmap_checksum(const u8* bitmap) const;
    void gd_set_block_bitmap_checksum(GroupDesc& d, const u8* bitmap);
    void gd_set_inode_bitmap_checksum(GroupDesc& d, const u8* bitmap);
    ErrorOr verify_block_bitmap(u32 group, const GroupDesc& d, const u8* bitmap);
    ErrorOr verify_inode_bitmap(u32 group, const GroupDesc& d, const u8* bitmap);

    // balloc.cpp / ialloc.cpp
    Result<BufferRef> read_block_bitmap(u32 group, GroupDesc& desc);
    Result<BufferRef> read_inode_bitmap(u32 group, GroupDesc& desc);
    // Allocates up to max_count contiguous blocks near goal; returns the first, count in *got.
    Result<u64> allocate_blocks(u64 goal, u32 max_count, u32* got);
    Result<u64> allocate_metadata_block(u64 goal);
    ErrorOr free_blocks(u64 block, u64 count);
    Result<u32> allocate_inode(u32 parent_ino, bool is_dir);
    ErrorOr free_inode(u32 ino, bool is_dir);
    bool block_freed_in_transaction(u64 block) const;
    void remember_freed(u64 block, u64 count);
    void clear_freed();

    // inode.cpp
    ErrorOr read_inode(u32 ino, Inode& inode);
    // read_inode for the public API: the inode must be in use (linked, or pinned).
    ErrorOr load_inode(u32 ino, Inode& inode);
    ErrorOr write_inode(Inode& inode);
    Result<BufferRef> inode_buffer(u32 ino, u32* offset);
    u32 inode_checksum(u32 ino, const u8* raw) const;
    u32 inode_csum_seed(const Inode& inode) const;
    ErrorOr init_new_inode(Inode& inode, u32 ino, u32 mode, u32 uid, u32 gid);
    void touch(Inode& inode, bool atime, bool mtime, bool ctime);
    u64 inode_block_count(const Inode& inode) const;  // in file system blocks
    void add_inode_blocks(Inode& inode, i64 delta_blocks);
    bool is_valid_data_block(u64 block, u64 count) const;
    Result<InodeStat> make_stat(const Inode& inode) const;

    // extents.cpp
    ErrorOr extent_map(Inode& inode, u64 logical, u64* physical, u32* length, bool* unwritten);
    ErrorOr extent_insert(Inode& inode, u64 logical, u64 physical, u32 length, bool unwritten);
    ErrorOr extent_remove_from(Inode& inode, u64 first_logical);
    ErrorOr extent_mark_written(Inode& inode, u64 logical, u32 length);
    ErrorOr extent_init_root(Inode& inode);

    // block_map.cpp (ext2/ext3 indirect blocks)
    ErrorOr blockmap_map(Inode& inode, u64 logical, u64* physical, u32* length);
    ErrorOr blockmap_set(Inode& inode, u64 logical, u64 physical);
    ErrorOr blockmap_truncate(Inode& inode, u64 first_logical);

    // file.cpp
    // Maps logical block: *physical == 0 for a hole; *length = blocks mapped the same way.
    ErrorOr map_block(Inode& inode, u64 logical, u64* physical, u32* length, bool* unwritten);
    // Maps, allocating if needed (new blocks are zeroed unless `will_overwrite`).
    Result<u64> map_block_for_write(Inode& inode, u64 logical, u32 want, u32* got);
    ErrorOr truncate_blocks(Inode& inode, u64 new_size);
    ErrorOr release_inode_blocks(Inode& inode);
    Result<usize> read_inode_data(Inode& inode, u64 offset, kstd::span<u8> buffer);
    Result<usize> write_inode_data(Inode& inode, u64 offset, kstd::span<const u8> data);
    ErrorOr zero_blocks(u64 block, u32 count);
    u64 max_file_size(const Inode& inode) const;

    // directory.cpp
    struct DirSlot;
    Result<BufferRef> read_dir_block(Inode& dir, u64 logical);
    ErrorOr verify_dir_block(Inode& dir, u64 logical, const u8* data);
    void set_dir_block_checksum(Inode& dir, u8* data);
    bool dir_block_has_tail(const u8* data) const;
    u32 dir_usable_size() const;
    u32 dir_entries_limit(const u8* data) const;
    ErrorOr find_entry(Inode& dir, kstd::string_view name, DirSlot* slot);
    ErrorOr add_entry(Inode& dir, kstd::string_view name, u32 ino, u8 file_type);
    ErrorOr add_entry_linear(Inode& dir, kstd::string_view name, u32 ino, u8 file_type);
    bool insert_into_block(u8* data, u32 limit, kstd::string_view name, u32 ino, u8 file_type);
    ErrorOr remove_entry(Inode& dir, DirSlot& slot);
    ErrorOr set_entry_inode(Inode& dir, DirSlot& slot, u32 ino, u8 file_type);
    ErrorOr init_dir_block(Inode& dir, u8* data, u32 self_ino, u32 parent_ino);
    Result<bool> dir_is_empty(Inode& dir);
    u32 dir_rec_len_at(const u8* entry) const;
    void dir_set_rec_len(u8* entry, u32 len) const;
    ErrorOr check_entry(Inode& dir, u64 logical, const u8* data, u32 offset, u32 limit);
    Result<u64> append_dir_block(Inode& dir, BufferRef* out);
    u8 file_type_for_mode(u32 mode) const;

    // htree.cpp / dx_hash.cpp
    struct DxHashInfo {
        u32 hash;
        u32 minor_hash;
        u8 version;
        const u32* seed;
    };
    u8 dx_hash_version(u8 root_version) const;
    ErrorOr dx_find_entry(Inode& dir, kstd::string_view name, DirSlot* slot);
    ErrorOr dx_add_entry(Inode& dir, kstd::string_view name, u32 ino, u8 file_type, bool* done);
    ErrorOr dx_clear_index(Inode& dir);
    void dx_set_checksum(Inode& dir, u8* data, u32 count_offset);
    ErrorOr dx_verify_checksum(Inode& dir, const u8* data, u32 count_offset);
    ErrorOr make_indexed_dir(Inode& dir);

    // namei.cpp
    Result<u32> make_node(u32 dir_ino, kstd::string_view name, u32 mode, u32 uid, u32 gid,
                          Inode& out);
    ErrorOr link_new_inode(u32 dir_ino, kstd::string_view name, Inode& inode);
    ErrorOr drop_link(Inode& inode);
    ErrorOr check_name(kstd::string_view name) const;
    ErrorOr set_dotdot(Inode& dir, u32 parent_ino);
    Result<bool> is_ancestor(u32 ancestor, u32 dir_ino);

    // xattr.cpp / xattr_block.cpp / acl.cpp
    struct XattrName;
    ErrorOr parse_xattr_name(kstd::string_view name, XattrName* out) const;
    ErrorOr xattr_release_block(Inode& inode);

    // orphan.cpp
    ErrorOr orphan_add(Inode& inode);
    ErrorOr orphan_remove(Inode& inode);
    ErrorOr process_orphans();
    u32* find_pin(u32 ino);
    ErrorOr evict_inode(Inode& inode);

    // journal_replay.cpp / journal_write.cpp
    ErrorOr journal_load();
    ErrorOr journal_replay();
    ErrorOr journal_map(u64 logical, u64* physical);
    ErrorOr journal_write_superblock();
    ErrorOr mark_needs_recovery(bool needed);
    ErrorOr journal_read(u32 position, u8* data);
    ErrorOr commit();
    ErrorOr maybe_commit();
    ErrorOr write_back_without_journal();

    BlockDevice& m_device;
    BlockCache m_cache;
    SuperBlock m_sb{};
    u32 m_block_size;
    u32 m_log_block_size = 0;
    u64 m_blocks_count = 0;
    u32 m_first_data_block = 0;
    u32 m_blocks_per_group = 0;
    u32 m_inodes_per_group = 0;
    u32 m_inode_size = 0;
    u32 m_group_count = 0;
    u32 m_desc_size = 0;
    u32 m_descs_per_block = 0;
    u32 m_gdt_blocks = 0;
    u32 m_first_ino = 0;
    u32 m_csum_seed = 0;
    u32 m_inode_tables_blocks = 0;  // blocks of one group's inode table
    bool m_read_only = false;
    bool m_mounted = false;
    bool m_superblock_dirty = false;
    bool m_journal_replayed = false;
    Timestamp (*m_clock)() = nullptr;
    u32 m_generation_state = 0;

    // Blocks freed in the running transaction, one lazily allocated bitmap per group:
    // they must not be reused until the transaction that frees them has committed.
    u8** m_freed = nullptr;
    bool m_any_freed = false;

    struct Pin {
        u32 ino;
        u32 count;
    };
    Pin* m_pins = nullptr;
    u32 m_pin_count = 0;
    u32 m_pin_capacity = 0;

    Journal* m_journal = nullptr;
};

struct Ext4Filesystem::Journal {
    struct Run {
        u64 logical;
        u64 physical;
        u32 length;
    };
    ~Journal();
    u32 tag_bytes() const;
    bool has_checksums() const;
    u32 superblock_checksum() const;

    Run* runs = nullptr;
    u32 run_count = 0;
    u32 maxlen = 0;
    u32 first = 0;
    u32 sequence = 0;  // the next transaction's id
    u32 start = 0;     // first block of the oldest live transaction; 0 = empty
    u32 compat = 0;
    u32 incompat = 0;
    u32 csum_seed = 0;
    u8 uuid[16] = {};
    u8 superblock[1024] = {};
};

}  // namespace ext4
