// ext4: journal recovery (Linux fs/jbd2/recovery.c) — scan the committed transactions,
// collect revoke records, then write every logged block that no later revoke cancels.
// Descriptor, revoke and commit blocks and each logged block are checked against their
// checksums (jbd2 csum v2/v3) where the journal has them.
#include "fs/ext4/journal.h"

#include "fs/ext4/journal_format.h"
#include "lib/crc32c.h"
#include "lib/string.h"
#include "log/klog.h"

namespace ext4 {

using namespace jbd2;

namespace {

struct Revoke {
    u64 block;
    u32 tid;
};

enum class Pass { Scan, Revoke, Replay };

}  // namespace

ErrorOr Ext4Filesystem::journal_read(u32 position, u8* data) {
    u64 block;
    TRY(journal_map(position, &block));
    return m_cache.read_blocks(block, 1, data);
}

struct JournalOps {
    Ext4Filesystem& fs;
    Ext4Filesystem::Journal& j;
    u8* block;
    u8* data;
    Revoke* revokes = nullptr;
    u32 revoke_count = 0, revoke_capacity = 0;
    u32 end_tid = 0;
    u32 replayed = 0;

    ~JournalOps() { delete[] revokes; }

    u32 wrap(u32 position) const { return position >= j.maxlen ? position - (j.maxlen - j.first) : position; }

    bool tail_ok(const u8* b) {
        if (!j.has_checksums()) return true;
        u8* copy = data;
        memcpy(copy, b, fs.m_block_size);
        u32 provided = load_be32(copy + fs.m_block_size - TAIL_SIZE);
        memset(copy + fs.m_block_size - TAIL_SIZE, 0, TAIL_SIZE);
        return provided == klib::crc32c(j.csum_seed, copy, fs.m_block_size);
    }

    bool commit_ok(const u8* b) {
        if (!j.has_checksums()) return true;
        u8* copy = data;
        memcpy(copy, b, fs.m_block_size);
        u32 provided = load_be32(copy + COMMIT_CHECKSUM);
        memset(copy + COMMIT_CHECKSUM, 0, 4);
        return provided == klib::crc32c(j.csum_seed, copy, fs.m_block_size);
    }

    ErrorOr add_revoke(u64 target, u32 tid) {
        for (u32 i = 0; i < revoke_count; i++)
            if (revokes[i].block == target) {
                if (static_cast<i32>(tid - revokes[i].tid) > 0) revokes[i].tid = tid;
                return {};
            }
        if (revoke_count == revoke_capacity) {
            u32 capacity = revoke_capacity ? revoke_capacity * 2 : 64;
            auto* grown = new (kstd::nothrow) Revoke[capacity];
            if (!grown) return err(ENOMEM);
            for (u32 i = 0; i < revoke_count; i++) grown[i] = revokes[i];
            delete[] revokes;
            revokes = grown;
            revoke_capacity = capacity;
        }
        revokes[revoke_count++] = Revoke{target, tid};
        return {};
    }

    bool revoked(u64 target, u32 tid) const {
        for (u32 i = 0; i < revoke_count; i++)
            if (revokes[i].block == target) return static_cast<i32>(revokes[i].tid - tid) >= 0;
        return false;
    }

    // Linux: do_one_pass.
    ErrorOr pass(Pass which) {
        u32 tid = j.sequence;
        u32 position = j.start;
        u32 limit = j.maxlen - j.first;
        u32 tag_bytes = j.tag_bytes();
        bool is_64bit = j.incompat & FEATURE_INCOMPAT_64BIT;
        for (u32 steps = 0; steps <= limit; steps++) {
            if (which != Pass::Scan && tid == end_tid) return {};
            TRY(fs.journal_read(position, block));
            if (load_be32(block) != MAGIC || load_be32(block + 8) != tid) break;
            u32 type = load_be32(block + 4);
            if (type == DESCRIPTOR) {
                if (!tail_ok(block)) {
                    pr_warn("ext4 (%s): journal descriptor checksum mismatch (transaction %u)", fs.m_device.name(), tid);
                    break;
                }
                u32 end = fs.m_block_size - (j.has_checksums() ? TAIL_SIZE : 0);
                u32 data_position = wrap(position + 1);
                for (u32 at = HEADER_SIZE; at + tag_bytes <= end;) {
                    const u8* tag = block + at;
                    u64 target = load_be32(tag);
                    u32 flags = (j.incompat & FEATURE_INCOMPAT_CSUM_V3) ? load_be32(tag + 4) : load_be16(tag + 6);
                    if (is_64bit) target |= static_cast<u64>(load_be32(tag + 8)) << 32;
                    if (which == Pass::Replay) TRY(replay_block(tag, target, flags, data_position, tid));
                    data_position = wrap(data_position + 1);
                    at += tag_bytes + ((flags & FLAG_SAME_UUID) ? 0 : 16);
                    if (flags & FLAG_LAST_TAG) break;
                }
                position = data_position;
                continue;
            }
            if (type == COMMIT) {
                if (!commit_ok(block)) {
                    pr_warn("ext4 (%s): journal commit block checksum mismatch (transaction %u)", fs.m_device.name(), tid);
                    break;
                }
                tid++;
                position = wrap(position + 1);
                if (which == Pass::Scan) end_tid = tid;
                continue;
            }
            if (type == REVOKE) {
                if (!tail_ok(block)) break;
                u32 count = load_be32(block + REVOKE_COUNT);
                u32 record = is_64bit ? 8 : 4;
                if (count > fs.m_block_size - (j.has_checksums() ? TAIL_SIZE : 0)) break;
                if (which == Pass::Revoke)
                    for (u32 at = REVOKE_RECORDS; at + record <= count; at += record) {
                        u64 target = is_64bit ? (static_cast<u64>(load_be32(block + at)) << 32 | load_be32(block + at + 4))
                                              : load_be32(block + at);
                        TRY(add_revoke(target, tid));
                    }
                position = wrap(position + 1);
                continue;
            }
            break;
        }
        return {};
    }

