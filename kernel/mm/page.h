// Memory: the page frame database, one Page descriptor per physical page (Linux's
// struct page). It carries what the buddy allocator, the slab heap, copy-on-write
// (reference counts) and later the page cache need to know about a frame.
#pragma once

#include "lib/kstd.h"
#include "lib/list.h"
#include "lib/types.h"

constexpr usize PAGE_SIZE = 4096;
constexpr unsigned PAGE_SHIFT = 12;

enum PageFlag : u32 {
    PG_RESERVED = 1 << 0,  // never handed out (firmware, kernel image, holes)
    PG_FREE = 1 << 1,      // head of a free buddy block
    PG_SLAB = 1 << 2,      // belongs to a slab cache
    PG_HEAD = 1 << 3,      // head of an allocated multi-page block
    PG_PAGE_TABLE = 1 << 4,
    PG_DIRTY = 1 << 5,
    PG_UPTODATE = 1 << 6,
    // Page cache (drivers/block/page_cache.h): on the LRU, accessed since the last scan,
    // and mapped writable into a shared mapping (may change without a write(2)).
    PG_LRU = 1 << 7,
    PG_REFERENCED = 1 << 8,
    PG_MAPPED_WRITE = 1 << 9,
};

struct Page {
    ListNode node;             // buddy free list, slab list, LRU
    u32 flags = PG_RESERVED;
    u8 order = 0;              // buddy order of the block this page heads
    u8 reserved[3] = {};
    kstd::atomic<i32> refcount{0};  // mappings and holders; copy-on-write needs it
    u32 map_count = 0;
    void* owner = nullptr;     // slab cache, or page cache mapping
    u64 index = 0;             // page cache: offset in the file, in pages

    bool has(PageFlag flag) const { return flags & flag; }
};
