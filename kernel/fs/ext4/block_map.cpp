// ext4: indirect block maps (ext2/ext3 files, and ext4 files without EXTENTS_FL) —
// twelve direct pointers, then single, double and triple indirect blocks.
#include "fs/ext4/filesystem.h"
#include "lib/string.h"
#include "log/klog.h"

namespace ext4 {

struct BlockMapTree {
    // Splits a logical block into the pointer slot at each level; returns the depth
    // (0 = direct) or -1 when the block is beyond what indirect maps can address.
    static int offsets(Ext4Filesystem& fs, u64 logical, u32 slots[4]) {
        u64 per_block = fs.m_block_size / 4;
        if (logical < DIRECT_BLOCKS) {
            slots[0] = static_cast<u32>(logical);
            return 0;
        }
        logical -= DIRECT_BLOCKS;
        if (logical < per_block) {
            slots[0] = IND_BLOCK;
            slots[1] = static_cast<u32>(logical);
            return 1;
        }
        logical -= per_block;
        if (logical < per_block * per_block) {
            slots[0] = DIND_BLOCK;
            slots[1] = static_cast<u32>(logical / per_block);
            slots[2] = static_cast<u32>(logical % per_block);
            return 2;
        }
        logical -= per_block * per_block;
        if (logical < per_block * per_block * per_block) {
            slots[0] = TIND_BLOCK;
            slots[1] = static_cast<u32>(logical / (per_block * per_block));
            slots[2] = static_cast<u32>(logical / per_block % per_block);
            slots[3] = static_cast<u32>(logical % per_block);
            return 3;
        }
        return -1;
    }

    static ErrorOr bad_pointer(Ext4Filesystem& fs, Inode& inode, u64 block) {
        pr_err("ext4 (%s): inode %u maps invalid block %llu", fs.m_device.name(), inode.ino,
               static_cast<unsigned long long>(block));
        return err(EFSCORRUPTED);
    }

    // Frees what `pointers` (count entries at `depth`, covering logical blocks from `base`)
    // maps at or after `first`; *empty when no pointer is left.
    static ErrorOr truncate_level(Ext4Filesystem& fs, Inode& inode, u32* pointers, u32 count, int depth,
                                  u64 base, u64 span, u64 first, bool* empty) {
        bool any_left = false;
        for (u32 i = 0; i < count; i++) {
            u64 start = base + i * span;
            u32 block = pointers[i];
            if (block == 0) continue;
            if (start + span <= first) {
                any_left = true;
                continue;
            }
            if (!fs.is_valid_data_block(block, 1)) return bad_pointer(fs, inode, block);
            if (depth == 0) {
                TRY(fs.free_blocks(block, 1));
                fs.add_inode_blocks(inode, -1);
                pointers[i] = 0;
                continue;
            }
            bool child_empty = false;
            {
                auto buffer = TRY(fs.m_cache.get(block));
                u32 per_block = fs.m_block_size / 4;
                TRY(truncate_level(fs, inode, reinterpret_cast<u32*>(buffer.data()), per_block, depth - 1, start,
                                   span / per_block, first, &child_empty));
                if (!child_empty) buffer.mark_dirty();
            }
            if (child_empty) {
                TRY(fs.free_blocks(block, 1));
                fs.add_inode_blocks(inode, -1);
                pointers[i] = 0;
            } else {
                any_left = true;
            }
        }
        *empty = !any_left;
        return {};
    }
};

ErrorOr Ext4Filesystem::blockmap_map(Inode& inode, u64 logical, u64* physical, u32* length) {
    *physical = 0;
    *length = 1;
    u32 slots[4];
    int depth = BlockMapTree::offsets(*this, logical, slots);
    if (depth < 0) return {};
    u32* pointers = inode.raw.i_block;
    u32 count = depth == 0 ? DIRECT_BLOCKS : 1;
    u32 slot = slots[0];
    BufferRef buffer;
    for (int level = 1; level <= depth; level++) {
        u32 block = pointers[slot];
        if (block == 0) return {};
        if (!is_valid_data_block(block, 1)) return BlockMapTree::bad_pointer(*this, inode, block);
        buffer = TRY(m_cache.get(block));
        pointers = reinterpret_cast<u32*>(buffer.data());
        count = m_block_size / 4;
        slot = slots[level];
    }
    u32 first = pointers[slot];
    // Report how many following slots continue the same way (mapped contiguously, or holes).
    u32 run = 1;
    while (slot + run < count && run < 1024) {
        u32 next = pointers[slot + run];
        if (first == 0 ? next != 0 : next != first + run) break;
        run++;
    }
    if (first != 0 && !is_valid_data_block(first, run)) return BlockMapTree::bad_pointer(*this, inode, first);
    *physical = first;
    *length = run;
    return {};
}

ErrorOr Ext4Filesystem::blockmap_set(Inode& inode, u64 logical, u64 physical) {
    u32 slots[4];
    int depth = BlockMapTree::offsets(*this, logical, slots);
    if (depth < 0 || physical > 0xFFFFFFFFull) return err(EFBIG);
    u32* pointers = inode.raw.i_block;
    u32 slot = slots[0];
    BufferRef buffer;
    for (int level = 1; level <= depth; level++) {
        u32 block = pointers[slot];
        if (block == 0) {
            u64 fresh = TRY(allocate_metadata_block(physical));
            add_inode_blocks(inode, 1);
            auto child = TRY(m_cache.get_zeroed(fresh));
            child.mark_dirty();
            pointers[slot] = static_cast<u32>(fresh);
            if (buffer) buffer.mark_dirty();
            buffer = kstd::move(child);
        } else {
            if (!is_valid_data_block(block, 1)) return BlockMapTree::bad_pointer(*this, inode, block);
            buffer = TRY(m_cache.get(block));
        }
        pointers = reinterpret_cast<u32*>(buffer.data());
        slot = slots[level];
    }
    pointers[slot] = static_cast<u32>(physical);
    if (buffer) buffer.mark_dirty();
    return {};
}

ErrorOr Ext4Filesystem::blockmap_truncate(Inode& inode, u64 first_logical) {
    u64 per_block = m_block_size / 4;
    u32* p = inode.raw.i_block;
    bool empty;
    TRY(BlockMapTree::truncate_level(*this, inode, p, DIRECT_BLOCKS, 0, 0, 1, first_logical, &empty));
    u64 base = DIRECT_BLOCKS;
    u64 spans[3] = {per_block, per_block * per_block, per_block * per_block * per_block};
    for (int level = 0; level < 3; level++) {
        TRY(BlockMapTree::truncate_level(*this, inode, p + IND_BLOCK + level, 1, level + 1, base, spans[level],
                                         first_logical, &empty));
        base += spans[level];
    }
    return {};
}

}  // namespace ext4
