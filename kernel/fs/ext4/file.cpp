// ext4: file data — mapping logical blocks through extents or block maps, reading and
// writing data directly to the device (holes and unwritten extents read as zeros),
// allocation that keeps files contiguous, truncation and fallocate.
#include <linux/falloc.h>

#include "fs/ext4/filesystem.h"
#include "lib/string.h"
#include "log/klog.h"

namespace ext4 {
namespace {

// A block-sized scratch buffer for partial blocks.
class Bounce {
public:
    explicit Bounce(u32 size) : m_data(new (kstd::nothrow) u8[size]) {}
    ~Bounce() { delete[] m_data; }
    Bounce(const Bounce&) = delete;
    Bounce& operator=(const Bounce&) = delete;
    u8* data() const { return m_data; }

private:
    u8* m_data;
};

}  // namespace

u64 Ext4Filesystem::max_file_size(const Inode& inode) const {
    if (inode.has_flag(INODE_EXTENTS_FL)) return 0xFFFFFFFFull * m_block_size;
    u64 per_block = m_block_size / 4;
    u64 blocks = DIRECT_BLOCKS + per_block + per_block * per_block + per_block * per_block * per_block;
    // Without huge_file, i_blocks counts 512-byte sectors in 32 bits.
    if (!has_ro_compat(RO_COMPAT_HUGE_FILE)) blocks = kstd::min<u64>(blocks, 0xFFFFFFFFull / (m_block_size / 512) - 1024);
    return blocks * m_block_size;
}

ErrorOr Ext4Filesystem::map_block(Inode& inode, u64 logical, u64* physical, u32* length, bool* unwritten) {
    if (inode.has_flag(INODE_INLINE_DATA_FL)) {
        pr_err("ext4 (%s): inode %u has inline data, which the file system does not enable",
               m_device.name(), inode.ino);
        return err(EFSCORRUPTED);
    }
    if (inode.has_flag(INODE_EXTENTS_FL)) return extent_map(inode, logical, physical, length, unwritten);
    *unwritten = false;
    return blockmap_map(inode, logical, physical, length);
}

Result<u64> Ext4Filesystem::map_block_for_write(Inode& inode, u64 logical, u32 want, u32* got) {
    u64 physical;
    u32 length;
    bool unwritten;
    TRY(map_block(inode, logical, &physical, &length, &unwritten));
    if (physical) {
        *got = kstd::min(want, length);
        return physical;
    }
    u32 count = kstd::min(want, length);
    if (inode.has_flag(INODE_EXTENTS_FL)) count = kstd::min(count, EXTENT_INIT_MAX_LEN);
    // Keep the file contiguous: aim right after the block before this one.
    u64 goal = 0;
    if (logical > 0) {
        u64 previous;
        u32 previous_length;
        bool previous_unwritten;
        TRY(map_block(inode, logical - 1, &previous, &previous_length, &previous_unwritten));
        if (previous) goal = previous + 1;
    }
    if (!goal) {
        u32 group = (inode.ino - 1) / m_inodes_per_group;
        goal = group_first_block(group);
    }
    u32 allocated;
    u64 first = TRY(allocate_blocks(goal, count, &allocated));
    if (inode.has_flag(INODE_EXTENTS_FL)) {
        if (auto result = extent_insert(inode, logical, first, allocated, false); result.is_error()) {
            (void)free_blocks(first, allocated);
            return result.error();
        }
    } else {
        for (u32 i = 0; i < allocated; i++) {
            if (auto result = blockmap_set(inode, logical + i, first + i); result.is_error()) {
                (void)free_blocks(first + i, allocated - i);
                add_inode_blocks(inode, i);
                return result.error();
            }
        }
    }
    add_inode_blocks(inode, allocated);
    *got = allocated;
    return first;
}

ErrorOr Ext4Filesystem::zero_blocks(u64 block, u32 count) {
    Bounce zeros(m_block_size);
    if (!zeros.data()) return err(ENOMEM);
    memset(zeros.data(), 0, m_block_size);
    for (u32 i = 0; i < count; i++) TRY(m_cache.write_blocks(block + i, 1, zeros.data()));
    return {};
}

Result<usize> Ext4Filesystem::read_inode_data(Inode& inode, u64 offset, kstd::span<u8> buffer) {
    u64 size = inode.size();
    if (offset >= size || buffer.empty()) return static_cast<usize>(0);
    usize total = static_cast<usize>(kstd::min<u64>(buffer.size(), size - offset));
    Bounce bounce(m_block_size);
    if (!bounce.data()) return err(ENOMEM);
    usize done = 0;
    while (done < total) {
        u64 position = offset + done;
        u64 logical = position / m_block_size;
        u32 in_block = static_cast<u32>(position % m_block_size);
        u64 physical;
        u32 length;
        bool unwritten;
        TRY(map_block(inode, logical, &physical, &length, &unwritten));
        u64 span_bytes = static_cast<u64>(length) * m_block_size - in_block;
        usize chunk = static_cast<usize>(kstd::min<u64>(span_bytes, total - done));
        u8* out = buffer.data() + done;
        if (!physical || unwritten) {
            memset(out, 0, chunk);
        } else if (in_block == 0 && chunk >= m_block_size) {
            chunk -= chunk % m_block_size;
            TRY(m_cache.read_blocks(physical, static_cast<u32>(chunk / m_block_size), out));
        } else {
            chunk = kstd::min<usize>(chunk, m_block_size - in_block);
            TRY(m_cache.read_blocks(physical, 1, bounce.data()));
            memcpy(out, bounce.data() + in_block, chunk);
        }
        done += chunk;
    }
    return total;
}

Result<usize> Ext4Filesystem::write_inode_data(Inode& inode, u64 offset, kstd::span<const u8> data) {
    if (data.empty()) return static_cast<usize>(0);
    u64 end;
    if (!kstd::checked_add<u64>(offset, data.size(), &end) || end > max_file_size(inode)) return err(EFBIG);
    Bounce bounce(m_block_size);
    if (!bounce.data()) return err(ENOMEM);
    usize done = 0;
    ErrorOr status;
    while (done < data.size()) {
        u64 position = offset + done;
        u64 logical = position / m_block_size;
        u32 in_block = static_cast<u32>(position % m_block_size);
        u64 blocks_left = (end - logical * m_block_size + m_block_size - 1) / m_block_size;
        u64 existing;
        u32 existing_length;
        bool unwritten;
        if (status = map_block(inode, logical, &existing, &existing_length, &unwritten); status.is_error()) break;
        bool fresh = existing == 0;
        u32 run;
        auto mapped = map_block_for_write(inode, logical, static_cast<u32>(kstd::min<u64>(blocks_left, 1u << 15)), &run);
        if (mapped.is_error()) {
            status = mapped.error();
            break;
        }
        u64 physical = mapped.value();
        u64 span_bytes = static_cast<u64>(run) * m_block_size - in_block;
        usize chunk = static_cast<usize>(kstd::min<u64>(span_bytes, data.size() - done));
        const u8* in = data.data() + done;
        if (in_block == 0 && chunk >= m_block_size) {
            chunk -= chunk % m_block_size;
            status = m_cache.write_blocks(physical, static_cast<u32>(chunk / m_block_size), in);
        } else {
            chunk = kstd::min<usize>(chunk, m_block_size - in_block);
            if (fresh || unwritten)
                memset(bounce.data(), 0, m_block_size);
            else if (status = m_cache.read_blocks(physical, 1, bounce.data()); status.is_error())
                break;
            memcpy(bounce.data() + in_block, in, chunk);
            status = m_cache.write_blocks(physical, 1, bounce.data());
        }
        if (status.is_error()) break;
        u32 blocks_written = static_cast<u32>((in_block + chunk + m_block_size - 1) / m_block_size);
        if (unwritten && (status = extent_mark_written(inode, logical, blocks_written)).is_error()) break;
        done += chunk;
    }
    if (done) {
        if (offset + done > inode.size()) {
            inode.set_size(offset + done);
            if (offset + done > 0x7FFFFFFFull && !has_ro_compat(RO_COMPAT_LARGE_FILE)) {
                m_sb.s_feature_ro_compat |= RO_COMPAT_LARGE_FILE;
                m_superblock_dirty = true;
            }
        }
        touch(inode, false, true, true);
    }
    TRY(write_inode(inode));
    if (status.is_error() && done == 0) return status.error();
    return done;
}

ErrorOr Ext4Filesystem::truncate_blocks(Inode& inode, u64 new_size) {
    u64 first_removed = (new_size + m_block_size - 1) / m_block_size;
    if (new_size % m_block_size) {
        // Zero the rest of the new last block, so growing the file later reads zeros.
        u64 physical;
        u32 length;
        bool unwritten;
        TRY(map_block(inode, new_size / m_block_size, &physical, &length, &unwritten));
        if (physical && !unwritten) {
            Bounce bounce(m_block_size);
            if (!bounce.data()) return err(ENOMEM);
            TRY(m_cache.read_blocks(physical, 1, bounce.data()));
            u32 keep = static_cast<u32>(new_size % m_block_size);
            memset(bounce.data() + keep, 0, m_block_size - keep);
            TRY(m_cache.write_blocks(physical, 1, bounce.data()));
        }
    }
    if (inode.has_flag(INODE_EXTENTS_FL))
        TRY(extent_remove_from(inode, first_removed));
    else
        TRY(blockmap_truncate(inode, first_removed));
    return {};
}

ErrorOr Ext4Filesystem::release_inode_blocks(Inode& inode) {
    u32 type = inode.file_type();
    bool has_blocks = type == MODE_REG || type == MODE_DIR || (type == MODE_LNK && inode.size() >= sizeof(inode.raw.i_block));
    if (has_blocks) TRY(truncate_blocks(inode, 0));
    TRY(xattr_release_block(inode));
    return {};
}

Result<usize> Ext4Filesystem::read(u32 ino, u64 offset, kstd::span<u8> buffer) {
    Inode inode;
    TRY(load_inode(ino, inode));
    if (inode.is_dir()) return err(EISDIR);
    if (!inode.is_reg()) return err(EINVAL);
    return read_inode_data(inode, offset, buffer);
}

Result<usize> Ext4Filesystem::write(u32 ino, u64 offset, kstd::span<const u8> data) {
    TRY(require_writable());
    Inode inode;
    TRY(load_inode(ino, inode));
    if (inode.is_dir()) return err(EISDIR);
    if (!inode.is_reg()) return err(EINVAL);
    usize written = TRY(write_inode_data(inode, offset, data));
    TRY(maybe_commit());
    return written;
}

ErrorOr Ext4Filesystem::truncate(u32 ino, u64 size) {
    SetAttr attr;
    attr.mask = SETATTR_SIZE;
    attr.size = size;
    return setattr(ino, attr);
}

ErrorOr Ext4Filesystem::setattr(u32 ino, const SetAttr& attr) {
    TRY(require_writable());
    Inode inode;
    TRY(load_inode(ino, inode));
    if (attr.mask & SETATTR_SIZE) {
        if (inode.is_dir()) return err(EISDIR);
        if (!inode.is_reg()) return err(EINVAL);
        if (attr.size > max_file_size(inode)) return err(EFBIG);
        if (attr.size < inode.size()) TRY(truncate_blocks(inode, attr.size));
        inode.set_size(attr.size);
        if (attr.size > 0x7FFFFFFFull && !has_ro_compat(RO_COMPAT_LARGE_FILE)) {
            m_sb.s_feature_ro_compat |= RO_COMPAT_LARGE_FILE;
            m_superblock_dirty = true;
        }
        touch(inode, false, true, true);
    }
    if (attr.mask & SETATTR_MODE) inode.raw.i_mode = static_cast<u16>((inode.raw.i_mode & MODE_TYPE_MASK) | (attr.mode & 07777));
    if (attr.mask & SETATTR_UID) inode.set_uid(attr.uid);
    if (attr.mask & SETATTR_GID) inode.set_gid(attr.gid);
    auto set_time = [&](u32& seconds, u32& extra, u32 extra_end, Timestamp t) {
        seconds = static_cast<u32>(t.sec);
        if (inode.has_extra(extra_end)) extra = encode_time_extra(t);
    };
    if (attr.mask & SETATTR_ATIME) set_time(inode.raw.i_atime, inode.raw.i_atime_extra, EXTRA_END_ATIME, attr.atime);
    if (attr.mask & SETATTR_MTIME) set_time(inode.raw.i_mtime, inode.raw.i_mtime_extra, EXTRA_END_MTIME, attr.mtime);
    if (attr.mask & SETATTR_CTIME) set_time(inode.raw.i_ctime, inode.raw.i_ctime_extra, EXTRA_END_CTIME, attr.ctime);
    TRY(write_inode(inode));
    return maybe_commit();
}

ErrorOr Ext4Filesystem::fallocate(u32 ino, int mode, u64 offset, u64 length) {
    TRY(require_writable());
    if (mode & ~FALLOC_FL_KEEP_SIZE) return err(EOPNOTSUPP);
    if (length == 0) return err(EINVAL);
    Inode inode;
    TRY(load_inode(ino, inode));
    if (inode.is_dir()) return err(EISDIR);
    if (!inode.is_reg()) return err(ENODEV);
    if (!inode.has_flag(INODE_EXTENTS_FL)) return err(EOPNOTSUPP);
    u64 end;
    if (!kstd::checked_add(offset, length, &end) || end > max_file_size(inode)) return err(EFBIG);
    u64 logical = offset / m_block_size;
    u64 last = (end + m_block_size - 1) / m_block_size;
    ErrorOr status;
    while (logical < last) {
        u64 physical;
        u32 mapped;
        bool unwritten;
        if ((status = map_block(inode, logical, &physical, &mapped, &unwritten)).is_error()) break;
        u32 count = static_cast<u32>(kstd::min<u64>(mapped, last - logical));
        if (physical) {
            logical += count;
            continue;
        }
        count = kstd::min<u32>(count, EXTENT_UNWRITTEN_MAX_LEN);
        u64 goal = 0;
        if (logical > 0) {
            u64 previous;
            u32 previous_length;
            bool previous_unwritten;
            if ((status = map_block(inode, logical - 1, &previous, &previous_length, &previous_unwritten)).is_error())
                break;
            if (previous) goal = previous + 1;
        }
        u32 got;
        auto first = allocate_blocks(goal, count, &got);
        if (first.is_error()) {
            status = first.error();
            break;
        }
        if ((status = extent_insert(inode, logical, first.value(), got, true)).is_error()) {
            (void)free_blocks(first.value(), got);
            break;
        }
        add_inode_blocks(inode, got);
        logical += got;
    }
    if (!(mode & FALLOC_FL_KEEP_SIZE) && end > inode.size() && !status.is_error()) inode.set_size(end);
    touch(inode, false, false, true);
    TRY(write_inode(inode));
    if (status.is_error()) return status.error();
    return maybe_commit();
}

}  // namespace ext4