    ErrorOr replay_block(const u8* tag, u64 target, u32 flags, u32 data_position, u32 tid) {
        if (revoked(target, tid)) return {};
        TRY(fs.journal_read(data_position, data));
        if (j.incompat & FEATURE_INCOMPAT_CSUM_V3 || j.incompat & FEATURE_INCOMPAT_CSUM_V2) {
            u8 sequence[4];
            store_be32(sequence, tid);
            u32 crc = klib::crc32c(j.csum_seed, sequence, 4);
            crc = klib::crc32c(crc, data, fs.m_block_size);
            bool ok = (j.incompat & FEATURE_INCOMPAT_CSUM_V3) ? load_be32(tag + 12) == crc
                                                              : load_be16(tag + 4) == static_cast<u16>(crc);
            if (!ok) {
                pr_warn("ext4 (%s): journal block for %llu has a bad checksum, skipped", fs.m_device.name(),
                        static_cast<unsigned long long>(target));
                return {};
            }
        }
        if (flags & FLAG_ESCAPE) store_be32(data, MAGIC);
        if (target >= fs.m_blocks_count || target == 0) {
            pr_err("ext4 (%s): journal logs block %llu outside the file system", fs.m_device.name(),
                   static_cast<unsigned long long>(target));
            return err(EFSCORRUPTED);
        }
        fs.m_cache.forget(target);
        TRY(fs.m_cache.write_blocks(target, 1, data));
        replayed++;
        return {};
    }
};

ErrorOr Ext4Filesystem::journal_replay() {
    Journal& j = *m_journal;
    if (j.start) {
        u8* block = new (kstd::nothrow) u8[m_block_size];
        u8* data = new (kstd::nothrow) u8[m_block_size];
        JournalOps ops{*this, j, block, data};
        ErrorOr result = (!block || !data) ? ErrorOr(err(ENOMEM)) : ErrorOr();
        if (!result.is_error()) result = ops.pass(Pass::Scan);
        if (!result.is_error() && (j.incompat & jbd2::FEATURE_INCOMPAT_REVOKE)) result = ops.pass(Pass::Revoke);
        if (!result.is_error()) result = ops.pass(Pass::Replay);
        delete[] block;
        delete[] data;
        TRY(result);
        pr_info("ext4 (%s): journal recovered: transactions %u-%u, %u blocks replayed", m_device.name(), j.sequence,
                ops.end_tid, ops.replayed);
        if (ops.end_tid != 0 && static_cast<i32>(ops.end_tid - j.sequence) > 0) j.sequence = ops.end_tid;
        TRY(m_cache.flush());
    }
    j.start = 0;
    j.sequence++;
    TRY(journal_write_superblock());
    TRY(m_cache.flush());
    // The replay may have rewritten the superblock and descriptors: read them again.
    SuperBlock sb;
    TRY(m_device.read_sectors(SUPERBLOCK_OFFSET / BlockDevice::SECTOR_SIZE, sizeof(sb) / BlockDevice::SECTOR_SIZE, &sb));
    if (sb.s_magic != SUPER_MAGIC) {
        pr_err("ext4 (%s): no superblock after journal recovery", m_device.name());
        return err(EFSCORRUPTED);
    }
    m_sb = sb;
    TRY(load_superblock(m_read_only ? static_cast<u32>(MOUNT_READ_ONLY) : 0u));
    m_sb.s_feature_incompat &= ~INCOMPAT_RECOVER;
    TRY(load_group_descriptors());
    m_journal_replayed = true;
    bool read_only = m_read_only;
    m_read_only = false;
    auto written = write_superblock();
    if (!written.is_error()) written = m_cache.write_back();
    m_read_only = read_only;
    TRY(written);
    return m_cache.flush();
}

}  // namespace ext4
