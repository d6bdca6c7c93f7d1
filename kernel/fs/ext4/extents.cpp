// ext4: extent trees — mapping logical to physical blocks, inserting extents (splitting
// nodes and growing the tree's depth), converting unwritten extents and removing the
// tail of a file. Every node read is checked before use (Linux: ext4_ext_check).
#include "fs/ext4/filesystem.h"
#include "lib/crc32c.h"
#include "lib/string.h"
#include "log/klog.h"

namespace ext4 {
namespace {

constexpr u32 ROOT_CAPACITY = (sizeof(RawInode::i_block) - sizeof(ExtentHeader)) / sizeof(Extent);

Extent* leaf_entries(ExtentHeader* h) { return reinterpret_cast<Extent*>(h + 1); }
ExtentIndex* index_entries(ExtentHeader* h) { return reinterpret_cast<ExtentIndex*>(h + 1); }
u64 extent_start(const Extent& e) { return e.ee_start_lo | static_cast<u64>(e.ee_start_hi) << 32; }
u32 extent_length(const Extent& e) {
    return e.ee_len > EXTENT_INIT_MAX_LEN ? e.ee_len - EXTENT_INIT_MAX_LEN : e.ee_len;
}
bool extent_is_unwritten(const Extent& e) { return e.ee_len > EXTENT_INIT_MAX_LEN; }
void set_extent(Extent& e, u32 logical, u64 physical, u32 length, bool unwritten) {
    e.ee_block = logical;
    e.ee_start_lo = static_cast<u32>(physical);
    e.ee_start_hi = static_cast<u16>(physical >> 32);
    e.ee_len = static_cast<u16>(unwritten ? length + EXTENT_INIT_MAX_LEN : length);
}
u64 index_leaf(const ExtentIndex& i) { return i.ei_leaf_lo | static_cast<u64>(i.ei_leaf_hi) << 32; }
void set_index(ExtentIndex& i, u32 logical, u64 block) {
    i.ei_block = logical;
    i.ei_leaf_lo = static_cast<u32>(block);
    i.ei_leaf_hi = static_cast<u16>(block >> 32);
    i.ei_unused = 0;
}
u32 entry_key(ExtentHeader* h, u32 i) {
    return h->eh_depth ? index_entries(h)[i].ei_block : leaf_entries(h)[i].ee_block;
}
// The last entry whose key is <= logical (0 when logical is before every key).
u32 search(ExtentHeader* h, u64 logical) {
    u32 low = 0, high = h->eh_entries;
    while (high - low > 1) {
        u32 middle = (low + high) / 2;
        if (entry_key(h, middle) <= logical)
            low = middle;
        else
            high = middle;
    }
    return low;
}

}  // namespace

struct ExtentPathLevel {
    BufferRef buffer;  // empty for the root, which lives in the inode
    ExtentHeader* header = nullptr;
    u32 position = 0;
};

struct ExtentPath {
    ExtentPathLevel levels[EXTENT_MAX_DEPTH + 1];
    u32 depth = 0;  // index of the leaf level
};

struct ExtentTree {
    static ExtentHeader* root(Inode& inode) { return reinterpret_cast<ExtentHeader*>(inode.raw.i_block); }
    static u32 block_capacity(Ext4Filesystem& fs) { return (fs.m_block_size - sizeof(ExtentHeader)) / sizeof(Extent); }

    static u32 checksum(Ext4Filesystem& fs, Inode& inode, const u8* data) {
        const auto* h = reinterpret_cast<const ExtentHeader*>(data);
        return klib::crc32c(fs.inode_csum_seed(inode), data, sizeof(ExtentHeader) + sizeof(Extent) * h->eh_max);
    }

    static ErrorOr corrupt(Ext4Filesystem& fs, Inode& inode, u64 block, const char* why) {
        pr_err("ext4 (%s): inode %u extent node %llu: %s", fs.m_device.name(), inode.ino,
               static_cast<unsigned long long>(block), why);
        return err(EFSCORRUPTED);
    }

