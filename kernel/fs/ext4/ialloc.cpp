// ext4: the inode allocator — inode bitmaps (initialising INODE_UNINIT groups), choosing a
// group near the parent, and the inode counts in descriptors and superblock.
#include "fs/ext4/filesystem.h"
#include "lib/string.h"
#include "log/klog.h"

namespace ext4 {

Result<BufferRef> Ext4Filesystem::read_inode_bitmap(u32 group, GroupDesc& desc) {
    u64 location = gd_inode_bitmap(desc);
    if (has_group_checksums() && (desc.bg_flags & BG_INODE_UNINIT)) {
        auto buffer = TRY(m_cache.get_zeroed(location));
        u8* bitmap = buffer.data();
        // Bits past the group's inodes are padding and stay set (e2fsck checks them).
        for (u32 bit = m_inodes_per_group; bit < m_block_size * 8; bit++)
            bitmap[bit / 8] |= static_cast<u8>(1u << (bit % 8));
        desc.bg_flags &= static_cast<u16>(~BG_INODE_UNINIT);
        gd_set_inode_bitmap_checksum(desc, bitmap);
        buffer.mark_dirty();
        return buffer;
    }
    auto buffer = TRY(m_cache.get(location));
    TRY(verify_inode_bitmap(group, desc, buffer.data()));
    return buffer;
}

Result<u32> Ext4Filesystem::allocate_inode(u32 parent_ino, bool is_dir) {
    TRY(require_writable());
    if (m_sb.s_free_inodes_count == 0) return err(ENOSPC);
    u32 start_group = (parent_ino - 1) / m_inodes_per_group;
    if (start_group >= m_group_count) start_group = 0;
    for (u32 pass = 0; pass < m_group_count; pass++) {
        u32 group = (start_group + pass) % m_group_count;
        GroupDesc* desc;
        auto desc_buffer = TRY(group_desc_buffer(group, &desc));
        if (gd_free_inodes(*desc) == 0) continue;
        auto bitmap_buffer = TRY(read_inode_bitmap(group, *desc));
        u8* bitmap = bitmap_buffer.data();
        u32 first = group == 0 ? m_first_ino - 1 : 0;
        for (u32 bit = first; bit < m_inodes_per_group; bit++) {
            // Full bytes are passed whole: a directory of thousands of files would
            // otherwise make every creation walk them bit by bit.
            if (bit % 8 == 0 && bitmap[bit / 8] == 0xFF) {
                bit += 7;
                continue;
            }
            if (bitmap[bit / 8] & (1u << (bit % 8))) continue;
            bitmap[bit / 8] |= static_cast<u8>(1u << (bit % 8));
            gd_set_free_inodes(*desc, gd_free_inodes(*desc) - 1);
            if (is_dir) gd_set_used_dirs(*desc, gd_used_dirs(*desc) + 1);
            if (has_group_checksums()) {
                u32 unused = gd_itable_unused(*desc);
                if (bit >= m_inodes_per_group - unused) gd_set_itable_unused(*desc, m_inodes_per_group - bit - 1);
            }
            gd_set_inode_bitmap_checksum(*desc, bitmap);
            gd_update_checksum(group, *desc);
            bitmap_buffer.mark_dirty();
            desc_buffer.mark_dirty();
            m_sb.s_free_inodes_count--;
            m_superblock_dirty = true;
            return group * m_inodes_per_group + bit + 1;
        }
        pr_err("ext4 (%s): group %u claims free inodes but its bitmap is full", m_device.name(), group);
        return err(EFSCORRUPTED);
    }
    return err(ENOSPC);
}

ErrorOr Ext4Filesystem::free_inode(u32 ino, bool is_dir) {
    if (ino < m_first_ino || ino > m_sb.s_inodes_count) return err(EFSCORRUPTED);
    u32 group = (ino - 1) / m_inodes_per_group;
    u32 bit = (ino - 1) % m_inodes_per_group;
    GroupDesc* desc;
    auto desc_buffer = TRY(group_desc_buffer(group, &desc));
    auto bitmap_buffer = TRY(read_inode_bitmap(group, *desc));
    u8* bitmap = bitmap_buffer.data();
    if (!(bitmap[bit / 8] & (1u << (bit % 8)))) {
        pr_err("ext4 (%s): freeing free inode %u", m_device.name(), ino);
        return err(EFSCORRUPTED);
    }
    bitmap[bit / 8] &= static_cast<u8>(~(1u << (bit % 8)));
    gd_set_free_inodes(*desc, gd_free_inodes(*desc) + 1);
    if (is_dir && gd_used_dirs(*desc)) gd_set_used_dirs(*desc, gd_used_dirs(*desc) - 1);
    gd_set_inode_bitmap_checksum(*desc, bitmap);
    gd_update_checksum(group, *desc);
    bitmap_buffer.mark_dirty();
    desc_buffer.mark_dirty();
    m_sb.s_free_inodes_count++;
    m_superblock_dirty = true;
    return {};
}

}  // namespace ext4
