// Memory: memory objects — what a mapping shows, page by page. Anonymous shared memory
// (MAP_SHARED|MAP_ANONYMOUS), a file's page cache, tmpfs files. Private anonymous memory
// needs no object: its pages belong to the page tables that map them.
//
// Pages are reference counted (Page::refcount): the object holds one reference on each
// cached page and every mapping one more; the last put frees the frame.
#pragma once

#include "lib/ref_ptr.h"
#include "lib/result.h"
#include "mm/page.h"

class MemoryObject : public RefCounted<MemoryObject> {
public:
    virtual ~MemoryObject() = default;
    // The page at `index` (in pages from the object's start) with a reference for the
    // caller. Past the end of a file: EFAULT-free SIGBUS territory, reported as ENXIO.
    virtual Result<Page*> get_page(u64 index) = 0;
    // Called when a mapping makes the page writable (shared writable mappings).
    virtual void mark_dirty(u64 index) { (void)index; }
    // A page cache drops its clean pages nobody maps (POSIX_FADV_DONTNEED); objects whose
    // pages are their only copy (tmpfs, anonymous memory) keep them.
    virtual void drop_clean_pages() {}
    virtual const char* describe() const { return "object"; }
};

// MAP_SHARED|MAP_ANONYMOUS memory and System V shared memory: zero-filled pages that
// every mapping of the object shares, kept until the object dies.
class AnonymousSharedObject final : public MemoryObject {
public:
    static RefPtr<AnonymousSharedObject> create(u64 page_count);
    ~AnonymousSharedObject() override;
    Result<Page*> get_page(u64 index) override;
    const char* describe() const override { return "/dev/zero (deleted)"; }

private:
    explicit AnonymousSharedObject(Page** pages, u64 count) : m_pages(pages), m_count(count) {}
    Page** m_pages;
    u64 m_count;
};

namespace mm {
// One more reference on a page, and dropping one (freeing the frame at zero).
void get_page(Page* page);
void put_page(Page* page);
}  // namespace mm
