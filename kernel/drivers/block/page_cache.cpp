// Drivers, block layer: the page cache (see page_cache.h).
//
// Memory pressure: every cached page is on one global LRU. A cache that needs a page
// while free memory is under the low watermark first evicts clean pages; the page
// allocator's failure path calls the same reclaim (mm::set_reclaim_hook), so anonymous
// memory and page tables can take pages back from the cache as well.
#include "drivers/block/page_cache.h"

#include "drivers/block/page_lru.h"
#include "drivers/block/writeback.h"
#include "lib/string.h"
#include "log/klog.h"
#include "mm/pmm.h"
#include "sync/spinlock.h"
#include "time/clock.h"

namespace block {
namespace {

SpinLock g_lru_lock;
PageLru g_lru;
kstd::atomic<u64> g_cached_pages{0};
kstd::atomic<u64> g_dirty_pages{0};
kstd::atomic<u64> g_evicted_pages{0};
kstd::atomic<u64> g_readahead_pages{0};
u64 g_low_watermark = 256;  // free pages under which the cache evicts before allocating
u64 g_dirty_limit = ~u64(0);
u64 g_background_limit = ~u64(0);

constexpr usize INITIAL_READAHEAD = 4;
constexpr usize RECLAIM_BATCH = 32;

void lru_add(Page& page) {
    SpinLockGuard guard(g_lru_lock);
    g_lru.add(page);
}

void lru_remove(Page& page) {
    SpinLockGuard guard(g_lru_lock);
    g_lru.remove(page);
}

u64 free_pages() { return mm::memory_stats().free_pages; }

}  // namespace

RefPtr<PageCache> PageCache::create(PageCacheBacking* backing, const char* description) {
    return RefPtr<PageCache>(adopt, new (kstd::nothrow) PageCache(backing, description));
}

PageCache::PageCache(PageCacheBacking* backing, const char* description)
    : m_backing(backing), m_description(description) {}

PageCache::~PageCache() {
    if (m_dirty_pages)
        pr_warn("page cache (%s): %lu dirty pages dropped unwritten", m_description, m_dirty_pages);
    u64 found;
    while (Page* page = m_tree.next(0, &found)) drop_page(found, *page);
}

void PageCache::set_size(u64 size) { m_size = size; }

Result<Page*> PageCache::allocate_page() {
    if (free_pages() < g_low_watermark) page_cache::reclaim(RECLAIM_BATCH);
    Page* page = mm::alloc_pages(0);
    if (!page) return err(ENOMEM);
    return page;
}

ErrorOr PageCache::insert(u64 index, Page* page) {
    TRY(m_tree.insert(index, page));
    page->owner = this;  // a page-cache page: private mappings copy it on write
    page->index = index;
    lru_add(*page);
    g_cached_pages.fetch_add(1, kstd::memory_order_relaxed);
    return {};
}

void PageCache::drop_page(u64 index, Page& page) {
    m_tree.remove(index);
    lru_remove(page);
    clean_page(page);
    if (page.has(PG_MAPPED_WRITE)) {
        __atomic_fetch_and(&page.flags, ~u32(PG_MAPPED_WRITE), __ATOMIC_RELAXED);
        m_mapped_write_pages--;
    }
    page.owner = nullptr;
    g_cached_pages.fetch_sub(1, kstd::memory_order_relaxed);
    mm::put_page(&page);
    if (!needs_writeback()) m_dirtied_at = 0;
}

void PageCache::mark_page_dirty(Page& page) {
    if (page.has(PG_DIRTY)) return;
    bool was_clean = !needs_writeback();
    __atomic_fetch_or(&page.flags, PG_DIRTY, __ATOMIC_RELAXED);
    m_dirty_pages++;
    g_dirty_pages.fetch_add(1, kstd::memory_order_relaxed);
    if (was_clean) {
        m_dirtied_at = ktime::monotonic_ns();
        if (m_dirty_hook) m_dirty_hook(m_dirty_context);
    }
}

void PageCache::clean_page(Page& page) {
    if (!page.has(PG_DIRTY)) return;
    __atomic_fetch_and(&page.flags, ~u32(PG_DIRTY), __ATOMIC_RELAXED);
    m_dirty_pages--;
    g_dirty_pages.fetch_sub(1, kstd::memory_order_relaxed);
}

usize PageCache::readahead_window(u64 index, usize wanted) {
    // Sequential misses double the window up to a run's worth; a jump starts over.
    if (index == m_readahead_next && m_readahead_window)
        m_readahead_window = kstd::min<usize>(m_readahead_window * 2, MAX_RUN);
    else
        m_readahead_window = INITIAL_READAHEAD;
    return kstd::min<usize>(kstd::max(m_readahead_window, wanted), MAX_RUN);
}

Result<Page*> PageCache::find_or_read(u64 index, usize window) {
    if (Page* page = m_tree.find(index)) {
        PageLru::mark_accessed(*page);
        return page;
    }
    // The run: up to `window` absent pages from `index`, not past the object's end.
    u64 end_page = kstd::align_up<u64>(m_size, PAGE_SIZE) / PAGE_SIZE;
    usize count = 1;
    while (count < window && index + count < end_page && !m_tree.find(index + count)) count++;
    Page* pages[MAX_RUN];
    usize allocated = 0;
    for (; allocated < count; allocated++) {
        auto page = allocate_page();
        if (page.is_error()) break;
        pages[allocated] = page.value();
    }
    if (allocated == 0) return err(ENOMEM);
    auto read = m_backing->read_pages(index, {pages, allocated});
    if (read.is_error()) {
        for (usize i = 0; i < allocated; i++) mm::put_page(pages[i]);
        return read.error();
    }
    usize inserted = 0;
    for (; inserted < allocated; inserted++) {
        if (insert(index + inserted, pages[inserted]).is_error()) break;
    }
    for (usize i = inserted; i < allocated; i++) mm::put_page(pages[i]);
    if (inserted == 0) return err(ENOMEM);
    if (allocated > 1) g_readahead_pages.fetch_add(inserted - 1, kstd::memory_order_relaxed);
    m_readahead_next = index + inserted;
    return pages[0];
}

Result<Page*> PageCache::get_page(u64 index) {
    MutexGuard guard(m_lock);
    // mmap past the end of the object is SIGBUS territory, as on Linux.
    if (index >= kstd::align_up<u64>(m_size, PAGE_SIZE) / PAGE_SIZE) return err(ENXIO);
    usize window = m_tree.find(index) ? 1 : readahead_window(index, 1);
    Page* page = TRY(find_or_read(index, window));
    mm::get_page(page);
    return page;
}

void PageCache::mark_dirty(u64 index) {
    // A shared writable mapping: the page may change with no further notice, so it stays
    // a writeback candidate until nobody maps it any more.
    MutexGuard guard(m_lock);
    Page* page = m_tree.find(index);
    if (!page || page->has(PG_MAPPED_WRITE)) return;
    bool was_clean = !needs_writeback();
    __atomic_fetch_or(&page->flags, PG_MAPPED_WRITE, __ATOMIC_RELAXED);
    m_mapped_write_pages++;
    if (was_clean) {
        m_dirtied_at = ktime::monotonic_ns();
        if (m_dirty_hook) m_dirty_hook(m_dirty_context);
    }
}

Result<usize> PageCache::read(u64 offset, IoBuffer buffer, usize length) {
    usize total;
    {
        MutexGuard guard(m_lock);
        if (offset >= m_size) return 0;
        total = static_cast<usize>(kstd::min<u64>(length, m_size - offset));
    }
    usize done = 0;
    while (done < total) {
        u64 position = offset + done;
        u64 index = position / PAGE_SIZE;
        usize in_page = position % PAGE_SIZE;
        usize chunk = kstd::min<usize>(PAGE_SIZE - in_page, total - done);
        Page* page;
        {
            MutexGuard guard(m_lock);
            usize wanted = (total - done + in_page + PAGE_SIZE - 1) / PAGE_SIZE;
            usize window = m_tree.find(index) ? 1 : readahead_window(index, wanted);
            auto found = find_or_read(index, window);
            if (found.is_error()) {
                if (done) return done;
                return found.error();
            }
            page = found.value();
            mm::get_page(page);
        }
        auto copied = buffer.write(done, static_cast<u8*>(mm::page_address(page)) + in_page, chunk);
        mm::put_page(page);
        if (copied.is_error()) {
            if (done) return done;
            return copied.error();
        }
        done += chunk;
    }
    return done;
}

Result<usize> PageCache::write(u64 offset, IoBuffer buffer, usize length) {
    usize done = 0;
    while (done < length) {
        u64 position = offset + done;
        u64 index = position / PAGE_SIZE;
        usize in_page = position % PAGE_SIZE;
        usize chunk = kstd::min<usize>(PAGE_SIZE - in_page, length - done);
        Page* page = nullptr;
        bool fresh = false;
        {
            MutexGuard guard(m_lock);
            page = m_tree.find(index);
            // A page wholly past the end holds only zeros; a whole-page write needs no
            // old contents: either way nothing is read.
            bool no_old_data = index * PAGE_SIZE >= m_size || (in_page == 0 && chunk == PAGE_SIZE);
            if (!page && !no_old_data) {
                auto found = find_or_read(index, 1);
                if (found.is_error()) {
                    if (done) return done;
                    return found.error();
                }
                page = found.value();
            }
            if (page) mm::get_page(page);
        }
        if (!page) {
            // Filled outside the lock, then inserted: a fault here cannot deadlock.
            auto allocated = allocate_page();
            if (allocated.is_error()) return done ? Result<usize>(done) : allocated.error();
            page = allocated.value();
            if (chunk != PAGE_SIZE) memset(mm::page_address(page), 0, PAGE_SIZE);
            fresh = true;
        }
        u8* data = static_cast<u8*>(mm::page_address(page));
        auto copied = buffer.read(done, data + in_page, chunk);
        if (copied.is_error()) {
            mm::put_page(page);
            if (done) return done;
            return copied.error();
        }
        {
            MutexGuard guard(m_lock);
            if (fresh) {
                if (Page* raced = m_tree.find(index)) {
                    // Someone filled the slot meanwhile: theirs stays, with our bytes.
                    memcpy(static_cast<u8*>(mm::page_address(raced)) + in_page, data + in_page, chunk);
                    mm::put_page(page);
                    page = raced;
                    mm::get_page(page);
                } else if (auto inserted = insert(index, page); inserted.is_error()) {
                    mm::put_page(page);
                    if (done) return done;
                    return inserted.error();
                } else {
                    mm::get_page(page);  // the tree's reference; ours is dropped below
                }
            }
            if (page->owner == this) mark_page_dirty(*page);
            if (position + chunk > m_size) m_size = position + chunk;
            PageLru::mark_accessed(*page);
        }
        mm::put_page(page);
        done += chunk;
    }
    if (page_cache::over_dirty_limit()) {
        // Linux's balance_dirty_pages: a writer past the limit pays for its own writeback.
        (void)write_back(Writeback::Dirty);
    } else if (page_cache::over_background_limit()) {
        writeback::wake_flusher();
    }
    return done;
}

bool PageCache::needs_write(const Page& page, Writeback mode) const {
    if (page.has(PG_DIRTY)) return true;
    if (!page.has(PG_MAPPED_WRITE)) return false;
    // A page still mapped may still be written: periodic writeback leaves it for fsync,
    // sync and the moment it is unmapped (the cache holds the only reference then).
    return mode == Writeback::Sync || page.refcount.load(kstd::memory_order_relaxed) == 1;
}

ErrorOr PageCache::write_back(Writeback mode) {
    MutexGuard guard(m_lock);
    if (!needs_writeback()) return {};
    ErrorOr first_error;
    u64 index = 0;
    for (;;) {
        // The next run of consecutive pages needing a write.
        Page* run[MAX_RUN];
        usize count = 0;
        u64 start = 0;
        u64 found;
        while (Page* page = m_tree.next(index, &found)) {
            index = found + 1;
            if (!needs_write(*page, mode)) {
                if (count) break;
                continue;
            }
            if (count && found != start + count) {
                index = found;  // not consecutive: it starts the next run
                break;
            }
            if (!count) start = found;
            run[count++] = page;
            if (count == MAX_RUN) break;
        }
        if (!count) break;
        u64 run_bytes = u64(count) * PAGE_SIZE;
        u64 start_byte = start * PAGE_SIZE;
        usize bytes =
            start_byte >= m_size ? 0 : static_cast<usize>(kstd::min(run_bytes, m_size - start_byte));
        ErrorOr written;
        if (bytes) written = m_backing->write_pages(start, {run, count}, bytes);
        if (written.is_error()) {
            if (!first_error.is_error()) first_error = written.error();
            if (!m_error) m_error = written.error().code();
            pr_err("page cache (%s): writeback of pages %lu-%lu failed (error %d)", m_description, start,
                   start + count - 1, written.error().code());
        }
        for (usize i = 0; i < count; i++) {
            clean_page(*run[i]);
            bool still_mapped = run[i]->refcount.load(kstd::memory_order_relaxed) > 1;
            if (run[i]->has(PG_MAPPED_WRITE) && !still_mapped) {
                __atomic_fetch_and(&run[i]->flags, ~u32(PG_MAPPED_WRITE), __ATOMIC_RELAXED);
                m_mapped_write_pages--;
            }
        }
    }
    // Mapped-writable pages still mapped keep the cache on its owner's writeback list.
    m_dirtied_at = needs_writeback() ? ktime::monotonic_ns() : 0;
    return first_error;
}

void PageCache::truncate(u64 size) {
    MutexGuard guard(m_lock);
    u64 keep = kstd::align_up<u64>(size, PAGE_SIZE) / PAGE_SIZE;
    u64 found;
    while (Page* page = m_tree.next(keep, &found)) drop_page(found, *page);
    if (size % PAGE_SIZE) {
        if (Page* last = m_tree.find(size / PAGE_SIZE))
            memset(static_cast<u8*>(mm::page_address(last)) + size % PAGE_SIZE, 0,
                   PAGE_SIZE - size % PAGE_SIZE);
    }
    m_size = size;
}

usize PageCache::invalidate_clean() {
    MutexGuard guard(m_lock);
    usize dropped = 0;
    u64 index = 0;
    u64 found;
    while (Page* page = m_tree.next(index, &found)) {
        index = found + 1;
        if (page->has(PG_DIRTY) || page->has(PG_MAPPED_WRITE)) continue;
        if (page->refcount.load(kstd::memory_order_relaxed) != 1) continue;
        drop_page(found, *page);
        dropped++;
        if (found == ~u64(0)) break;
    }
    return dropped;
}

ErrorOr PageCache::take_error() {
    MutexGuard guard(m_lock);
    int error = kstd::exchange(m_error, 0);
    if (error) return err(error);
    return {};
}

bool PageCache::try_evict(Page& page) {
    // Called with the LRU lock held, from any thread that ran short of memory: only a
    // lock that is free right now can be taken, and only pages nobody else holds go.
    if (page.refcount.load(kstd::memory_order_relaxed) != 1) return false;
    if (page.flags & (PG_DIRTY | PG_MAPPED_WRITE)) return false;
    // This thread may be the one holding the lock, short of memory while reading into
    // this very cache (one big file): its clean, unreferenced pages may go too. Every
    // path that allocates under the lock holds references to the pages it keeps using.
    bool already_held = m_lock.is_locked_by_current();
    if (!already_held && !m_lock.try_lock()) return false;
    bool evicted = false;
    if (m_tree.find(page.index) == &page && page.refcount.load(kstd::memory_order_relaxed) == 1) {
        m_tree.remove(page.index);
        g_lru.remove(page);
        page.owner = nullptr;
        g_cached_pages.fetch_sub(1, kstd::memory_order_relaxed);
        g_evicted_pages.fetch_add(1, kstd::memory_order_relaxed);
        mm::put_page(&page);
        evicted = true;
    }
    if (!already_held) m_lock.unlock();
    return evicted;
}

namespace page_cache {

Stats stats() {
    return {g_cached_pages.load(), g_dirty_pages.load(), g_evicted_pages.load(), g_readahead_pages.load()};
}

namespace {
SpinLock g_shrinkers_lock;
IntrusiveList<Shrinker, &Shrinker::node> g_shrinkers;
}  // namespace

void register_shrinker(Shrinker& shrinker) {
    SpinLockGuard guard(g_shrinkers_lock);
    if (!shrinker.node.is_linked()) g_shrinkers.push_back(shrinker);
}

void unregister_shrinker(Shrinker& shrinker) {
    SpinLockGuard guard(g_shrinkers_lock);
    if (shrinker.node.is_linked()) g_shrinkers.remove(shrinker);
}

usize reclaim(usize pages) {
    usize freed;
    {
        SpinLockGuard guard(g_lru_lock);
        usize budget = kstd::min<usize>(g_lru.size() * 2, pages * 8 + 64);
        freed = g_lru.scan(budget, pages,
                           [](Page& page) { return static_cast<PageCache*>(page.owner)->try_evict(page); });
    }
    if (freed >= pages) return freed;
    // Then the shrinkers, with no lock held while they run (they free to the heap); a
    // shrinker never sleeps, so none can unregister under our feet.
    Shrinker* shrinker;
    {
        SpinLockGuard guard(g_shrinkers_lock);
        shrinker = g_shrinkers.first();
    }
    while (shrinker && freed < pages) {
        freed += shrinker->shrink(shrinker->context, pages - freed);
        SpinLockGuard guard(g_shrinkers_lock);
        shrinker = shrinker->node.is_linked() ? g_shrinkers.next(*shrinker) : nullptr;
    }
    return freed;
}

usize drop_clean() {
    usize total = 0;
    for (;;) {
        usize got = reclaim(1024);
        total += got;
        if (!got) return total;
    }
}

bool over_dirty_limit() { return g_dirty_pages.load(kstd::memory_order_relaxed) > g_dirty_limit; }
bool over_background_limit() { return g_dirty_pages.load(kstd::memory_order_relaxed) > g_background_limit; }

namespace {
usize reclaim_hook(usize pages) {
    // The allocator's failure path: only safe with no spinlock held (they disable
    // interrupts), since eviction frees memory and takes the LRU lock.
    if (!arch::interrupts_enabled()) return 0;
    return reclaim(pages);
}
}  // namespace

void init() {
    u64 total = mm::memory_stats().total_pages;
    // Linux: min_free_kbytes ~ sqrt(16 * RAM in KiB); a few MiB at these sizes. Keep 1/32
    // of memory (at least 1 MiB) free for whoever cannot wait for reclaim.
    g_low_watermark = kstd::max<u64>(total / 32, 256);
    g_dirty_limit = total / 5;        // vm.dirty_ratio = 20
    g_background_limit = total / 10;  // vm.dirty_background_ratio = 10
    mm::set_reclaim_hook(reclaim_hook);
}

}  // namespace page_cache

}  // namespace block
