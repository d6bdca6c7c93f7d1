// Drivers, block layer: the page cache — a file's (or a whole disk's) data in pages,
// shared by read/write and by mmap (it is the MemoryObject mappings show), read ahead on
// sequential access, written back when dirty, and evicted when clean and memory is short.
//
// A PageCache asks its backing (the ext4 adapter for a file, the disk for /dev/vda) to
// fill and to write back runs of consecutive pages. Locking: the cache's mutex covers
// its tree, its size and its pages' flags; backing I/O runs under it, so a backing may
// take its filesystem's lock but must never take a cache's lock while holding that.
// Copies to and from user memory happen with no lock held (a fault in the user buffer
// may need this very cache, or its filesystem).
//
// Pages in the tree are always up to date: a page is inserted only once its read
// succeeded. Writeback errors are kept and reported once by take_error() (fsync), as
// Linux's errseq; the pages are then considered clean, as Linux does.
#pragma once

#include "drivers/block/page_tree.h"
#include "fs/io_buffer.h"
#include "mm/memory_object.h"
#include "sync/mutex.h"

namespace block {

class PageCacheBacking {
public:
    // Fills `pages`, consecutive from page index `first`, whole: zeros past the data.
    virtual ErrorOr read_pages(u64 first, kstd::span<Page* const> pages) = 0;
    // Writes `pages` back, consecutive from `first`; only `bytes` of them are data (the
    // end of the object may cut the last page).
    virtual ErrorOr write_pages(u64 first, kstd::span<Page* const> pages, usize bytes) = 0;

protected:
    ~PageCacheBacking() = default;
};

enum class Writeback : u8 {
    Dirty,  // pages written through write(2), and mapped-writable pages no longer mapped
    Sync,   // everything that may differ from the backing, mapped pages included (fsync)
};

class PageCache final : public MemoryObject {
public:
    static constexpr usize MAX_RUN = 64;  // pages per backing call (256 KiB)

    static RefPtr<PageCache> create(PageCacheBacking* backing, const char* description);
    ~PageCache() override;

    Result<Page*> get_page(u64 index) override;
    void mark_dirty(u64 index) override;
    void drop_clean_pages() override { (void)invalidate_clean(); }
    const char* describe() const override { return m_description; }

    Mutex& lock() { return m_lock; }
    // The object's size in bytes: reads and mappings stop there.
    u64 size() const { return m_size; }
    void set_size(u64 size);

    // Copies [offset, offset+length) out, clipped at the size; a hole reads as zeros.
    Result<usize> read(u64 offset, IoBuffer buffer, usize length);
    // Copies in, extending the size when writing past it. A fault after some progress
    // returns what was written.
    Result<usize> write(u64 offset, IoBuffer buffer, usize length);
    // Writes dirty pages back through the backing; the first error is returned (and kept
    // for take_error()).
    ErrorOr write_back(Writeback mode);
    // Drops every page wholly past `size` (dirty or not), zeroes the tail of the page the
    // end falls in, and sets the size.
    void truncate(u64 size);
    // Drops clean pages nobody maps (drop_caches, POSIX_FADV_DONTNEED, BLKFLSBUF).
    usize invalidate_clean();
    // A writeback error not yet reported; clears it.
    ErrorOr take_error();

    bool needs_writeback() const { return m_dirty_pages || m_mapped_write_pages; }
    u64 dirty_pages() const { return m_dirty_pages; }
    u64 page_count() const { return m_tree.count(); }
    // Monotonic time at which the cache last went from clean to dirty (0 when clean).
    u64 dirtied_at() const { return m_dirtied_at; }

    // Called (cache lock held) when the cache goes from clean to dirty: the owner puts it
    // on its writeback list. Must not take the cache's lock.
    void set_dirty_hook(void (*hook)(void* context), void* context) {
        m_dirty_hook = hook;
        m_dirty_context = context;
    }

    // The global LRU's evictor (see page_cache.cpp).
    bool try_evict(Page& page);

private:
    PageCache(PageCacheBacking* backing, const char* description);
    // The page at `index`, reading it (and up to `window` - 1 more) when absent.
    Result<Page*> find_or_read(u64 index, usize window);
    Result<Page*> allocate_page();
    ErrorOr insert(u64 index, Page* page);
    void mark_page_dirty(Page& page);
    void clean_page(Page& page);
    void drop_page(u64 index, Page& page);
    usize readahead_window(u64 index, usize wanted);
    bool needs_write(const Page& page, Writeback mode) const;

    PageCacheBacking* m_backing;
    const char* m_description;
    Mutex m_lock;
    PageTree m_tree;
    u64 m_size = 0;
    u64 m_dirty_pages = 0;
    u64 m_mapped_write_pages = 0;
    u64 m_dirtied_at = 0;
    u64 m_readahead_next = 0;
    usize m_readahead_window = 0;
    int m_error = 0;
    void (*m_dirty_hook)(void*) = nullptr;
    void* m_dirty_context = nullptr;
};

namespace page_cache {
struct Stats {
    u64 cached_pages;
    u64 dirty_pages;
    u64 evicted_pages;
    u64 readahead_pages;
};
Stats stats();
// Other caches memory pressure may shrink (a file system's metadata buffers), asked
// after the page LRU. `shrink` may only try-lock what it needs; it returns pages freed.
struct Shrinker {
    usize (*shrink)(void* context, usize pages);
    void* context;
    ListNode node;
};
void register_shrinker(Shrinker& shrinker);
void unregister_shrinker(Shrinker& shrinker);

// Evicts up to `pages` clean, unmapped pages (oldest first), then asks the shrinkers;
// returns how many pages were freed.
usize reclaim(usize pages);
// Evicts every clean, unmapped page (drop_caches).
usize drop_clean();
// Whether so many pages are dirty that writers should write back themselves (Linux's
// dirty_ratio, 20% of memory), or the flusher should start early (dirty_background_ratio).
bool over_dirty_limit();
bool over_background_limit();
// Registers the allocator's reclaim hook and sets the watermarks from the memory size.
void init();
}  // namespace page_cache

}  // namespace block
