// Drivers, block layer: the page tree — a page cache's pages by index, a 64-way radix
// tree (Linux's xarray, much simplified) that grows in height with the largest index.
// In-order iteration lets writeback find runs of consecutive dirty pages.
//
// Not thread-safe: the page cache's lock protects it. Nodes come from kmalloc; insert
// can fail with ENOMEM and then leaves the tree unchanged.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

struct Page;

namespace block {

class PageTree {
public:
    PageTree() = default;
    ~PageTree();
    PageTree(const PageTree&) = delete;
    PageTree& operator=(const PageTree&) = delete;

    Page* find(u64 index) const;
    // EEXIST when the slot is taken.
    ErrorOr insert(u64 index, Page* page);
    // Returns the page that was there (or null).
    Page* remove(u64 index);
    u64 count() const { return m_count; }

    // The first page at or after `index`, with its index in *found; null when none.
    Page* next(u64 index, u64* found) const;
    // Calls fn(index, page) for each page at or after `start`, in order; fn returns false
    // to stop. fn must not change the tree.
    template <typename Fn>
    void for_each_from(u64 start, Fn&& fn) const {
        u64 index = start;
        u64 found;
        while (Page* page = next(index, &found)) {
            if (!fn(found, page)) return;
            if (found == ~u64(0)) return;
            index = found + 1;
        }
    }

private:
    static constexpr unsigned BITS = 6;
    static constexpr unsigned FANOUT = 1u << BITS;
    struct Node {
        void* slots[FANOUT];
        u32 used;
    };
    u64 capacity() const;  // indices below this fit at the current height
    void free_node(Node* node, unsigned level);
    Page* next_in(Node* node, unsigned level, u64 index, u64* found) const;

    Node* m_root = nullptr;
    unsigned m_height = 0;  // 0: empty; levels of nodes from the root to the pages
    u64 m_count = 0;
};

}  // namespace block
