// ext4: the metadata buffer cache — file system blocks read once, shared while pinned,
// written back by sync (or committed through the journal first, see journal_write.cpp).
//
// File data does not pass through here: it is read and written directly with
// read_blocks/write_blocks, so the kernel's page cache can take over the data path later.
// The cache is single-threaded: the file system's caller holds its lock.
#pragma once

#include "drivers/block/block_device.h"
#include "lib/list.h"
#include "lib/result.h"
#include "lib/types.h"

namespace ext4 {

class BlockCache;

struct Buffer {
    u64 block = 0;
    u8* data = nullptr;
    u32 pins = 0;
    bool dirty = false;
    bool forgotten = false;
    bool verified = false;   // checksum and structure checked since it was read
    Buffer* hash_next = nullptr;
    ListNode lru_node;    // every buffer, least recently used first
    ListNode dirty_node;  // dirty buffers, in the order they were first dirtied
};

// A pinned buffer; unpins when it goes out of scope.
class BufferRef {
public:
    BufferRef() = default;
    BufferRef(BlockCache* cache, Buffer* buffer) : m_cache(cache), m_buffer(buffer) {}
    BufferRef(BufferRef&& other)
        : m_cache(other.m_cache), m_buffer(kstd::exchange(other.m_buffer, nullptr)) {}
    BufferRef& operator=(BufferRef&& other);
    BufferRef(const BufferRef&) = delete;
    BufferRef& operator=(const BufferRef&) = delete;
    ~BufferRef() { release(); }

    void release();
    u8* data() const { return m_buffer->data; }
    u64 block() const { return m_buffer->block; }
    void mark_dirty();
    bool verified() const { return m_buffer->verified; }
    void set_verified() { m_buffer->verified = true; }
    explicit operator bool() const { return m_buffer != nullptr; }

private:
    BlockCache* m_cache = nullptr;
    Buffer* m_buffer = nullptr;
};

class BlockCache {
public:
    BlockCache(BlockDevice& device, u32 block_size) : m_device(device), m_block_size(block_size) {}
    ~BlockCache();
    BlockCache(const BlockCache&) = delete;
    BlockCache& operator=(const BlockCache&) = delete;

    // The caller has checked that block lies inside the file system.
    Result<BufferRef> get(u64 block);
    // A buffer for a block about to be overwritten whole: zero-filled, not read.
    Result<BufferRef> get_zeroed(u64 block);
    // The block was freed: drop its buffer (dirty or not) so a stale copy can never be
    // written over the block's next owner.
    void forget(u64 block);
    // Drops a clean, unpinned buffer so the next get() reads the disk again.
    void forget_clean(u64 block);
    // Frees up to `count` clean, unpinned buffers, least recently used first (memory
    // pressure); returns how many went.
    usize shrink(usize count);

    void mark_dirty(Buffer& buffer);
    usize dirty_count() const { return m_dirty_count; }
    // Calls fn(Buffer&) for each dirty buffer, oldest first; fn must not pin or dirty.
    template <typename Fn>
    ErrorOr for_each_dirty(Fn&& fn) {
        for (Buffer& buffer : m_dirty)
            if (auto result = fn(buffer); result.is_error()) return result.error();
        return {};
    }
    // Writes every dirty buffer in place and marks it clean (no journal, or a checkpoint).
    ErrorOr write_back();
    // Marks every dirty buffer clean without writing (the journal copy is enough).
    void clean_all();

    // Raw block I/O that bypasses the cache (file data, the journal).
    ErrorOr read_blocks(u64 block, u32 count, void* buffer);
    ErrorOr write_blocks(u64 block, u32 count, const void* buffer);
    ErrorOr flush() { return m_device.flush(); }
    u32 block_size() const { return m_block_size; }

private:
    friend class BufferRef;
    static constexpr usize HASH_BUCKETS = 1024;
    static constexpr usize SOFT_LIMIT = 4096;  // buffers kept before clean ones are evicted

    Buffer* find(u64 block);
    Result<Buffer*> allocate(u64 block);
    void unpin(Buffer& buffer);
    void evict_if_needed();
    void unhash(Buffer& buffer);
    void destroy(Buffer& buffer);

    BlockDevice& m_device;
    u32 m_block_size;
    Buffer* m_hash[HASH_BUCKETS] = {};
    IntrusiveList<Buffer, &Buffer::lru_node> m_lru;
    IntrusiveList<Buffer, &Buffer::dirty_node> m_dirty;
    usize m_count = 0;
    usize m_dirty_count = 0;
};

}  // namespace ext4
