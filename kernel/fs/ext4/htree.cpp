// ext4: hashed directories (htree, Linux fs/ext4/namei.c dx_*) — probing the index for
// a name's leaf, index checksums, and inserts that split leaves and index nodes (or add
// an index level) so the tree stays valid; converting a full one-block directory.
#include "fs/ext4/directory.h"
#include "fs/ext4/dx_hash.h"
#include "lib/crc32c.h"
#include "lib/string.h"
#include "log/klog.h"

namespace ext4 {

struct DxLevel {
    BufferRef buffer;
    u64 logical = 0;
    u32 count_offset = 0;
    u32 position = 0;
    DxCountLimit* countlimit() const { return reinterpret_cast<DxCountLimit*>(buffer.data() + count_offset); }
    DxEntry* entries() const { return reinterpret_cast<DxEntry*>(buffer.data() + count_offset); }
};

struct DxPath {
    DxLevel levels[DX_MAX_LEVELS_LARGEDIR];
    u32 depth = 0;  // index levels in use
    u32 hash = 0;
    u64 leaf = 0;
};

struct HTree {
    static u32 limit(Ext4Filesystem& fs, u32 count_offset) {
        return (fs.m_block_size - count_offset - (fs.has_metadata_csum() ? sizeof(DxTail) : 0)) / sizeof(DxEntry);
    }
    static u32 max_levels(Ext4Filesystem& fs) {
        return fs.has_incompat(INCOMPAT_LARGEDIR) ? DX_MAX_LEVELS_LARGEDIR : DX_MAX_LEVELS;
    }
    static ErrorOr corrupt(Ext4Filesystem& fs, Inode& dir, const char* why) {
        pr_err("ext4 (%s): htree directory %u: %s", fs.m_device.name(), dir.ino, why);
        return err(EFSCORRUPTED);
    }
    static DxRootInfo* root_info(u8* data) { return reinterpret_cast<DxRootInfo*>(data + DX_ROOT_INFO_OFFSET); }

    static u32 name_hash(Ext4Filesystem& fs, u8 root_version, kstd::string_view name) {
        return dx_hash(name.data(), name.size(), fs.dx_hash_version(root_version), fs.m_sb.s_hash_seed, nullptr);
    }

    // Linux: dx_probe.
    static ErrorOr probe(Ext4Filesystem& fs, Inode& dir, kstd::string_view name, DxPath& path) {
        u64 blocks = dir.size() / fs.m_block_size;
        auto root = TRY(fs.read_dir_block(dir, 0));
        DxRootInfo* info = root_info(root.data());
        if (info->reserved_zero != 0 || info->info_length != sizeof(DxRootInfo) || (info->unused_flags & 1))
            return corrupt(fs, dir, "bad root info");
        if (info->hash_version > DX_HASH_TEA_UNSIGNED) return corrupt(fs, dir, "unsupported hash version");
        if (info->indirect_levels >= max_levels(fs)) return corrupt(fs, dir, "too many index levels");
        path.hash = name_hash(fs, info->hash_version, name);
        path.depth = info->indirect_levels + 1u;
        path.levels[0].buffer = kstd::move(root);
        path.levels[0].logical = 0;
        path.levels[0].count_offset = DX_ROOT_ENTRIES_OFFSET;
        for (u32 level = 0;; level++) {
            DxLevel& current = path.levels[level];
            DxCountLimit* cl = current.countlimit();
            if (cl->limit != limit(fs, current.count_offset) || cl->count == 0 || cl->count > cl->limit)
                return corrupt(fs, dir, "bad index count or limit");
            DxEntry* entries = current.entries();
            u32 low = 1, high = cl->count;  // the last entry with hash <= ours (entry 0 has none)
            while (low < high) {
                u32 middle = (low + high) / 2;
                if (entries[middle].hash > path.hash)
                    high = middle;
                else
                    low = middle + 1;
            }
            current.position = low - 1;
            u64 child = entries[current.position].block & 0x0FFFFFFF;
            if (child == 0 || child >= blocks) return corrupt(fs, dir, "index points outside the directory");
            if (level + 1 == path.depth) {
                path.leaf = child;
                return {};
            }
            auto node = TRY(fs.read_dir_block(dir, child));
            if (load_le32(node.data()) != 0 || fs.dir_rec_len_at(node.data()) != fs.m_block_size)
                return corrupt(fs, dir, "index node is not an index node");
            DxLevel& next = path.levels[level + 1];
            next.buffer = kstd::move(node);
            next.logical = child;
            next.count_offset = DX_NODE_ENTRIES_OFFSET;
        }
    }

