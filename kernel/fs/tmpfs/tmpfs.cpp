// tmpfs: inodes, directories and the superblock (see tmpfs.h).
#include "fs/tmpfs/tmpfs.h"

#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/xattr.h>

#include "lib/format.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/pmm.h"

namespace {
// Linux's mm/shmem.c: a directory's size is 20 bytes an entry, "." and ".." included.
constexpr u64 BOGO_DIRENT_SIZE = 20;
}  // namespace

TmpfsInode::TmpfsInode(TmpfsSuperBlock& super_block, u64 ino, u32 mode, u32 uid, u32 gid, u64 rdev)
    : Inode(super_block, ino) {
    m_attributes.mode = mode;
    m_attributes.uid = uid;
    m_attributes.gid = gid;
    m_attributes.rdev = rdev;
    m_attributes.nlink = S_ISDIR(mode) ? 2 : 1;
    if (S_ISDIR(mode)) m_attributes.size = 2 * BOGO_DIRENT_SIZE;  // "." and ".."
    m_attributes.block_size = PAGE_SIZE;
    Timespec now = current_time();
    m_attributes.atime = m_attributes.mtime = m_attributes.ctime = m_attributes.btime = now;
}

TmpfsInode::~TmpfsInode() {
    while (Entry* entry = m_entries.pop_front()) delete entry;
    while (Xattr* xattr = m_xattrs.pop_front()) {
        kfree(xattr->value);
        delete xattr;
    }
    tmpfs().inode_freed();
}

TmpfsSuperBlock& TmpfsInode::tmpfs() const { return static_cast<TmpfsSuperBlock&>(super_block()); }

void TmpfsInode::touch_modified() { m_attributes.mtime = m_attributes.ctime = current_time(); }

TmpfsInode::Entry* TmpfsInode::find(kstd::string_view name) {
    for (Entry& entry : m_entries) {
        if (entry.name->view() == name) return &entry;
    }
    return nullptr;
}

ErrorOr TmpfsInode::add_entry(kstd::string_view name, RefPtr<Inode> inode) {
    Entry* entry = new (kstd::nothrow) Entry{KString::create(name), kstd::move(inode), m_next_cookie++, {}};
    if (!entry || !entry->name) {
        delete entry;
        return err(ENOMEM);
    }
    m_entries.push_back(*entry);
    m_attributes.size = m_attributes.size + BOGO_DIRENT_SIZE;
    touch_modified();
    return {};
}

void TmpfsInode::remove_entry(Entry& entry) {
    m_entries.remove(entry);
    delete &entry;
    m_attributes.size = m_attributes.size >= 3 * BOGO_DIRENT_SIZE ? m_attributes.size - BOGO_DIRENT_SIZE
                                                                  : 2 * BOGO_DIRENT_SIZE;
    touch_modified();
}

Result<RefPtr<Inode>> TmpfsInode::lookup(kstd::string_view name) {
    if (!is_directory()) return err(ENOTDIR);
    Entry* entry = find(name);
    if (!entry) return err(ENOENT);
    return entry->inode;
}

Result<RefPtr<Inode>> TmpfsInode::create(kstd::string_view name, u32 mode, u32 uid, u32 gid, u64 rdev) {
    if (!is_directory()) return err(ENOTDIR);
    if (find(name)) return err(EEXIST);
    RefPtr<TmpfsInode> inode = TRY(tmpfs().new_inode(mode, uid, gid, rdev));
    TRY(add_entry(name, inode));
    return RefPtr<Inode>(inode);
}

Result<RefPtr<Inode>> TmpfsInode::tmpfile(u32 mode, u32 uid, u32 gid) {
    if (!is_directory()) return err(ENOTDIR);
    RefPtr<TmpfsInode> inode = TRY(tmpfs().new_inode(S_IFREG | (mode & 07777), uid, gid, 0));
    inode->m_attributes.nlink = 0;  // no name yet: gone with its last open file, unless linked
    return RefPtr<Inode>(inode);
}

Result<RefPtr<Inode>> TmpfsInode::mkdir(kstd::string_view name, u32 mode, u32 uid, u32 gid) {
    if (!is_directory()) return err(ENOTDIR);
    if (find(name)) return err(EEXIST);
    RefPtr<TmpfsInode> inode = TRY(tmpfs().new_inode(S_IFDIR | (mode & 07777), uid, gid, 0));
    inode->m_parent = this;
    TRY(add_entry(name, inode));
    m_attributes.nlink++;
    return RefPtr<Inode>(inode);
}

