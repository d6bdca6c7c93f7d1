// tmpfs: a file's contents — an array of pages that is both its storage and its page
// cache, so mmap maps the very pages read and write use (Linux's shmem).
#pragma once

#include "fs/io_buffer.h"
#include "mm/memory_object.h"

class PageStore final : public MemoryObject {
public:
    static RefPtr<PageStore> create();
    ~PageStore() override;

    Result<Page*> get_page(u64 index) override;
    const char* describe() const override { return "tmpfs"; }

    // Copies out of [offset, offset+length); holes read as zeros. A fault in the buffer
    // ends the copy: the bytes before it count (EFAULT when there were none).
    Result<usize> read(u64 offset, IoBuffer buffer, usize length);
    // Copies in, allocating pages; ENOSPC when the filesystem's page budget is spent.
    ErrorOr write(u64 offset, IoBuffer buffer, usize length);
    // Frees every page wholly past `size` and zeroes the tail of the last one.
    void truncate(u64 size);
    // Ensures pages exist for [offset, offset+length) (fallocate).
    ErrorOr allocate(u64 offset, u64 length);
    // Punches a hole (fallocate FALLOC_FL_PUNCH_HOLE).
    void punch_hole(u64 offset, u64 length);
    bool has_page(u64 index) const { return lookup(index) != nullptr; }
    u64 page_count() const { return m_allocated; }
    // Pages held by every store: /proc/meminfo's Shmem (and part of Cached), as Linux counts shmem.
    static u64 total_page_count();
    u64 size = 0;  // the file size, which the page object must not be read past

    // Shared across a tmpfs mount: pages it may still allocate (the size= option).
    kstd::atomic<i64>* budget = nullptr;

private:
    // Pages sit in leaves of 512 slots (one page of pointers each), found through a
    // directory that grows with the file: a sparse file costs only the leaves it uses.
    static constexpr u64 LEAF_SLOTS = PAGE_SIZE / sizeof(Page*);

    PageStore() = default;
    Result<Page*> page_for_write(u64 index);
    Page* lookup(u64 index) const;
    Result<Page**> slot(u64 index);
    void release(u64 index);
    Page*** m_directory = nullptr;
    u64 m_leaves = 0;  // directory entries
    u64 m_allocated = 0;
};