    // Linux: __ext4_ext_check plus ext4_valid_extent_entries.
    static ErrorOr check_node(Ext4Filesystem& fs, Inode& inode, ExtentHeader* h, u32 depth, u64 block) {
        u32 capacity = block ? block_capacity(fs) : ROOT_CAPACITY;
        if (h->eh_magic != EXTENT_MAGIC) return corrupt(fs, inode, block, "bad magic");
        if (h->eh_depth != depth) return corrupt(fs, inode, block, "unexpected depth");
        if (h->eh_max == 0 || h->eh_max > capacity || h->eh_entries > h->eh_max)
            return corrupt(fs, inode, block, "bad entry count");
        if (block && fs.has_metadata_csum()) {
            const u8* data = reinterpret_cast<const u8*>(h);
            u32 tail = sizeof(ExtentHeader) + sizeof(Extent) * h->eh_max;
            if (load_le32(data + tail) != checksum(fs, inode, data)) {
                pr_err("ext4 (%s): inode %u extent block %llu checksum mismatch", fs.m_device.name(),
                       inode.ino, static_cast<unsigned long long>(block));
                return err(EFSBADCRC);
            }
        }
        u64 previous_end = 0;
        for (u32 i = 0; i < h->eh_entries; i++) {
            if (depth == 0) {
                Extent& e = leaf_entries(h)[i];
                u32 length = extent_length(e);
                if (length == 0 || !fs.is_valid_data_block(extent_start(e), length))
                    return corrupt(fs, inode, block, "extent points outside the file system");
                if (e.ee_block < previous_end) return corrupt(fs, inode, block, "overlapping extents");
                previous_end = static_cast<u64>(e.ee_block) + length;
            } else {
                ExtentIndex& index = index_entries(h)[i];
                if (!fs.is_valid_data_block(index_leaf(index), 1))
                    return corrupt(fs, inode, block, "index points outside the file system");
                if (i > 0 && index.ei_block <= previous_end) return corrupt(fs, inode, block, "unsorted index");
                previous_end = index.ei_block;
            }
        }
        return {};
    }

    static ErrorOr find_path(Ext4Filesystem& fs, Inode& inode, u64 logical, ExtentPath& path) {
        ExtentHeader* h = root(inode);
        if (h->eh_magic != EXTENT_MAGIC || h->eh_depth > EXTENT_MAX_DEPTH)
            return corrupt(fs, inode, 0, "bad root");
        u32 depth = h->eh_depth;
        TRY(check_node(fs, inode, h, depth, 0));
        path.depth = depth;
        path.levels[0].buffer = BufferRef();
        path.levels[0].header = h;
        for (u32 level = 0;; level++) {
            ExtentHeader* node = path.levels[level].header;
            u32 position = node->eh_entries ? search(node, logical) : 0;
            path.levels[level].position = position;
            if (level == depth) return {};
            if (node->eh_entries == 0) return corrupt(fs, inode, 0, "empty index node");
            u64 child = index_leaf(index_entries(node)[position]);
            auto buffer = TRY(fs.m_cache.get(child));
            auto* child_header = reinterpret_cast<ExtentHeader*>(buffer.data());
            TRY(check_node(fs, inode, child_header, depth - level - 1, child));
            path.levels[level + 1].buffer = kstd::move(buffer);
            path.levels[level + 1].header = child_header;
        }
    }

    static void dirty(Ext4Filesystem& fs, Inode& inode, ExtentPathLevel& level) {
        if (!level.buffer) return;  // the root: written with the inode by the caller
        u8* data = level.buffer.data();
        if (fs.has_metadata_csum()) {
            auto* h = reinterpret_cast<ExtentHeader*>(data);
            store_le32(data + sizeof(ExtentHeader) + sizeof(Extent) * h->eh_max, checksum(fs, inode, data));
        }
        level.buffer.mark_dirty();
    }

