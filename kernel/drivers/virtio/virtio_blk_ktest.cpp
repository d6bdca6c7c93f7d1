// In-kernel tests: virtio-blk on the scratch disks tests/qemu/test_ktest.py --scratch
// attaches (serial numbers below). Without them (other ktest runs) the tests pass
// vacuously, saying so. Only disks with these serials are ever written.
//
//   strix-scratch      16 MiB, writable
//   strix-scratch-ro   the same image, read-only (VIRTIO_BLK_F_RO)
//   strix-scratch-err  through QEMU's blkdebug: reads of sector 1000 and writes of
//                      sector 2000 fail with EIO
#include "drivers/block/ktest_thread.h"
#include "drivers/virtio/virtio_blk.h"
#include "ktest/ktest.h"
#include "lib/string.h"
#include "log/klog.h"
#include "mm/kmalloc.h"
#include "mm/pmm.h"

namespace {

constexpr u32 SECTOR = BlockDevice::SECTOR_SIZE;

virtio::VirtioBlock* scratch(const char* serial) {
    virtio::VirtioBlock* disk = virtio::find_block_device(serial);
    if (!disk) pr_info("ktest:   no disk with serial %s: skipped (run with --scratch)", serial);
    return disk;
}

void fill(u8* data, usize bytes, u32 seed) {
    for (usize i = 0; i < bytes; i++) data[i] = static_cast<u8>((i * 131 + seed * 7 + (i >> 9)) ^ seed);
}

bool round_trip(BlockDevice& disk, u64 sector, u32 count, u32 seed, u8* out, u8* in) {
    fill(out, usize(count) * SECTOR, seed);
    memset(in, 0, usize(count) * SECTOR);
    if (disk.write_sectors(sector, count, out).is_error()) return false;
    if (disk.read_sectors(sector, count, in).is_error()) return false;
    return memcmp(out, in, usize(count) * SECTOR) == 0;
}

}  // namespace

KTEST(virtio_blk, polled_round_trip_on_the_idle_thread) {
    virtio::VirtioBlock* disk = scratch("strix-scratch");
    if (!disk) return;
    KEXPECT(!disk->read_only());
    KEXPECT_EQ(disk->sector_count(), 16 * MiB / SECTOR);
    auto* out = static_cast<u8*>(kmalloc(64 * KiB));
    auto* in = static_cast<u8*>(kmalloc(64 * KiB));
    KASSERT_TRUE(out && in);
    KEXPECT(round_trip(*disk, 0, 1, 1, out, in));
    KEXPECT(round_trip(*disk, 7, 128, 2, out, in));
    // A buffer on the (vmalloc'd, page-wise mapped) stack: its pages are found one by one.
    u8 stack_out[SECTOR * 2], stack_in[SECTOR * 2];
    KEXPECT(round_trip(*disk, 300, 2, 3, stack_out, stack_in));
    KEXPECT(!disk->flush().is_error());
    kfree(out);
    kfree(in);
}

KTEST(virtio_blk, interrupt_driven_round_trips_in_flight_together) {
    virtio::VirtioBlock* disk = scratch("strix-scratch");
    if (!disk) return;
    u64 completed_before = disk->requests_completed();
    bool ok[4] = {};
    // Four threads, each a 1.5 MiB transfer (three requests in flight at once) on its own
    // region, interleaved by the scheduler while they wait for interrupts.
    bool started = block::ktest::run_in_threads("ktest-io", 4, [&](usize index) {
        usize bytes = 1536 * KiB;
        auto* out = static_cast<u8*>(kmalloc(bytes));
        auto* in = static_cast<u8*>(kmalloc(bytes));
        if (out && in)
            ok[index] = round_trip(*disk, 4096 + index * 4096, bytes / SECTOR, 10 + index, out, in);
        kfree(out);
        kfree(in);
    });
    KEXPECT(started);
    for (bool each : ok) KEXPECT(each);
    KEXPECT(disk->requests_completed() - completed_before >= 4 * 2 * 3);
}

KTEST(virtio_blk, whole_pages_scatter_and_gather) {
    virtio::VirtioBlock* disk = scratch("strix-scratch");
    if (!disk) return;
    constexpr usize COUNT = 40;  // pages from the allocator, far from contiguous
    Page* pages[COUNT];
    usize got = 0;
    for (; got < COUNT; got++) {
        pages[got] = mm::alloc_pages(0);
        if (!pages[got]) break;
        fill(static_cast<u8*>(mm::page_address(pages[got])), PAGE_SIZE, 100 + static_cast<u32>(got));
    }
    KASSERT_TRUE(got == COUNT);
    bool ok = false;
    block::ktest::run_in_threads("ktest-io", 1, [&](usize) {
        if (disk->write_pages(20000, {pages, COUNT}).is_error()) return;
        for (Page* page : pages) memset(mm::page_address(page), 0, PAGE_SIZE);
        if (disk->read_pages(20000, {pages, COUNT}).is_error()) return;
        ok = true;
        auto* expected = static_cast<u8*>(kmalloc(PAGE_SIZE));
        for (usize i = 0; i < COUNT && expected; i++) {
            fill(expected, PAGE_SIZE, 100 + static_cast<u32>(i));
            ok = ok && memcmp(expected, mm::page_address(pages[i]), PAGE_SIZE) == 0;
        }
        kfree(expected);
    });
    KEXPECT(ok);
    for (Page* page : pages) mm::put_page(page);
}

KTEST(virtio_blk, requests_outside_the_disk_are_einval) {
    virtio::VirtioBlock* disk = scratch("strix-scratch");
    if (!disk) return;
    u8 buffer[SECTOR];
    auto past = disk->read_sectors(disk->sector_count(), 1, buffer);
    KEXPECT(past.is_error() && past.error().code() == EINVAL);
    auto wrapping = disk->write_sectors(~u64(0), 2, buffer);
    KEXPECT(wrapping.is_error() && wrapping.error().code() == EINVAL);
    KEXPECT(!disk->read_sectors(disk->sector_count() - 1, 1, buffer).is_error());
}

KTEST(virtio_blk, read_only_disk_refuses_writes) {
    virtio::VirtioBlock* disk = scratch("strix-scratch-ro");
    if (!disk) return;
    KEXPECT(disk->read_only());
    u8 buffer[SECTOR] = {};
    KEXPECT(!disk->read_sectors(0, 1, buffer).is_error());
    auto written = disk->write_sectors(0, 1, buffer);
    KEXPECT(written.is_error() && written.error().code() == EROFS);
    KEXPECT(!disk->flush().is_error());
}

KTEST(virtio_blk, device_errors_are_eio) {
    virtio::VirtioBlock* disk = scratch("strix-scratch-err");
    if (!disk) return;
    auto* buffer = static_cast<u8*>(kzalloc(8 * SECTOR));
    KASSERT_TRUE(buffer);
    auto bad_read = disk->read_sectors(996, 8, buffer);
    KEXPECT(bad_read.is_error() && bad_read.error().code() == EIO);
    KEXPECT(!disk->read_sectors(0, 8, buffer).is_error());
    auto bad_write = disk->write_sectors(2000, 1, buffer);
    KEXPECT(bad_write.is_error() && bad_write.error().code() == EIO);
    KEXPECT(!disk->write_sectors(3000, 8, buffer).is_error());
    // The same through the interrupt path.
    bool eio = false;
    block::ktest::run_in_threads("ktest-io", 1, [&](usize) {
        auto result = disk->read_sectors(1000, 1, buffer);
        eio = result.is_error() && result.error().code() == EIO;
    });
    KEXPECT(eio);
    kfree(buffer);
}