    static void dirty(Ext4Filesystem& fs, Inode& dir, DxLevel& level) {
        fs.dx_set_checksum(dir, level.buffer.data(), level.count_offset);
        level.buffer.mark_dirty();
    }

    static void insert_index(Ext4Filesystem& fs, Inode& dir, DxLevel& level, u32 at, u32 hash, u32 block) {
        DxCountLimit* cl = level.countlimit();
        DxEntry* entries = level.entries();
        memmove(entries + at + 1, entries + at, sizeof(DxEntry) * (cl->count - at));
        // entries[0].hash overlays the count/limit; at >= 1 always, so it is untouched.
        entries[at].hash = hash;
        entries[at].block = block;
        cl->count++;
        dirty(fs, dir, level);
    }

    // A fresh index node block holding `count` entries copied from `source`.
    static Result<u64> new_node(Ext4Filesystem& fs, Inode& dir, const DxEntry* source, u32 count) {
        BufferRef buffer;
        u64 logical = TRY(fs.append_dir_block(dir, &buffer));
        u8* data = buffer.data();
        memset(data, 0, fs.m_block_size);
        fs.dir_set_rec_len(data, fs.m_block_size);
        auto* entries = reinterpret_cast<DxEntry*>(data + DX_NODE_ENTRIES_OFFSET);
        memcpy(entries, source, sizeof(DxEntry) * count);
        auto* cl = reinterpret_cast<DxCountLimit*>(entries);
        cl->limit = static_cast<u16>(limit(fs, DX_NODE_ENTRIES_OFFSET));
        cl->count = static_cast<u16>(count);
        fs.dx_set_checksum(dir, data, DX_NODE_ENTRIES_OFFSET);
        buffer.mark_dirty();
        return logical;
    }

    // The root's entries move to a new node below it (Linux: the add_level case).
    static ErrorOr add_level(Ext4Filesystem& fs, Inode& dir, DxPath& path) {
        DxLevel& root = path.levels[0];
        DxCountLimit* cl = root.countlimit();
        u64 node = TRY(new_node(fs, dir, root.entries(), cl->count));
        cl->count = 1;
        root.entries()[0].block = static_cast<u32>(node);
        root_info(root.buffer.data())->indirect_levels++;
        dirty(fs, dir, root);
        return {};
    }

    // Splits the full index node at `level`; its parent has room.
    static ErrorOr split_node(Ext4Filesystem& fs, Inode& dir, DxPath& path, u32 level) {
        DxLevel& current = path.levels[level];
        DxCountLimit* cl = current.countlimit();
        u32 keep = cl->count / 2;
        u32 move = cl->count - keep;
        DxEntry* entries = current.entries();
        u32 split_hash = entries[keep].hash;
        u64 node = TRY(new_node(fs, dir, entries + keep, move));
        cl->count = static_cast<u16>(keep);
        dirty(fs, dir, current);
        DxLevel& parent = path.levels[level - 1];
        insert_index(fs, dir, parent, parent.position + 1, split_hash, static_cast<u32>(node));
        return {};
    }

    struct MapEntry {
        u32 hash;
        u32 offset;
        u32 size;
    };

