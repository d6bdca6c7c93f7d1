// devpts: the filesystem of pseudo-terminal slaves (see devpts.h). Linux's fs/devpts:
// the root is a directory of mode 0755 holding "ptmx" (5:2, mode ptmxmode, default 0)
// and one node per pty; names are looked up afresh at every walk, since nodes come and
// go with their masters.
#include "fs/devpts/devpts.h"

#include <linux/magic.h>

#include "fs/device.h"
#include "fs/super_block.h"
#include "lib/format.h"
#include "lib/list.h"
#include "log/klog.h"
#include "sync/mutex.h"

namespace devpts {
namespace {

constexpr u64 ROOT_INO = 1, PTMX_INO = 2, FIRST_NODE_INO = 3;
constexpr u32 SLAVE_MAJOR = 136;

struct Options {
    u32 mode = 0600;    // of new slave nodes
    u32 ptmx_mode = 0;  // of /dev/pts/ptmx
    bool set_uid = false, set_gid = false;
    u32 uid = 0, gid = 0;  // of new slave nodes when set, else the creator's
};

class DevptsSuperBlock;

// A device node (a slave, or ptmx): attributes only.
class DevptsNode final : public Inode {
public:
    DevptsNode(SuperBlock& super_block, u64 ino, u32 mode, u64 rdev, u32 uid, u32 gid)
        : Inode(super_block, ino) {
        m_attributes.mode = mode;
        m_attributes.rdev = rdev;
        m_attributes.uid = uid;
        m_attributes.gid = gid;
        m_attributes.atime = m_attributes.mtime = m_attributes.ctime = m_attributes.btime = current_time();
    }
};

struct Entry {
    u32 index;
    RefPtr<Inode> inode;
    ListNode node;
};

class DevptsRoot final : public Inode {
public:
    explicit DevptsRoot(SuperBlock& super_block) : Inode(super_block, ROOT_INO) {
        m_attributes.mode = S_IFDIR | 0755;
        m_attributes.nlink = 2;
        m_attributes.atime = m_attributes.mtime = m_attributes.ctime = m_attributes.btime = current_time();
    }
    Result<RefPtr<Inode>> lookup(kstd::string_view name) override;
    ErrorOr iterate(u64 cookie, DirectoryEmitter& emitter) override;
};

class DevptsSuperBlock final : public SuperBlock {
public:
    DevptsSuperBlock() : SuperBlock("devpts", vfs::allocate_anonymous_device()) {}
    RefPtr<Inode> root() override { return m_root; }
    bool caches_names() const override { return false; }
    // Linux's devpts_show_options: uid and gid when given, mode and ptmxmode always.
    void show_options(klib::FormatSink& out) const override {
        if (options.set_uid) klib::format(out, ",uid=%u", options.uid);
        if (options.set_gid) klib::format(out, ",gid=%u", options.gid);
        klib::format(out, ",mode=%03o,ptmxmode=%03o", options.mode, options.ptmx_mode);
    }
    FileSystemStats statfs() override {
        FileSystemStats stats;
        stats.type = DEVPTS_SUPER_MAGIC;
        stats.block_size = stats.fragment_size = 4096;
        return stats;
    }

