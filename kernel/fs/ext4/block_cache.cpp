// ext4: the metadata buffer cache (see block_cache.h).
#include "fs/ext4/block_cache.h"

#include "lib/string.h"

namespace ext4 {

BufferRef& BufferRef::operator=(BufferRef&& other) {
    if (this != &other) {
        release();
        m_cache = other.m_cache;
        m_buffer = kstd::exchange(other.m_buffer, nullptr);
    }
    return *this;
}

void BufferRef::release() {
    if (m_buffer) m_cache->unpin(*kstd::exchange(m_buffer, nullptr));
}

void BufferRef::mark_dirty() { m_cache->mark_dirty(*m_buffer); }

BlockCache::~BlockCache() {
    while (Buffer* buffer = m_lru.first()) destroy(*buffer);
}

Buffer* BlockCache::find(u64 block) {
    for (Buffer* buffer = m_hash[block % HASH_BUCKETS]; buffer; buffer = buffer->hash_next)
        if (buffer->block == block) return buffer;
    return nullptr;
}

Result<Buffer*> BlockCache::allocate(u64 block) {
    evict_if_needed();
    auto* buffer = new (kstd::nothrow) Buffer;
    if (!buffer) return err(ENOMEM);
    buffer->data = new (kstd::nothrow) u8[m_block_size];
    if (!buffer->data) {
        delete buffer;
        return err(ENOMEM);
    }
    buffer->block = block;
    buffer->hash_next = m_hash[block % HASH_BUCKETS];
    m_hash[block % HASH_BUCKETS] = buffer;
    m_lru.push_back(*buffer);
    m_count++;
    return buffer;
}

void BlockCache::unhash(Buffer& buffer) {
    if (buffer.forgotten) return;
    Buffer** link = &m_hash[buffer.block % HASH_BUCKETS];
    while (*link != &buffer) link = &(*link)->hash_next;
    *link = buffer.hash_next;
    buffer.forgotten = true;
}

void BlockCache::destroy(Buffer& buffer) {
    unhash(buffer);
    m_lru.remove(buffer);
    if (buffer.dirty) {
        m_dirty.remove(buffer);
        m_dirty_count--;
    }
    m_count--;
    delete[] buffer.data;
    delete &buffer;
}

void BlockCache::evict_if_needed() {
    if (m_count < SOFT_LIMIT) return;
    Buffer* buffer = m_lru.first();
    while (buffer && m_count >= SOFT_LIMIT) {
        Buffer* next = m_lru.next(*buffer);
        if (buffer->pins == 0 && !buffer->dirty) destroy(*buffer);
        buffer = next;
    }
}

usize BlockCache::shrink(usize count) {
    usize freed = 0;
    Buffer* buffer = m_lru.first();
    while (buffer && freed < count) {
        Buffer* next = m_lru.next(*buffer);
        if (buffer->pins == 0 && !buffer->dirty) {
            destroy(*buffer);
            freed++;
        }
        buffer = next;
    }
    return freed;
}

Result<BufferRef> BlockCache::get(u64 block) {
    if (Buffer* buffer = find(block)) {
        m_lru.remove(*buffer);
        m_lru.push_back(*buffer);
        buffer->pins++;
        return BufferRef(this, buffer);
    }
    Buffer* buffer = TRY(allocate(block));
    if (auto result = read_blocks(block, 1, buffer->data); result.is_error()) {
        destroy(*buffer);
        return result.error();
    }
    buffer->pins++;
    return BufferRef(this, buffer);
}

Result<BufferRef> BlockCache::get_zeroed(u64 block) {
    Buffer* buffer = find(block);
    if (!buffer) buffer = TRY(allocate(block));
    memset(buffer->data, 0, m_block_size);
    buffer->verified = true;  // its contents are ours from now on
    buffer->pins++;
    return BufferRef(this, buffer);
}

void BlockCache::forget(u64 block) {
    Buffer* buffer = find(block);
    if (!buffer) return;
    // A pinned buffer is still in use on the caller's stack: it leaves the hash table
    // now (so it can never be found again) and is freed when unpinned.
    unhash(*buffer);
    if (buffer->dirty) {
        m_dirty.remove(*buffer);
        m_dirty_count--;
        buffer->dirty = false;
    }
    if (buffer->pins == 0) destroy(*buffer);
}

void BlockCache::forget_clean(u64 block) {
    Buffer* buffer = find(block);
    if (buffer && !buffer->dirty && buffer->pins == 0) destroy(*buffer);
}

void BlockCache::unpin(Buffer& buffer) {
    if (--buffer.pins == 0 && buffer.forgotten) destroy(buffer);
}

void BlockCache::mark_dirty(Buffer& buffer) {
    if (buffer.dirty) return;
    buffer.dirty = true;
    m_dirty.push_back(buffer);
    m_dirty_count++;
}

ErrorOr BlockCache::write_back() {
    while (Buffer* buffer = m_dirty.first()) {
        TRY(write_blocks(buffer->block, 1, buffer->data));
        m_dirty.remove(*buffer);
        buffer->dirty = false;
        m_dirty_count--;
    }
    return {};
}

void BlockCache::clean_all() {
    while (Buffer* buffer = m_dirty.pop_front()) buffer->dirty = false;
    m_dirty_count = 0;
}

ErrorOr BlockCache::read_blocks(u64 block, u32 count, void* buffer) {
    u32 sectors_per_block = m_block_size / BlockDevice::SECTOR_SIZE;
    return m_device.read_sectors(block * sectors_per_block, count * sectors_per_block, buffer);
}

ErrorOr BlockCache::write_blocks(u64 block, u32 count, const void* buffer) {
    u32 sectors_per_block = m_block_size / BlockDevice::SECTOR_SIZE;
    return m_device.write_sectors(block * sectors_per_block, count * sectors_per_block, buffer);
}

}  // namespace ext4
