// Drivers: the block device interface every disk driver implements (virtio-blk,
// partitions, RAM disks, and the host tests' image files).
//
// Addresses are in 512-byte sectors, as Linux's block layer counts them. Calls block
// until the transfer is done; an I/O error is EIO, an out-of-range request EINVAL.
#pragma once

#include "lib/kstd.h"
#include "lib/result.h"
#include "lib/types.h"

struct Page;
class PageIo;

class BlockDevice {
public:
    static constexpr u32 SECTOR_SIZE = 512;

    virtual ~BlockDevice() = default;
    virtual const char* name() const = 0;
    virtual u64 sector_count() const = 0;
    virtual bool read_only() const { return false; }
    virtual ErrorOr read_sectors(u64 first, u32 count, void* buffer) = 0;
    virtual ErrorOr write_sectors(u64 first, u32 count, const void* buffer) = 0;
    // Makes every completed write durable (a cache flush on the device).
    virtual ErrorOr flush() = 0;

    // Drivers that can scatter and gather whole pages in one request say so here; the
    // block layer (block::read_pages) otherwise moves a page at a time.
    virtual PageIo* page_io() { return nullptr; }
};

// Whole pages, consecutive on the device from sector `first`: the page cache's I/O.
class PageIo {
public:
    virtual ErrorOr read_pages(u64 first, kstd::span<Page* const> pages) = 0;
    virtual ErrorOr write_pages(u64 first, kstd::span<Page* const> pages) = 0;

protected:
    ~PageIo() = default;
};
