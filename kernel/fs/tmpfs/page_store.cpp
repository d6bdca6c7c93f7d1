// tmpfs: a file's pages (see page_store.h).
#include "fs/tmpfs/page_store.h"

#include "mm/kmalloc.h"
#include "mm/pmm.h"

RefPtr<PageStore> PageStore::create() { return RefPtr<PageStore>(adopt, new (kstd::nothrow) PageStore()); }

PageStore::~PageStore() {
    truncate(0);
    kfree(m_pages);
}

ErrorOr PageStore::ensure_capacity(u64 pages) {
    if (pages <= m_capacity) return {};
    u64 capacity = kstd::max<u64>(16, m_capacity);
    while (capacity < pages) capacity *= 2;
    if (capacity > (u64(1) << 40) / PAGE_SIZE) return err(EFBIG);
    auto** array = static_cast<Page**>(kzalloc(capacity * sizeof(Page*)));
    if (!array) return err(ENOMEM);
    if (m_pages) memcpy(array, m_pages, m_capacity * sizeof(Page*));
    kfree(m_pages);
    m_pages = array;
    m_capacity = capacity;
    return {};
}

Result<Page*> PageStore::page_for_write(u64 index) {
    TRY(ensure_capacity(index + 1));
    if (!m_pages[index]) {
        if (budget && budget->fetch_sub(1) <= 0) {
            budget->fetch_add(1);
            return err(ENOSPC);
        }
        Page* page = mm::alloc_zeroed_page();
        if (!page) {
            if (budget) budget->fetch_add(1);
            return err(ENOMEM);
        }
        page->owner = this;  // a page-cache page: private mappings copy it on write
        page->index = index;
        m_pages[index] = page;
        m_allocated++;
    }
    return m_pages[index];
}

Result<Page*> PageStore::get_page(u64 index) {
    // mmap past the end of the file is SIGBUS, as on Linux.
    if (index * PAGE_SIZE >= kstd::align_up<u64>(size, PAGE_SIZE)) return err(ENXIO);
    Page* page = TRY(page_for_write(index));
    mm::get_page(page);
    return page;
}

ErrorOr PageStore::read(u64 offset, IoBuffer buffer, usize length) {
    usize done = 0;
    while (done < length) {
        u64 position = offset + done;
        u64 index = position / PAGE_SIZE;
        usize in_page = position % PAGE_SIZE;
        usize chunk = kstd::min<usize>(PAGE_SIZE - in_page, length - done);
        if (has_page(index)) {
            TRY(buffer.write(done, static_cast<u8*>(mm::page_address(m_pages[index])) + in_page, chunk));
        } else {
            TRY(buffer.clear(done, chunk));
        }
        done += chunk;
    }
    return {};
}

ErrorOr PageStore::write(u64 offset, IoBuffer buffer, usize length) {
    usize done = 0;
    while (done < length) {
        u64 position = offset + done;
        u64 index = position / PAGE_SIZE;
        usize in_page = position % PAGE_SIZE;
        usize chunk = kstd::min<usize>(PAGE_SIZE - in_page, length - done);
        Page* page = TRY(page_for_write(index));
        TRY(buffer.read(done, static_cast<u8*>(mm::page_address(page)) + in_page, chunk));
        done += chunk;
    }
    return {};
}

void PageStore::punch_hole(u64 offset, u64 length) {
    u64 first = kstd::align_up<u64>(offset, PAGE_SIZE) / PAGE_SIZE;
    u64 end = (offset + length) / PAGE_SIZE;
    for (u64 index = first; index < end && index < m_capacity; index++) {
        if (!m_pages[index]) continue;
        m_pages[index]->owner = nullptr;
        mm::put_page(m_pages[index]);
        m_pages[index] = nullptr;
        m_allocated--;
        if (budget) budget->fetch_add(1);
    }
    // Partial pages at either edge are zeroed rather than freed.
    auto zero = [&](u64 from, u64 to) {
        if (from >= to) return;
        u64 index = from / PAGE_SIZE;
        if (has_page(index))
            memset(static_cast<u8*>(mm::page_address(m_pages[index])) + from % PAGE_SIZE, 0, to - from);
    };
    u64 end_byte = offset + length;
    zero(offset, kstd::min(end_byte, kstd::align_up<u64>(offset + 1, PAGE_SIZE)));
    if (end_byte % PAGE_SIZE && end_byte / PAGE_SIZE >= first) zero(kstd::align_down<u64>(end_byte, PAGE_SIZE), end_byte);
}

void PageStore::truncate(u64 new_size) {
    u64 keep = kstd::align_up<u64>(new_size, PAGE_SIZE) / PAGE_SIZE;
    for (u64 index = keep; index < m_capacity; index++) {
        if (!m_pages[index]) continue;
        m_pages[index]->owner = nullptr;
        mm::put_page(m_pages[index]);
        m_pages[index] = nullptr;
        m_allocated--;
        if (budget) budget->fetch_add(1);
    }
    if (new_size % PAGE_SIZE && has_page(new_size / PAGE_SIZE)) {
        u8* data = static_cast<u8*>(mm::page_address(m_pages[new_size / PAGE_SIZE]));
        memset(data + new_size % PAGE_SIZE, 0, PAGE_SIZE - new_size % PAGE_SIZE);
    }
    size = new_size;
}

ErrorOr PageStore::allocate(u64 offset, u64 length) {
    for (u64 index = offset / PAGE_SIZE; index * PAGE_SIZE < offset + length; index++) TRY(page_for_write(index));
    return {};
}
