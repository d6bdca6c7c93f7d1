// ext4: block groups — where each group's descriptor, bitmaps and inode table live, the
// descriptor fields split across 32/64-byte layouts, and descriptor and bitmap checksums.
#include "fs/ext4/filesystem.h"
#include "lib/crc32c.h"
#include "log/klog.h"

namespace ext4 {
namespace {

bool is_power_of(u32 value, u32 base) {
    while (value > 1 && value % base == 0) value /= base;
    return value == 1;
}

}  // namespace

bool Ext4Filesystem::has_group_checksums() const {
    return has_metadata_csum() || has_ro_compat(RO_COMPAT_GDT_CSUM);
}

bool Ext4Filesystem::group_has_superblock(u32 group) const {
    if (group == 0) return true;
    if (has_compat(COMPAT_SPARSE_SUPER2))
        return group == m_sb.s_backup_bgs[0] || group == m_sb.s_backup_bgs[1];
    if (group <= 1 || !has_ro_compat(RO_COMPAT_SPARSE_SUPER)) return true;
    if (!(group & 1)) return false;
    return is_power_of(group, 3) || is_power_of(group, 5) || is_power_of(group, 7);
}

u64 Ext4Filesystem::group_first_block(u32 group) const {
    return static_cast<u64>(group) * m_blocks_per_group + m_first_data_block;
}

u32 Ext4Filesystem::group_block_count(u32 group) const {
    if (group + 1 < m_group_count) return m_blocks_per_group;
    return static_cast<u32>(m_blocks_count - group_first_block(group));
}

// Linux: ext4_num_base_meta_clusters — the superblock copy, descriptor blocks and reserved
// descriptor blocks at the start of a group.
u32 Ext4Filesystem::group_overhead_blocks(u32 group) const {
    u32 count = group_has_superblock(group) ? 1 : 0;
    bool meta_bg = has_incompat(INCOMPAT_META_BG);
    if (!meta_bg || group < m_sb.s_first_meta_bg * m_descs_per_block) {
        if (count) {
            count += meta_bg ? m_sb.s_first_meta_bg : m_gdt_blocks;
            count += m_sb.s_reserved_gdt_blocks;
        }
    } else {
        u32 index = group % m_descs_per_block;
        if (index == 0 || index == 1 || index == m_descs_per_block - 1) count += 1;
    }
    return count;
}

// Linux: descriptor_loc.
u64 Ext4Filesystem::descriptor_block_location(u32 index) const {
    if (!has_incompat(INCOMPAT_META_BG) || index < m_sb.s_first_meta_bg)
        return m_first_data_block + 1 + index;
    u32 group = m_descs_per_block * index;
    u32 has_super = group_has_superblock(group) ? 1 : 0;
    return group_first_block(group) + has_super;
}

Result<BufferRef> Ext4Filesystem::group_desc_buffer(u32 group, GroupDesc** desc) {
    if (group >= m_group_count) return err(EFSCORRUPTED);
    auto buffer = TRY(m_cache.get(descriptor_block_location(group / m_descs_per_block)));
    *desc = reinterpret_cast<GroupDesc*>(buffer.data() + (group % m_descs_per_block) * m_desc_size);
    return buffer;
}

u64 Ext4Filesystem::gd_block_bitmap(const GroupDesc& d) const {
    u64 v = d.bg_block_bitmap_lo;
    if (m_desc_size >= GROUP_DESC_MIN_SIZE_64BIT) v |= static_cast<u64>(d.bg_block_bitmap_hi) << 32;
    return v;
}
u64 Ext4Filesystem::gd_inode_bitmap(const GroupDesc& d) const {
    u64 v = d.bg_inode_bitmap_lo;
    if (m_desc_size >= GROUP_DESC_MIN_SIZE_64BIT) v |= static_cast<u64>(d.bg_inode_bitmap_hi) << 32;
    return v;
}
u64 Ext4Filesystem::gd_inode_table(const GroupDesc& d) const {
    u64 v = d.bg_inode_table_lo;
    if (m_desc_size >= GROUP_DESC_MIN_SIZE_64BIT) v |= static_cast<u64>(d.bg_inode_table_hi) << 32;
    return v;
}

#define EXT4_GD_COUNTER(getter, setter, field)                                              \
    u32 Ext4Filesystem::getter(const GroupDesc& d) const {                                  \
        u32 v = d.field##_lo;                                                               \
        if (m_desc_size >= GROUP_DESC_MIN_SIZE_64BIT) v |= static_cast<u32>(d.field##_hi) << 16; \
        return v;                                                                           \
    }                                                                                       \
    void Ext4Filesystem::setter(GroupDesc& d, u32 v) {                                      \
        d.field##_lo = static_cast<u16>(v);                                                 \
        if (m_desc_size >= GROUP_DESC_MIN_SIZE_64BIT) d.field##_hi = static_cast<u16>(v >> 16); \
    }
EXT4_GD_COUNTER(gd_free_blocks, gd_set_free_blocks, bg_free_blocks_count)
EXT4_GD_COUNTER(gd_free_inodes, gd_set_free_inodes, bg_free_inodes_count)
EXT4_GD_COUNTER(gd_used_dirs, gd_set_used_dirs, bg_used_dirs_count)
EXT4_GD_COUNTER(gd_itable_unused, gd_set_itable_unused, bg_itable_unused)
#undef EXT4_GD_COUNTER

// Linux: ext4_group_desc_csum.
u16 Ext4Filesystem::gd_checksum(u32 group, const GroupDesc& d) const {
    const u8* bytes = reinterpret_cast<const u8*>(&d);
    u8 le_group[4];
    store_le32(le_group, group);
    if (has_metadata_csum()) {
        u16 zero = 0;
        u32 crc = klib::crc32c(m_csum_seed, le_group, 4);
        crc = klib::crc32c(crc, bytes, BG_CHECKSUM_OFFSET);
        crc = klib::crc32c(crc, &zero, 2);
        if (m_desc_size > BG_CHECKSUM_OFFSET + 2)
            crc = klib::crc32c(crc, bytes + BG_CHECKSUM_OFFSET + 2, m_desc_size - BG_CHECKSUM_OFFSET - 2);
        return static_cast<u16>(crc & 0xFFFF);
    }
    u16 crc = klib::crc16(0xFFFF, m_sb.s_uuid, sizeof(m_sb.s_uuid));
    crc = klib::crc16(crc, le_group, 4);
    crc = klib::crc16(crc, bytes, BG_CHECKSUM_OFFSET);
    if (has_incompat(INCOMPAT_64BIT) && m_desc_size > BG_CHECKSUM_OFFSET + 2)
        crc = klib::crc16(crc, bytes + BG_CHECKSUM_OFFSET + 2, m_desc_size - BG_CHECKSUM_OFFSET - 2);
    return crc;
}

void Ext4Filesystem::gd_update_checksum(u32 group, GroupDesc& d) {
    if (has_group_checksums()) d.bg_checksum = gd_checksum(group, d);
}

u32 Ext4Filesystem::block_bitmap_checksum(const u8* bitmap) const {
    return klib::crc32c(m_csum_seed, bitmap, m_blocks_per_group / 8);
}
u32 Ext4Filesystem::inode_bitmap_checksum(const u8* bitmap) const {
    return klib::crc32c(m_csum_seed, bitmap, m_inodes_per_group / 8);
}

void Ext4Filesystem::gd_set_block_bitmap_checksum(GroupDesc& d, const u8* bitmap) {
    if (!has_metadata_csum()) return;
    u32 crc = block_bitmap_checksum(bitmap);
    d.bg_block_bitmap_csum_lo = static_cast<u16>(crc);
    if (m_desc_size >= BG_BLOCK_BITMAP_CSUM_HI_END) d.bg_block_bitmap_csum_hi = static_cast<u16>(crc >> 16);
}
void Ext4Filesystem::gd_set_inode_bitmap_checksum(GroupDesc& d, const u8* bitmap) {
    if (!has_metadata_csum()) return;
    u32 crc = inode_bitmap_checksum(bitmap);
    d.bg_inode_bitmap_csum_lo = static_cast<u16>(crc);
    if (m_desc_size >= BG_INODE_BITMAP_CSUM_HI_END) d.bg_inode_bitmap_csum_hi = static_cast<u16>(crc >> 16);
}

ErrorOr Ext4Filesystem::verify_block_bitmap(u32 group, const GroupDesc& d, const u8* bitmap) {
    if (!has_metadata_csum()) return {};
    u32 crc = block_bitmap_checksum(bitmap);
    bool ok = d.bg_block_bitmap_csum_lo == static_cast<u16>(crc);
    if (m_desc_size >= BG_BLOCK_BITMAP_CSUM_HI_END) ok = ok && d.bg_block_bitmap_csum_hi == static_cast<u16>(crc >> 16);
    if (ok) return {};
    pr_err("ext4 (%s): block bitmap checksum mismatch in group %u", m_device.name(), group);
    return err(EFSBADCRC);
}
ErrorOr Ext4Filesystem::verify_inode_bitmap(u32 group, const GroupDesc& d, const u8* bitmap) {
    if (!has_metadata_csum()) return {};
    u32 crc = inode_bitmap_checksum(bitmap);
    bool ok = d.bg_inode_bitmap_csum_lo == static_cast<u16>(crc);
    if (m_desc_size >= BG_INODE_BITMAP_CSUM_HI_END) ok = ok && d.bg_inode_bitmap_csum_hi == static_cast<u16>(crc >> 16);
    if (ok) return {};
    pr_err("ext4 (%s): inode bitmap checksum mismatch in group %u", m_device.name(), group);
    return err(EFSBADCRC);
}

ErrorOr Ext4Filesystem::validate_group(u32 group, const GroupDesc& d) {
    const char* dev = m_device.name();
    u64 first = group_first_block(group);
    u64 last = first + group_block_count(group) - 1;
    bool flex = has_incompat(INCOMPAT_FLEX_BG);
    auto inside = [&](u64 block, u64 count) {
        if (block < m_first_data_block || block >= m_blocks_count || count > m_blocks_count - block) return false;
        return flex || (block >= first && block + count - 1 <= last);
    };
    if (!inside(gd_block_bitmap(d), 1) || !inside(gd_inode_bitmap(d), 1) ||
        !inside(gd_inode_table(d), m_inode_tables_blocks)) {
        pr_err("ext4 (%s): group %u descriptor points outside the file system", dev, group);
        return err(EFSCORRUPTED);
    }
    if (has_group_checksums() && d.bg_checksum != gd_checksum(group, d)) {
        pr_err("ext4 (%s): group %u descriptor checksum mismatch", dev, group);
        return err(EFSBADCRC);
    }
    if (gd_free_blocks(d) > m_blocks_per_group || gd_free_inodes(d) > m_inodes_per_group ||
        gd_itable_unused(d) > m_inodes_per_group) {
        pr_err("ext4 (%s): group %u descriptor has impossible counts", dev, group);
        return err(EFSCORRUPTED);
    }
    return {};
}

ErrorOr Ext4Filesystem::load_group_descriptors() {
    for (u32 index = 0; index < m_gdt_blocks; index++) {
        u64 block = descriptor_block_location(index);
        if (block >= m_blocks_count) {
            pr_err("ext4 (%s): descriptor block %u outside the file system", m_device.name(), index);
            return err(EFSCORRUPTED);
        }
    }
    for (u32 group = 0; group < m_group_count; group++) {
        GroupDesc* desc;
        auto buffer = TRY(group_desc_buffer(group, &desc));
        TRY(validate_group(group, *desc));
    }
    return {};
}

}  // namespace ext4
