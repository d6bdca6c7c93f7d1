// Drivers, block layer: block device files (see device_file.h).
#include "drivers/block/device_file.h"

#include <linux/fs.h>

#include "drivers/block/partition.h"
#include "drivers/block/writeback.h"
#include "lib/string.h"
#include "mm/pmm.h"
#include "mm/user_copy.h"

namespace block {
namespace {

// The page cache's view of a block device: page i is sectors 8i..8i+7.
class DeviceBacking final : public PageCacheBacking {
public:
    explicit DeviceBacking(BlockDevice& device) : m_device(device) {}

    ErrorOr read_pages(u64 first, kstd::span<Page* const> pages) override {
        constexpr u64 per_page = PAGE_SIZE / BlockDevice::SECTOR_SIZE;
        u64 sectors = m_device.sector_count();
        u64 sector = first * per_page;
        // Whole pages in one go; a last page the device only partly covers by itself.
        usize whole = 0;
        while (whole < pages.size() && sector + (whole + 1) * per_page <= sectors) whole++;
        if (whole) TRY(block::read_pages(m_device, sector, pages.first(whole)));
        for (usize i = whole; i < pages.size(); i++) {
            u8* data = static_cast<u8*>(mm::page_address(pages[i]));
            memset(data, 0, PAGE_SIZE);
            u64 at = sector + i * per_page;
            if (at < sectors) TRY(m_device.read_sectors(at, static_cast<u32>(sectors - at), data));
        }
        return {};
    }

    ErrorOr write_pages(u64 first, kstd::span<Page* const> pages, usize bytes) override {
        constexpr u64 per_page = PAGE_SIZE / BlockDevice::SECTOR_SIZE;
        u64 sector = first * per_page;
        usize whole = bytes / PAGE_SIZE;
        if (whole) TRY(block::write_pages(m_device, sector, pages.first(whole)));
        if (bytes % PAGE_SIZE && whole < pages.size()) {
            u32 tail = static_cast<u32>((bytes % PAGE_SIZE) / BlockDevice::SECTOR_SIZE);
            if (tail)
                TRY(m_device.write_sectors(sector + whole * per_page, tail, mm::page_address(pages[whole])));
        }
        return {};
    }

private:
    BlockDevice& m_device;
};

// Block devices' caches, written back by the flusher like a filesystem's.
class DeviceWriteback final : public WritebackTarget {
public:
    void write_back_periodic(u64 expired_before) override {
        for_each_entry([&](Entry& entry) {
            if (entry.cache && entry.cache->needs_writeback() && entry.cache->dirtied_at() <= expired_before)
                (void)entry.cache->write_back(Writeback::Dirty);
        });
    }
};
DeviceWriteback g_writeback;

class BlockDeviceFile final : public File {
public:
    BlockDeviceFile(Entry& entry, const Path& path, u32 flags) : File(flags), m_entry(entry) {
        set_path(path, path.dentry->inode_ref());
    }
    ~BlockDeviceFile() override {
        // Linux writes a block device back on its last close; a close cannot report
        // errors, fsync did if the caller cared.
        if (writable()) (void)m_entry.cache->write_back(Writeback::Dirty);
    }

    u64 size() const { return m_entry.device->sector_count() * BlockDevice::SECTOR_SIZE; }

    Result<usize> read(u64 offset, IoBuffer buffer, usize length) override {
        return m_entry.cache->read(offset, buffer, length);
    }

    Result<usize> write(u64 offset, IoBuffer buffer, usize length) override {
        if (m_entry.device->read_only()) return err(EPERM);
        // Linux: a write that starts at the end of the device has no room.
        if (offset >= size()) return err(ENOSPC);
        usize allowed = static_cast<usize>(kstd::min<u64>(length, size() - offset));
        return m_entry.cache->write(offset, buffer, allowed);
    }

    bool seekable() const override { return true; }
    Result<u64> seek_limit(int whence, u64 offset) override {
        if (whence == SEEK_END) return size();
        if (whence == SEEK_DATA) return offset < size() ? Result<u64>(offset) : Result<u64>(err(ENXIO));
        if (whence == SEEK_HOLE) return offset < size() ? Result<u64>(size()) : Result<u64>(err(ENXIO));
        return err(EINVAL);
    }

    Result<RefPtr<MemoryObject>> mmap_object() override { return RefPtr<MemoryObject>(m_entry.cache.get()); }

    ErrorOr fsync(bool) override {
        ErrorOr written = m_entry.cache->write_back(Writeback::Sync);
        ErrorOr reported = m_entry.cache->take_error();
        TRY(m_entry.device->flush());
        if (written.is_error()) return written;
        return reported;
    }

    Result<i64> ioctl(u32 request, u64 argument) override {
        switch (request) {
            case BLKGETSIZE64: {
                u64 bytes = size();
                TRY(mm::copy_to_user(UserPtr<u64>(argument), &bytes));
                return 0;
            }
            case BLKGETSIZE: {
                unsigned long sectors = m_entry.device->sector_count();
                TRY(mm::copy_to_user(UserPtr<unsigned long>(argument), &sectors));
                return 0;
            }
            case BLKSSZGET:
            case BLKPBSZGET: {
                int sector = BlockDevice::SECTOR_SIZE;
                TRY(mm::copy_to_user(UserPtr<int>(argument), &sector));
                return 0;
            }
            case BLKBSZGET: {
                int block = PAGE_SIZE;  // the soft block size Linux's page cache uses here
                TRY(mm::copy_to_user(UserPtr<int>(argument), &block));
                return 0;
            }
            case BLKROGET: {
                int read_only = m_entry.device->read_only();
                TRY(mm::copy_to_user(UserPtr<int>(argument), &read_only));
                return 0;
            }
            case BLKFLSBUF: {
                // Linux's: write back, then drop the cached pages.
                TRY(m_entry.cache->write_back(Writeback::Sync));
                m_entry.cache->invalidate_clean();
                return 0;
            }
            case BLKRRPART:
                // Partitions are read once, at boot; the table cannot be reloaded under users.
                return err(m_entry.partition ? EINVAL : EBUSY);
            default: return err(ENOTTY);
        }
    }

    const char* kind_name() const override { return "block device"; }

private:
    Entry& m_entry;
};

}  // namespace

Result<RefPtr<File>> open_block_device(Entry& entry, const Path& path, u32 flags) {
    bool writing = (flags & O_ACCMODE) != O_RDONLY;
    if (writing && entry.device->read_only()) return err(EACCES);
    if ((flags & O_EXCL) && (entry.mounted || entry.disk->mounted)) return err(EBUSY);
    if (!entry.cache) {
        auto* backing = new (kstd::nothrow) DeviceBacking(*entry.device);
        if (!backing) return err(ENOMEM);
        entry.cache = PageCache::create(backing, entry.name);
        if (!entry.cache) {
            delete backing;
            return err(ENOMEM);
        }
        entry.cache->set_size(entry.device->sector_count() * BlockDevice::SECTOR_SIZE);
        writeback::register_target(g_writeback);
    }
    RefPtr<File> file(adopt, new (kstd::nothrow) BlockDeviceFile(entry, path, flags));
    if (!file) return err(ENOMEM);
    return file;
}

ErrorOr sync_block_devices() {
    ErrorOr first;
    for_each_entry([&](Entry& entry) {
        if (!entry.cache) return;
        if (auto written = entry.cache->write_back(Writeback::Sync); written.is_error() && !first.is_error())
            first = written;
    });
    return first;
}

}  // namespace block
