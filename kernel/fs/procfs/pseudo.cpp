// procfs and sysfs: generated directory trees (see pseudo.h).
#include "fs/procfs/pseudo.h"

#include "lib/string.h"
#include "mm/heap_buffer.h"

namespace {

// An open generated file: its text is printed at the first read and again at every read
// from offset 0 (Linux's seq_file), so a program that rewinds sees fresh values.
class PseudoFile final : public File {
public:
    PseudoFile(u32 flags, const Path& path, RefPtr<Inode> inode) : File(flags, path, kstd::move(inode)) {}

    Result<usize> read(u64 offset, IoBuffer buffer, usize length) override {
        auto& node = static_cast<PseudoInode&>(*inode());
        if (!node.entry().show) return err(EINVAL);
        MutexGuard guard(m_lock);
        if (offset == 0 || !m_generated) {
            m_text.clear();
            m_generated = false;
            TRY(node.entry().show(node.key(), m_text));
            TRY(m_text.status());
            m_generated = true;
        }
        if (offset >= m_text.size()) return 0;
        usize n = static_cast<usize>(kstd::min<u64>(length, m_text.size() - offset));
        TRY(buffer.write(0, m_text.data() + offset, n));
        return n;
    }

    Result<usize> write(u64, IoBuffer buffer, usize length) override {
        auto& node = static_cast<PseudoInode&>(*inode());
        if (!node.entry().store) return err(EIO);  // Linux's proc_reg_write without a handler
        // Linux's proc handlers take one page per write; the rest of a longer write is
        // left for the next call.
        usize n = kstd::min<usize>(length, PAGE_SIZE);
        HeapBuffer data(n ? n : 1);
        if (!data) return err(ENOMEM);
        TRY(buffer.read(0, data.data(), n));
        return node.entry().store(node.key(), {data.data(), n});
    }