Result<RefPtr<Inode>> TmpfsInode::symlink(kstd::string_view name, kstd::string_view target, u32 uid, u32 gid) {
    if (!is_directory()) return err(ENOTDIR);
    if (find(name)) return err(EEXIST);
    RefPtr<TmpfsInode> inode = TRY(tmpfs().new_inode(S_IFLNK | 0777, uid, gid, 0));
    inode->m_link_target = KString::create(target);
    if (!inode->m_link_target) return err(ENOMEM);
    inode->m_attributes.size = target.size();
    TRY(add_entry(name, inode));
    return RefPtr<Inode>(inode);
}

ErrorOr TmpfsInode::link(kstd::string_view name, Inode& target) {
    if (!is_directory()) return err(ENOTDIR);
    if (find(name)) return err(EEXIST);
    TRY(add_entry(name, RefPtr<Inode>(&target)));
    auto& t = static_cast<TmpfsInode&>(target);
    t.m_attributes.nlink++;
    t.m_attributes.ctime = current_time();
    return {};
}

ErrorOr TmpfsInode::unlink(kstd::string_view name, Inode& victim) {
    Entry* entry = find(name);
    if (!entry) return err(ENOENT);
    auto& v = static_cast<TmpfsInode&>(victim);
    if (v.m_attributes.nlink) v.m_attributes.nlink--;
    v.m_attributes.ctime = current_time();
    remove_entry(*entry);
    return {};
}

ErrorOr TmpfsInode::rmdir(kstd::string_view name, Inode& victim) {
    Entry* entry = find(name);
    if (!entry) return err(ENOENT);
    auto& v = static_cast<TmpfsInode&>(victim);
    if (!v.is_directory()) return err(ENOTDIR);
    if (!v.directory_empty()) return err(ENOTEMPTY);
    v.m_attributes.nlink = 0;
    v.m_parent = nullptr;
    m_attributes.nlink--;
    remove_entry(*entry);
    return {};
}

ErrorOr TmpfsInode::rename(kstd::string_view old_name, Inode& new_directory, kstd::string_view new_name, u32 flags) {
    auto& target_dir = static_cast<TmpfsInode&>(new_directory);
    Entry* source = find(old_name);
    if (!source) return err(ENOENT);
    Entry* existing = target_dir.find(new_name);
    RefPtr<Inode> moving = source->inode;
    auto& moving_inode = static_cast<TmpfsInode&>(*moving);
    if (flags & RENAME_EXCHANGE) {
        if (!existing) return err(ENOENT);
        auto& other = static_cast<TmpfsInode&>(*existing->inode);
        kstd::swap(source->inode, existing->inode);
        if (moving_inode.is_directory() != other.is_directory() && this != &target_dir) {
            // A directory changed parents in each direction: fix both link counts.
            if (moving_inode.is_directory()) m_attributes.nlink--, target_dir.m_attributes.nlink++;
            else m_attributes.nlink++, target_dir.m_attributes.nlink--;
        }
        if (moving_inode.is_directory()) moving_inode.m_parent = &target_dir;
        if (other.is_directory()) other.m_parent = this;
        touch_modified();
        target_dir.touch_modified();
        return {};
    }
    if (existing) {
        if (flags & RENAME_NOREPLACE) return err(EEXIST);
        if (existing->inode.get() == moving.get()) return {};  // hard links to one inode: nothing to do
        auto& victim = static_cast<TmpfsInode&>(*existing->inode);
        if (victim.is_directory()) {
            if (!victim.directory_empty()) return err(ENOTEMPTY);
            victim.m_attributes.nlink = 0;
            target_dir.m_attributes.nlink--;
        } else if (victim.m_attributes.nlink) {
            victim.m_attributes.nlink--;
        }
        victim.m_attributes.ctime = current_time();
        target_dir.remove_entry(*existing);
    }
    TRY(target_dir.add_entry(new_name, moving));
    remove_entry(*find(old_name));
    if (moving_inode.is_directory() && this != &target_dir) {
        m_attributes.nlink--;
        target_dir.m_attributes.nlink++;
        moving_inode.m_parent = &target_dir;
    }
    moving_inode.m_attributes.ctime = current_time();
    return {};
}

