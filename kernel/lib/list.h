// Kernel library: intrusive doubly linked lists.
//
// Objects embed a ListNode and are linked without allocating, so list operations can
// never fail and can run with interrupts disabled. IntrusiveList<T, &T::m_node> gives
// typed iteration over them.
#pragma once

#include "lib/kstd.h"
#include "lib/types.h"

struct ListNode {
    ListNode* prev = nullptr;
    ListNode* next = nullptr;

    bool is_linked() const { return next != nullptr; }
};

template <typename T, ListNode T::*Member>
class IntrusiveList {
public:
    IntrusiveList() { m_head.prev = m_head.next = &m_head; }
    IntrusiveList(const IntrusiveList&) = delete;
    IntrusiveList& operator=(const IntrusiveList&) = delete;

    bool is_empty() const { return m_head.next == &m_head; }
    usize size_slow() const {
        usize n = 0;
        for (auto* node = m_head.next; node != &m_head; node = node->next) n++;
        return n;
    }

    void push_back(T& item) { insert_before(&m_head, node_of(item)); }
    void push_front(T& item) { insert_before(m_head.next, node_of(item)); }
    // Inserts item before / after position (which must be in this list).
    void insert_before(T& position, T& item) { insert_before(node_of(position), node_of(item)); }
    void insert_after(T& position, T& item) { insert_before(node_of(position)->next, node_of(item)); }

    static void remove(T& item) {
        ListNode* node = node_of(item);
        node->prev->next = node->next;
        node->next->prev = node->prev;
        node->prev = node->next = nullptr;
    }

    T* first() { return is_empty() ? nullptr : owner_of(m_head.next); }
    T* last() { return is_empty() ? nullptr : owner_of(m_head.prev); }
    T* next(T& item) {
        ListNode* n = node_of(item)->next;
        return n == &m_head ? nullptr : owner_of(n);
    }
    T* prev(T& item) {
        ListNode* n = node_of(item)->prev;
        return n == &m_head ? nullptr : owner_of(n);
    }
    T* pop_front() {
        T* item = first();
        if (item) remove(*item);
        return item;
    }

    class Iterator {
    public:
        Iterator(ListNode* node, ListNode* head) : m_node(node), m_head(head) {}
        T& operator*() const { return *owner_of(m_node); }
        T* operator->() const { return owner_of(m_node); }
        // Advancing reads the next pointer before the caller may unlink the current item.
        Iterator& operator++() {
            m_node = m_node->next;
            return *this;
        }
        bool operator!=(const Iterator& other) const { return m_node != other.m_node; }

    private:
        ListNode* m_node;
        ListNode* m_head;
    };
    Iterator begin() { return Iterator(m_head.next, &m_head); }
    Iterator end() { return Iterator(&m_head, &m_head); }

    static ListNode* node_of(T& item) { return &(item.*Member); }
    static T* owner_of(ListNode* node) {
        // container_of: under the Itanium C++ ABI a pointer to data member is its offset.
        auto offset = __builtin_bit_cast(isize, Member);
        return reinterpret_cast<T*>(reinterpret_cast<uptr>(node) - offset);
    }

private:
    static void insert_before(ListNode* position, ListNode* node) {
        node->next = position;
        node->prev = position->prev;
        position->prev->next = node;
        position->prev = node;
    }
    ListNode m_head;
};
