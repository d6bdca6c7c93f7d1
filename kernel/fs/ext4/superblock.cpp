// ext4: mounting — reading and checking the superblock, feature negotiation, writing the
// superblock back, statfs, sync and unmount.
#include "fs/ext4/filesystem.h"
#include "fs/ext4/journal.h"
#include "lib/crc32c.h"
#include "lib/string.h"
#include "log/klog.h"

namespace ext4 {
namespace {

struct FeatureName {
    u32 bit;
    const char* name;
};

// Features this implementation reads and writes; anything else incompatible refuses the
// mount, anything else read-only-compatible forces a read-only mount.
constexpr u32 SUPPORTED_INCOMPAT = INCOMPAT_FILETYPE | INCOMPAT_RECOVER | INCOMPAT_META_BG |
                                   INCOMPAT_EXTENTS | INCOMPAT_64BIT | INCOMPAT_FLEX_BG |
                                   INCOMPAT_CSUM_SEED | INCOMPAT_LARGEDIR;
constexpr u32 SUPPORTED_RO_COMPAT = RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE |
                                    RO_COMPAT_HUGE_FILE | RO_COMPAT_GDT_CSUM |
                                    RO_COMPAT_DIR_NLINK | RO_COMPAT_EXTRA_ISIZE |
                                    RO_COMPAT_METADATA_CSUM | RO_COMPAT_BTREE_DIR;

constexpr FeatureName INCOMPAT_NAMES[] = {
    {INCOMPAT_COMPRESSION, "compression"}, {INCOMPAT_JOURNAL_DEV, "journal_dev"},
    {INCOMPAT_MMP, "mmp"},                 {INCOMPAT_EA_INODE, "ea_inode"},
    {INCOMPAT_DIRDATA, "dirdata"},         {INCOMPAT_INLINE_DATA, "inline_data"},
    {INCOMPAT_ENCRYPT, "encrypt"},         {INCOMPAT_CASEFOLD, "casefold"},
};
constexpr FeatureName RO_COMPAT_NAMES[] = {
    {RO_COMPAT_HAS_SNAPSHOT, "snapshot"},     {RO_COMPAT_QUOTA, "quota"},
    {RO_COMPAT_BIGALLOC, "bigalloc"},         {RO_COMPAT_REPLICA, "replica"},
    {RO_COMPAT_READONLY, "read-only"},        {RO_COMPAT_PROJECT, "project"},
    {RO_COMPAT_SHARED_BLOCKS, "shared_blocks"}, {RO_COMPAT_VERITY, "verity"},
    {RO_COMPAT_ORPHAN_PRESENT, "orphan_present"},
};

const char* feature_name(const FeatureName* names, usize count, u32 bit) {
    for (usize i = 0; i < count; i++)
        if (names[i].bit == bit) return names[i].name;
    return "unknown";
}

}  // namespace

Ext4Filesystem::Ext4Filesystem(BlockDevice& device, u32 block_size)
    : m_device(device), m_cache(device, block_size), m_block_size(block_size) {}

Ext4Filesystem::~Ext4Filesystem() {
    if (m_freed) {
        for (u32 group = 0; group < m_group_count; group++) delete[] m_freed[group];
        delete[] m_freed;
    }
    delete[] m_pins;
    journal_destroy(m_journal);
}

Result<OwnPtr<Ext4Filesystem>> Ext4Filesystem::mount(BlockDevice& device, u32 flags) {
    SuperBlock sb;
    if (device.sector_count() < (SUPERBLOCK_OFFSET + sizeof(sb)) / BlockDevice::SECTOR_SIZE) {
        pr_err("ext4 (%s): device too small for a superblock", device.name());
        return err(EINVAL);
    }
    TRY(device.read_sectors(SUPERBLOCK_OFFSET / BlockDevice::SECTOR_SIZE,
                            sizeof(sb) / BlockDevice::SECTOR_SIZE, &sb));
    if (sb.s_magic != SUPER_MAGIC) {
        pr_err("ext4 (%s): no ext2/3/4 superblock (magic %#x)", device.name(), sb.s_magic);
        return err(EINVAL);
    }
    if (sb.s_log_block_size > 6) {
        pr_err("ext4 (%s): invalid block size 2^%u KiB", device.name(), sb.s_log_block_size);
        return err(EFSCORRUPTED);
    }
    u32 block_size = 1024u << sb.s_log_block_size;
    auto fs = OwnPtr<Ext4Filesystem>(new (kstd::nothrow) Ext4Filesystem(device, block_size));
    if (!fs) return err(ENOMEM);
    fs->m_sb = sb;
    fs->m_log_block_size = 10 + sb.s_log_block_size;
    TRY(fs->load_superblock(flags));
    TRY(fs->load_group_descriptors());
    if (fs->has_compat(COMPAT_HAS_JOURNAL)) TRY(fs->journal_load());
    if (fs->has_incompat(INCOMPAT_RECOVER)) {
        if (!fs->has_compat(COMPAT_HAS_JOURNAL)) {
            pr_err("ext4 (%s): needs_recovery set without a journal", device.name());
            return err(EFSCORRUPTED);
        }
        if (device.read_only()) {
            pr_err("ext4 (%s): journal needs recovery but the device is read-only",
                   device.name());
            return err(EROFS);
        }
        TRY(fs->journal_replay());
    }
    fs->m_mounted = true;
    if (!fs->m_read_only) {
        TRY(fs->process_orphans());
        TRY(fs->sync());
    }
    return fs;
}

ErrorOr Ext4Filesystem::load_superblock(u32 flags) {
    const char* dev = m_device.name();
    SuperBlock& sb = m_sb;
    if (sb.s_rev_level == 0) {
        sb.s_inode_size = GOOD_OLD_INODE_SIZE;
        sb.s_first_ino = GOOD_OLD_FIRST_INO;
        sb.s_feature_compat = sb.s_feature_incompat = sb.s_feature_ro_compat = 0;
    }
    TRY(check_features(flags));
    if (has_metadata_csum()) {
        if (sb.s_checksum_type != 1) {
            pr_err("ext4 (%s): unknown checksum type %u", dev, sb.s_checksum_type);
            return err(EINVAL);
        }
        if (superblock_checksum(sb) != sb.s_checksum) {
            pr_err("ext4 (%s): superblock checksum mismatch", dev);
            return err(EFSBADCRC);
        }
    }
    m_blocks_count = sb.s_blocks_count_lo;
    if (has_incompat(INCOMPAT_64BIT)) m_blocks_count |= static_cast<u64>(sb.s_blocks_count_hi) << 32;
    m_first_data_block = sb.s_first_data_block;
    m_blocks_per_group = sb.s_blocks_per_group;
    m_inodes_per_group = sb.s_inodes_per_group;
    m_inode_size = sb.s_inode_size;
    m_first_ino = sb.s_first_ino;
    u64 device_blocks = m_device.sector_count() / (m_block_size / BlockDevice::SECTOR_SIZE);
    if (m_blocks_count == 0 || m_blocks_count > device_blocks) {
        pr_err("ext4 (%s): %llu blocks do not fit the device (%llu blocks)", dev,
               static_cast<unsigned long long>(m_blocks_count),
               static_cast<unsigned long long>(device_blocks));
        return err(EFSCORRUPTED);
    }
    if (m_first_data_block != (m_block_size == 1024 ? 1u : 0u)) {
        pr_err("ext4 (%s): invalid first data block %u", dev, m_first_data_block);
        return err(EFSCORRUPTED);
    }
    if (m_blocks_per_group == 0 || m_blocks_per_group > m_block_size * 8 ||
        sb.s_clusters_per_group != m_blocks_per_group) {
        pr_err("ext4 (%s): invalid blocks per group %u", dev, m_blocks_per_group);
        return err(EFSCORRUPTED);
    }
    if (m_inode_size < GOOD_OLD_INODE_SIZE || m_inode_size > m_block_size ||
        !kstd::has_single_bit(m_inode_size)) {
        pr_err("ext4 (%s): invalid inode size %u", dev, m_inode_size);
        return err(EFSCORRUPTED);
    }
    u32 inodes_per_block = m_block_size / m_inode_size;
    if (m_inodes_per_group == 0 || m_inodes_per_group > m_block_size * 8 ||
        m_inodes_per_group % inodes_per_block != 0) {
        pr_err("ext4 (%s): invalid inodes per group %u", dev, m_inodes_per_group);
        return err(EFSCORRUPTED);
    }
    m_inode_tables_blocks = m_inodes_per_group / inodes_per_block;
    u64 groups = (m_blocks_count - m_first_data_block + m_blocks_per_group - 1) / m_blocks_per_group;
    if (groups == 0 || groups > 0xFFFFFFFFull / m_inodes_per_group ||
        groups * m_inodes_per_group != sb.s_inodes_count) {
        pr_err("ext4 (%s): inode count %u does not match %llu groups of %u", dev,
               sb.s_inodes_count, static_cast<unsigned long long>(groups), m_inodes_per_group);
        return err(EFSCORRUPTED);
    }
    m_group_count = static_cast<u32>(groups);
    if (m_first_ino < GOOD_OLD_FIRST_INO || m_first_ino >= sb.s_inodes_count) {
        pr_err("ext4 (%s): invalid first inode %u", dev, m_first_ino);
        return err(EFSCORRUPTED);
    }
    if (has_incompat(INCOMPAT_64BIT)) {
        m_desc_size = sb.s_desc_size;
        if (m_desc_size < GROUP_DESC_MIN_SIZE_64BIT || m_desc_size > m_block_size ||
            !kstd::has_single_bit(m_desc_size)) {
            pr_err("ext4 (%s): invalid group descriptor size %u", dev, m_desc_size);
            return err(EFSCORRUPTED);
        }
    } else {
        m_desc_size = GROUP_DESC_MIN_SIZE;
    }
    m_descs_per_block = m_block_size / m_desc_size;
    m_gdt_blocks = (m_group_count + m_descs_per_block - 1) / m_descs_per_block;
    if (has_incompat(INCOMPAT_META_BG) && sb.s_first_meta_bg > m_gdt_blocks) {
        pr_err("ext4 (%s): invalid first_meta_bg %u", dev, sb.s_first_meta_bg);
        return err(EFSCORRUPTED);
    }
    if (m_inode_size > GOOD_OLD_INODE_SIZE && has_ro_compat(RO_COMPAT_EXTRA_ISIZE) &&
        (sb.s_want_extra_isize > m_inode_size - GOOD_OLD_INODE_SIZE ||
         sb.s_min_extra_isize > m_inode_size - GOOD_OLD_INODE_SIZE)) {
        pr_err("ext4 (%s): invalid extra inode size", dev);
        return err(EFSCORRUPTED);
    }
    if (has_incompat(INCOMPAT_CSUM_SEED))
        m_csum_seed = sb.s_checksum_seed;
    else
        m_csum_seed = klib::crc32c(~0u, sb.s_uuid, sizeof(sb.s_uuid));
    if (u64(m_group_count) * m_inodes_per_group > 0xFFFFFFFFull) return err(EFSCORRUPTED);
    if (sb.s_state & STATE_ERROR) pr_warn("ext4 (%s): file system has errors, run e2fsck", dev);
    delete[] m_freed;  // loaded again after a journal replay, before any block was freed
    m_freed = new (kstd::nothrow) u8*[m_group_count]();
    if (!m_freed) return err(ENOMEM);
    m_generation_state = sb.s_wtime ^ load_le32(sb.s_uuid) ^ 0x9E3779B9u;
    return {};
}

ErrorOr Ext4Filesystem::check_features(u32 flags) {
    const char* dev = m_device.name();
    u32 unknown_incompat = m_sb.s_feature_incompat & ~SUPPORTED_INCOMPAT;
    if (unknown_incompat) {
        u32 bit = unknown_incompat & -unknown_incompat;
        pr_err("ext4 (%s): unsupported incompatible feature '%s' (%#x), refusing to mount", dev,
               feature_name(INCOMPAT_NAMES, kstd::size(INCOMPAT_NAMES), bit), unknown_incompat);
        return err(EINVAL);
    }
    m_read_only = (flags & MOUNT_READ_ONLY) || m_device.read_only();
    u32 unknown_ro = m_sb.s_feature_ro_compat & ~SUPPORTED_RO_COMPAT;
    if (unknown_ro && !m_read_only) {
        u32 bit = unknown_ro & -unknown_ro;
        pr_warn("ext4 (%s): unsupported read-only-compatible feature '%s' (%#x), mounting read-only",
                dev, feature_name(RO_COMPAT_NAMES, kstd::size(RO_COMPAT_NAMES), bit), unknown_ro);
        m_read_only = true;
    }
    if (has_compat(COMPAT_FAST_COMMIT) && has_incompat(INCOMPAT_RECOVER))
        pr_warn("ext4 (%s): fast-commit records in the journal are not replayed", dev);
    if (has_ro_compat(RO_COMPAT_GDT_CSUM) && has_metadata_csum()) {
        pr_err("ext4 (%s): both uninit_bg and metadata_csum set", dev);
        return err(EINVAL);
    }
    return {};
}

u32 Ext4Filesystem::superblock_checksum(const SuperBlock& sb) const {
    return klib::crc32c(~0u, &sb, offsetof(SuperBlock, s_checksum));
}

u64 Ext4Filesystem::free_blocks_count() const {
    u64 count = m_sb.s_free_blocks_count_lo;
    if (has_incompat(INCOMPAT_64BIT)) count |= static_cast<u64>(m_sb.s_free_blocks_count_hi) << 32;
    return count;
}

void Ext4Filesystem::set_free_blocks_count(u64 count) {
    m_sb.s_free_blocks_count_lo = static_cast<u32>(count);
    if (has_incompat(INCOMPAT_64BIT)) m_sb.s_free_blocks_count_hi = static_cast<u32>(count >> 32);
    m_superblock_dirty = true;
}

Timestamp Ext4Filesystem::now() const {
    if (m_clock) return m_clock();
    return Timestamp{static_cast<i64>(m_sb.s_wtime), 0};
}

ErrorOr Ext4Filesystem::require_writable() const {
    if (m_read_only) return err(EROFS);
    return {};
}

// Copies the in-memory superblock into the buffer holding it, with a fresh checksum.
void Ext4Filesystem::store_superblock(u8* block_data, usize offset_in_block) {
    if (has_metadata_csum()) m_sb.s_checksum = superblock_checksum(m_sb);
    memcpy(block_data + offset_in_block, &m_sb, sizeof(m_sb));
}

ErrorOr Ext4Filesystem::write_superblock() {
    u64 block = SUPERBLOCK_OFFSET / m_block_size;
    usize offset = SUPERBLOCK_OFFSET % m_block_size;
    auto buffer = TRY(m_cache.get(block));
    store_superblock(buffer.data(), offset);
    buffer.mark_dirty();
    m_superblock_dirty = false;
    return {};
}

ErrorOr Ext4Filesystem::sync() {
    if (m_read_only) return {};
    if (m_superblock_dirty || m_cache.dirty_count()) {
        m_sb.s_wtime = static_cast<u32>(now().sec);
        TRY(write_superblock());
    }
    if (m_journal) return commit();
    return write_back_without_journal();
}

ErrorOr Ext4Filesystem::write_back_without_journal() {
    TRY(m_cache.write_back());
    clear_freed();
    return m_cache.flush();
}

ErrorOr Ext4Filesystem::maybe_commit() {
    // Every public operation leaves the file system consistent, so a commit may happen
    // between any two of them; commit once enough metadata is dirty.
    usize limit = m_journal ? journal_commit_threshold(m_journal) : 1024;
    if (m_cache.dirty_count() < limit) return {};
    return sync();
}

ErrorOr Ext4Filesystem::unmount() {
    if (!m_mounted) return {};
    TRY(sync());
    m_mounted = false;
    return {};
}

ErrorOr Ext4Filesystem::remount(u32 flags) {
    bool read_only = flags & MOUNT_READ_ONLY;
    if (read_only == m_read_only) return {};
    if (read_only) {
        TRY(sync());
        m_read_only = true;
        return {};
    }
    u32 unknown_ro = m_sb.s_feature_ro_compat & ~SUPPORTED_RO_COMPAT;
    if (m_device.read_only() || unknown_ro) {
        pr_err("ext4 (%s): cannot remount read-write: %s", m_device.name(),
               m_device.read_only() ? "the device is read-only" : "unsupported read-only-compatible features");
        return err(EROFS);
    }
    m_read_only = false;
    TRY(process_orphans());
    return sync();
}

Result<StatFs> Ext4Filesystem::statfs() {
    StatFs result{};
    result.block_size = m_block_size;
    result.blocks = m_blocks_count - m_first_data_block;
    result.free_blocks = free_blocks_count();
    u64 reserved = m_sb.s_r_blocks_count_lo;
    if (has_incompat(INCOMPAT_64BIT)) reserved |= static_cast<u64>(m_sb.s_r_blocks_count_hi) << 32;
    result.available_blocks = result.free_blocks > reserved ? result.free_blocks - reserved : 0;
    result.inodes = m_sb.s_inodes_count;
    result.free_inodes = m_sb.s_free_inodes_count;
    result.name_max = NAME_LEN;
    memcpy(result.uuid, m_sb.s_uuid, sizeof(result.uuid));
    return result;
}

}  // namespace ext4
