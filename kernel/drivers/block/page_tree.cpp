// Drivers, block layer: the page tree (see page_tree.h).
#include "drivers/block/page_tree.h"

#include "lib/assert.h"
#include "lib/kstd.h"
#include "lib/string.h"
#include "mm/kmalloc.h"

namespace block {

PageTree::~PageTree() {
    if (m_root) free_node(m_root, m_height);
}

void PageTree::free_node(Node* node, unsigned level) {
    if (level > 1) {
        for (void* child : node->slots)
            if (child) free_node(static_cast<Node*>(child), level - 1);
    }
    kfree(node);
}

u64 PageTree::capacity() const {
    if (m_height == 0) return 0;
    if (m_height * BITS >= 64) return ~u64(0);
    return u64(1) << (m_height * BITS);
}

Page* PageTree::find(u64 index) const {
    if (!m_root || (m_height * BITS < 64 && index >= capacity())) return nullptr;
    Node* node = m_root;
    for (unsigned level = m_height; level > 1; level--) {
        node = static_cast<Node*>(node->slots[(index >> ((level - 1) * BITS)) & (FANOUT - 1)]);
        if (!node) return nullptr;
    }
    return static_cast<Page*>(node->slots[index & (FANOUT - 1)]);
}

ErrorOr PageTree::insert(u64 index, Page* page) {
    if (find(index)) return err(EEXIST);
    unsigned height = m_height ? m_height : 1;
    while (height * BITS < 64 && index >= (u64(1) << (height * BITS))) height++;
    // Count the nodes this insertion needs (new roots, missing interior nodes and leaf
    // node) and allocate them all first, so a failure leaves the tree as it was.
    unsigned needed = m_root ? height - m_height : height;
    if (m_root) {
        // Existing levels: follow the path while it exists (new roots only extend it at slot 0).
        unsigned level = height;
        Node* node = nullptr;
        for (; level > m_height; level--) {
            if ((index >> ((level - 1) * BITS)) & (FANOUT - 1)) break;  // leaves the old root's subtree
        }
        if (level == m_height) {
            node = m_root;
            for (; level > 1; level--) {
                node = static_cast<Node*>(node->slots[(index >> ((level - 1) * BITS)) & (FANOUT - 1)]);
                if (!node) break;
            }
            needed += level - 1;
        } else {
            needed += level - 1;
        }
    }
    Node* spare[16] = {};
    for (unsigned i = 0; i < needed; i++) {
        spare[i] = static_cast<Node*>(kzalloc(sizeof(Node)));
        if (!spare[i]) {
            for (unsigned j = 0; j < i; j++) kfree(spare[j]);
            return err(ENOMEM);
        }
    }
    unsigned used = 0;
    if (!m_root) {
        m_root = spare[used++];
        m_height = height;
    }
    while (m_height < height) {
        Node* root = spare[used++];
        root->slots[0] = m_root;
        root->used = 1;
        m_root = root;
        m_height++;
    }
    Node* node = m_root;
    for (unsigned level = m_height; level > 1; level--) {
        void*& slot = node->slots[(index >> ((level - 1) * BITS)) & (FANOUT - 1)];
        if (!slot) {
            KLIB_ASSERT(used < needed);
            slot = spare[used++];
            node->used++;
        }
        node = static_cast<Node*>(slot);
    }
    KLIB_ASSERT(used == needed);
    node->slots[index & (FANOUT - 1)] = page;
    node->used++;
    m_count++;
    return {};
}

Page* PageTree::remove(u64 index) {
    if (!m_root || (m_height * BITS < 64 && index >= capacity())) return nullptr;
    Node* path[12];
    unsigned slots[12];
    Node* node = m_root;
    unsigned depth = 0;
    for (unsigned level = m_height; level > 1; level--) {
        unsigned slot = (index >> ((level - 1) * BITS)) & (FANOUT - 1);
        path[depth] = node;
        slots[depth++] = slot;
        node = static_cast<Node*>(node->slots[slot]);
        if (!node) return nullptr;
    }
    unsigned slot = index & (FANOUT - 1);
    auto* page = static_cast<Page*>(node->slots[slot]);
    if (!page) return nullptr;
    node->slots[slot] = nullptr;
    node->used--;
    m_count--;
    // Free interior nodes that became empty, bottom up.
    while (node->used == 0 && depth > 0) {
        kfree(node);
        depth--;
        path[depth]->slots[slots[depth]] = nullptr;
        path[depth]->used--;
        node = path[depth];
    }
    if (m_count == 0) {
        free_node(m_root, m_height);
        m_root = nullptr;
        m_height = 0;
    }
    return page;
}

Page* PageTree::next_in(Node* node, unsigned level, u64 index, u64* found) const {
    unsigned shift = (level - 1) * BITS;
    unsigned first = (index >> shift) & (FANOUT - 1);
    for (unsigned slot = first; slot < FANOUT; slot++) {
        void* child = node->slots[slot];
        if (!child) continue;
        // Past the first slot, the subtree is searched from its start.
        u64 base = (index >> shift >> BITS << BITS | slot) << shift;
        u64 from = slot == first ? index : base;
        if (level == 1) {
            *found = from;
            return static_cast<Page*>(child);
        }
        if (Page* page = next_in(static_cast<Node*>(child), level - 1, from, found)) return page;
    }
    return nullptr;
}

Page* PageTree::next(u64 index, u64* found) const {
    if (!m_root || (m_height * BITS < 64 && index >= capacity())) return nullptr;
    return next_in(m_root, m_height, index, found);
}

}  // namespace block