    RefPtr<Inode> m_root;
    RefPtr<Inode> m_ptmx;
    Options options;
    Mutex lock;                                  // guards entries and options
    IntrusiveList<Entry, &Entry::node> entries;  // by index, ascending
};

RefPtr<DevptsSuperBlock> g_instance;

DevptsSuperBlock& instance() { return *g_instance; }

Result<RefPtr<Inode>> DevptsRoot::lookup(kstd::string_view name) {
    DevptsSuperBlock& sb = instance();
    if (name == "ptmx") return sb.m_ptmx;
    u64 index = 0;
    if (name.empty() || (name.size() > 1 && name[0] == '0') ||
        !klib::parse_u64(name.data(), name.size(), &index, 10))
        return err(ENOENT);
    MutexGuard guard(sb.lock);
    for (Entry& entry : sb.entries) {
        if (entry.index == index) return entry.inode;
    }
    return err(ENOENT);
}

ErrorOr DevptsRoot::iterate(u64 cookie, DirectoryEmitter& emitter) {
    DevptsSuperBlock& sb = instance();
    // Cookies: 0 ".", 1 "..", 2 "ptmx", then FIRST_NODE_INO + index for each node.
    if (cookie == 0 && !emitter.emit(".", ROOT_INO, directory_type_of(S_IFDIR), 1)) return {};
    if (cookie <= 1 && !emitter.emit("..", ROOT_INO, directory_type_of(S_IFDIR), 2)) return {};
    if (cookie <= 2 && !emitter.emit("ptmx", PTMX_INO, directory_type_of(S_IFCHR), FIRST_NODE_INO)) return {};
    MutexGuard guard(sb.lock);
    for (Entry& entry : sb.entries) {
        u64 position = FIRST_NODE_INO + entry.index;
        if (position < cookie) continue;
        char name[16];
        usize length = klib::snprintf(name, sizeof(name), "%u", entry.index);
        if (!emitter.emit(kstd::string_view(name, length), entry.inode->ino(), directory_type_of(S_IFCHR),
                          position + 1))
            return {};
    }
    return {};
}

bool parse_number(kstd::string_view text, u32 base, u32& out) {
    u64 value = 0;
    if (text.empty() || !klib::parse_u64(text.data(), text.size(), &value, base) || value > 0xffffffffu)
        return false;
    out = static_cast<u32>(value);
    return true;
}

// mode=, ptmxmode= (octal), uid=, gid=; newinstance and max= are accepted and ignored.
ErrorOr parse_options(kstd::string_view data, Options& options) {
    while (!data.empty()) {
        usize comma = data.find(',');
        kstd::string_view option = data.substr(0, comma);
        data = comma == kstd::string_view::npos ? kstd::string_view() : data.substr(comma + 1);
        usize equals = option.find('=');
        kstd::string_view key = option.substr(0, equals);
        kstd::string_view value =
            equals == kstd::string_view::npos ? kstd::string_view() : option.substr(equals + 1);
        u32 number = 0;
        if (key == "mode" && parse_number(value, 8, number)) {
            options.mode = number & 07777;
        } else if (key == "ptmxmode" && parse_number(value, 8, number)) {
            options.ptmx_mode = number & 07777;
        } else if (key == "uid" && parse_number(value, 10, number)) {
            options.uid = number;
            options.set_uid = true;
        } else if (key == "gid" && parse_number(value, 10, number)) {
            options.gid = number;
            options.set_gid = true;
        } else if (key == "newinstance" || key == "max" || key.empty()) {
            continue;
        } else {
            pr_warn("devpts: bad mount option \"%.*s\"", static_cast<int>(option.size()), option.data());
            return err(EINVAL);
        }
    }
    return {};
}

ErrorOr create_instance() {
    if (g_instance) return {};
    RefPtr<DevptsSuperBlock> sb(adopt, new (kstd::nothrow) DevptsSuperBlock());
    if (!sb) return err(ENOMEM);
    sb->m_root = RefPtr<Inode>(adopt, new (kstd::nothrow) DevptsRoot(*sb));
    sb->m_ptmx =
        RefPtr<Inode>(adopt, new (kstd::nothrow) DevptsNode(*sb, PTMX_INO, S_IFCHR, make_dev(5, 2), 0, 0));
    if (!sb->m_root || !sb->m_ptmx) return err(ENOMEM);
    g_instance = sb;
    return {};
}

Result<RefPtr<SuperBlock>> mount_devpts(BlockDevice*, u64, kstd::string_view data) {
    TRY(create_instance());
    Options options;
    TRY(parse_options(data, options));
    DevptsSuperBlock& sb = instance();
    {
        MutexGuard guard(sb.lock);
        sb.options = options;
        InodeAttributes ptmx;
        ptmx.mode = options.ptmx_mode;
        TRY(sb.m_ptmx->setattr(ptmx, ATTRIBUTE_MODE));
    }
    return RefPtr<SuperBlock>(g_instance);
}

FileSystemType g_type{"devpts", false, mount_devpts, {}};

// Paths for nodes when no mount of devpts exists.
RefPtr<Mount> g_kernel_mount;

}  // namespace

void register_filesystem() {
    if (create_instance().is_error()) pr_err("devpts: no memory for the instance");
    vfs::register_filesystem(g_type);
}

ErrorOr add_node(u32 index, u32 uid, u32 gid) {
    TRY(create_instance());
    DevptsSuperBlock& sb = instance();
    MutexGuard guard(sb.lock);
    const Options& options = sb.options;
    RefPtr<Inode> inode(adopt,
                        new (kstd::nothrow) DevptsNode(
                            sb, FIRST_NODE_INO + index, S_IFCHR | options.mode, make_dev(SLAVE_MAJOR, index),
                            options.set_uid ? options.uid : uid, options.set_gid ? options.gid : gid));
    Entry* entry = new (kstd::nothrow) Entry{index, inode, {}};
    if (!inode || !entry) {
        delete entry;
        return err(ENOMEM);
    }
    // Keep the list in index order, for readdir.
    Entry* after = nullptr;
    for (Entry& existing : sb.entries) {
        if (existing.index > index) break;
        after = &existing;
    }
    if (after)
        sb.entries.insert_after(*after, *entry);
    else
        sb.entries.push_front(*entry);
    return {};
}

Result<Path> node_path(u32 index) {
    TRY(create_instance());
    RefPtr<Mount> mount;
    vfs::for_each_mount([&](Mount& candidate) {
        if (candidate.super_block.get() == g_instance.get()) mount = RefPtr<Mount>(&candidate);
    });
    if (!mount) {
        if (!g_kernel_mount) {
            RefPtr<Mount> internal = try_make_ref<Mount>();
            RefPtr<Dentry> root = Dentry::create_root(g_instance->root());
            RefPtr<KString> source = KString::create("devpts");
            if (!internal || !root || !source) return err(ENOMEM);
            internal->super_block = g_instance;
            internal->root = root;
            internal->source = source;
            g_kernel_mount = internal;
        }
        mount = g_kernel_mount;
    }
    char name[16];
    usize length = klib::snprintf(name, sizeof(name), "%u", index);
    RefPtr<Dentry> dentry = TRY(mount->root->child(kstd::string_view(name, length)));
    return Path{mount, dentry};
}

void remove_node(u32 index) {
    if (!g_instance) return;
    DevptsSuperBlock& sb = instance();
    MutexGuard guard(sb.lock);
    for (Entry& entry : sb.entries) {
        if (entry.index == index) {
            sb.entries.remove(entry);
            delete &entry;
            return;
        }
    }
}

}  // namespace devpts
