// tmpfs: a file's pages (see page_store.h).
#include "fs/tmpfs/page_store.h"

#include "mm/kmalloc.h"
#include "mm/pmm.h"

namespace {
kstd::atomic<u64> g_total_pages{0};
}  // namespace

u64 PageStore::total_page_count() { return g_total_pages.load(); }

RefPtr<PageStore> PageStore::create() { return RefPtr<PageStore>(adopt, new (kstd::nothrow) PageStore()); }

PageStore::~PageStore() {
    truncate(0);
    kfree(m_directory);
}

Page* PageStore::lookup(u64 index) const {
    u64 leaf = index / LEAF_SLOTS;
    if (leaf >= m_leaves || !m_directory[leaf]) return nullptr;
    return m_directory[leaf][index % LEAF_SLOTS];
}

Result<Page**> PageStore::slot(u64 index) {
    u64 leaf = index / LEAF_SLOTS;
    if (leaf >= (u64(1) << 28)) return err(EFBIG);  // 2^28 leaves of 2 MiB: Linux's 512 TiB-ish limits
    if (leaf >= m_leaves) {
        u64 leaves = kstd::max<u64>(16, m_leaves);
        while (leaves <= leaf) leaves *= 2;
        auto** directory = static_cast<Page***>(kzalloc(leaves * sizeof(Page**)));
        if (!directory) return err(ENOMEM);
        if (m_directory) memcpy(directory, m_directory, m_leaves * sizeof(Page**));
        kfree(m_directory);
        m_directory = directory;
        m_leaves = leaves;
    }
    if (!m_directory[leaf]) {
        m_directory[leaf] = static_cast<Page**>(kzalloc(LEAF_SLOTS * sizeof(Page*)));
        if (!m_directory[leaf]) return err(ENOMEM);
    }
    return &m_directory[leaf][index % LEAF_SLOTS];
}

void PageStore::release(u64 index) {
    Page** leaf = m_directory[index / LEAF_SLOTS];
    Page*& page = leaf[index % LEAF_SLOTS];
    page->owner = nullptr;
    mm::put_page(page);
    page = nullptr;
    m_allocated--;
    g_total_pages.fetch_sub(1);
    if (budget) budget->fetch_add(1);
}

Result<Page*> PageStore::page_for_write(u64 index) {
    Page** entry = TRY(slot(index));
    if (!*entry) {
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
        *entry = page;
        m_allocated++;
        g_total_pages.fetch_add(1);
    }
    return *entry;
}

Result<Page*> PageStore::get_page(u64 index) {
    // mmap past the end of the file is SIGBUS, as on Linux.
    if (index * PAGE_SIZE >= kstd::align_up<u64>(size, PAGE_SIZE)) return err(ENXIO);
    Page* page = TRY(page_for_write(index));
    mm::get_page(page);
    return page;
}

Result<usize> PageStore::read(u64 offset, IoBuffer buffer, usize length) {
    static const u8 zeros[256] = {};
    usize done = 0;
    while (done < length) {
        u64 position = offset + done;
        u64 index = position / PAGE_SIZE;
        usize in_page = position % PAGE_SIZE;
        usize chunk = kstd::min<usize>(PAGE_SIZE - in_page, length - done);
        usize copied;
        if (has_page(index)) {
            copied = buffer.write_partial(done, static_cast<u8*>(mm::page_address(lookup(index))) + in_page, chunk);
        } else {
            copied = 0;
            while (copied < chunk) {
                usize piece = kstd::min(sizeof(zeros), chunk - copied);
                usize wrote = buffer.write_partial(done + copied, zeros, piece);
                copied += wrote;
                if (wrote < piece) break;
            }
        }
        done += copied;
        if (copied < chunk) return done ? Result<usize>(done) : Result<usize>(err(EFAULT));
    }
    return done;
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
    for (u64 index = first; index < end && index / LEAF_SLOTS < m_leaves; index++) {
        if (lookup(index)) release(index);
    }
    // Partial pages at either edge are zeroed rather than freed.
    auto zero = [&](u64 from, u64 to) {
        if (from >= to) return;
        if (Page* page = lookup(from / PAGE_SIZE))
            memset(static_cast<u8*>(mm::page_address(page)) + from % PAGE_SIZE, 0, to - from);
    };
    u64 end_byte = offset + length;
    zero(offset, kstd::min(end_byte, kstd::align_up<u64>(offset + 1, PAGE_SIZE)));
    if (end_byte % PAGE_SIZE && end_byte / PAGE_SIZE >= first) zero(kstd::align_down<u64>(end_byte, PAGE_SIZE), end_byte);
}

void PageStore::truncate(u64 new_size) {
    u64 keep = kstd::align_up<u64>(new_size, PAGE_SIZE) / PAGE_SIZE;
    for (u64 leaf = keep / LEAF_SLOTS; leaf < m_leaves; leaf++) {
        if (!m_directory[leaf]) continue;
        for (u64 slot_index = 0; slot_index < LEAF_SLOTS; slot_index++) {
            u64 index = leaf * LEAF_SLOTS + slot_index;
            if (index >= keep && m_directory[leaf][slot_index]) release(index);
        }
        if (leaf * LEAF_SLOTS >= keep) {
            kfree(m_directory[leaf]);
            m_directory[leaf] = nullptr;
        }
    }
    if (new_size % PAGE_SIZE) {
        if (Page* page = lookup(new_size / PAGE_SIZE)) {
            u8* data = static_cast<u8*>(mm::page_address(page));
            memset(data + new_size % PAGE_SIZE, 0, PAGE_SIZE - new_size % PAGE_SIZE);
        }
    }
    size = new_size;
}

ErrorOr PageStore::allocate(u64 offset, u64 length) {
    for (u64 index = offset / PAGE_SIZE; index * PAGE_SIZE < offset + length; index++) TRY(page_for_write(index));
    return {};
}
