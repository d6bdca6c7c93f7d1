// Drivers, block layer: a partition — a window of sectors on its disk, itself a
// BlockDevice (vda1 ...). Reads and writes outside the window are EINVAL.
#pragma once

#include "drivers/block/block_device.h"
#include "drivers/block/registry.h"

namespace block {

class Partition final : public BlockDevice, public PageIo {
public:
    Partition(BlockDevice& disk, u64 start, u64 sectors, const char* name);

    const char* name() const override { return m_name; }
    u64 sector_count() const override { return m_sectors; }
    bool read_only() const override { return m_disk.read_only(); }
    ErrorOr read_sectors(u64 first, u32 count, void* buffer) override;
    ErrorOr write_sectors(u64 first, u32 count, const void* buffer) override;
    ErrorOr flush() override { return m_disk.flush(); }
    PageIo* page_io() override { return m_disk.page_io() ? this : nullptr; }
    ErrorOr read_pages(u64 first, kstd::span<Page* const> pages) override;
    ErrorOr write_pages(u64 first, kstd::span<Page* const> pages) override;

private:
    bool inside(u64 first, u64 count) const;
    BlockDevice& m_disk;
    u64 m_start;
    u64 m_sectors;
    char m_name[NAME_BYTES];
};

// Page I/O on any block device: its driver's scatter-gather when it has it, else a page
// at a time.
ErrorOr read_pages(BlockDevice& device, u64 first, kstd::span<Page* const> pages);
ErrorOr write_pages(BlockDevice& device, u64 first, kstd::span<Page* const> pages);

}  // namespace block
