// ext4: linear directories — checking and checksumming directory blocks, finding,
// adding and removing entries, new directory blocks, emptiness, and readdir.
#include "fs/ext4/directory.h"

#include "lib/crc32c.h"
#include "lib/string.h"
#include "log/klog.h"

namespace ext4 {

u32 Ext4Filesystem::dir_rec_len_at(const u8* entry) const {
    u32 length = load_le16(entry + 4);
    if (m_block_size < 65536) return length;
    if (length == 65535 || length == 0) return m_block_size;
    return (length & 65532) | ((length & 3) << 16);
}

void Ext4Filesystem::dir_set_rec_len(u8* entry, u32 length) const {
    if (m_block_size >= 65536 && length >= 65536) length = length == m_block_size ? 65535 : ((length & 65532) | ((length >> 16) & 3));
    store_le16(entry + 4, static_cast<u16>(length));
}

bool Ext4Filesystem::dir_block_has_tail(const u8* data) const {
    const auto* tail = reinterpret_cast<const DirTail*>(data + m_block_size - sizeof(DirTail));
    return tail->det_reserved_zero1 == 0 && tail->det_rec_len == sizeof(DirTail) && tail->det_reserved_zero2 == 0 &&
           tail->det_reserved_ft == DIR_TAIL_FT;
}

u32 Ext4Filesystem::dir_entries_limit(const u8* data) const {
    return has_metadata_csum() && dir_block_has_tail(data) ? m_block_size - sizeof(DirTail) : m_block_size;
}

// Bytes of a leaf block available to entries (the checksum tail is not).
u32 Ext4Filesystem::dir_usable_size() const { return m_block_size - (has_metadata_csum() ? sizeof(DirTail) : 0); }

void Ext4Filesystem::set_dir_block_checksum(Inode& dir, u8* data) {
    if (!has_metadata_csum()) return;
    auto* tail = reinterpret_cast<DirTail*>(data + m_block_size - sizeof(DirTail));
    tail->det_reserved_zero1 = 0;
    tail->det_rec_len = sizeof(DirTail);
    tail->det_reserved_zero2 = 0;
    tail->det_reserved_ft = DIR_TAIL_FT;
    tail->det_checksum = klib::crc32c(inode_csum_seed(dir), data, m_block_size - sizeof(DirTail));
}

u8 Ext4Filesystem::file_type_for_mode(u32 mode) const {
    if (!has_incompat(INCOMPAT_FILETYPE)) return FT_UNKNOWN;
    switch (mode & MODE_TYPE_MASK) {
    case MODE_REG: return FT_REG_FILE;
    case MODE_DIR: return FT_DIR;
    case MODE_CHR: return FT_CHRDEV;
    case MODE_BLK: return FT_BLKDEV;
    case MODE_FIFO: return FT_FIFO;
    case MODE_SOCK: return FT_SOCK;
    case MODE_LNK: return FT_SYMLINK;
    default: return FT_UNKNOWN;
    }
}

// Linux: __ext4_check_dir_entry.
ErrorOr Ext4Filesystem::check_entry(Inode& dir, u64 logical, const u8* data, u32 offset, u32 limit) {
    const char* why = nullptr;
    u32 rec_len = dir_rec_len_at(data + offset);
    u32 name_len = data[offset + 6];
    if (limit - offset < 8) why = "entry header crosses the block end";
    else if (rec_len < dir_rec_len(1)) why = "rec_len is smaller than minimal";
    else if (rec_len % 4) why = "rec_len % 4 != 0";
    else if (rec_len < dir_rec_len(name_len)) why = "rec_len is too small for name_len";
    else if (rec_len > limit - offset) why = "directory entry overrun";
    else if (load_le32(data + offset) > m_sb.s_inodes_count) why = "inode out of bounds";
    if (!why) return {};
    pr_err("ext4 (%s): bad entry in directory %u block %llu offset %u: %s", m_device.name(), dir.ino,
           static_cast<unsigned long long>(logical), offset, why);
    return err(EFSCORRUPTED);
}

ErrorOr Ext4Filesystem::verify_dir_block(Inode& dir, u64 logical, const u8* data) {
    bool indexed = dir.has_flag(INODE_INDEX_FL) && has_compat(COMPAT_DIR_INDEX);
    bool dx_node = indexed && (logical == 0 || (load_le32(data) == 0 && dir_rec_len_at(data) == m_block_size));
    u32 limit = m_block_size;
    if (dx_node) {
        if (has_metadata_csum()) TRY(dx_verify_checksum(dir, data, logical == 0 ? DX_ROOT_ENTRIES_OFFSET : DX_NODE_ENTRIES_OFFSET));
    } else if (has_metadata_csum()) {
        if (!dir_block_has_tail(data)) {
            pr_err("ext4 (%s): directory %u block %llu has no checksum tail", m_device.name(), dir.ino,
                   static_cast<unsigned long long>(logical));
            return err(EFSBADCRC);
        }
        const auto* tail = reinterpret_cast<const DirTail*>(data + m_block_size - sizeof(DirTail));
        if (tail->det_checksum != klib::crc32c(inode_csum_seed(dir), data, m_block_size - sizeof(DirTail))) {
            pr_err("ext4 (%s): directory %u block %llu checksum mismatch", m_device.name(), dir.ino,
                   static_cast<unsigned long long>(logical));
            return err(EFSBADCRC);
        }
        limit -= sizeof(DirTail);
    }
    for (u32 offset = 0; offset < limit; offset += dir_rec_len_at(data + offset)) TRY(check_entry(dir, logical, data, offset, limit));
    return {};
}

Result<BufferRef> Ext4Filesystem::read_dir_block(Inode& dir, u64 logical) {
    u64 physical;
    u32 length;
    bool unwritten;
    TRY(map_block(dir, logical, &physical, &length, &unwritten));
    if (!physical || unwritten) {
        pr_err("ext4 (%s): directory %u has a hole at block %llu", m_device.name(), dir.ino,
               static_cast<unsigned long long>(logical));
        return err(EFSCORRUPTED);
    }
    auto buffer = TRY(m_cache.get(physical));
    if (!buffer.verified()) {
        TRY(verify_dir_block(dir, logical, buffer.data()));
        buffer.set_verified();
    }
    return buffer;
}

ErrorOr Ext4Filesystem::find_entry(Inode& dir, kstd::string_view name, DirSlot* slot) {
    if (dir.has_flag(INODE_INDEX_FL) && has_compat(COMPAT_DIR_INDEX)) {
        auto result = dx_find_entry(dir, name, slot);
        if (!result.is_error() || result.error().code() == ENOENT) return result;
        pr_warn("ext4 (%s): directory %u: falling back to a linear search", m_device.name(), dir.ino);
    }
    u64 blocks = dir.size() / m_block_size;
    for (u64 logical = 0; logical < blocks; logical++) {
        auto buffer = TRY(read_dir_block(dir, logical));
        u8* data = buffer.data();
        u32 previous = ~0u;
        u32 limit = dir_entries_limit(data);
        for (u32 offset = 0; offset < limit; offset += dir_rec_len_at(data + offset)) {
            DirEntryHeader* entry = dirent_at(data, offset);
            if (dirent_matches(entry, name)) {
                *slot = DirSlot{logical, offset, previous, entry->inode, entry->file_type};
                return {};
            }
            previous = offset;
        }
    }
    return err(ENOENT);
}

// Puts a new entry in the free space of one block; false when it does not fit.
bool Ext4Filesystem::insert_into_block(u8* data, u32 limit, kstd::string_view name, u32 ino, u8 file_type) {
    u32 needed = dir_rec_len(static_cast<u32>(name.size()));
    for (u32 offset = 0; offset < limit;) {
        DirEntryHeader* entry = dirent_at(data, offset);
        u32 rec_len = dir_rec_len_at(data + offset);
        u32 used = entry->inode ? dir_rec_len(entry->name_len) : 0;
        if (rec_len - used >= needed) {
            u32 at = offset;
            if (used) {
                dir_set_rec_len(data + offset, used);
                at = offset + used;
                rec_len -= used;
            }
            DirEntryHeader* fresh = dirent_at(data, at);
            fresh->inode = ino;
            dir_set_rec_len(data + at, rec_len);
            fresh->name_len = static_cast<u8>(name.size());
            fresh->file_type = file_type;
            memcpy(data + at + sizeof(DirEntryHeader), name.data(), name.size());
            return true;
        }
        offset += rec_len;
    }
    return false;
}

ErrorOr Ext4Filesystem::add_entry(Inode& dir, kstd::string_view name, u32 ino, u8 file_type) {
    if (dir.has_flag(INODE_INDEX_FL) && has_compat(COMPAT_DIR_INDEX)) {
        bool done = false;
        TRY(dx_add_entry(dir, name, ino, file_type, &done));
        if (done) return {};
    }
    return add_entry_linear(dir, name, ino, file_type);
}

ErrorOr Ext4Filesystem::add_entry_linear(Inode& dir, kstd::string_view name, u32 ino, u8 file_type) {
    u64 blocks = dir.size() / m_block_size;
    for (u64 logical = 0; logical < blocks; logical++) {
        auto buffer = TRY(read_dir_block(dir, logical));
        if (insert_into_block(buffer.data(), dir_usable_size(), name, ino, file_type)) {
            set_dir_block_checksum(dir, buffer.data());
            buffer.mark_dirty();
            return {};
        }
    }
    // A full one-block directory becomes an htree (Linux: make_indexed_dir).
    if (blocks == 1 && has_compat(COMPAT_DIR_INDEX) && !dir.has_flag(INODE_INDEX_FL)) {
        TRY(make_indexed_dir(dir));
        return add_entry(dir, name, ino, file_type);
    }
    BufferRef buffer;
    TRY(append_dir_block(dir, &buffer));
    insert_into_block(buffer.data(), dir_usable_size(), name, ino, file_type);
    set_dir_block_checksum(dir, buffer.data());
    buffer.mark_dirty();
    return {};
}

// Adds an empty leaf block at the end of the directory (the inode is written by the caller).
Result<u64> Ext4Filesystem::append_dir_block(Inode& dir, BufferRef* out) {
    u64 logical = dir.size() / m_block_size;
    if (logical >= 0xFFFFFFFull) return err(ENOSPC);
    u32 got;
    u64 physical = TRY(map_block_for_write(dir, logical, 1, &got));
    auto buffer = TRY(m_cache.get_zeroed(physical));
    dir_set_rec_len(buffer.data(), dir_usable_size());
    set_dir_block_checksum(dir, buffer.data());
    buffer.mark_dirty();
    dir.set_size(dir.size() + m_block_size);
    *out = kstd::move(buffer);
    return logical;
}

ErrorOr Ext4Filesystem::remove_entry(Inode& dir, DirSlot& slot) {
    auto buffer = TRY(read_dir_block(dir, slot.logical));
    u8* data = buffer.data();
    if (slot.previous != ~0u) {
        dir_set_rec_len(data + slot.previous, dir_rec_len_at(data + slot.previous) + dir_rec_len_at(data + slot.offset));
    } else {
        dirent_at(data, slot.offset)->inode = 0;
    }
    set_dir_block_checksum(dir, data);
    buffer.mark_dirty();
    return {};
}

ErrorOr Ext4Filesystem::set_entry_inode(Inode& dir, DirSlot& slot, u32 ino, u8 file_type) {
    auto buffer = TRY(read_dir_block(dir, slot.logical));
    DirEntryHeader* entry = dirent_at(buffer.data(), slot.offset);
    entry->inode = ino;
    entry->file_type = file_type;
    set_dir_block_checksum(dir, buffer.data());
    buffer.mark_dirty();
    return {};
}

ErrorOr Ext4Filesystem::init_dir_block(Inode& dir, u8* data, u32 self_ino, u32 parent_ino) {
    memset(data, 0, m_block_size);
    DirEntryHeader* dot = dirent_at(data, 0);
    dot->inode = self_ino;
    dir_set_rec_len(data, dir_rec_len(1));
    dot->name_len = 1;
    dot->file_type = file_type_for_mode(MODE_DIR);
    data[8] = '.';
    u32 second = dir_rec_len(1);
    DirEntryHeader* dotdot = dirent_at(data, second);
    dotdot->inode = parent_ino;
    dir_set_rec_len(data + second, dir_usable_size() - second);
    dotdot->name_len = 2;
    dotdot->file_type = file_type_for_mode(MODE_DIR);
    data[second + 8] = '.';
    data[second + 9] = '.';
    set_dir_block_checksum(dir, data);
    return {};
}

ErrorOr Ext4Filesystem::set_dotdot(Inode& dir, u32 parent_ino) {
    auto buffer = TRY(read_dir_block(dir, 0));
    u8* data = buffer.data();
    u32 second = dir_rec_len_at(data);
    DirEntryHeader* dotdot = dirent_at(data, second);
    if (second >= m_block_size - 12 || dotdot->name_len != 2 || memcmp(dirent_name(dotdot), "..", 2) != 0) {
        pr_err("ext4 (%s): directory %u has no '..' entry", m_device.name(), dir.ino);
        return err(EFSCORRUPTED);
    }
    dotdot->inode = parent_ino;
    if (dir.has_flag(INODE_INDEX_FL) && has_compat(COMPAT_DIR_INDEX))
        dx_set_checksum(dir, data, DX_ROOT_ENTRIES_OFFSET);
    else
        set_dir_block_checksum(dir, data);
    buffer.mark_dirty();
    return {};
}

Result<bool> Ext4Filesystem::dir_is_empty(Inode& dir) {
    u64 blocks = dir.size() / m_block_size;
    for (u64 logical = 0; logical < blocks; logical++) {
        auto buffer = TRY(read_dir_block(dir, logical));
        u8* data = buffer.data();
        u32 limit = dir_entries_limit(data);
        for (u32 offset = 0; offset < limit; offset += dir_rec_len_at(data + offset)) {
            DirEntryHeader* entry = dirent_at(data, offset);
            if (!entry->inode) continue;
            kstd::string_view name(dirent_name(entry), entry->name_len);
            if (name != "." && name != "..") return false;
        }
    }
    return true;
}

Result<u64> Ext4Filesystem::readdir(u32 dir_ino, u64 cookie, DirCallback callback, void* context) {
    Inode dir;
    TRY(load_inode(dir_ino, dir));
    if (!dir.is_dir()) return err(ENOTDIR);
    u64 size = dir.size();
    u64 blocks = size / m_block_size;
    DirEntry* entry_out = new (kstd::nothrow) DirEntry;
    if (!entry_out) return err(ENOMEM);
    OwnPtr<DirEntry> holder(entry_out);
    for (u64 logical = cookie / m_block_size; logical < blocks; logical++) {
        auto buffer = TRY(read_dir_block(dir, logical));
        u8* data = buffer.data();
        u32 limit = dir_entries_limit(data);
        u64 block_start = logical * m_block_size;
        // A cookie may point into an entry merged away since; resume at the next entry.
        for (u32 offset = 0; offset < limit; offset += dir_rec_len_at(data + offset)) {
            u64 position = block_start + offset;
            DirEntryHeader* entry = dirent_at(data, offset);
            if (position < cookie || !entry->inode) continue;
            entry_out->ino = entry->inode;
            entry_out->name_len = entry->name_len;
            memcpy(entry_out->name, dirent_name(entry), entry->name_len);
            entry_out->name[entry->name_len] = 0;
            entry_out->next_cookie = position + dir_rec_len_at(data + offset);
            u8 type = entry->file_type;
            static constexpr u8 DT_FROM_FT[] = {0, 8, 4, 2, 6, 1, 12, 10};
            entry_out->type = type < 8 ? DT_FROM_FT[type] : 0;
            if (!callback(*entry_out, context)) return position;
        }
    }
    return size;
}

}  // namespace ext4
