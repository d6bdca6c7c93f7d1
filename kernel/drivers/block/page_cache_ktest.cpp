// In-kernel tests: the page cache over an in-memory backing that counts its calls —
// read-ahead, write-back in runs, partial writes, truncation, reclaim under the LRU's
// rules, mapped-writable pages, and writeback errors reported once.
#include "drivers/block/page_cache.h"
#include "ktest/ktest.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/pmm.h"

namespace {

class MemoryBacking final : public block::PageCacheBacking {
public:
    static constexpr usize BYTES = 256 * KiB;
    MemoryBacking() : data(static_cast<u8*>(kzalloc(BYTES))) {
        for (usize i = 0; data && i < BYTES; i++) data[i] = static_cast<u8>(i * 7 + (i >> 12));
    }
    ~MemoryBacking() { kfree(data); }

    ErrorOr read_pages(u64 first, kstd::span<Page* const> pages) override {
        reads++;
        pages_read += pages.size();
        for (usize i = 0; i < pages.size(); i++) {
            u64 at = (first + i) * PAGE_SIZE;
            u8* page = static_cast<u8*>(mm::page_address(pages[i]));
            if (at + PAGE_SIZE <= BYTES)
                memcpy(page, data + at, PAGE_SIZE);
            else
                memset(page, 0, PAGE_SIZE);
        }
        return {};
    }
    ErrorOr write_pages(u64 first, kstd::span<Page* const> pages, usize bytes) override {
        writes++;
        if (fail_writes) return err(EIO);
        for (usize i = 0; i * PAGE_SIZE < bytes; i++) {
            u64 at = (first + i) * PAGE_SIZE;
            usize length = kstd::min<usize>(PAGE_SIZE, bytes - i * PAGE_SIZE);
            if (at + length <= BYTES) memcpy(data + at, mm::page_address(pages[i]), length);
        }
        return {};
    }

    u8* data;
    usize reads = 0, pages_read = 0, writes = 0;
    bool fail_writes = false;
};

}  // namespace

KTEST(page_cache, reads_ahead_and_then_hits) {
    MemoryBacking backing;
    KASSERT_TRUE(backing.data);
    RefPtr<block::PageCache> cache = block::PageCache::create(&backing, "ktest");
    KASSERT_TRUE(cache);
    cache->set_size(MemoryBacking::BYTES);
    auto* buffer = static_cast<u8*>(kmalloc(64 * KiB));
    KASSERT_TRUE(buffer);
    // A 64 KiB read asks for its 16 pages at once.
    auto got = cache->read(0, IoBuffer::kernel(buffer), 64 * KiB);
    KEXPECT(!got.is_error() && got.value() == 64 * KiB);
    KEXPECT_EQ(backing.reads, 1u);
    KEXPECT(memcmp(buffer, backing.data, 64 * KiB) == 0);
    got = cache->read(100, IoBuffer::kernel(buffer), 5000);
    KEXPECT_EQ(backing.reads, 1u);  // cached
    KEXPECT(memcmp(buffer, backing.data + 100, 5000) == 0);
    // Reads stop at the size; a read past it returns 0.
    cache->set_size(70000);
    got = cache->read(69000, IoBuffer::kernel(buffer), 4096);
    KEXPECT(!got.is_error() && got.value() == 1000);
    got = cache->read(70000, IoBuffer::kernel(buffer), 10);
    KEXPECT(!got.is_error() && got.value() == 0);
    kfree(buffer);
}

KTEST(page_cache, writes_go_back_in_runs_and_partial_pages_read_first) {
    MemoryBacking backing;
    KASSERT_TRUE(backing.data);
    RefPtr<block::PageCache> cache = block::PageCache::create(&backing, "ktest");
    KASSERT_TRUE(cache);
    cache->set_size(64 * KiB);
    auto* buffer = static_cast<u8*>(kmalloc(40 * KiB));
    KASSERT_TRUE(buffer);
    memset(buffer, 0xab, 40 * KiB);
    // Whole pages need no read; a partial one in existing data does.
    KEXPECT(!cache->write(8 * KiB, IoBuffer::kernel(buffer), 16 * KiB).is_error());
    KEXPECT_EQ(backing.reads, 0u);
    KEXPECT(!cache->write(30 * KiB + 100, IoBuffer::kernel(buffer), 50).is_error());
    KEXPECT_EQ(backing.reads, 1u);
    KEXPECT_EQ(cache->dirty_pages(), 5u);
    KEXPECT(!cache->write_back(block::Writeback::Dirty).is_error());
    KEXPECT_EQ(backing.writes, 2u);  // pages 2-5 as one run, page 7 alone
    KEXPECT_EQ(cache->dirty_pages(), 0u);
    KEXPECT(backing.data[8 * KiB] == 0xab && backing.data[24 * KiB - 1] == 0xab);
    KEXPECT(backing.data[24 * KiB] != 0xab || backing.data[24 * KiB + 1] != 0xab);
    KEXPECT(backing.data[30 * KiB + 100] == 0xab && backing.data[30 * KiB + 149] == 0xab);
    KEXPECT(backing.data[30 * KiB + 150] == static_cast<u8>((30 * KiB + 150) * 7 + 7));
    // Writing past the end grows the size; the new page reads as zeros around the data.
    KEXPECT(!cache->write(100 * KiB + 10, IoBuffer::kernel(buffer), 10).is_error());
    KEXPECT_EQ(cache->size(), 100 * KiB + 20);
    u8 check[32];
    KEXPECT(!cache->read(100 * KiB, IoBuffer::kernel(check), 20).is_error());
    KEXPECT(check[0] == 0 && check[9] == 0 && check[10] == 0xab && check[19] == 0xab);
    kfree(buffer);
}