    bool seekable() const override { return true; }
    // seq_file files know their size only once printed: SEEK_END is EINVAL, as on Linux.
    Result<u64> seek_limit(int, u64) override { return err(EINVAL); }

private:
    Mutex m_lock;
    SeqBuffer m_text;
    bool m_generated = false;
};

u64 mix(u64 x) {  // splitmix64's finaliser
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

}  // namespace

u64 pseudo_inode_number(const PseudoEntry& entry, const PseudoKey& key) {
    u64 h = mix(reinterpret_cast<uptr>(&entry));
    h = mix(h ^ key.pid);
    h = mix(h ^ (u64(key.tid) << 32));
    h = mix(h ^ key.item);
    h = mix(h ^ reinterpret_cast<uptr>(key.object));
    // 32 bits, as Linux's get_next_ino() hands out, and never 0 or the root's 1.
    return (h & 0xffffffffu) | 2;
}

PseudoSuperBlock::PseudoSuperBlock(const char* type_name, u64 magic, const PseudoEntry& root_entry,
                                   NameCaching caching)
    : SuperBlock(type_name, vfs::allocate_anonymous_device()),
      m_root_entry(root_entry),
      m_magic(magic),
      m_caching(caching) {}

ErrorOr PseudoSuperBlock::create_root() {
    RefPtr<PseudoInode> root(adopt, new (kstd::nothrow) PseudoInode(*this, m_root_entry, {}, 1, 1));
    if (!root) return err(ENOMEM);
    m_root = root;
    return {};
}

FileSystemStats PseudoSuperBlock::statfs() {
    FileSystemStats stats;
    stats.type = m_magic;
    stats.block_size = PAGE_SIZE;
    stats.fragment_size = PAGE_SIZE;
    return stats;
}

Result<RefPtr<Inode>> PseudoSuperBlock::make_inode(const PseudoEntry& entry, const PseudoKey& key,
                                                   u64 parent_ino) {
    RefPtr<PseudoInode> inode(adopt, new (kstd::nothrow) PseudoInode(
                                         *this, entry, key, pseudo_inode_number(entry, key), parent_ino));
    if (!inode) return err(ENOMEM);
    return RefPtr<Inode>(inode);
}

PseudoInode::PseudoInode(PseudoSuperBlock& super_block, const PseudoEntry& entry, const PseudoKey& key,
                         u64 ino, u64 parent_ino)
    : Inode(super_block, ino), m_parent_ino(parent_ino), m_entry(entry), m_key(key) {
    m_attributes.mode = entry.mode;
    m_attributes.nlink = 1;
    if (S_ISDIR(entry.mode)) {
        // Linux (kernfs, proc_mkdir): "." and the entry in the parent, and each
        // subdirectory's "..". (Dynamic children are not counted.)
        m_attributes.nlink = 2;
        for (const PseudoEntry& child : entry.children) m_attributes.nlink += S_ISDIR(child.mode) ? 1 : 0;
    }
    m_attributes.block_size = PAGE_SIZE;
    m_attributes.atime = m_attributes.mtime = m_attributes.ctime = m_attributes.btime = current_time();
    super_block.set_owner(entry, key, m_attributes);
}

Result<RefPtr<Inode>> PseudoInode::lookup(kstd::string_view name) {
    if (!is_directory()) return err(ENOTDIR);
    if (!pseudo().key_alive(m_key)) return err(ENOENT);
    for (const PseudoEntry& child : m_entry.children) {
        if (name == child.name) return pseudo().make_inode(child, m_key, ino());
    }
    if (!m_entry.dynamic) return err(ENOENT);
    PseudoChild child;
    TRY(m_entry.dynamic->lookup(m_key, name, child));
    return pseudo().make_inode(*child.entry, child.key, ino());
}

ErrorOr PseudoInode::iterate(u64 cookie, DirectoryEmitter& emitter) {
    if (!is_directory()) return err(ENOTDIR);
    if (!pseudo().key_alive(m_key)) return err(ENOENT);
    if (cookie == 0 && !emitter.emit(".", ino(), directory_type_of(S_IFDIR), 1)) return {};
    if (cookie <= 1 && !emitter.emit("..", m_parent_ino, directory_type_of(S_IFDIR), 2)) return {};
    u64 fixed = 2 + m_entry.children.size();
    for (usize i = 0; i < m_entry.children.size(); i++) {
        if (cookie > 2 + i) continue;
        const PseudoEntry& child = m_entry.children[i];
        if (!emitter.emit(child.name, pseudo_inode_number(child, m_key), directory_type_of(child.mode),
                          3 + i))
            return {};
    }
    if (!m_entry.dynamic) return {};
    u64 position = cookie > fixed ? cookie - fixed : 0;
    PseudoChild child;
    while (m_entry.dynamic->next(m_key, position, child)) {
        if (!emitter.emit(child.name, pseudo_inode_number(*child.entry, child.key),
                          directory_type_of(child.entry->mode), fixed + child.position + 1))
            return {};
        position = child.position + 1;
    }
    return {};
}

Result<usize> PseudoInode::readlink(char* buffer, usize size) {
    if (!is_symlink() || !m_entry.show) return err(EINVAL);
    TRY(pseudo().check_access(m_entry, m_key));
    SeqBuffer text(PAGE_SIZE);
    TRY(m_entry.show(m_key, text));
    TRY(text.status());
    usize n = kstd::min(size, text.size());
    memcpy(buffer, text.data(), n);
    return n;
}

Result<RefPtr<File>> PseudoInode::open_special(const Path& path, int flags) {
    if (!is_regular()) return err(ENXIO);  // directories are listed by the VFS's own files
    if (!pseudo().key_alive(m_key)) return err(ESRCH);
    TRY(pseudo().check_access(m_entry, m_key));
    RefPtr<File> file(adopt,
                      new (kstd::nothrow) PseudoFile(static_cast<u32>(flags), path, RefPtr<Inode>(this)));
    if (!file) return err(ENOMEM);
    return file;
}

ErrorOr PseudoInode::follow_magic_link(const Path& link, Path& target) {
    if (!m_entry.resolve) return err(EINVAL);
    if (!pseudo().key_alive(m_key)) return err(ENOENT);
    TRY(pseudo().check_access(m_entry, m_key));
    return m_entry.resolve(m_key, link, target);
}

ErrorOr PseudoInode::setattr(const InodeAttributes& values, u32 mask) {
    // Linux's proc_setattr: no mode or owner changes; times and sizes are accepted (a
    // shell's "> /proc/sys/..." truncates first) and forgotten with the inode.
    if (mask & (ATTRIBUTE_MODE | ATTRIBUTE_UID | ATTRIBUTE_GID)) return err(EPERM);
    if (mask & ATTRIBUTE_ATIME) m_attributes.atime = values.atime;
    if (mask & ATTRIBUTE_MTIME) m_attributes.mtime = values.mtime;
    if (mask & ATTRIBUTE_CTIME) m_attributes.ctime = values.ctime;
    return {};
}
