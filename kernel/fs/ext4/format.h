// ext4: the on-disk format — superblock, group descriptors, inodes, extents, directory
// entries, htree nodes and xattr headers (little-endian; Linux fs/ext4/ext4.h and
// Documentation/filesystems/ext4/). The jbd2 journal format is in journal_format.h.
#pragma once

#include "lib/kstd.h"
#include "lib/types.h"

namespace ext4 {

constexpr u64 SUPERBLOCK_OFFSET = 1024;
constexpr u16 SUPER_MAGIC = 0xEF53;
constexpr u32 ROOT_INO = 2;
constexpr u32 RESIZE_INO = 7;
constexpr u32 JOURNAL_INO = 8;
constexpr u32 GOOD_OLD_FIRST_INO = 11;
constexpr u32 GOOD_OLD_INODE_SIZE = 128;
constexpr u32 NAME_LEN = 255;

// s_state
constexpr u16 STATE_VALID = 0x1;
constexpr u16 STATE_ERROR = 0x2;
// s_flags
constexpr u32 FLAGS_SIGNED_HASH = 0x1;
constexpr u32 FLAGS_UNSIGNED_HASH = 0x2;

// Feature bits (Linux: EXT4_FEATURE_*).
constexpr u32 COMPAT_DIR_PREALLOC = 0x1;
constexpr u32 COMPAT_IMAGIC_INODES = 0x2;
constexpr u32 COMPAT_HAS_JOURNAL = 0x4;
constexpr u32 COMPAT_EXT_ATTR = 0x8;
constexpr u32 COMPAT_RESIZE_INODE = 0x10;
constexpr u32 COMPAT_DIR_INDEX = 0x20;
constexpr u32 COMPAT_SPARSE_SUPER2 = 0x200;
constexpr u32 COMPAT_FAST_COMMIT = 0x400;
constexpr u32 COMPAT_STABLE_INODES = 0x800;
constexpr u32 COMPAT_ORPHAN_FILE = 0x1000;

constexpr u32 RO_COMPAT_SPARSE_SUPER = 0x1;
constexpr u32 RO_COMPAT_LARGE_FILE = 0x2;
constexpr u32 RO_COMPAT_BTREE_DIR = 0x4;
constexpr u32 RO_COMPAT_HUGE_FILE = 0x8;
constexpr u32 RO_COMPAT_GDT_CSUM = 0x10;
constexpr u32 RO_COMPAT_DIR_NLINK = 0x20;
constexpr u32 RO_COMPAT_EXTRA_ISIZE = 0x40;
constexpr u32 RO_COMPAT_HAS_SNAPSHOT = 0x80;
constexpr u32 RO_COMPAT_QUOTA = 0x100;
constexpr u32 RO_COMPAT_BIGALLOC = 0x200;
constexpr u32 RO_COMPAT_METADATA_CSUM = 0x400;
constexpr u32 RO_COMPAT_REPLICA = 0x800;
constexpr u32 RO_COMPAT_READONLY = 0x1000;
constexpr u32 RO_COMPAT_PROJECT = 0x2000;
constexpr u32 RO_COMPAT_SHARED_BLOCKS = 0x4000;
constexpr u32 RO_COMPAT_VERITY = 0x8000;
constexpr u32 RO_COMPAT_ORPHAN_PRESENT = 0x10000;

constexpr u32 INCOMPAT_COMPRESSION = 0x1;
constexpr u32 INCOMPAT_FILETYPE = 0x2;
constexpr u32 INCOMPAT_RECOVER = 0x4;
constexpr u32 INCOMPAT_JOURNAL_DEV = 0x8;
constexpr u32 INCOMPAT_META_BG = 0x10;
constexpr u32 INCOMPAT_EXTENTS = 0x40;
constexpr u32 INCOMPAT_64BIT = 0x80;
constexpr u32 INCOMPAT_MMP = 0x100;
constexpr u32 INCOMPAT_FLEX_BG = 0x200;
constexpr u32 INCOMPAT_EA_INODE = 0x400;
constexpr u32 INCOMPAT_DIRDATA = 0x1000;
constexpr u32 INCOMPAT_CSUM_SEED = 0x2000;
constexpr u32 INCOMPAT_LARGEDIR = 0x4000;
constexpr u32 INCOMPAT_INLINE_DATA = 0x8000;
constexpr u32 INCOMPAT_ENCRYPT = 0x10000;
constexpr u32 INCOMPAT_CASEFOLD = 0x20000;

struct SuperBlock {
    u32 s_inodes_count;
    u32 s_blocks_count_lo;
    u32 s_r_blocks_count_lo;
    u32 s_free_blocks_count_lo;
    u32 s_free_inodes_count;
    u32 s_first_data_block;
    u32 s_log_block_size;
    u32 s_log_cluster_size;
    u32 s_blocks_per_group;
    u32 s_clusters_per_group;
    u32 s_inodes_per_group;
    u32 s_mtime;
    u32 s_wtime;
    u16 s_mnt_count;
    i16 s_max_mnt_count;
    u16 s_magic;
    u16 s_state;
    u16 s_errors;
    u16 s_minor_rev_level;
    u32 s_lastcheck;
    u32 s_checkinterval;
    u32 s_creator_os;
    u32 s_rev_level;
    u16 s_def_resuid;
    u16 s_def_resgid;
    u32 s_first_ino;
    u16 s_inode_size;
    u16 s_block_group_nr;
    u32 s_feature_compat;
    u32 s_feature_incompat;
    u32 s_feature_ro_compat;
    u8 s_uuid[16];
    char s_volume_name[16];
    char s_last_mounted[64];
    u32 s_algorithm_usage_bitmap;
    u8 s_prealloc_blocks;
    u8 s_prealloc_dir_blocks;
    u16 s_reserved_gdt_blocks;
    u8 s_journal_uuid[16];
    u32 s_journal_inum;
    u32 s_journal_dev;
    u32 s_last_orphan;
    u32 s_hash_seed[4];
    u8 s_def_hash_version;
    u8 s_jnl_backup_type;
    u16 s_desc_size;
    u32 s_default_mount_opts;
    u32 s_first_meta_bg;
    u32 s_mkfs_time;
    u32 s_jnl_blocks[17];
    u32 s_blocks_count_hi;
    u32 s_r_blocks_count_hi;
    u32 s_free_blocks_count_hi;
    u16 s_min_extra_isize;
    u16 s_want_extra_isize;
    u32 s_flags;
    u16 s_raid_stride;
    u16 s_mmp_update_interval;
    u64 s_mmp_block;
    u32 s_raid_stripe_width;
    u8 s_log_groups_per_flex;
    u8 s_checksum_type;
    u8 s_encryption_level;
    u8 s_reserved_pad;
    u64 s_kbytes_written;
    u8 s_snapshot_and_error_fields[0x200 - 0x180];
    u8 s_mount_opts[64];
    u32 s_usr_quota_inum;
    u32 s_grp_quota_inum;
    u32 s_overhead_clusters;
    u32 s_backup_bgs[2];
    u8 s_encrypt_algos[4];
    u8 s_encrypt_pw_salt[16];
    u32 s_lpf_ino;
    u32 s_prj_quota_inum;
    u32 s_checksum_seed;
    u8 s_time_hi_and_errcodes[8];
    u16 s_encoding;
    u16 s_encoding_flags;
    u32 s_orphan_file_inum;
    u32 s_reserved[94];
    u32 s_checksum;
};
static_assert(sizeof(SuperBlock) == 1024);
static_assert(offsetof(SuperBlock, s_uuid) == 0x68);
static_assert(offsetof(SuperBlock, s_last_orphan) == 0xE8);
static_assert(offsetof(SuperBlock, s_desc_size) == 0xFE);
static_assert(offsetof(SuperBlock, s_blocks_count_hi) == 0x150);
static_assert(offsetof(SuperBlock, s_log_groups_per_flex) == 0x174);
static_assert(offsetof(SuperBlock, s_checksum_seed) == 0x270);
static_assert(offsetof(SuperBlock, s_orphan_file_inum) == 0x280);

// bg_flags
constexpr u16 BG_INODE_UNINIT = 0x1;
constexpr u16 BG_BLOCK_UNINIT = 0x2;
constexpr u16 BG_INODE_ZEROED = 0x4;

// A 64-byte descriptor; 32-byte descriptors are its first half.
struct GroupDesc {
    u32 bg_block_bitmap_lo;
    u32 bg_inode_bitmap_lo;
    u32 bg_inode_table_lo;
    u16 bg_free_blocks_count_lo;
    u16 bg_free_inodes_count_lo;
    u16 bg_used_dirs_count_lo;
    u16 bg_flags;
    u32 bg_exclude_bitmap_lo;
    u16 bg_block_bitmap_csum_lo;
    u16 bg_inode_bitmap_csum_lo;
    u16 bg_itable_unused_lo;
    u16 bg_checksum;
    u32 bg_block_bitmap_hi;
    u32 bg_inode_bitmap_hi;
    u32 bg_inode_table_hi;
    u16 bg_free_blocks_count_hi;
    u16 bg_free_inodes_count_hi;
    u16 bg_used_dirs_count_hi;
    u16 bg_itable_unused_hi;
    u32 bg_exclude_bitmap_hi;
    u16 bg_block_bitmap_csum_hi;
    u16 bg_inode_bitmap_csum_hi;
    u32 bg_reserved;
};
static_assert(sizeof(GroupDesc) == 64);
constexpr u32 GROUP_DESC_MIN_SIZE = 32;
constexpr u32 GROUP_DESC_MIN_SIZE_64BIT = 64;
constexpr u32 BG_CHECKSUM_OFFSET = offsetof(GroupDesc, bg_checksum);
constexpr u32 BG_BLOCK_BITMAP_CSUM_HI_END = offsetof(GroupDesc, bg_block_bitmap_csum_hi) + 2;
constexpr u32 BG_INODE_BITMAP_CSUM_HI_END = offsetof(GroupDesc, bg_inode_bitmap_csum_hi) + 2;

// i_flags
constexpr u32 INODE_SECRM_FL = 0x1;
constexpr u32 INODE_COMPR_FL = 0x4;
constexpr u32 INODE_IMMUTABLE_FL = 0x10;
constexpr u32 INODE_APPEND_FL = 0x20;
constexpr u32 INODE_ENCRYPT_FL = 0x800;
constexpr u32 INODE_INDEX_FL = 0x1000;
constexpr u32 INODE_HUGE_FILE_FL = 0x40000;
constexpr u32 INODE_EXTENTS_FL = 0x80000;
constexpr u32 INODE_VERITY_FL = 0x100000;
constexpr u32 INODE_EA_INODE_FL = 0x200000;
constexpr u32 INODE_INLINE_DATA_FL = 0x10000000;
constexpr u32 INODE_CASEFOLD_FL = 0x40000000;

constexpr usize INODE_BLOCK_POINTERS = 15;
constexpr usize DIRECT_BLOCKS = 12;
constexpr usize IND_BLOCK = 12;
constexpr usize DIND_BLOCK = 13;
constexpr usize TIND_BLOCK = 14;

struct RawInode {
    u16 i_mode;
    u16 i_uid;
    u32 i_size_lo;
    u32 i_atime;
    u32 i_ctime;
    u32 i_mtime;
    u32 i_dtime;
    u16 i_gid;
    u16 i_links_count;
    u32 i_blocks_lo;
    u32 i_flags;
    u32 i_version_lo;
    u32 i_block[INODE_BLOCK_POINTERS];
    u32 i_generation;
    u32 i_file_acl_lo;
    u32 i_size_high;
    u32 i_obso_faddr;
    u16 i_blocks_high;
    u16 i_file_acl_high;
    u16 i_uid_high;
    u16 i_gid_high;
    u16 i_checksum_lo;
    u16 i_reserved;
    // The large-inode part, valid up to GOOD_OLD_INODE_SIZE + i_extra_isize.
    u16 i_extra_isize;
    u16 i_checksum_hi;
    u32 i_ctime_extra;
    u32 i_mtime_extra;
    u32 i_atime_extra;
    u32 i_crtime;
    u32 i_crtime_extra;
    u32 i_version_hi;
    u32 i_projid;
};
static_assert(sizeof(RawInode) == 160);
static_assert(offsetof(RawInode, i_block) == 0x28);
static_assert(offsetof(RawInode, i_checksum_lo) == 0x7C);
static_assert(offsetof(RawInode, i_extra_isize) == 0x80);
constexpr u32 INODE_CHECKSUM_LO_OFFSET = offsetof(RawInode, i_checksum_lo);
constexpr u32 INODE_CHECKSUM_HI_OFFSET = offsetof(RawInode, i_checksum_hi);
// Extra-isize values that cover a field (Linux: EXT4_FITS_IN_INODE).
constexpr u32 EXTRA_END_CHECKSUM_HI = offsetof(RawInode, i_ctime_extra) - GOOD_OLD_INODE_SIZE;
constexpr u32 EXTRA_END_CTIME = offsetof(RawInode, i_mtime_extra) - GOOD_OLD_INODE_SIZE;
constexpr u32 EXTRA_END_MTIME = offsetof(RawInode, i_atime_extra) - GOOD_OLD_INODE_SIZE;
constexpr u32 EXTRA_END_ATIME = offsetof(RawInode, i_crtime) - GOOD_OLD_INODE_SIZE;
constexpr u32 EXTRA_END_CRTIME = offsetof(RawInode, i_version_hi) - GOOD_OLD_INODE_SIZE;
constexpr u32 EXTRA_ISIZE_DEFAULT = sizeof(RawInode) - GOOD_OLD_INODE_SIZE;  // 32

// Extent tree (Linux: fs/ext4/ext4_extents.h).
constexpr u16 EXTENT_MAGIC = 0xF30A;
constexpr u32 EXTENT_MAX_DEPTH = 5;
constexpr u32 EXTENT_INIT_MAX_LEN = 1u << 15;
constexpr u32 EXTENT_UNWRITTEN_MAX_LEN = EXTENT_INIT_MAX_LEN - 1;

struct ExtentHeader {
    u16 eh_magic;
    u16 eh_entries;
    u16 eh_max;
    u16 eh_depth;
    u32 eh_generation;
};
struct Extent {
    u32 ee_block;
    u16 ee_len;
    u16 ee_start_hi;
    u32 ee_start_lo;
};
struct ExtentIndex {
    u32 ei_block;
    u32 ei_leaf_lo;
    u16 ei_leaf_hi;
    u16 ei_unused;
};
struct ExtentTail {
    u32 et_checksum;
};
static_assert(sizeof(ExtentHeader) == 12 && sizeof(Extent) == 12 && sizeof(ExtentIndex) == 12);

// Directory entries (Linux: struct ext4_dir_entry_2).
struct DirEntryHeader {
    u32 inode;
    u16 rec_len;
    u8 name_len;
    u8 file_type;
};
static_assert(sizeof(DirEntryHeader) == 8);
constexpr u32 DIR_ROUND = 4;
constexpr u32 dir_rec_len(u32 name_len) { return (8 + name_len + DIR_ROUND - 1) & ~(DIR_ROUND - 1); }

enum FileType : u8 {
    FT_UNKNOWN = 0,
    FT_REG_FILE = 1,
    FT_DIR = 2,
    FT_CHRDEV = 3,
    FT_BLKDEV = 4,
    FT_FIFO = 5,
    FT_SOCK = 6,
    FT_SYMLINK = 7,
};

// The checksum tail of a leaf directory block, a fake entry of 12 bytes.
struct DirTail {
    u32 det_reserved_zero1;
    u16 det_rec_len;
    u8 det_reserved_zero2;
    u8 det_reserved_ft;
    u32 det_checksum;
};
static_assert(sizeof(DirTail) == 12);
constexpr u8 DIR_TAIL_FT = 0xDE;

// htree (Linux: fs/ext4/namei.c).
struct DxRootInfo {
    u32 reserved_zero;
    u8 hash_version;
    u8 info_length;
    u8 indirect_levels;
    u8 unused_flags;
};
struct DxCountLimit {
    u16 limit;
    u16 count;
};
struct DxEntry {
    u32 hash;
    u32 block;
};
struct DxTail {
    u32 dt_reserved;
    u32 dt_checksum;
};
constexpr u32 DX_ROOT_INFO_OFFSET = 24;  // after the fake "." and ".." entries
constexpr u32 DX_ROOT_ENTRIES_OFFSET = DX_ROOT_INFO_OFFSET + sizeof(DxRootInfo);
constexpr u32 DX_NODE_ENTRIES_OFFSET = 8;  // after a fake empty entry covering the block
constexpr u32 DX_MAX_LEVELS_LARGEDIR = 3;
constexpr u32 DX_MAX_LEVELS = 2;

enum DxHash : u8 {
    DX_HASH_LEGACY = 0,
    DX_HASH_HALF_MD4 = 1,
    DX_HASH_TEA = 2,
    DX_HASH_LEGACY_UNSIGNED = 3,
    DX_HASH_HALF_MD4_UNSIGNED = 4,
    DX_HASH_TEA_UNSIGNED = 5,
    DX_HASH_SIPHASH = 6,
};

// Extended attributes (Linux: fs/ext4/xattr.h).
constexpr u32 XATTR_MAGIC = 0xEA020000;
struct XattrBlockHeader {
    u32 h_magic;
    u32 h_refcount;
    u32 h_blocks;
    u32 h_hash;
    u32 h_checksum;
    u32 h_reserved[3];
};
static_assert(sizeof(XattrBlockHeader) == 32);
struct XattrEntry {
    u8 e_name_len;
    u8 e_name_index;
    u16 e_value_offs;
    u32 e_value_inum;
    u32 e_value_size;
    u32 e_hash;
    // char e_name[e_name_len] follows, padded to 4 bytes.
};
static_assert(sizeof(XattrEntry) == 16);
constexpr u32 XATTR_PAD = 4;
constexpr u32 xattr_entry_size(u32 name_len) { return (16 + name_len + XATTR_PAD - 1) & ~(XATTR_PAD - 1); }
constexpr u32 xattr_value_size(u32 size) { return (size + XATTR_PAD - 1) & ~(XATTR_PAD - 1); }
constexpr u32 XATTR_REFCOUNT_MAX = 1024;

enum XattrIndex : u8 {
    XATTR_INDEX_USER = 1,
    XATTR_INDEX_POSIX_ACL_ACCESS = 2,
    XATTR_INDEX_POSIX_ACL_DEFAULT = 3,
    XATTR_INDEX_TRUSTED = 4,
    XATTR_INDEX_LUSTRE = 5,
    XATTR_INDEX_SECURITY = 6,
    XATTR_INDEX_SYSTEM = 7,
    XATTR_INDEX_RICHACL = 8,
};

// i_mode file types (the ext4 format's values, which are Linux's S_IF*; <linux/stat.h>
// hides them from glibc-based builds, so they are spelled out as the format defines them).
constexpr u32 MODE_TYPE_MASK = 0xF000;
constexpr u32 MODE_FIFO = 0x1000;
constexpr u32 MODE_CHR = 0x2000;
constexpr u32 MODE_DIR = 0x4000;
constexpr u32 MODE_BLK = 0x6000;
constexpr u32 MODE_REG = 0x8000;
constexpr u32 MODE_LNK = 0xA000;
constexpr u32 MODE_SOCK = 0xC000;

// Little-endian field access for byte buffers (the format is little-endian and so is
// x86_64; these keep unaligned accesses well defined).
inline u16 load_le16(const u8* p) { return static_cast<u16>(p[0] | (p[1] << 8)); }
inline u32 load_le32(const u8* p) {
    return static_cast<u32>(p[0]) | static_cast<u32>(p[1]) << 8 | static_cast<u32>(p[2]) << 16 |
           static_cast<u32>(p[3]) << 24;
}
inline void store_le16(u8* p, u16 v) {
    p[0] = static_cast<u8>(v);
    p[1] = static_cast<u8>(v >> 8);
}
inline void store_le32(u8* p, u32 v) {
    for (int i = 0; i < 4; i++) p[i] = static_cast<u8>(v >> (8 * i));
}

}  // namespace ext4