    // Linux: do_split — moves the upper half (by hash) of a full leaf to a new block.
    static ErrorOr split_leaf(Ext4Filesystem& fs, Inode& dir, DxPath& path, u8 hash_version) {
        auto leaf = TRY(fs.read_dir_block(dir, path.leaf));
        u8* data = leaf.data();
        u32 limit_bytes = fs.dir_entries_limit(data);
        u32 max_entries = fs.m_block_size / dir_rec_len(1);
        MapEntry* map = new (kstd::nothrow) MapEntry[max_entries];
        u8* scratch = new (kstd::nothrow) u8[fs.m_block_size];
        if (!map || !scratch) {
            delete[] map;
            delete[] scratch;
            return err(ENOMEM);
        }
        u32 count = 0;
        for (u32 offset = 0; offset < limit_bytes; offset += fs.dir_rec_len_at(data + offset)) {
            DirEntryHeader* entry = dirent_at(data, offset);
            if (!entry->inode) continue;
            map[count++] = {name_hash(fs, hash_version, {dirent_name(entry), entry->name_len}), offset,
                            dir_rec_len(entry->name_len)};
        }
        // Insertion sort by hash: a leaf holds at most a few hundred entries.
        for (u32 i = 1; i < count; i++)
            for (u32 j = i; j > 0 && map[j - 1].hash > map[j].hash; j--) kstd::swap(map[j - 1], map[j]);
        u32 size = 0, move = 0;
        for (u32 i = count; i-- > 0;) {
            if (size + map[i].size / 2 > fs.m_block_size / 2) break;
            size += map[i].size;
            move++;
        }
        if (count < 2) {
            delete[] map;
            delete[] scratch;
            return corrupt(fs, dir, "cannot split a leaf with one entry");
        }
        if (move == 0) move = 1;
        if (move == count) move = count - 1;
        u32 split = count - move;
        u32 split_hash = map[split].hash;
        u32 continued = split_hash == map[split - 1].hash ? 1 : 0;

        BufferRef fresh;
        auto appended = fs.append_dir_block(dir, &fresh);
        if (appended.is_error()) {
            delete[] map;
            delete[] scratch;
            return appended.error();
        }
        u64 fresh_logical = appended.value();
        // Writes map[first, last) compactly into `out` (a block that already has its tail).
        auto pack = [&](u8* out, u32 first, u32 last) {
            u32 at = 0, previous = 0;
            for (u32 i = first; i < last; i++) {
                memcpy(out + at, scratch + map[i].offset, map[i].size);
                fs.dir_set_rec_len(out + at, map[i].size);
                previous = at;
                at += map[i].size;
            }
            fs.dir_set_rec_len(out + previous, fs.dir_usable_size() - previous);
        };
        memcpy(scratch, data, fs.m_block_size);
        pack(fresh.data(), split, count);
        memset(data, 0, fs.dir_usable_size());
        pack(data, 0, split);
        delete[] map;
        delete[] scratch;
        fs.set_dir_block_checksum(dir, data);
        fs.set_dir_block_checksum(dir, fresh.data());
        leaf.mark_dirty();
        fresh.mark_dirty();
        DxLevel& parent = path.levels[path.depth - 1];
        insert_index(fs, dir, parent, parent.position + 1, split_hash + continued, static_cast<u32>(fresh_logical));
        return {};
    }
};

u8 Ext4Filesystem::dx_hash_version(u8 root_version) const {
    if (root_version <= DX_HASH_TEA && (m_sb.s_flags & FLAGS_UNSIGNED_HASH)) return root_version + 3;
    return root_version;
}

void Ext4Filesystem::dx_set_checksum(Inode& dir, u8* data, u32 count_offset) {
    if (!has_metadata_csum()) return;
    auto* cl = reinterpret_cast<DxCountLimit*>(data + count_offset);
    u32 tail_offset = count_offset + cl->limit * sizeof(DxEntry);
    if (tail_offset + sizeof(DxTail) > m_block_size || cl->count > cl->limit) return;
    auto* tail = reinterpret_cast<DxTail*>(data + tail_offset);
    u32 crc = klib::crc32c(inode_csum_seed(dir), data, count_offset + cl->count * sizeof(DxEntry));
    crc = klib::crc32c(crc, &tail->dt_reserved, sizeof(tail->dt_reserved));
    const u32 zero = 0;
    tail->dt_checksum = klib::crc32c(crc, &zero, sizeof(zero));
}

ErrorOr Ext4Filesystem::dx_verify_checksum(Inode& dir, const u8* data, u32 count_offset) {
    const auto* cl = reinterpret_cast<const DxCountLimit*>(data + count_offset);
    u32 tail_offset = count_offset + cl->limit * sizeof(DxEntry);
    if (tail_offset + sizeof(DxTail) > m_block_size || cl->count > cl->limit) {
        pr_err("ext4 (%s): htree directory %u: no space for the index checksum", m_device.name(), dir.ino);
        return err(EFSCORRUPTED);
    }
    const auto* tail = reinterpret_cast<const DxTail*>(data + tail_offset);
    u32 crc = klib::crc32c(inode_csum_seed(dir), data, count_offset + cl->count * sizeof(DxEntry));
    crc = klib::crc32c(crc, &tail->dt_reserved, sizeof(tail->dt_reserved));
    const u32 zero = 0;
    crc = klib::crc32c(crc, &zero, sizeof(zero));
    if (crc == tail->dt_checksum) return {};
    pr_err("ext4 (%s): htree directory %u index checksum mismatch", m_device.name(), dir.ino);
    return err(EFSBADCRC);
}

// Looks a name up through the index; ENOENT is definitive, other errors mean the index
// is unusable (the caller then searches linearly, as Linux does).
ErrorOr Ext4Filesystem::dx_find_entry(Inode& dir, kstd::string_view name, DirSlot* slot) {
    DxPath path;
    TRY(HTree::probe(*this, dir, name, path));
    DxLevel& bottom = path.levels[path.depth - 1];
    u64 leaf = path.leaf;
    u32 position = bottom.position;
    for (;;) {
        auto buffer = TRY(read_dir_block(dir, leaf));
        u8* data = buffer.data();
        u32 previous = ~0u;
        u32 limit = dir_entries_limit(data);
        for (u32 offset = 0; offset < limit; offset += dir_rec_len_at(data + offset)) {
            DirEntryHeader* entry = dirent_at(data, offset);
            if (dirent_matches(entry, name)) {
                *slot = DirSlot{leaf, offset, previous, entry->inode, entry->file_type};
                return {};
            }
            previous = offset;
        }
        // Equal hashes may continue in the next leaf, marked by the low bit of its hash.
        DxCountLimit* cl = bottom.countlimit();
        if (position + 1 >= cl->count) break;
        DxEntry& next = bottom.entries()[position + 1];
        if (!(next.hash & 1) || (next.hash & ~1u) != path.hash) break;
        position++;
        leaf = next.block & 0x0FFFFFFF;
        if (leaf == 0 || leaf >= dir.size() / m_block_size) return HTree::corrupt(*this, dir, "bad continuation");
    }
    return err(ENOENT);
}

ErrorOr Ext4Filesystem::dx_add_entry(Inode& dir, kstd::string_view name, u32 ino, u8 file_type, bool* done) {
    *done = false;
    for (int attempt = 0; attempt < 8; attempt++) {
        DxPath path;
        if (auto result = HTree::probe(*this, dir, name, path); result.is_error()) {
            pr_warn("ext4 (%s): directory %u: unusable index, clearing it", m_device.name(), dir.ino);
            return dx_clear_index(dir);
        }
        u8 hash_version = HTree::root_info(path.levels[0].buffer.data())->hash_version;
        {
            auto leaf = TRY(read_dir_block(dir, path.leaf));
            if (insert_into_block(leaf.data(), dir_usable_size(), name, ino, file_type)) {
                set_dir_block_checksum(dir, leaf.data());
                leaf.mark_dirty();
                *done = true;
                return {};
            }
        }
        u32 bottom = path.depth - 1;
        DxCountLimit* cl = path.levels[bottom].countlimit();
        if (cl->count < cl->limit) {
            TRY(HTree::split_leaf(*this, dir, path, hash_version));
            continue;
        }
        // The leaf's index node is full: make room above it first.
        u32 level = bottom;
        while (level > 0 && path.levels[level - 1].countlimit()->count >= path.levels[level - 1].countlimit()->limit) level--;
        if (level == 0) {
            if (path.depth >= HTree::max_levels(*this)) {
                pr_warn("ext4 (%s): directory %u: index full, clearing it", m_device.name(), dir.ino);
                return dx_clear_index(dir);
            }
            TRY(HTree::add_level(*this, dir, path));
            continue;
        }
        TRY(HTree::split_node(*this, dir, path, level));
    }
    return HTree::corrupt(*this, dir, "insert did not converge");
}

ErrorOr Ext4Filesystem::make_indexed_dir(Inode& dir) {
    auto root = TRY(read_dir_block(dir, 0));
    u8* data = root.data();
    u32 dot_len = dir_rec_len_at(data);
    DirEntryHeader* dotdot = dirent_at(data, dot_len);
    if (dot_len != dir_rec_len(1) || data[8] != '.' || dotdot->name_len != 2) {
        pr_err("ext4 (%s): directory %u: '.' and '..' are not first", m_device.name(), dir.ino);
        return err(EFSCORRUPTED);
    }
    BufferRef leaf;
    u64 leaf_logical = TRY(append_dir_block(dir, &leaf));
    // Move every entry after ".." into the new leaf.
    u32 limit = dir_entries_limit(data);
    u32 at = 0, previous = 0;
    u8* out = leaf.data();
    for (u32 offset = dot_len + dir_rec_len_at(data + dot_len); offset < limit; offset += dir_rec_len_at(data + offset)) {
        DirEntryHeader* entry = dirent_at(data, offset);
        if (!entry->inode) continue;
        u32 size = dir_rec_len(entry->name_len);
        memcpy(out + at, entry, size);
        dir_set_rec_len(out + at, size);
        previous = at;
        at += size;
    }
    if (at) dir_set_rec_len(out + previous, dir_usable_size() - previous);
    set_dir_block_checksum(dir, out);
    leaf.mark_dirty();

    dir_set_rec_len(data + dot_len, m_block_size - dot_len);
    memset(data + DX_ROOT_INFO_OFFSET, 0, m_block_size - DX_ROOT_INFO_OFFSET);
    DxRootInfo* info = HTree::root_info(data);
    u8 version = m_sb.s_def_hash_version <= DX_HASH_TEA ? m_sb.s_def_hash_version : static_cast<u8>(DX_HASH_HALF_MD4);
    info->hash_version = version;
    info->info_length = sizeof(DxRootInfo);
    auto* cl = reinterpret_cast<DxCountLimit*>(data + DX_ROOT_ENTRIES_OFFSET);
    cl->limit = static_cast<u16>(HTree::limit(*this, DX_ROOT_ENTRIES_OFFSET));
    cl->count = 1;
    reinterpret_cast<DxEntry*>(cl)[0].block = static_cast<u32>(leaf_logical);
    dir.raw.i_flags |= INODE_INDEX_FL;
    dx_set_checksum(dir, data, DX_ROOT_ENTRIES_OFFSET);
    root.mark_dirty();
    return {};
}

// Turns the index blocks back into ordinary (empty) directory blocks and drops the
// index flag: the directory stays valid, only lookups become linear.
ErrorOr Ext4Filesystem::dx_clear_index(Inode& dir) {
    u64 blocks = dir.size() / m_block_size;
    for (u64 logical = 0; logical < blocks; logical++) {
        auto buffer = TRY(read_dir_block(dir, logical));
        u8* data = buffer.data();
        if (logical == 0) {
            u32 dot_len = dir_rec_len_at(data);
            if (dot_len >= m_block_size - 24) return err(EFSCORRUPTED);
            memset(data + dot_len + 12, 0, m_block_size - dot_len - 12);
            dir_set_rec_len(data + dot_len, dir_usable_size() - dot_len);
        } else if (load_le32(data) == 0 && dir_rec_len_at(data) == m_block_size) {
            memset(data, 0, m_block_size);
            dir_set_rec_len(data, dir_usable_size());
        } else {
            continue;
        }
        set_dir_block_checksum(dir, data);
        buffer.mark_dirty();
    }
    dir.raw.i_flags &= ~INODE_INDEX_FL;
    return {};
}

}  // namespace ext4
