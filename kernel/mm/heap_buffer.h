// Memory: a heap buffer owned by a scope — for the path-sized scratch space that must
// not live on a 16 KiB kernel stack.
#pragma once

#include "mm/kmalloc.h"

class HeapBuffer {
public:
    explicit HeapBuffer(usize size) : m_data(static_cast<char*>(kmalloc(size))), m_size(m_data ? size : 0) {}
    ~HeapBuffer() { kfree(m_data); }
    HeapBuffer(const HeapBuffer&) = delete;
    HeapBuffer& operator=(const HeapBuffer&) = delete;

    explicit operator bool() const { return m_data != nullptr; }
    char* data() { return m_data; }
    usize size() const { return m_size; }

private:
    char* m_data;
    usize m_size;
};
