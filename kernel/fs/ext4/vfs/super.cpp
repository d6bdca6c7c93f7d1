// ext4, VFS adapter: mounting, the inode cache, writeback and the filesystem types
// (see super.h).
#include "fs/ext4/vfs/super.h"

#include <linux/magic.h>
#include <linux/mount.h>

#include "fs/ext4/vfs/inode.h"
#include "lib/format.h"
#include "lib/string.h"
#include "log/klog.h"
#include "mm/pmm.h"
#include "time/clock.h"

namespace ext4 {
namespace {

constexpr unsigned BOUNCE_ORDER = 6;  // 256 KiB: one page cache run (PageCache::MAX_RUN)

Timestamp kernel_clock() { return to_timestamp(current_time()); }

void format_uuid(const u8 u[16], char* out, usize size) {
    klib::snprintf(out, size, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
                   u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
                   u[15]);
}

}  // namespace

VfsSuperBlock::VfsSuperBlock(const char* type_name, BlockDevice& device, block::Entry* entry,
                             OwnPtr<Ext4Filesystem> fs)
    : ::SuperBlock(type_name, entry ? entry->rdev : vfs::allocate_anonymous_device()),
      m_device(device),
      m_entry(entry),
      m_fs(kstd::move(fs)) {}

VfsSuperBlock::~VfsSuperBlock() {
    shutdown();
    if (m_bounce) mm::free_pages(mm::virt_to_page(m_bounce), m_bounce_order);
}

ErrorOr VfsSuperBlock::parse_options(kstd::string_view options, bool remount) {
    while (!options.empty()) {
        usize comma = options.find(',');
        kstd::string_view option = options.substr(0, comma);
        options = comma == kstd::string_view::npos ? kstd::string_view() : options.substr(comma + 1);
        if (option.empty()) continue;
        usize equals = option.find('=');
        kstd::string_view key = option.substr(0, equals);
        kstd::string_view value =
            equals == kstd::string_view::npos ? kstd::string_view() : option.substr(equals + 1);
        if (key == "commit") {
            u64 seconds;
            if (!klib::parse_u64(value.data(), value.size(), &seconds, 10) || seconds > 86400)
                return err(EINVAL);
            m_commit_interval_ns = (seconds ? seconds : 5) * ktime::NSEC_PER_SEC;
            continue;
        }
        if (key == "data" && value == "ordered") continue;  // what the library does
        // Accepted and meaningless here, as for a kernel built without those features.
        constexpr kstd::string_view IGNORED[] = {"ro",
                                                 "rw",
                                                 "defaults",
                                                 "errors",
                                                 "barrier",
                                                 "nobarrier",
                                                 "user_xattr",
                                                 "nouser_xattr",
                                                 "acl",
                                                 "noacl",
                                                 "delalloc",
                                                 "nodelalloc",
                                                 "relatime",
                                                 "noatime",
                                                 "strictatime",
                                                 "lazytime",
                                                 "nolazytime",
                                                 "auto_da_alloc",
                                                 "noauto_da_alloc",
                                                 "discard",
                                                 "nodiscard",
                                                 "journal_checksum",
                                                 "init_itable",
                                                 "noinit_itable",
                                                 "block_validity",
                                                 "noblock_validity",
                                                 "quiet"};
        bool known = false;
        for (kstd::string_view ignored : IGNORED) known = known || key == ignored;
        if (known) continue;
        pr_err("EXT4-fs (%s): Unrecognized mount option \"%.*s\" or missing value", m_device.name(),
               static_cast<int>(option.size()), option.data());
        return err(EINVAL);
    }
    (void)remount;
    return {};
}

Result<RefPtr<::SuperBlock>> VfsSuperBlock::mount(BlockDevice* device, u64 flags, kstd::string_view options,
                                                  const char* type_name) {
    if (!device) return err(ENOTBLK);
    block::Entry* entry = block::find_by_device(device);
    if (entry && (entry->mounted || (entry->disk && entry->disk != entry && entry->disk->mounted)))
        return err(EBUSY);
    bool read_only = flags & MS_RDONLY;
    if (!read_only && device->read_only()) {
        // Linux: the caller (mount(8), the root mounting code) retries read-only.
        pr_err("EXT4-fs (%s): write access unavailable, cannot proceed (try read-only)", device->name());
        return err(EACCES);
    }
    OwnPtr<Ext4Filesystem> fs = TRY(Ext4Filesystem::mount(*device, read_only ? u32(MOUNT_READ_ONLY) : 0u));
    fs->set_clock(kernel_clock);
    RefPtr<VfsSuperBlock> sb(adopt,
                             new (kstd::nothrow) VfsSuperBlock(type_name, *device, entry, kstd::move(fs)));
    if (!sb) return err(ENOMEM);
    TRY(sb->parse_options(options, false));
    // The data path's scratch: contiguous, so the library's reads and writes of a run
    // become one request; smaller when memory is fragmented.
    for (unsigned order = BOUNCE_ORDER;; order--) {
        if (Page* pages = mm::alloc_pages(order)) {
            sb->m_bounce = static_cast<u8*>(mm::page_address(pages));
            sb->m_bounce_bytes = PAGE_SIZE << order;
            sb->m_bounce_order = order;
            break;
        }
        if (order == 0) return err(ENOMEM);
    }
    // Linux's ext4_fill_super reads the root inode before the mount counts as done.
    if (auto root = sb->get_inode(ROOT_INO); root.is_error() || !root.value()->is_directory()) {
        pr_err("EXT4-fs (%s): get root inode failed", device->name());
        return err(EFSCORRUPTED);
    }
    sb->set_read_only(sb->m_fs->read_only());
    if (entry) entry->mounted = true;
    sb->m_last_commit_ns = ktime::monotonic_ns();
    block::writeback::register_target(*sb);
    sb->m_shrinker.shrink = [](void* context, usize pages) -> usize {
        auto* self = static_cast<VfsSuperBlock*>(context);
        // Only when nobody is inside the library: its buffers are the caller's otherwise.
        if (self->m_dead || !self->m_lock.try_lock()) return 0;
        usize per_page = kstd::max<usize>(1, PAGE_SIZE / self->block_size());
        usize freed = self->m_fs->shrink_cache(pages * per_page);
        self->m_lock.unlock();
        return freed / per_page;
    };
    sb->m_shrinker.context = sb.get();
    block::page_cache::register_shrinker(sb->m_shrinker);
    char uuid[40];
    format_uuid(sb->m_fs->superblock().s_uuid, uuid, sizeof(uuid));
    pr_info("EXT4-fs (%s): mounted filesystem %s %s with ordered data mode%s", device->name(), uuid,
            sb->read_only() ? "ro" : "r/w", sb->m_fs->journal_replayed() ? " (journal replayed)" : "");
    return RefPtr<::SuperBlock>(sb);
}

void VfsSuperBlock::lock() {
    m_lock.lock();
    run_deferred_unpins();
}

void VfsSuperBlock::run_deferred_unpins() {
    for (;;) {
        PendingUnpin* pending;
        {
            SpinLockGuard guard(m_inodes_lock);
            pending = m_pending_unpins.pop_front();
        }
        if (!pending) return;
        if (!m_dead) {
            if (auto unpinned = m_fs->unpin_inode(pending->ino); unpinned.is_error())
                pr_err("EXT4-fs (%s): releasing orphan inode %u failed (error %d)", m_device.name(),
                       pending->ino, unpinned.error().code());
        }
        delete pending;
    }
}

Result<RefPtr<VfsInode>> VfsSuperBlock::get_inode(u32 ino) {
    usize bucket = ino % HASH_BUCKETS;
    {
        SpinLockGuard guard(m_inodes_lock);
        for (VfsInode* inode = m_hash[bucket]; inode; inode = inode->hash_next) {
            // A dying inode leaves the table before anything can sleep; check anyway.
            if (inode->number() == ino && inode->ref_count() > 0) return RefPtr<VfsInode>(inode);
        }
    }
    if (m_dead) return err(EIO);
    InodeStat stat;
    {
        lock();
        auto got = m_fs->stat(ino);
        unlock();
        stat = TRY(kstd::move(got));
    }
    RefPtr<VfsInode> made(adopt, new (kstd::nothrow) VfsInode(*this, stat));
    if (!made) return err(ENOMEM);
    if (made->is_regular() && !made->cache()) return err(ENOMEM);
    SpinLockGuard guard(m_inodes_lock);
    for (VfsInode* inode = m_hash[bucket]; inode; inode = inode->hash_next) {
        if (inode->number() == ino && inode->ref_count() > 0) return RefPtr<VfsInode>(inode);  // lost a race
    }
    made->hash_next = m_hash[bucket];
    m_hash[bucket] = made.get();
    return made;
}

void VfsSuperBlock::inode_destroyed(VfsInode& inode, u32 pinned_ino) {
    PendingUnpin* pending = pinned_ino ? new (kstd::nothrow) PendingUnpin{pinned_ino, {}} : nullptr;
    if (pinned_ino && !pending)
        pr_err("EXT4-fs (%s): out of memory: orphan inode %u stays until the next mount", m_device.name(),
               pinned_ino);
    SpinLockGuard guard(m_inodes_lock);
    for (VfsInode** link = &m_hash[inode.number() % HASH_BUCKETS]; *link; link = &(*link)->hash_next) {
        if (*link == &inode) {
            *link = inode.hash_next;
            break;
        }
    }
    if (pending) m_pending_unpins.push_back(*pending);
}

void VfsSuperBlock::forget_freed_inode(VfsInode& inode) {
    bool was_listed = false;
    {
        SpinLockGuard guard(m_inodes_lock);
        for (VfsInode** link = &m_hash[inode.number() % HASH_BUCKETS]; *link; link = &(*link)->hash_next) {
            if (*link == &inode) {
                *link = inode.hash_next;
                inode.hash_next = nullptr;
                break;
            }
        }
        if (inode.dirty_link.node.is_linked()) {
            m_dirty.remove(inode.dirty_link);
            was_listed = true;
        }
    }
    // The caller holds its own reference: this is never the last one.
    if (was_listed) inode.unref();
}

void VfsSuperBlock::mark_inode_dirty(VfsInode& inode) {
    SpinLockGuard guard(m_inodes_lock);
    if (inode.dirty_link.node.is_linked() || inode.freed()) return;
    inode.dirty_link.inode = &inode;
    inode.ref();  // the writeback list's reference
    m_dirty.push_back(inode.dirty_link);
}

ErrorOr VfsSuperBlock::write_back_inodes(block::Writeback mode, u64 expired_before) {
    // Take the due inodes off the list, with the list's references.
    IntrusiveList<DirtyLink, &DirtyLink::node> due;
    {
        SpinLockGuard guard(m_inodes_lock);
        DirtyLink* link = m_dirty.first();
        while (link) {
            DirtyLink* next = m_dirty.next(*link);
            block::PageCache* cache = link->inode->cache();
            if (mode == block::Writeback::Sync || !cache || cache->dirtied_at() <= expired_before) {
                m_dirty.remove(*link);
                due.push_back(*link);
            }
            link = next;
        }
    }
    ErrorOr first;
    while (DirtyLink* link = due.pop_front()) {
        RefPtr<VfsInode> inode(adopt, link->inode);
        if (auto written = inode->write_back(mode); written.is_error() && !first.is_error()) first = written;
        if (inode->needs_writeback()) mark_inode_dirty(*inode);
    }
    return first;
}

ErrorOr VfsSuperBlock::sync() {
    if (m_dead) return {};
    ErrorOr written = write_back_inodes(block::Writeback::Sync, ~u64(0));
    lock();
    ErrorOr synced = m_fs->sync();
    m_last_commit_ns = ktime::monotonic_ns();
    unlock();
    if (written.is_error()) return written;
    return synced;
}

void VfsSuperBlock::write_back_periodic(u64 expired_before) {
    if (m_dead) return;
    (void)write_back_inodes(block::Writeback::Dirty, expired_before);
    // The journal commit interval (commit=, 5 seconds by default, as Linux's).
    u64 now = ktime::monotonic_ns();
    if (now - m_last_commit_ns < m_commit_interval_ns) return;
    lock();
    if (!m_fs->read_only()) {
        if (auto synced = m_fs->sync(); synced.is_error())
            pr_err("EXT4-fs (%s): periodic commit failed (error %d)", m_device.name(), synced.error().code());
    }
    m_last_commit_ns = now;
    unlock();
}

ErrorOr VfsSuperBlock::remount(u64 flags, kstd::string_view options) {
    if (m_dead) return err(EIO);
    TRY(parse_options(options, true));
    bool read_only = flags & MS_RDONLY;
    if (read_only == this->read_only()) return {};
    if (!read_only && m_device.read_only()) return err(EACCES);
    if (read_only) TRY(write_back_inodes(block::Writeback::Sync, ~u64(0)));
    lock();
    ErrorOr changed = m_fs->remount(read_only ? u32(MOUNT_READ_ONLY) : 0u);
    unlock();
    TRY(changed);
    set_read_only(read_only);
    pr_info("EXT4-fs (%s): re-mounted %s", m_device.name(), read_only ? "ro" : "r/w");
    return {};
}

void VfsSuperBlock::shutdown() {
    if (m_dead) return;
    block::writeback::unregister_target(*this);
    block::page_cache::unregister_shrinker(m_shrinker);
    if (!read_only()) {
        if (auto written = write_back_inodes(block::Writeback::Sync, ~u64(0)); written.is_error())
            pr_err("EXT4-fs (%s): data lost at unmount (error %d)", m_device.name(), written.error().code());
    }
    lock();
    if (auto unmounted = m_fs->unmount(); unmounted.is_error())
        pr_err("EXT4-fs (%s): unmount failed to write the file system (error %d)", m_device.name(),
               unmounted.error().code());
    m_dead = true;
    unlock();
    // Inodes still in use (a lazy unmount) keep this object; the dirty list lets go.
    while (true) {
        DirtyLink* link;
        {
            SpinLockGuard guard(m_inodes_lock);
            link = m_dirty.pop_front();
        }
        if (!link) break;
        RefPtr<VfsInode> drop(adopt, link->inode);
    }
    if (m_entry) m_entry->mounted = false;
    pr_info("EXT4-fs (%s): unmounting filesystem", m_device.name());
}

RefPtr<::Inode> VfsSuperBlock::root() {
    auto root = get_inode(ROOT_INO);
    if (root.is_error()) return nullptr;
    return RefPtr<::Inode>(root.value());
}

FileSystemStats VfsSuperBlock::statfs() {
    FileSystemStats stats;
    stats.type = EXT4_SUPER_MAGIC;
    if (m_dead) return stats;
    lock();
    auto got = m_fs->statfs();
    unlock();
    if (got.is_error()) return stats;
    const StatFs& s = got.value();
    // Data written but not yet given blocks is already spoken for (delayed allocation).
    u64 delayed = (m_delayed_bytes.load() + s.block_size - 1) / s.block_size;
    stats.block_size = stats.fragment_size = s.block_size;
    stats.blocks = s.blocks;
    stats.blocks_free = s.free_blocks > delayed ? s.free_blocks - delayed : 0;
    stats.blocks_available = s.available_blocks > delayed ? s.available_blocks - delayed : 0;
    stats.files = s.inodes;
    stats.files_free = s.free_inodes;
    stats.name_max = s.name_max;
    return stats;
}

namespace {
Result<RefPtr<::SuperBlock>> mount_ext4(BlockDevice* device, u64 flags, kstd::string_view data) {
    return VfsSuperBlock::mount(device, flags, data, "ext4");
}
Result<RefPtr<::SuperBlock>> mount_ext3(BlockDevice* device, u64 flags, kstd::string_view data) {
    return VfsSuperBlock::mount(device, flags, data, "ext3");
}
Result<RefPtr<::SuperBlock>> mount_ext2(BlockDevice* device, u64 flags, kstd::string_view data) {
    return VfsSuperBlock::mount(device, flags, data, "ext2");
}
// Linux registers ext3 and ext2 with the ext4 driver the same way: one implementation.
FileSystemType g_ext4{"ext4", true, mount_ext4, {}};
FileSystemType g_ext3{"ext3", true, mount_ext3, {}};
FileSystemType g_ext2{"ext2", true, mount_ext2, {}};
bool g_registered = false;
}  // namespace

void register_filesystems() {
    if (g_registered) return;
    g_registered = true;
    vfs::register_filesystem(g_ext4);
    vfs::register_filesystem(g_ext3);
    vfs::register_filesystem(g_ext2);
}

}  // namespace ext4
