// Drivers, block layer: partitions and page I/O on block devices (see partition.h).
#include "drivers/block/partition.h"

#include "lib/string.h"
#include "mm/pmm.h"

namespace block {

Partition::Partition(BlockDevice& disk, u64 start, u64 sectors, const char* name)
    : m_disk(disk), m_start(start), m_sectors(sectors) {
    klib::strlcpy(m_name, name, sizeof(m_name));
}

bool Partition::inside(u64 first, u64 count) const {
    u64 end;
    return kstd::checked_add(first, count, &end) && end <= m_sectors;
}

ErrorOr Partition::read_sectors(u64 first, u32 count, void* buffer) {
    if (!inside(first, count)) return err(EINVAL);
    return m_disk.read_sectors(m_start + first, count, buffer);
}

ErrorOr Partition::write_sectors(u64 first, u32 count, const void* buffer) {
    if (!inside(first, count)) return err(EINVAL);
    return m_disk.write_sectors(m_start + first, count, buffer);
}

ErrorOr Partition::read_pages(u64 first, kstd::span<Page* const> pages) {
    if (!inside(first, u64(pages.size()) * (PAGE_SIZE / SECTOR_SIZE))) return err(EINVAL);
    return m_disk.page_io()->read_pages(m_start + first, pages);
}

ErrorOr Partition::write_pages(u64 first, kstd::span<Page* const> pages) {
    if (!inside(first, u64(pages.size()) * (PAGE_SIZE / SECTOR_SIZE))) return err(EINVAL);
    return m_disk.page_io()->write_pages(m_start + first, pages);
}

ErrorOr read_pages(BlockDevice& device, u64 first, kstd::span<Page* const> pages) {
    if (PageIo* io = device.page_io()) return io->read_pages(first, pages);
    constexpr u32 per_page = PAGE_SIZE / BlockDevice::SECTOR_SIZE;
    for (usize i = 0; i < pages.size(); i++)
        TRY(device.read_sectors(first + i * per_page, per_page, mm::page_address(pages[i])));
    return {};
}

ErrorOr write_pages(BlockDevice& device, u64 first, kstd::span<Page* const> pages) {
    if (PageIo* io = device.page_io()) return io->write_pages(first, pages);
    constexpr u32 per_page = PAGE_SIZE / BlockDevice::SECTOR_SIZE;
    for (usize i = 0; i < pages.size(); i++)
        TRY(device.write_sectors(first + i * per_page, per_page, mm::page_address(pages[i])));
    return {};
}

}  // namespace block