ErrorOr TmpfsInode::iterate(u64 cookie, DirectoryEmitter& emitter) {
    if (!is_directory()) return err(ENOTDIR);
    if (cookie == 0 && !emitter.emit(".", ino(), directory_type_of(S_IFDIR), 1)) return {};
    if (cookie <= 1) {
        u64 parent = m_parent ? m_parent->ino() : ino();
        if (!emitter.emit("..", parent, directory_type_of(S_IFDIR), 2)) return {};
    }
    for (Entry& entry : m_entries) {
        if (entry.cookie < cookie) continue;
        if (!emitter.emit(entry.name->view(), entry.inode->ino(), directory_type_of(entry.inode->mode()), entry.cookie + 1))
            return {};
    }
    return {};
}

Result<usize> TmpfsInode::read(u64 offset, IoBuffer buffer, usize length) {
    if (is_directory()) return err(EISDIR);
    if (!m_data || offset >= m_attributes.size) return 0;
    usize n = static_cast<usize>(kstd::min<u64>(length, m_attributes.size - offset));
    usize done = TRY(m_data->read(offset, buffer, n));
    m_attributes.atime = current_time();
    return done;
}

Result<usize> TmpfsInode::write(u64 offset, IoBuffer buffer, usize length) {
    if (is_directory()) return err(EISDIR);
    if (!m_data) return err(EINVAL);
    u64 end;
    if (__builtin_add_overflow(offset, length, &end) || end > (u64(1) << 46)) return err(EFBIG);
    if (m_seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) return err(EPERM);
    if ((m_seals & F_SEAL_GROW) && end > m_attributes.size) return err(EPERM);
    if (end > m_attributes.size) m_data->size = end;  // get_page must see the pages being written
    auto written = m_data->write(offset, buffer, length);
    if (written.is_error()) {
        m_data->size = m_attributes.size;
        return written.error();
    }
    if (end > m_attributes.size) m_attributes.size = end;
    m_attributes.blocks = m_data->page_count() * (PAGE_SIZE / 512);
    touch_modified();
    return length;
}

ErrorOr TmpfsInode::truncate(u64 size) {
    if (is_directory()) return err(EISDIR);
    if (!m_data) return err(EINVAL);
    if (size > (u64(1) << 46)) return err(EFBIG);
    if ((m_seals & F_SEAL_SHRINK) && size < m_attributes.size) return err(EPERM);
    if ((m_seals & F_SEAL_GROW) && size > m_attributes.size) return err(EPERM);
    m_data->truncate(size);
    m_attributes.size = size;
    m_attributes.blocks = m_data->page_count() * (PAGE_SIZE / 512);
    touch_modified();
    return {};
}

ErrorOr TmpfsInode::allocate(int mode, u64 offset, u64 length) {
    if (!m_data) return err(ENODEV);
    if (mode & FALLOC_FL_PUNCH_HOLE) {
        if (!(mode & FALLOC_FL_KEEP_SIZE)) return err(EOPNOTSUPP);
        m_data->punch_hole(offset, length);
    } else if (mode & ~FALLOC_FL_KEEP_SIZE) {
        return err(EOPNOTSUPP);
    } else {
        u64 end = offset + length;
        u64 old_size = m_data->size;
        m_data->size = kstd::max(old_size, end);
        if (auto allocated = m_data->allocate(offset, length); allocated.is_error()) {
            m_data->size = old_size;
            return allocated;
        }
        if (!(mode & FALLOC_FL_KEEP_SIZE) && end > m_attributes.size) m_attributes.size = end;
        m_data->size = m_attributes.size;
    }
    m_attributes.blocks = m_data->page_count() * (PAGE_SIZE / 512);
    touch_modified();
    return {};
}

Result<u64> TmpfsInode::seek_data(u64 offset, bool hole) {
    if (offset >= m_attributes.size) return err(ENXIO);
    for (u64 position = offset; position < m_attributes.size;
         position = kstd::align_down<u64>(position, PAGE_SIZE) + PAGE_SIZE) {
        bool data = m_data && m_data->has_page(position / PAGE_SIZE);
        if (data != hole) return position;
    }
    return hole ? m_attributes.size : Result<u64>(err(ENXIO));
}

