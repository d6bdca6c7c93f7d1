// ext4: the in-memory copy of an on-disk inode and accessors for its split fields
// (sizes, owners, block counts and timestamps are stored in pieces, Linux fs/ext4/ext4.h).
#pragma once

#include "fs/ext4/format.h"
#include "lib/string.h"

namespace ext4 {

struct Timestamp {
    i64 sec = 0;
    u32 nsec = 0;
};

// The fixed part of an inode (GOOD_OLD_INODE_SIZE + i_extra_isize bytes). In-inode
// extended attributes live after it and are edited in the inode table buffer directly.
struct Inode {
    u32 ino = 0;
    RawInode raw{};

    u16 mode() const { return raw.i_mode; }
    u32 file_type() const { return raw.i_mode & MODE_TYPE_MASK; }
    bool is_dir() const { return file_type() == MODE_DIR; }
    bool is_reg() const { return file_type() == MODE_REG; }
    bool is_symlink() const { return file_type() == MODE_LNK; }
    bool has_flag(u32 flag) const { return raw.i_flags & flag; }

    u64 size() const { return raw.i_size_lo | static_cast<u64>(raw.i_size_high) << 32; }
    void set_size(u64 size) {
        raw.i_size_lo = static_cast<u32>(size);
        raw.i_size_high = static_cast<u32>(size >> 32);
    }
    u32 uid() const { return raw.i_uid | static_cast<u32>(raw.i_uid_high) << 16; }
    u32 gid() const { return raw.i_gid | static_cast<u32>(raw.i_gid_high) << 16; }
    void set_uid(u32 uid) {
        raw.i_uid = static_cast<u16>(uid);
        raw.i_uid_high = static_cast<u16>(uid >> 16);
    }
    void set_gid(u32 gid) {
        raw.i_gid = static_cast<u16>(gid);
        raw.i_gid_high = static_cast<u16>(gid >> 16);
    }
    u64 file_acl() const { return raw.i_file_acl_lo | static_cast<u64>(raw.i_file_acl_high) << 32; }
    void set_file_acl(u64 block) {
        raw.i_file_acl_lo = static_cast<u32>(block);
        raw.i_file_acl_high = static_cast<u16>(block >> 32);
    }
    // i_blocks in 512-byte sectors (huge files count file system blocks, HUGE_FILE_FL).
    u64 blocks_raw() const { return raw.i_blocks_lo | static_cast<u64>(raw.i_blocks_high) << 32; }
    void set_blocks_raw(u64 value) {
        raw.i_blocks_lo = static_cast<u32>(value);
        raw.i_blocks_high = static_cast<u16>(value >> 32);
    }
    u32 extra_isize() const { return raw.i_extra_isize; }
    // Whether the large-inode field ending at `end` (an EXTRA_END_* value) is present.
    bool has_extra(u32 end) const { return raw.i_extra_isize >= end; }
};

// Linux: ext4_encode_extra_time / ext4_decode_extra_time. The low two bits of the extra
// word extend the signed 32-bit seconds by epochs; the upper 30 bits are nanoseconds.
inline Timestamp decode_time(u32 seconds, u32 extra, bool has_extra) {
    Timestamp t;
    t.sec = static_cast<i32>(seconds);
    if (has_extra) {
        t.sec += static_cast<i64>(extra & 3) << 32;
        t.nsec = extra >> 2;
        if (t.nsec > 999999999) t.nsec = 0;
    }
    return t;
}
inline u32 encode_time_extra(Timestamp t) {
    u32 epoch = static_cast<u32>(((t.sec - static_cast<i32>(t.sec)) >> 32) & 3);
    return epoch | (t.nsec << 2);
}

}  // namespace ext4
