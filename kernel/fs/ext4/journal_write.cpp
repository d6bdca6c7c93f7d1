// ext4: committing through the journal (jbd2-compatible transactions). Between two
// public operations the file system is consistent, so sync commits every dirty metadata
// block as one transaction:
//   1. the on-disk superblock gets needs_recovery, the journal superblock marks the
//      transaction's start;
//   2. descriptor blocks (tags with checksums) and copies of the blocks, then — after a
//      flush — the commit block, flushed;
//   3. checkpoint: the blocks are written in place and flushed;
//   4. the journal is marked empty, then needs_recovery is cleared.
// A crash before the commit block leaves the old state; after it, replay (ours, the
// kernel's or e2fsck's) writes the new one. File data is written before the commit
// (ordered mode), and blocks freed in a transaction are not reused until it commits.
#include "fs/ext4/journal.h"

#include "fs/ext4/journal_format.h"
#include "lib/crc32c.h"
#include "lib/string.h"
#include "log/klog.h"

namespace ext4 {

using namespace jbd2;

namespace {

class Scratch {
public:
    explicit Scratch(u32 size) : m_data(new (kstd::nothrow) u8[size]) {}
    ~Scratch() { delete[] m_data; }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    u8* data() const { return m_data; }

private:
    u8* m_data;
};

}  // namespace

// Sets or clears needs_recovery in the superblock on disk, leaving its other fields as
// they were committed.
ErrorOr Ext4Filesystem::mark_needs_recovery(bool needed) {
    u64 block = SUPERBLOCK_OFFSET / m_block_size;
    usize offset = SUPERBLOCK_OFFSET % m_block_size;
    Scratch data(m_block_size);
    if (!data.data()) return err(ENOMEM);
    TRY(m_cache.read_blocks(block, 1, data.data()));
    auto* sb = reinterpret_cast<SuperBlock*>(data.data() + offset);
    if (needed)
        sb->s_feature_incompat |= INCOMPAT_RECOVER;
    else
        sb->s_feature_incompat &= ~INCOMPAT_RECOVER;
    if (has_metadata_csum()) sb->s_checksum = superblock_checksum(*sb);
    TRY(m_cache.write_blocks(block, 1, data.data()));
    // The cached copy must agree with the disk.
    m_cache.forget_clean(block);
    return {};
}

ErrorOr Ext4Filesystem::commit() {
    if (m_cache.dirty_count() == 0) {
        clear_freed();
        return m_cache.flush();
    }
    Journal& j = *m_journal;
    u32 tag_bytes = j.tag_bytes();
    u32 tail = j.has_checksums() ? TAIL_SIZE : 0;
    u32 usable = m_block_size - HEADER_SIZE - tail;
    u32 tags_per_descriptor = (usable - 16) / tag_bytes;  // room for the one UUID
    usize blocks = m_cache.dirty_count();
    usize descriptors = (blocks + tags_per_descriptor - 1) / tags_per_descriptor;
    if (blocks + descriptors + 1 > j.maxlen - j.first) {
        // Larger than the journal: write in place (not crash-safe, but consistent once done).
        pr_warn("ext4 (%s): transaction of %zu blocks exceeds the journal, writing in place", m_device.name(), blocks);
        return write_back_without_journal();
    }
    Scratch descriptor(m_block_size), copy(m_block_size);
    if (!descriptor.data() || !copy.data()) return err(ENOMEM);
    u32 tid = j.sequence;

    // The logged and checkpointed superblock carry needs_recovery, as Linux's do.
    m_sb.s_feature_incompat |= INCOMPAT_RECOVER;
    auto stored = write_superblock();
    m_sb.s_feature_incompat &= ~INCOMPAT_RECOVER;
    TRY(stored);
    // File data and everything before must be on disk before the commit record.
    TRY(m_cache.flush());
    TRY(mark_needs_recovery(true));
    j.start = j.first;
    TRY(journal_write_superblock());

    u32 position = j.first;
    u32 tag_offset = 0, tags_in_descriptor = 0, descriptor_position = 0;
    auto write_journal = [&](u32 at, const u8* data) -> ErrorOr {
        u64 block;
        TRY(journal_map(at, &block));
        return m_cache.write_blocks(block, 1, data);
    };
    auto finish_descriptor = [&]() -> ErrorOr {
        if (!tags_in_descriptor) return {};
        if (tail) {
            memset(descriptor.data() + m_block_size - tail, 0, tail);
            store_be32(descriptor.data() + m_block_size - tail, klib::crc32c(j.csum_seed, descriptor.data(), m_block_size));
        }
        TRY(write_journal(descriptor_position, descriptor.data()));
        tags_in_descriptor = 0;
        return {};
    };
    usize remaining = blocks;
    auto log_buffer = [&](Buffer& buffer) -> ErrorOr {
        if (tags_in_descriptor == 0) {
            memset(descriptor.data(), 0, m_block_size);
            store_be32(descriptor.data(), MAGIC);
            store_be32(descriptor.data() + 4, DESCRIPTOR);
            store_be32(descriptor.data() + 8, tid);
            descriptor_position = position++;
            tag_offset = HEADER_SIZE;
        }
        memcpy(copy.data(), buffer.data, m_block_size);
        u32 flags = tags_in_descriptor ? FLAG_SAME_UUID : 0;
        if (load_be32(copy.data()) == MAGIC) {
            memset(copy.data(), 0, 4);
            flags |= FLAG_ESCAPE;
        }
        remaining--;
        bool last = remaining == 0 || tags_in_descriptor + 1 == tags_per_descriptor;
        if (last) flags |= FLAG_LAST_TAG;
        u8* tag = descriptor.data() + tag_offset;
        store_be32(tag, static_cast<u32>(buffer.block));
        u32 crc = 0;
        if (j.has_checksums()) {
            u8 sequence[4];
            store_be32(sequence, tid);
            crc = klib::crc32c(klib::crc32c(j.csum_seed, sequence, 4), copy.data(), m_block_size);
        }
        if (j.incompat & FEATURE_INCOMPAT_CSUM_V3) {
            store_be32(tag + 4, flags);
            store_be32(tag + 8, static_cast<u32>(buffer.block >> 32));
            store_be32(tag + 12, crc);
        } else {
            store_be16(tag + 4, static_cast<u16>(crc));
            store_be16(tag + 6, static_cast<u16>(flags));
            if (j.incompat & FEATURE_INCOMPAT_64BIT) store_be32(tag + 8, static_cast<u32>(buffer.block >> 32));
        }
        tag_offset += tag_bytes;
        if (!(flags & FLAG_SAME_UUID)) {
            memcpy(descriptor.data() + tag_offset, j.uuid, 16);
            tag_offset += 16;
        }
        tags_in_descriptor++;
        TRY(write_journal(position++, copy.data()));
        if (last) TRY(finish_descriptor());
        return {};
    };
    TRY(m_cache.for_each_dirty(log_buffer));
    TRY(m_cache.flush());

    memset(copy.data(), 0, m_block_size);
    store_be32(copy.data(), MAGIC);
    store_be32(copy.data() + 4, COMMIT);
    store_be32(copy.data() + 8, tid);
    Timestamp t = now();
    store_be32(copy.data() + COMMIT_SECONDS, static_cast<u32>(static_cast<u64>(t.sec) >> 32));
    store_be32(copy.data() + COMMIT_SECONDS + 4, static_cast<u32>(t.sec));
    store_be32(copy.data() + COMMIT_NANOSECONDS, t.nsec);
    if (j.has_checksums()) {
        copy.data()[COMMIT_CHECKSUM_TYPE] = 0;
        copy.data()[COMMIT_CHECKSUM_SIZE] = 0;
        store_be32(copy.data() + COMMIT_CHECKSUM, klib::crc32c(j.csum_seed, copy.data(), m_block_size));
    }
    TRY(write_journal(position, copy.data()));
    TRY(m_cache.flush());

    // Checkpoint; the superblock written in place keeps needs_recovery until the journal
    // is marked empty.
    TRY(m_cache.write_back());
    TRY(m_cache.flush());
    j.start = 0;
    j.sequence = tid + 1;
    TRY(journal_write_superblock());
    TRY(m_cache.flush());
    TRY(mark_needs_recovery(false));
    clear_freed();
    return m_cache.flush();
}

}  // namespace ext4