Result<u32> TmpfsInode::seals() const {
    if (!is_regular()) return err(EINVAL);
    return m_seals;
}

ErrorOr TmpfsInode::add_seals(u32 seals) {
    if (!is_regular()) return err(EINVAL);
    if (seals & ~u32(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) return err(EINVAL);
    if (m_seals & F_SEAL_SEAL) return err(EPERM);
    m_seals |= seals;
    return {};
}

Result<usize> TmpfsInode::readlink(char* buffer, usize size) {
    if (!is_symlink() || !m_link_target) return err(EINVAL);
    usize n = kstd::min(size, m_link_target->length());
    memcpy(buffer, m_link_target->c_str(), n);
    return n;
}

Result<RefPtr<MemoryObject>> TmpfsInode::mappable() {
    if (!m_data) return err(ENODEV);
    return RefPtr<MemoryObject>(m_data.get());
}

TmpfsInode::Xattr* TmpfsInode::find_xattr(kstd::string_view name) {
    for (Xattr& x : m_xattrs) {
        if (x.name->view() == name) return &x;
    }
    return nullptr;
}

Result<usize> TmpfsInode::getxattr(kstd::string_view name, void* value, usize size) {
    Xattr* x = find_xattr(name);
    if (!x) return err(ENODATA);
    if (size == 0) return x->size;
    if (size < x->size) return err(ERANGE);
    memcpy(value, x->value, x->size);
    return x->size;
}

ErrorOr TmpfsInode::setxattr(kstd::string_view name, const void* value, usize size, int flags) {
    Xattr* existing = find_xattr(name);
    if ((flags & XATTR_CREATE) && existing) return err(EEXIST);
    if ((flags & XATTR_REPLACE) && !existing) return err(ENODATA);
    auto* copy = static_cast<u8*>(kmalloc(size ? size : 1));
    if (!copy) return err(ENOMEM);
    memcpy(copy, value, size);
    if (existing) {
        kfree(existing->value);
        existing->value = copy;
        existing->size = size;
    } else {
        Xattr* x = new (kstd::nothrow) Xattr{KString::create(name), copy, size, {}};
        if (!x || !x->name) {
            kfree(copy);
            delete x;
            return err(ENOMEM);
        }
        m_xattrs.push_back(*x);
    }
    m_attributes.ctime = current_time();
    return {};
}

Result<usize> TmpfsInode::listxattr(char* list, usize size) {
    usize total = 0;
    for (Xattr& x : m_xattrs) total += x.name->length() + 1;
    if (size == 0) return total;
    if (size < total) return err(ERANGE);
    usize at = 0;
    for (Xattr& x : m_xattrs) {
        memcpy(list + at, x.name->c_str(), x.name->length() + 1);
        at += x.name->length() + 1;
    }
    return total;
}

ErrorOr TmpfsInode::removexattr(kstd::string_view name) {
    Xattr* x = find_xattr(name);
    if (!x) return err(ENODATA);
    m_xattrs.remove(*x);
    kfree(x->value);
    delete x;
    m_attributes.ctime = current_time();
    return {};
}

TmpfsSuperBlock::TmpfsSuperBlock() : SuperBlock("tmpfs", vfs::allocate_anonymous_device()) {}

ErrorOr TmpfsSuperBlock::parse_options(kstd::string_view options, bool initial) {
    // Linux's defaults: half of RAM, and as many inodes as half of RAM has pages.
    u64 ram_pages = mm::memory_stats().total_pages;
    if (initial) {
        m_max_pages = ram_pages / 2;
        m_max_inodes = ram_pages / 2;
    }
    while (!options.empty()) {
        usize comma = options.find(',');
        kstd::string_view option = options.substr(0, comma);
        options = comma == kstd::string_view::npos ? kstd::string_view() : options.substr(comma + 1);
        usize equals = option.find('=');
        if (equals == kstd::string_view::npos) continue;
        kstd::string_view key = option.substr(0, equals), value = option.substr(equals + 1);
        if (key == "mode" && initial) {
            u64 mode = 0;
            if (!klib::parse_u64(value.data(), value.size(), &mode, 8) || mode > 07777) return err(EINVAL);
            m_root_mode = static_cast<u32>(mode);
        } else if (key == "size" || key == "nr_inodes") {
            u64 number = 0;
            usize digits = 0;
            while (digits < value.size() && value[digits] >= '0' && value[digits] <= '9') digits++;
            if (!klib::parse_u64(value.data(), digits, &number, 10)) return err(EINVAL);
            kstd::string_view suffix = value.substr(digits);
            if (suffix == "%") number = ram_pages * PAGE_SIZE * number / 100;
            else if (suffix == "k" || suffix == "K") number *= KiB;
            else if (suffix == "m" || suffix == "M") number *= MiB;
            else if (suffix == "g" || suffix == "G") number *= GiB;
            else if (!suffix.empty()) return err(EINVAL);
            if (key == "size") m_max_pages = kstd::align_up<u64>(number, PAGE_SIZE) / PAGE_SIZE;
            else m_max_inodes = number;
        }
    }
    return {};
}

Result<RefPtr<SuperBlock>> TmpfsSuperBlock::create(u64, kstd::string_view options) {
    RefPtr<TmpfsSuperBlock> sb(adopt, new (kstd::nothrow) TmpfsSuperBlock());
    if (!sb) return err(ENOMEM);
    TRY(sb->parse_options(options, true));
    sb->m_free_pages.store(static_cast<i64>(sb->m_max_pages));
    // The root (uid= and gid= are not parsed yet).
    RefPtr<TmpfsInode> root = TRY(sb->new_inode(S_IFDIR | sb->m_root_mode, 0, 0, 0));
    sb->m_root = root;
    return RefPtr<SuperBlock>(sb);
}

void TmpfsSuperBlock::show_options(klib::FormatSink& out) const {
    // Linux's shmem_show_options: what differs from the defaults; inode64 always (its
    // CONFIG_TMPFS_INODE64 setting; inode numbers here are 64-bit).
    u64 default_limit = mm::memory_stats().total_pages / 2;
    if (m_max_pages != default_limit) klib::format(out, ",size=%luk", m_max_pages * (PAGE_SIZE / KiB));
    if (m_max_inodes != default_limit) klib::format(out, ",nr_inodes=%lu", m_max_inodes);
    if (m_root_mode != 01777) klib::format(out, ",mode=%03o", m_root_mode);
    out.write(",inode64", 8);
}

ErrorOr TmpfsSuperBlock::remount(u64, kstd::string_view options) {
    u64 old_max = m_max_pages;
    TRY(parse_options(options, false));
    m_free_pages.fetch_add(static_cast<i64>(m_max_pages) - static_cast<i64>(old_max));
    return {};
}

Result<RefPtr<TmpfsInode>> TmpfsSuperBlock::new_inode(u32 mode, u32 uid, u32 gid, u64 rdev) {
    if (m_inodes.fetch_add(1) >= m_max_inodes) {
        m_inodes.fetch_sub(1);
        return err(ENOSPC);
    }
    RefPtr<TmpfsInode> inode(adopt, new (kstd::nothrow) TmpfsInode(*this, m_next_ino.fetch_add(1), mode, uid, gid, rdev));
    if (!inode) {
        m_inodes.fetch_sub(1);
        return err(ENOMEM);
    }
    if (S_ISREG(mode)) {
        inode->m_data = PageStore::create();
        if (!inode->m_data) return err(ENOMEM);
        inode->m_data->budget = &m_free_pages;
    }
    return inode;
}

FileSystemStats TmpfsSuperBlock::statfs() {
    FileSystemStats stats;
    stats.type = TMPFS_MAGIC;
    stats.block_size = PAGE_SIZE;
    stats.fragment_size = PAGE_SIZE;
    stats.blocks = m_max_pages;
    i64 free = m_free_pages.load();
    stats.blocks_free = stats.blocks_available = free > 0 ? static_cast<u64>(free) : 0;
    stats.files = m_max_inodes;
    stats.files_free = m_max_inodes - kstd::min(m_max_inodes, m_inodes.load());
    stats.name_max = 255;
    return stats;
}

namespace {
Result<RefPtr<SuperBlock>> mount_tmpfs(BlockDevice*, u64 flags, kstd::string_view data) {
    return TmpfsSuperBlock::create(flags, data);
}
FileSystemType g_tmpfs{"tmpfs", false, mount_tmpfs, {}};
}  // namespace

void tmpfs_register() { vfs::register_filesystem(g_tmpfs); }
