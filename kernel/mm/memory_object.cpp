// Memory: memory objects and page references (see memory_object.h).
#include "mm/memory_object.h"

#include "mm/kmalloc.h"
#include "mm/pmm.h"

namespace mm {
void get_page(Page* page) { page->refcount.fetch_add(1, kstd::memory_order_relaxed); }
void put_page(Page* page) {
    if (page->refcount.fetch_sub(1, kstd::memory_order_acq_rel) == 1) free_pages(page, 0);
}
}  // namespace mm

RefPtr<AnonymousSharedObject> AnonymousSharedObject::create(u64 page_count) {
    if (page_count > (u64(1) << 32)) return nullptr;
    auto** pages = static_cast<Page**>(kzalloc(page_count * sizeof(Page*)));
    if (!pages && page_count) return nullptr;
    RefPtr<AnonymousSharedObject> object(adopt, new (kstd::nothrow) AnonymousSharedObject(pages, page_count));
    if (!object) kfree(pages);
    return object;
}

AnonymousSharedObject::~AnonymousSharedObject() {
    for (u64 i = 0; i < m_count; i++) {
        if (m_pages[i]) mm::put_page(m_pages[i]);
    }
    kfree(m_pages);
}

Result<Page*> AnonymousSharedObject::get_page(u64 index) {
    if (index >= m_count) return err(ENXIO);
    if (!m_pages[index]) {
        Page* page = mm::alloc_zeroed_page();
        if (!page) return err(ENOMEM);
        m_pages[index] = page;  // alloc gave the object's reference
    }
    mm::get_page(m_pages[index]);
    return m_pages[index];
}