    // Moves the root's entries into a new block and makes the root an index of depth + 1.
    static ErrorOr grow_depth(Ext4Filesystem& fs, Inode& inode) {
        ExtentHeader* h = root(inode);
        if (h->eh_depth >= EXTENT_MAX_DEPTH) return err(EFBIG);
        u64 goal = h->eh_entries && h->eh_depth == 0 ? extent_start(leaf_entries(h)[0]) : 0;
        u64 block = TRY(fs.allocate_metadata_block(goal));
        fs.add_inode_blocks(inode, 1);
        auto buffer = TRY(fs.m_cache.get_zeroed(block));
        auto* child = reinterpret_cast<ExtentHeader*>(buffer.data());
        memcpy(child, h, sizeof(ExtentHeader) + sizeof(Extent) * h->eh_entries);
        child->eh_max = static_cast<u16>(block_capacity(fs));
        u32 first_key = h->eh_entries ? entry_key(h, 0) : 0;
        h->eh_depth++;
        h->eh_entries = 1;
        set_index(index_entries(h)[0], first_key, block);
        ExtentPathLevel level;
        level.buffer = kstd::move(buffer);
        dirty(fs, inode, level);
        return {};
    }

    // Splits the full node at `level` of the path; its parent has room.
    static ErrorOr split(Ext4Filesystem& fs, Inode& inode, ExtentPath& path, u32 level, u64 logical) {
        ExtentPathLevel& node_level = path.levels[level];
        ExtentHeader* h = node_level.header;
        u32 count = h->eh_entries;
        // Appends (the common case) start a fresh node; inserts in the middle split in half.
        u32 split_at = logical > entry_key(h, count - 1) ? count : count / 2;
        u32 new_key = split_at < count ? entry_key(h, split_at) : static_cast<u32>(logical);
        u64 goal = node_level.buffer ? node_level.buffer.block() : 0;
        u64 block = TRY(fs.allocate_metadata_block(goal));
        fs.add_inode_blocks(inode, 1);
        auto buffer = TRY(fs.m_cache.get_zeroed(block));
        auto* fresh = reinterpret_cast<ExtentHeader*>(buffer.data());
        fresh->eh_magic = EXTENT_MAGIC;
        fresh->eh_depth = h->eh_depth;
        fresh->eh_max = static_cast<u16>(block_capacity(fs));
        fresh->eh_entries = static_cast<u16>(count - split_at);
        memcpy(fresh + 1, reinterpret_cast<u8*>(h + 1) + sizeof(Extent) * split_at, sizeof(Extent) * (count - split_at));
        h->eh_entries = static_cast<u16>(split_at);
        ExtentPathLevel fresh_level;
        fresh_level.buffer = kstd::move(buffer);
        dirty(fs, inode, fresh_level);
        dirty(fs, inode, node_level);

        ExtentPathLevel& parent_level = path.levels[level - 1];
        ExtentHeader* parent = parent_level.header;
        u32 at = parent_level.position + 1;
        ExtentIndex* entries = index_entries(parent);
        memmove(entries + at + 1, entries + at, sizeof(ExtentIndex) * (parent->eh_entries - at));
        set_index(entries[at], new_key, block);
        parent->eh_entries++;
        dirty(fs, inode, parent_level);
        return {};
    }

    // Makes room in the node at `level` (recursively up to the root).
    static ErrorOr make_room(Ext4Filesystem& fs, Inode& inode, ExtentPath& path, u32 level, u64 logical) {
        if (path.levels[level].header->eh_entries < path.levels[level].header->eh_max) return {};
        if (level == 0) return grow_depth(fs, inode);
        if (path.levels[level - 1].header->eh_entries >= path.levels[level - 1].header->eh_max)
            return make_room(fs, inode, path, level - 1, logical);
        return split(fs, inode, path, level, logical);
    }

