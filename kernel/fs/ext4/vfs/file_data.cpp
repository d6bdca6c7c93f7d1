// ext4, VFS adapter: regular files' data — read and write through the page cache,
// truncate and fallocate, fsync, mmap, and the page cache's backing, which moves runs of
// pages through the library (see inode.h).
//
// Delayed allocation: write() only dirties pages; blocks are allocated when they are
// written back. So that a full file system still fails write() with ENOSPC rather than
// losing data later, every write is checked against the free space minus what dirty data
// may need (counted pessimistically as new blocks), after writing back once if short.
#include <linux/falloc.h>

#include "fs/ext4/vfs/inode.h"
#include "lib/string.h"
#include "log/klog.h"
#include "mm/kernel_vm.h"
#include "mm/pmm.h"

namespace ext4 {
namespace {

constexpr u32 EXTENTS_FL = 0x80000;  // EXT4_EXTENTS_FL: the inode maps blocks with extents

}  // namespace

u64 VfsInode::max_file_size() const {
    // As the library's limit (fs/ext4/file.cpp): 2^32 blocks with extents; the indirect
    // map's reach otherwise, and i_blocks' 32 bits without huge_file.
    u64 block = m_attributes.block_size;
    if (m_flags & EXTENTS_FL) return 0xFFFFFFFFull * block;
    u64 per_block = block / 4;
    u64 blocks = 12 + per_block + per_block * per_block + per_block * per_block * per_block;
    blocks = kstd::min<u64>(blocks, 0xFFFFFFFFull / (block / 512) - 1024);
    return blocks * block;
}

Result<usize> VfsInode::read(u64 offset, IoBuffer buffer, usize length) {
    if (is_directory()) return err(EISDIR);
    if (!is_regular() || !m_cache) return err(EINVAL);
    TRY(check_alive());
    return m_cache->read(offset, buffer, length);
}

ErrorOr VfsInode::reserve_space(u64 bytes) {
    for (int attempt = 0; attempt < 2; attempt++) {
        u64 free_bytes;
        {
            Locked locked(*m_super);
            StatFs stats = TRY(m_super->fs().statfs());
            free_bytes = stats.free_blocks * stats.block_size;
        }
        if (m_super->delayed_bytes().load() + bytes <= free_bytes) return {};
        // Short: give the dirty data its blocks (overwrites need none), then look again.
        if (attempt == 0) (void)m_super->sync();
    }
    return err(ENOSPC);
}

Result<usize> VfsInode::write(u64 offset, IoBuffer buffer, usize length) {
    if (is_directory()) return err(EISDIR);
    if (!is_regular() || !m_cache) return err(EINVAL);
    TRY(check_alive());
    if (m_super->read_only()) return err(EROFS);
    u64 end;
    if (!kstd::checked_add<u64>(offset, length, &end) || end > max_file_size()) return err(EFBIG);
    if (length == 0) return 0;
    TRY(reserve_space(length));
    usize written = TRY(m_cache->write(offset, buffer, length));
    m_super->delayed_bytes().fetch_add(written);
    m_delayed_bytes.fetch_add(written);
    if (offset + written > m_attributes.size) m_attributes.size = offset + written;
    m_attributes.mtime = m_attributes.ctime = current_time();
    m_times_dirty = true;
    m_super->mark_inode_dirty(*this);
    return written;
}

ErrorOr VfsInode::truncate(u64 size) {
    if (is_directory()) return err(EISDIR);
    if (!is_regular() || !m_cache) return err(EINVAL);
    TRY(check_alive());
    if (m_super->read_only()) return err(EROFS);
    if (size > max_file_size()) return err(EFBIG);
    // The cache first (it is locked before the library), then the blocks.
    m_cache->truncate(size);
    Locked locked(*m_super);
    TRY(m_super->fs().truncate(number(), size));
    (void)refresh_locked();
    m_attributes.size = size;
    m_attributes.mtime = m_attributes.ctime = current_time();
    return {};
}

ErrorOr VfsInode::allocate(int mode, u64 offset, u64 length) {
    if (is_directory()) return err(EISDIR);
    if (!is_regular() || !m_cache) return err(ENODEV);
    TRY(check_alive());
    if (m_super->read_only()) return err(EROFS);
    if (mode & ~FALLOC_FL_KEEP_SIZE) return err(EOPNOTSUPP);  // punch hole, zero range...: not in the library
    u64 end;
    if (!kstd::checked_add(offset, length, &end) || end > max_file_size()) return err(EFBIG);
    {
        Locked locked(*m_super);
        TRY(m_super->fs().fallocate(number(), mode, offset, length));
        (void)refresh_locked();
    }
    if (!(mode & FALLOC_FL_KEEP_SIZE) && end > m_attributes.size) m_attributes.size = end;
    if (m_attributes.size > m_cache->size()) m_cache->set_size(m_attributes.size);
    return {};
}

Result<RefPtr<MemoryObject>> VfsInode::mappable() {
    if (!is_regular() || !m_cache) return err(ENODEV);
    RefPtr<MemoryObject> object(adopt, new (kstd::nothrow) MappedFile(RefPtr<VfsInode>(this)));
    if (!object) return err(ENOMEM);
    return object;
}

ErrorOr VfsInode::write_back(block::Writeback mode) {
    ErrorOr result;
    u64 accounted = m_delayed_bytes.exchange(0);
    if (m_cache) result = m_cache->write_back(mode);
    // The data has its blocks now (or failed for good): no longer reserved.
    u64 total = m_super->delayed_bytes().load();
    m_super->delayed_bytes().fetch_sub(kstd::min(accounted, total));
    if (m_super->dead()) return result;
    Locked locked(*m_super);
    if (m_attributes.nlink == 0 && !m_pinned) {
        m_times_dirty = false;
        return result;
    }
    if (m_times_dirty && !m_super->fs().read_only()) {
        // Writeback's own writes moved the times to now; write() set them earlier.
        SetAttr attr;
        attr.mask = SETATTR_MTIME | SETATTR_CTIME;
        attr.mtime = to_timestamp(m_attributes.mtime);
        attr.ctime = to_timestamp(m_attributes.ctime);
        auto stored = m_super->fs().setattr(number(), attr);
        if (stored.is_error() && !result.is_error()) result = stored;
        m_times_dirty = false;
    }
    (void)refresh_locked();
    return result;
}

ErrorOr VfsInode::sync() {
    TRY(check_alive());
    if (m_super->read_only()) return {};
    ErrorOr written = write_back(block::Writeback::Sync);
    ErrorOr reported = m_cache ? m_cache->take_error() : ErrorOr();
    ErrorOr committed;
    {
        // Linux's ext4_sync_file commits the journal; the library commits everything.
        Locked locked(*m_super);
        committed = m_super->fs().sync();
    }
    if (written.is_error()) return written;
    if (reported.is_error()) return reported;
    return committed;
}

ErrorOr VfsInode::read_pages(u64 first, kstd::span<Page* const> pages) {
    Locked locked(*m_super);
    if (m_super->dead()) return err(EIO);
    u64 offset = first * PAGE_SIZE;
    // The run mapped at consecutive addresses: the library reads it in place, as one
    // request when the blocks are contiguous. Without address space, the bounce buffer.
    if (pages.size() > 1) {
        if (auto window = mm::vmap(pages); !window.is_error()) {
            auto* target = static_cast<u8*>(window.value());
            usize bytes = pages.size() * PAGE_SIZE;
            auto got = m_super->fs().read(number(), offset, {target, bytes});
            if (!got.is_error() && got.value() < bytes) memset(target + got.value(), 0, bytes - got.value());
            mm::vunmap(target, pages.size());
            return got.is_error() ? ErrorOr(got.error()) : ErrorOr();
        }
    }
    usize index = 0;
    while (index < pages.size()) {
        // One page reads straight into it; a run goes through the contiguous bounce buffer.
        usize count = kstd::min(pages.size() - index, m_super->bounce_bytes() / PAGE_SIZE);
        u8* target = count == 1 ? static_cast<u8*>(mm::page_address(pages[index])) : m_super->bounce();
        usize got =
            TRY(m_super->fs().read(number(), offset + index * PAGE_SIZE, {target, count * PAGE_SIZE}));
        if (got < count * PAGE_SIZE) memset(target + got, 0, count * PAGE_SIZE - got);
        if (count > 1) {
            for (usize i = 0; i < count; i++)
                memcpy(mm::page_address(pages[index + i]), m_super->bounce() + i * PAGE_SIZE, PAGE_SIZE);
        }
        index += count;
    }
    return {};
}

ErrorOr VfsInode::write_pages(u64 first, kstd::span<Page* const> pages, usize bytes) {
    Locked locked(*m_super);
    if (m_super->dead()) return err(EIO);
    // A file the library already freed: its data has nowhere to go and no reader.
    if (m_attributes.nlink == 0 && !m_pinned) return {};
    if (m_super->fs().read_only()) return err(EROFS);
    u64 offset = first * PAGE_SIZE;
    auto write_all = [&](u64 at, const u8* source, usize length) -> ErrorOr {
        usize written = 0;
        while (written < length) {
            // A short write means the next call reports why (ENOSPC, EIO).
            usize step =
                TRY(m_super->fs().write(number(), at + written, {source + written, length - written}));
            if (step == 0) return err(EIO);
            written += step;
        }
        return {};
    };
    if (pages.size() > 1) {
        if (auto window = mm::vmap(pages); !window.is_error()) {
            ErrorOr written = write_all(offset, static_cast<const u8*>(window.value()), bytes);
            mm::vunmap(window.value(), pages.size());
            return written;
        }
    }
    usize done = 0;
    while (done < bytes) {
        usize index = done / PAGE_SIZE;
        usize count = kstd::min(pages.size() - index, m_super->bounce_bytes() / PAGE_SIZE);
        usize length = kstd::min(count * PAGE_SIZE, bytes - done);
        const u8* source;
        if (count == 1) {
            source = static_cast<const u8*>(mm::page_address(pages[index]));
        } else {
            for (usize i = 0; i * PAGE_SIZE < length; i++)
                memcpy(m_super->bounce() + i * PAGE_SIZE, mm::page_address(pages[index + i]), PAGE_SIZE);
            source = m_super->bounce();
        }
        TRY(write_all(offset + done, source, length));
        done += length;
    }
    return {};
}

}  // namespace ext4
