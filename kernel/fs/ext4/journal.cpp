// ext4: the journal inode and superblock — mapping the journal's blocks, checking the
// jbd2 superblock and its features, and the checksums shared by replay and commit.
#include "fs/ext4/journal.h"

#include "fs/ext4/journal_format.h"
#include "lib/crc32c.h"
#include "lib/string.h"
#include "log/klog.h"

namespace ext4 {

using namespace jbd2;

Ext4Filesystem::Journal::~Journal() { delete[] runs; }

void journal_destroy(Ext4Filesystem::Journal* journal) { delete journal; }

usize journal_commit_threshold(Ext4Filesystem::Journal* journal) {
    // A quarter of the journal, as jbd2's j_max_transaction_buffers.
    return kstd::max<usize>(8, (journal->maxlen - journal->first) / 4);
}

u32 Ext4Filesystem::Journal::tag_bytes() const {
    if (incompat & FEATURE_INCOMPAT_CSUM_V3) return 16;
    u32 size = 12;
    if (incompat & FEATURE_INCOMPAT_CSUM_V2) size += 2;
    return (incompat & FEATURE_INCOMPAT_64BIT) ? size : size - 4;
}

bool Ext4Filesystem::Journal::has_checksums() const {
    return incompat & (FEATURE_INCOMPAT_CSUM_V2 | FEATURE_INCOMPAT_CSUM_V3);
}

u32 Ext4Filesystem::Journal::superblock_checksum() const {
    u8 copy[SB_SIZE];
    memcpy(copy, superblock, SB_SIZE);
    memset(copy + SB_CHECKSUM, 0, 4);
    return klib::crc32c(~0u, copy, SB_SIZE);
}

// Linux: jbd2_journal_bmap — journal block to file system block.
ErrorOr Ext4Filesystem::journal_map(u64 logical, u64* physical) {
    for (u32 i = 0; i < m_journal->run_count; i++) {
        const Journal::Run& run = m_journal->runs[i];
        if (logical >= run.logical && logical < run.logical + run.length) {
            *physical = run.physical + (logical - run.logical);
            return {};
        }
    }
    pr_err("ext4 (%s): journal block %llu is not mapped", m_device.name(), static_cast<unsigned long long>(logical));
    return err(EFSCORRUPTED);
}

ErrorOr Ext4Filesystem::journal_load() {
    const char* dev = m_device.name();
    u32 ino = m_sb.s_journal_inum;
    if (ino == 0 || ino >= m_first_ino) {
        pr_err("ext4 (%s): invalid journal inode %u", dev, ino);
        return err(EFSCORRUPTED);
    }
    Inode inode;
    TRY(read_inode(ino, inode));
    u64 blocks = inode.size() / m_block_size;
    if (blocks < 16 || blocks > 0x10000000) {
        pr_err("ext4 (%s): journal inode has an invalid size", dev);
        return err(EFSCORRUPTED);
    }
    auto* journal = new (kstd::nothrow) Journal;
    if (!journal) return err(ENOMEM);
    m_journal = journal;
    // Two passes over the mapping: count the runs, then record them.
    for (int pass = 0; pass < 2; pass++) {
        u32 runs = 0;
        for (u64 logical = 0; logical < blocks;) {
            u64 physical;
            u32 length;
            bool unwritten;
            TRY(map_block(inode, logical, &physical, &length, &unwritten));
            if (!physical) {
                pr_err("ext4 (%s): journal inode has a hole", dev);
                return err(EFSCORRUPTED);
            }
            length = static_cast<u32>(kstd::min<u64>(length, blocks - logical));
            if (pass == 1) journal->runs[runs] = Journal::Run{logical, physical, length};
            runs++;
            logical += length;
        }
        if (pass == 0) {
            journal->runs = new (kstd::nothrow) Journal::Run[runs];
            if (!journal->runs) return err(ENOMEM);
        }
        journal->run_count = runs;
    }
    u64 sb_block;
    TRY(journal_map(0, &sb_block));
    u8* block = new (kstd::nothrow) u8[m_block_size];
    if (!block) return err(ENOMEM);
    auto read = m_cache.read_blocks(sb_block, 1, block);
    if (!read.is_error()) memcpy(journal->superblock, block, SB_SIZE);
    delete[] block;
    TRY(read);
    const u8* sb = journal->superblock;
    u32 type = load_be32(sb + 4);
    if (load_be32(sb) != MAGIC || (type != SUPERBLOCK_V1 && type != SUPERBLOCK_V2)) {
        pr_err("ext4 (%s): journal superblock has a bad magic number", dev);
        return err(EFSCORRUPTED);
    }
    journal->maxlen = load_be32(sb + SB_MAXLEN);
    journal->first = load_be32(sb + SB_FIRST);
    journal->sequence = load_be32(sb + SB_SEQUENCE);
    journal->start = load_be32(sb + SB_START);
    if (type == SUPERBLOCK_V2) {
        journal->compat = load_be32(sb + SB_FEATURE_COMPAT);
        journal->incompat = load_be32(sb + SB_FEATURE_INCOMPAT);
    }
    if (load_be32(sb + SB_BLOCKSIZE) != m_block_size || journal->maxlen > blocks || journal->first == 0 ||
        journal->first >= journal->maxlen || journal->maxlen - journal->first < 8 ||
        (journal->start && (journal->start < journal->first || journal->start >= journal->maxlen))) {
        pr_err("ext4 (%s): journal superblock has invalid geometry", dev);
        return err(EFSCORRUPTED);
    }
    if (journal->incompat & ~KNOWN_INCOMPAT) {
        pr_err("ext4 (%s): journal has unsupported features %#x", dev, journal->incompat & ~KNOWN_INCOMPAT);
        return err(EINVAL);
    }
    if (journal->has_checksums()) {
        if (sb[SB_CHECKSUM_TYPE] != CHECKSUM_TYPE_CRC32C || load_be32(sb + SB_CHECKSUM) != journal->superblock_checksum()) {
            pr_err("ext4 (%s): journal superblock checksum mismatch", dev);
            return err(EFSBADCRC);
        }
    }
    journal->csum_seed = klib::crc32c(~0u, sb + SB_UUID, 16);
    memcpy(journal->uuid, sb + SB_UUID, 16);
    return {};
}

ErrorOr Ext4Filesystem::journal_write_superblock() {
    u8* sb = m_journal->superblock;
    store_be32(sb + SB_SEQUENCE, m_journal->sequence);
    store_be32(sb + SB_START, m_journal->start);
    if (m_journal->has_checksums()) store_be32(sb + SB_CHECKSUM, m_journal->superblock_checksum());
    u64 block;
    TRY(journal_map(0, &block));
    u8* data = new (kstd::nothrow) u8[m_block_size];
    if (!data) return err(ENOMEM);
    auto result = m_cache.read_blocks(block, 1, data);
    if (!result.is_error()) {
        memcpy(data, sb, SB_SIZE);
        result = m_cache.write_blocks(block, 1, data);
    }
    delete[] data;
    return result;
}

}  // namespace ext4