KTEST(page_cache, truncate_drops_pages_and_zeroes_the_tail) {
    MemoryBacking backing;
    KASSERT_TRUE(backing.data);
    RefPtr<block::PageCache> cache = block::PageCache::create(&backing, "ktest");
    KASSERT_TRUE(cache);
    cache->set_size(32 * KiB);
    u8 byte = 0x5a;
    for (u64 at = 0; at < 32 * KiB; at += PAGE_SIZE)
        KEXPECT(!cache->write(at, IoBuffer::kernel(&byte), 1).is_error());
    KEXPECT_EQ(cache->page_count(), 8u);
    cache->truncate(5000);
    KEXPECT_EQ(cache->page_count(), 2u);
    KEXPECT_EQ(cache->dirty_pages(), 2u);
    cache->truncate(8192);  // grow again: the old tail must read as zeros
    u8 tail[16];
    KEXPECT(!cache->read(5000, IoBuffer::kernel(tail), 16).is_error());
    bool zeros = true;
    for (u8 b : tail) zeros = zeros && b == 0;
    KEXPECT(zeros);
    KEXPECT(!cache->write_back(block::Writeback::Dirty).is_error());
}

KTEST(page_cache, reclaim_takes_only_clean_unused_pages) {
    MemoryBacking backing;
    KASSERT_TRUE(backing.data);
    RefPtr<block::PageCache> cache = block::PageCache::create(&backing, "ktest");
    KASSERT_TRUE(cache);
    cache->set_size(MemoryBacking::BYTES);
    auto* buffer = static_cast<u8*>(kmalloc(64 * KiB));
    KASSERT_TRUE(buffer);
    KEXPECT(!cache->read(0, IoBuffer::kernel(buffer), 64 * KiB).is_error());  // 16 clean pages
    u8 byte = 1;
    KEXPECT(!cache->write(0, IoBuffer::kernel(&byte), 1).is_error());  // page 0 dirty
    auto mapped = cache->get_page(1);                                  // page 1 held
    KASSERT_TRUE(!mapped.is_error());
    u64 before = cache->page_count();
    // Everything else in the system's caches may go too; ours must keep pages 0 and 1.
    block::page_cache::drop_clean();
    KEXPECT_EQ(cache->page_count(), 2u);
    KEXPECT(before == 16);
    mm::put_page(mapped.value());
    block::page_cache::drop_clean();
    KEXPECT_EQ(cache->page_count(), 1u);
    KEXPECT(!cache->write_back(block::Writeback::Dirty).is_error());
    block::page_cache::drop_clean();
    KEXPECT_EQ(cache->page_count(), 0u);
    // What reclaim dropped is read again, correctly.
    KEXPECT(!cache->read(4096, IoBuffer::kernel(buffer), 4096).is_error());
    KEXPECT(memcmp(buffer, backing.data + 4096, 4096) == 0);
    kfree(buffer);
}

KTEST(page_cache, mapped_writable_pages_are_written_while_mapped_only_by_sync) {
    MemoryBacking backing;
    KASSERT_TRUE(backing.data);
    RefPtr<block::PageCache> cache = block::PageCache::create(&backing, "ktest");
    KASSERT_TRUE(cache);
    cache->set_size(16 * KiB);
    auto page = cache->get_page(2);
    KASSERT_TRUE(!page.is_error());
    cache->mark_dirty(2);  // a shared writable mapping
    KEXPECT(cache->needs_writeback());
    static_cast<u8*>(mm::page_address(page.value()))[5] = 0x77;
    KEXPECT(!cache->write_back(block::Writeback::Dirty).is_error());
    KEXPECT_EQ(backing.writes, 0u);  // still mapped: left for sync
    KEXPECT(!cache->write_back(block::Writeback::Sync).is_error());
    KEXPECT_EQ(backing.writes, 1u);
    KEXPECT(backing.data[2 * PAGE_SIZE + 5] == 0x77);
    KEXPECT(cache->needs_writeback());  // it may still change
    mm::put_page(page.value());         // unmapped
    KEXPECT(!cache->write_back(block::Writeback::Dirty).is_error());
    KEXPECT_EQ(backing.writes, 2u);
    KEXPECT(!cache->needs_writeback());
    auto beyond = cache->get_page(4);
    KEXPECT(beyond.is_error() && beyond.error().code() == ENXIO);
}

KTEST(page_cache, writeback_errors_are_reported_once) {
    MemoryBacking backing;
    KASSERT_TRUE(backing.data);
    RefPtr<block::PageCache> cache = block::PageCache::create(&backing, "ktest");
    KASSERT_TRUE(cache);
    cache->set_size(8 * KiB);
    u8 byte = 9;
    KEXPECT(!cache->write(0, IoBuffer::kernel(&byte), 1).is_error());
    backing.fail_writes = true;
    auto written = cache->write_back(block::Writeback::Dirty);
    KEXPECT(written.is_error() && written.error().code() == EIO);
    auto reported = cache->take_error();
    KEXPECT(reported.is_error() && reported.error().code() == EIO);
    KEXPECT(!cache->take_error().is_error());
    KEXPECT(!cache->needs_writeback());  // as Linux: the pages are not retried forever
}
