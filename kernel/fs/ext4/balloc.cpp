// ext4: the block allocator — block bitmaps (initialising BLOCK_UNINIT groups), goal-based
// contiguous allocation, freeing, and the free counts in descriptors and superblock.
#include "fs/ext4/filesystem.h"
#include "lib/string.h"
#include "log/klog.h"

namespace ext4 {
namespace {

bool test_bit(const u8* bitmap, u32 bit) { return bitmap[bit / 8] & (1u << (bit % 8)); }
void set_bit(u8* bitmap, u32 bit) { bitmap[bit / 8] |= static_cast<u8>(1u << (bit % 8)); }
void clear_bit(u8* bitmap, u32 bit) { bitmap[bit / 8] &= static_cast<u8>(~(1u << (bit % 8))); }

}  // namespace

Result<BufferRef> Ext4Filesystem::read_block_bitmap(u32 group, GroupDesc& desc) {
    u64 location = gd_block_bitmap(desc);
    if (has_group_checksums() && (desc.bg_flags & BG_BLOCK_UNINIT)) {
        // Linux: ext4_init_block_bitmap — the bitmap was never written; rebuild it from the
        // group's fixed metadata and mark the bits past the group's end.
        auto buffer = TRY(m_cache.get_zeroed(location));
        u8* bitmap = buffer.data();
        u64 first = group_first_block(group);
        u32 overhead = kstd::min(group_overhead_blocks(group), group_block_count(group));
        for (u32 bit = 0; bit < overhead; bit++) set_bit(bitmap, bit);
        auto mark_own = [&](u64 block, u32 count) {
            for (u32 i = 0; i < count; i++)
                if (block + i >= first && block + i - first < m_blocks_per_group)
                    set_bit(bitmap, static_cast<u32>(block + i - first));
        };
        mark_own(gd_block_bitmap(desc), 1);
        mark_own(gd_inode_bitmap(desc), 1);
        mark_own(gd_inode_table(desc), m_inode_tables_blocks);
        for (u32 bit = group_block_count(group); bit < m_block_size * 8; bit++) set_bit(bitmap, bit);
        desc.bg_flags &= static_cast<u16>(~BG_BLOCK_UNINIT);
        gd_set_block_bitmap_checksum(desc, bitmap);
        buffer.mark_dirty();
        return buffer;
    }
    auto buffer = TRY(m_cache.get(location));
    TRY(verify_block_bitmap(group, desc, buffer.data()));
    return buffer;
}

bool Ext4Filesystem::block_freed_in_transaction(u64 block) const {
    if (!m_any_freed) return false;
    u32 group = static_cast<u32>((block - m_first_data_block) / m_blocks_per_group);
    u32 bit = static_cast<u32>((block - m_first_data_block) % m_blocks_per_group);
    return m_freed[group] && test_bit(m_freed[group], bit);
}

void Ext4Filesystem::remember_freed(u64 block, u64 count) {
    if (!m_journal) return;
    for (u64 i = 0; i < count; i++) {
        u32 group = static_cast<u32>((block + i - m_first_data_block) / m_blocks_per_group);
        u32 bit = static_cast<u32>((block + i - m_first_data_block) % m_blocks_per_group);
        if (!m_freed[group]) {
            m_freed[group] = new (kstd::nothrow) u8[m_blocks_per_group / 8 + 1]();
            // Without memory the block is simply not protected from reuse: the journal
            // still replays consistently, only a crash could then expose reused data.
            if (!m_freed[group]) continue;
        }
        set_bit(m_freed[group], bit);
        m_any_freed = true;
    }
}

void Ext4Filesystem::clear_freed() {
    if (!m_any_freed) return;
    for (u32 group = 0; group < m_group_count; group++) {
        delete[] m_freed[group];
        m_freed[group] = nullptr;
    }
    m_any_freed = false;
}

Result<u64> Ext4Filesystem::allocate_blocks(u64 goal, u32 max_count, u32* got) {
    TRY(require_writable());
    if (max_count == 0) max_count = 1;
    if (goal < m_first_data_block || goal >= m_blocks_count) goal = m_first_data_block;
    u32 goal_group = static_cast<u32>((goal - m_first_data_block) / m_blocks_per_group);
    for (u32 pass = 0; pass <= m_group_count; pass++) {
        u32 group = (goal_group + pass) % m_group_count;
        GroupDesc* desc;
        auto desc_buffer = TRY(group_desc_buffer(group, &desc));
        if (gd_free_blocks(*desc) == 0) continue;
        auto bitmap_buffer = TRY(read_block_bitmap(group, *desc));
        u8* bitmap = bitmap_buffer.data();
        u32 limit = group_block_count(group);
        u32 start = pass == 0 ? static_cast<u32>((goal - m_first_data_block) % m_blocks_per_group) : 0;
        u64 first_block = group_first_block(group);
        // The first pass over the goal group searches from the goal; a later visit
        // (pass == m_group_count) covers the part before it.
        u32 bit = pass == m_group_count ? 0 : start;
        // Blocks freed in the running transaction count as taken: after a big file is
        // deleted whole groups are, and must be skipped a word at a time, not bit by bit.
        const u8* freed = m_any_freed ? m_freed[group] : nullptr;
        auto taken_byte = [&](u32 byte) -> u8 { return bitmap[byte] | (freed ? freed[byte] : 0); };
        for (; bit < limit; bit++) {
            if (bit % 64 == 0 && bit + 64 <= limit) {
                bool all_taken = true;
                for (u32 byte = bit / 8; byte < bit / 8 + 8 && all_taken; byte++)
                    all_taken = taken_byte(byte) == 0xFF;
                if (all_taken) {
                    bit += 63;
                    continue;
                }
            }
            if (bit % 8 == 0 && taken_byte(bit / 8) == 0xFF) {
                bit += 7;
                continue;
            }
            if (test_bit(bitmap, bit) || block_freed_in_transaction(first_block + bit)) continue;
            u32 count = 0;
            while (count < max_count && bit + count < limit && !test_bit(bitmap, bit + count) &&
                   !block_freed_in_transaction(first_block + bit + count))
                count++;
            for (u32 i = 0; i < count; i++) set_bit(bitmap, bit + i);
            if (gd_free_blocks(*desc) < count) {
                pr_err("ext4 (%s): group %u free block count is wrong", m_device.name(), group);
                return err(EFSCORRUPTED);
            }
            gd_set_free_blocks(*desc, gd_free_blocks(*desc) - count);
            gd_set_block_bitmap_checksum(*desc, bitmap);
            gd_update_checksum(group, *desc);
            bitmap_buffer.mark_dirty();
            desc_buffer.mark_dirty();
            u64 free = free_blocks_count();
            set_free_blocks_count(free >= count ? free - count : 0);
            *got = count;
            return first_block + bit;
        }
    }
    return err(ENOSPC);
}

Result<u64> Ext4Filesystem::allocate_metadata_block(u64 goal) {
    u32 got;
    u64 block = TRY(allocate_blocks(goal, 1, &got));
    return block;
}

ErrorOr Ext4Filesystem::free_blocks(u64 block, u64 count) {
    if (count == 0) return {};
    if (!is_valid_data_block(block, count)) {
        pr_err("ext4 (%s): freeing invalid blocks %llu+%llu", m_device.name(),
               static_cast<unsigned long long>(block), static_cast<unsigned long long>(count));
        return err(EFSCORRUPTED);
    }
    while (count) {
        u32 group = static_cast<u32>((block - m_first_data_block) / m_blocks_per_group);
        u32 bit = static_cast<u32>((block - m_first_data_block) % m_blocks_per_group);
        u32 chunk = static_cast<u32>(kstd::min<u64>(count, m_blocks_per_group - bit));
        GroupDesc* desc;
        auto desc_buffer = TRY(group_desc_buffer(group, &desc));
        auto bitmap_buffer = TRY(read_block_bitmap(group, *desc));
        u8* bitmap = bitmap_buffer.data();
        for (u32 i = 0; i < chunk; i++) {
            if (!test_bit(bitmap, bit + i)) {
                pr_err("ext4 (%s): freeing free block %llu", m_device.name(),
                       static_cast<unsigned long long>(block + i));
                return err(EFSCORRUPTED);
            }
        }
        for (u32 i = 0; i < chunk; i++) {
            clear_bit(bitmap, bit + i);
            m_cache.forget(block + i);
        }
        remember_freed(block, chunk);
        gd_set_free_blocks(*desc, gd_free_blocks(*desc) + chunk);
        gd_set_block_bitmap_checksum(*desc, bitmap);
        gd_update_checksum(group, *desc);
        bitmap_buffer.mark_dirty();
        desc_buffer.mark_dirty();
        set_free_blocks_count(free_blocks_count() + chunk);
        block += chunk;
        count -= chunk;
    }
    return {};
}

}  // namespace ext4