    // Inserts an extent over a hole, merging with its left neighbour when contiguous.
    static ErrorOr insert(Ext4Filesystem& fs, Inode& inode, u64 logical, u64 physical, u32 length, bool unwritten) {
        if (logical + length > 0xFFFFFFFFull) return err(EFBIG);
        for (int attempt = 0; attempt < 3 * static_cast<int>(EXTENT_MAX_DEPTH) + 3; attempt++) {
            ExtentPath path;
            TRY(find_path(fs, inode, logical, path));
            ExtentPathLevel& leaf_level = path.levels[path.depth];
            ExtentHeader* leaf = leaf_level.header;
            Extent* entries = leaf_entries(leaf);
            u32 at = 0;
            if (leaf->eh_entries) {
                Extent& left = entries[leaf_level.position];
                if (left.ee_block <= logical) {
                    u32 max_length = unwritten ? EXTENT_UNWRITTEN_MAX_LEN : EXTENT_INIT_MAX_LEN;
                    if (left.ee_block + extent_length(left) == logical && extent_is_unwritten(left) == unwritten &&
                        extent_start(left) + extent_length(left) == physical &&
                        extent_length(left) + length <= max_length) {
                        set_extent(left, left.ee_block, extent_start(left), extent_length(left) + length, unwritten);
                        dirty(fs, inode, leaf_level);
                        return {};
                    }
                    at = leaf_level.position + 1;
                }
            }
            if (leaf->eh_entries >= leaf->eh_max) {
                TRY(make_room(fs, inode, path, path.depth, logical));
                continue;
            }
            memmove(entries + at + 1, entries + at, sizeof(Extent) * (leaf->eh_entries - at));
            set_extent(entries[at], static_cast<u32>(logical), physical, length, unwritten);
            leaf->eh_entries++;
            dirty(fs, inode, leaf_level);
            // A new first entry lowers the keys of the index entries leading here (e2fsck
            // requires each index key to equal its child's first key).
            for (u32 level = path.depth; at == 0 && level > 0; level--) {
                ExtentPathLevel& parent = path.levels[level - 1];
                index_entries(parent.header)[parent.position].ei_block = static_cast<u32>(logical);
                dirty(fs, inode, parent);
                at = parent.position;
            }
            return {};
        }
        return corrupt(fs, inode, 0, "insert did not converge");
    }

