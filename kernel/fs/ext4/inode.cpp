// ext4: inodes — locating them in the inode tables, reading and writing them with their
// checksums, initialising new ones, timestamps and block accounting.
#include "fs/ext4/filesystem.h"
#include "lib/crc32c.h"
#include "lib/string.h"
#include "log/klog.h"

namespace ext4 {

Result<BufferRef> Ext4Filesystem::inode_buffer(u32 ino, u32* offset) {
    if (ino == 0 || ino > m_sb.s_inodes_count) {
        pr_err("ext4 (%s): invalid inode number %u", m_device.name(), ino);
        return err(EFSCORRUPTED);
    }
    u32 group = (ino - 1) / m_inodes_per_group;
    u32 index = (ino - 1) % m_inodes_per_group;
    GroupDesc* desc;
    u64 table;
    {
        auto desc_buffer = TRY(group_desc_buffer(group, &desc));
        table = gd_inode_table(*desc);
    }
    u64 byte = static_cast<u64>(index) * m_inode_size;
    *offset = static_cast<u32>(byte % m_block_size);
    return m_cache.get(table + byte / m_block_size);
}

u32 Ext4Filesystem::inode_checksum(u32 ino, const u8* raw) const {
    u8 le[4];
    store_le32(le, ino);
    u32 crc = klib::crc32c(m_csum_seed, le, 4);
    crc = klib::crc32c(crc, raw + offsetof(RawInode, i_generation), 4);
    const u16 zero = 0;
    crc = klib::crc32c(crc, raw, INODE_CHECKSUM_LO_OFFSET);
    crc = klib::crc32c(crc, &zero, 2);
    crc = klib::crc32c(crc, raw + INODE_CHECKSUM_LO_OFFSET + 2,
                       GOOD_OLD_INODE_SIZE - INODE_CHECKSUM_LO_OFFSET - 2);
    if (m_inode_size > GOOD_OLD_INODE_SIZE) {
        u32 offset = INODE_CHECKSUM_HI_OFFSET;
        crc = klib::crc32c(crc, raw + GOOD_OLD_INODE_SIZE, offset - GOOD_OLD_INODE_SIZE);
        if (load_le16(raw + offsetof(RawInode, i_extra_isize)) >= EXTRA_END_CHECKSUM_HI) {
            crc = klib::crc32c(crc, &zero, 2);
            offset += 2;
        }
        crc = klib::crc32c(crc, raw + offset, m_inode_size - offset);
    }
    return crc;
}

u32 Ext4Filesystem::inode_csum_seed(const Inode& inode) const {
    u8 le[4];
    store_le32(le, inode.ino);
    u32 crc = klib::crc32c(m_csum_seed, le, 4);
    store_le32(le, inode.raw.i_generation);
    return klib::crc32c(crc, le, 4);
}

ErrorOr Ext4Filesystem::read_inode(u32 ino, Inode& inode) {
    u32 offset;
    auto buffer = TRY(inode_buffer(ino, &offset));
    const u8* raw = buffer.data() + offset;
    inode = Inode{};
    inode.ino = ino;
    memcpy(&inode.raw, raw, GOOD_OLD_INODE_SIZE);
    if (m_inode_size > GOOD_OLD_INODE_SIZE) {
        u32 extra = load_le16(raw + GOOD_OLD_INODE_SIZE);
        if (extra > m_inode_size - GOOD_OLD_INODE_SIZE || (extra & 3)) {
            pr_err("ext4 (%s): inode %u has invalid extra size %u", m_device.name(), ino, extra);
            return err(EFSCORRUPTED);
        }
        memcpy(reinterpret_cast<u8*>(&inode.raw) + GOOD_OLD_INODE_SIZE, raw + GOOD_OLD_INODE_SIZE,
               kstd::min<u32>(extra, EXTRA_ISIZE_DEFAULT));
    }
    if (has_metadata_csum()) {
        u32 crc = inode_checksum(ino, raw);
        bool ok = inode.raw.i_checksum_lo == static_cast<u16>(crc);
        if (m_inode_size > GOOD_OLD_INODE_SIZE && inode.has_extra(EXTRA_END_CHECKSUM_HI))
            ok = ok && inode.raw.i_checksum_hi == static_cast<u16>(crc >> 16);
        if (!ok) {
            pr_err("ext4 (%s): inode %u checksum mismatch", m_device.name(), ino);
            return err(EFSBADCRC);
        }
    }
    return {};
}

ErrorOr Ext4Filesystem::write_inode(Inode& inode) {
    TRY(require_writable());
    u32 offset;
    auto buffer = TRY(inode_buffer(inode.ino, &offset));
    u8* raw = buffer.data() + offset;
    memcpy(raw, &inode.raw, GOOD_OLD_INODE_SIZE);
    if (m_inode_size > GOOD_OLD_INODE_SIZE)
        memcpy(raw + GOOD_OLD_INODE_SIZE, reinterpret_cast<u8*>(&inode.raw) + GOOD_OLD_INODE_SIZE,
               kstd::min<u32>(inode.raw.i_extra_isize, EXTRA_ISIZE_DEFAULT));
    if (has_metadata_csum()) {
        u32 crc = inode_checksum(inode.ino, raw);
        inode.raw.i_checksum_lo = static_cast<u16>(crc);
        store_le16(raw + INODE_CHECKSUM_LO_OFFSET, inode.raw.i_checksum_lo);
        if (m_inode_size > GOOD_OLD_INODE_SIZE && inode.has_extra(EXTRA_END_CHECKSUM_HI)) {
            inode.raw.i_checksum_hi = static_cast<u16>(crc >> 16);
            store_le16(raw + INODE_CHECKSUM_HI_OFFSET, inode.raw.i_checksum_hi);
        }
    }
    buffer.mark_dirty();
    return {};
}

ErrorOr Ext4Filesystem::init_new_inode(Inode& inode, u32 ino, u32 mode, u32 uid, u32 gid) {
    u32 offset;
    {
        auto buffer = TRY(inode_buffer(ino, &offset));
        memset(buffer.data() + offset, 0, m_inode_size);
        buffer.mark_dirty();
    }
    inode = Inode{};
    inode.ino = ino;
    inode.raw.i_mode = static_cast<u16>(mode);
    inode.set_uid(uid);
    inode.set_gid(gid);
    inode.raw.i_links_count = 1;
    if (m_inode_size > GOOD_OLD_INODE_SIZE) {
        u32 want = kstd::max<u32>(m_sb.s_want_extra_isize, EXTRA_ISIZE_DEFAULT);
        inode.raw.i_extra_isize = static_cast<u16>(kstd::min(want, m_inode_size - GOOD_OLD_INODE_SIZE) & ~3u);
    }
    m_generation_state = m_generation_state * 1664525u + 1013904223u;
    inode.raw.i_generation = m_generation_state;
    u32 type = mode & MODE_TYPE_MASK;
    if (has_incompat(INCOMPAT_EXTENTS) && (type == MODE_REG || type == MODE_DIR)) TRY(extent_init_root(inode));
    Timestamp t = now();
    inode.raw.i_crtime = static_cast<u32>(t.sec);
    if (inode.has_extra(EXTRA_END_CRTIME)) inode.raw.i_crtime_extra = encode_time_extra(t);
    touch(inode, true, true, true);
    return {};
}

void Ext4Filesystem::touch(Inode& inode, bool atime, bool mtime, bool ctime) {
    Timestamp t = now();
    u32 extra = encode_time_extra(t);
    if (atime) {
        inode.raw.i_atime = static_cast<u32>(t.sec);
        if (inode.has_extra(EXTRA_END_ATIME)) inode.raw.i_atime_extra = extra;
    }
    if (mtime) {
        inode.raw.i_mtime = static_cast<u32>(t.sec);
        if (inode.has_extra(EXTRA_END_MTIME)) inode.raw.i_mtime_extra = extra;
    }
    if (ctime) {
        inode.raw.i_ctime = static_cast<u32>(t.sec);
        if (inode.has_extra(EXTRA_END_CTIME)) inode.raw.i_ctime_extra = extra;
    }
}

u64 Ext4Filesystem::inode_block_count(const Inode& inode) const {
    u64 raw = inode.raw.i_blocks_lo;
    if (has_ro_compat(RO_COMPAT_HUGE_FILE)) {
        raw |= static_cast<u64>(inode.raw.i_blocks_high) << 32;
        if (inode.has_flag(INODE_HUGE_FILE_FL)) return raw;
    }
    return raw / (m_block_size / 512);
}

void Ext4Filesystem::add_inode_blocks(Inode& inode, i64 delta_blocks) {
    u64 blocks = inode_block_count(inode);
    blocks = delta_blocks < 0 && static_cast<u64>(-delta_blocks) > blocks ? 0 : blocks + delta_blocks;
    u64 sectors = blocks * (m_block_size / 512);
    inode.raw.i_flags &= ~INODE_HUGE_FILE_FL;
    if (has_ro_compat(RO_COMPAT_HUGE_FILE)) {
        if (sectors >> 48) {
            inode.raw.i_flags |= INODE_HUGE_FILE_FL;
            inode.set_blocks_raw(blocks);
        } else {
            inode.set_blocks_raw(sectors);
        }
    } else {
        inode.raw.i_blocks_lo = static_cast<u32>(sectors);
    }
}

bool Ext4Filesystem::is_valid_data_block(u64 block, u64 count) const {
    return block >= m_first_data_block && block < m_blocks_count && count <= m_blocks_count - block &&
           (block > SUPERBLOCK_OFFSET / m_block_size);
}

Result<InodeStat> Ext4Filesystem::make_stat(const Inode& inode) const {
    InodeStat st{};
    st.ino = inode.ino;
    st.mode = inode.mode();
    st.nlink = inode.raw.i_links_count;
    st.uid = inode.uid();
    st.gid = inode.gid();
    st.size = inode.size();
    st.blocks = inode_block_count(inode) * (m_block_size / 512);
    u32 type = inode.file_type();
    if (type == MODE_CHR || type == MODE_BLK) {
        u32 old_dev = inode.raw.i_block[0];
        if (old_dev) {
            st.rdev = {(old_dev >> 8) & 0xFF, old_dev & 0xFF};
        } else {
            u32 dev = inode.raw.i_block[1];
            st.rdev = {(dev & 0xFFF00) >> 8, (dev & 0xFF) | ((dev >> 12) & 0xFFF00)};
        }
    }
    st.atime = decode_time(inode.raw.i_atime, inode.raw.i_atime_extra, inode.has_extra(EXTRA_END_ATIME));
    st.mtime = decode_time(inode.raw.i_mtime, inode.raw.i_mtime_extra, inode.has_extra(EXTRA_END_MTIME));
    st.ctime = decode_time(inode.raw.i_ctime, inode.raw.i_ctime_extra, inode.has_extra(EXTRA_END_CTIME));
    st.crtime = decode_time(inode.raw.i_crtime, inode.raw.i_crtime_extra, inode.has_extra(EXTRA_END_CRTIME));
    st.generation = inode.raw.i_generation;
    st.flags = inode.raw.i_flags;
    return st;
}

}  // namespace ext4