    // Frees every block mapped at or after `first` below node h; *empty when nothing is left.
    static ErrorOr remove_from(Ext4Filesystem& fs, Inode& inode, ExtentHeader* h, u64 block, u64 first, bool* empty) {
        if (h->eh_depth == 0) {
            Extent* entries = leaf_entries(h);
            while (h->eh_entries) {
                Extent& e = entries[h->eh_entries - 1];
                u32 length = extent_length(e);
                if (static_cast<u64>(e.ee_block) + length <= first) break;
                if (e.ee_block >= first) {
                    TRY(fs.free_blocks(extent_start(e), length));
                    fs.add_inode_blocks(inode, -static_cast<i64>(length));
                    h->eh_entries--;
                    continue;
                }
                u32 keep = static_cast<u32>(first - e.ee_block);
                TRY(fs.free_blocks(extent_start(e) + keep, length - keep));
                fs.add_inode_blocks(inode, -static_cast<i64>(length - keep));
                set_extent(e, e.ee_block, extent_start(e), keep, extent_is_unwritten(e));
                break;
            }
        } else {
            ExtentIndex* entries = index_entries(h);
            while (h->eh_entries) {
                ExtentIndex& index = entries[h->eh_entries - 1];
                u64 child_block = index_leaf(index);
                bool child_empty = false;
                {
                    auto buffer = TRY(fs.m_cache.get(child_block));
                    auto* child = reinterpret_cast<ExtentHeader*>(buffer.data());
                    TRY(check_node(fs, inode, child, h->eh_depth - 1, child_block));
                    TRY(remove_from(fs, inode, child, child_block, first, &child_empty));
                    if (!child_empty) {
                        ExtentPathLevel level;
                        level.buffer = kstd::move(buffer);
                        dirty(fs, inode, level);
                    }
                }
                if (child_empty) {
                    TRY(fs.free_blocks(child_block, 1));
                    fs.add_inode_blocks(inode, -1);
                    h->eh_entries--;
                }
                if (index.ei_block < first || !child_empty) break;
            }
        }
        *empty = h->eh_entries == 0;
        (void)block;
        return {};
    }
};

ErrorOr Ext4Filesystem::extent_init_root(Inode& inode) {
    memset(inode.raw.i_block, 0, sizeof(inode.raw.i_block));
    ExtentHeader* h = ExtentTree::root(inode);
    h->eh_magic = EXTENT_MAGIC;
    h->eh_max = ROOT_CAPACITY;
    inode.raw.i_flags |= INODE_EXTENTS_FL;
    return {};
}

ErrorOr Ext4Filesystem::extent_map(Inode& inode, u64 logical, u64* physical, u32* length, bool* unwritten) {
    *physical = 0;
    *unwritten = false;
    *length = 0xFFFFFFFFu;
    if (logical >= 0xFFFFFFFFull) return {};
    ExtentPath path;
    TRY(ExtentTree::find_path(*this, inode, logical, path));
    ExtentPathLevel& leaf_level = path.levels[path.depth];
    ExtentHeader* leaf = leaf_level.header;
    if (leaf->eh_entries == 0) return {};
    u32 position = leaf_level.position;
    Extent& e = leaf_entries(leaf)[position];
    if (e.ee_block <= logical) {
        u64 end = static_cast<u64>(e.ee_block) + extent_length(e);
        if (logical < end) {
            *physical = extent_start(e) + (logical - e.ee_block);
            *length = static_cast<u32>(end - logical);
            *unwritten = extent_is_unwritten(e);
            return {};
        }
        position++;
    }
    // A hole: it lasts until the next extent, in this leaf or under the next index key.
    u64 next = 0xFFFFFFFFull;
    if (position < leaf->eh_entries) {
        next = leaf_entries(leaf)[position].ee_block;
    } else {
        for (u32 level = path.depth; level > 0; level--) {
            ExtentPathLevel& parent = path.levels[level - 1];
            if (parent.position + 1 < parent.header->eh_entries) {
                next = index_entries(parent.header)[parent.position + 1].ei_block;
                break;
            }
        }
    }
    *length = next > logical ? static_cast<u32>(kstd::min<u64>(next - logical, 0xFFFFFFFFull)) : 1;
    return {};
}

ErrorOr Ext4Filesystem::extent_insert(Inode& inode, u64 logical, u64 physical, u32 length, bool unwritten) {
    return ExtentTree::insert(*this, inode, logical, physical, length, unwritten);
}

ErrorOr Ext4Filesystem::extent_remove_from(Inode& inode, u64 first_logical) {
    ExtentHeader* h = ExtentTree::root(inode);
    if (h->eh_magic != EXTENT_MAGIC || h->eh_depth > EXTENT_MAX_DEPTH)
        return ExtentTree::corrupt(*this, inode, 0, "bad root");
    TRY(ExtentTree::check_node(*this, inode, h, h->eh_depth, 0));
    bool empty = false;
    TRY(ExtentTree::remove_from(*this, inode, h, 0, first_logical, &empty));
    if (empty) {
        h->eh_depth = 0;
        h->eh_max = ROOT_CAPACITY;
    }
    return {};
}

// Turns [logical, logical + length) of one unwritten extent into a written one.
ErrorOr Ext4Filesystem::extent_mark_written(Inode& inode, u64 logical, u32 length) {
    ExtentPath path;
    TRY(ExtentTree::find_path(*this, inode, logical, path));
    ExtentPathLevel& leaf_level = path.levels[path.depth];
    if (leaf_level.header->eh_entries == 0) return {};
    Extent& e = leaf_entries(leaf_level.header)[leaf_level.position];
    u64 start = e.ee_block, end = start + extent_length(e);
    if (!extent_is_unwritten(e) || logical < start || logical >= end) return {};
    u64 physical = extent_start(e);
    u64 stop = kstd::min<u64>(end, logical + length);
    if (logical == start) {
        set_extent(e, static_cast<u32>(start), physical, static_cast<u32>(stop - start), false);
    } else {
        set_extent(e, static_cast<u32>(start), physical, static_cast<u32>(logical - start), true);
    }
    ExtentTree::dirty(*this, inode, leaf_level);
    path = ExtentPath();  // unpin before inserting, which may split the nodes
    if (logical != start)
        TRY(ExtentTree::insert(*this, inode, logical, physical + (logical - start), static_cast<u32>(stop - logical), false));
    if (stop < end)
        TRY(ExtentTree::insert(*this, inode, stop, physical + (stop - start), static_cast<u32>(end - stop), true));
    return {};
}

}  // namespace ext4
