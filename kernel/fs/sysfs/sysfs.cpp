// sysfs: /sys — the kernel's objects as directories (Linux's fs/sysfs over drivers/base).
// Strix starts with what device managers read (busybox mdev -s, and later OpenRC's
// udev/mdev scripts): every published device node appears as
//   /sys/devices/virtual/<class>/<name>/{dev,uevent}
//   /sys/class/<class>/<name>       -> ../../devices/virtual/<class>/<name>
//   /sys/dev/char/<major>:<minor>   -> ../../devices/virtual/<class>/<name>
//   /sys/dev/block/<major>:<minor>  (block devices, likewise)
//   /sys/block/<name>               -> ../devices/virtual/block/<name>
// beside /sys/kernel, /sys/fs/cgroup (an empty mount point) and the other top-level
// directories. A device's class is its driver's registered name ("mem", "tty"...); block
// devices are of class "block". The block layer (branch storage) publishes disks as nodes
// and they appear here like any other.
#include "fs/sysfs/sysfs.h"

#include <linux/magic.h>

#include "fs/device.h"
#include "fs/procfs/pseudo.h"
#include "lib/string.h"
#include "lib/uapi/stat.h"

namespace {

using vfs::DeviceNode;

// ---- Devices and their classes ----

kstd::string_view base_name(const char* path) {
    kstd::string_view name(path);
    usize slash = name.rfind('/');
    return slash == kstd::string_view::npos ? name : name.substr(slash + 1);
}

kstd::string_view class_of(const DeviceNode& node) {
    if (S_ISBLK(node.mode)) return "block";
    kstd::string_view found = "misc";
    u32 major = dev_major(node.rdev), minor = dev_minor(node.rdev);
    vfs::for_each_char_device([&](CharDevice& device) {
        if (device.block || device.major != major || minor < device.first_minor ||
            minor - device.first_minor >= device.minor_count)
            return;
        // Registered names are /proc/devices names ("/dev/tty", "ttyS"): terminals are
        // all of class tty, as in Linux.
        kstd::string_view name = base_name(device.name);
        found = name.substr(0, 3) == "tty" ? kstd::string_view("tty") : name;
    });
    return found;
}

const DeviceNode* node_of(const PseudoKey& key) { return static_cast<const DeviceNode*>(key.object); }

// The published nodes, numbered in publication order (stable: nodes are never withdrawn).
template <typename Fn>
void for_each_node_at(u64 from, Fn&& fn) {
    u64 index = 0;
    for (DeviceNode* node = vfs::first_device_node(); node; node = vfs::next_device_node(*node), index++) {
        if (index >= from && !fn(*node, index)) return;
    }
}

bool class_named_before(kstd::string_view name, u64 index) {
    bool seen = false;
    for_each_node_at(0, [&](DeviceNode& node, u64 i) {
        if (i >= index) return false;
        seen = class_of(node) == name;
        return !seen;
    });
    return seen;
}

void set_name(PseudoChild& child, kstd::string_view name) {
    usize n = kstd::min(name.size(), sizeof(child.name) - 1);
    memcpy(child.name, name.data(), n);
    child.name[n] = '\0';
}

// ---- Files of a device directory ----

ErrorOr show_dev(const PseudoKey& key, SeqBuffer& out) {
    const DeviceNode& node = *node_of(key);
    out.printf("%u:%u\n", dev_major(node.rdev), dev_minor(node.rdev));
    return {};
}

ErrorOr show_uevent(const PseudoKey& key, SeqBuffer& out) {
    const DeviceNode& node = *node_of(key);
    out.printf("MAJOR=%u\nMINOR=%u\nDEVNAME=%s\n", dev_major(node.rdev), dev_minor(node.rdev), node.name);
    return {};
}

const PseudoEntry g_device_files[] = {
    {.name = "dev", .mode = S_IFREG | 0444, .show = show_dev},
    {.name = "uevent", .mode = S_IFREG | 0644, .show = show_uevent},
};
const PseudoEntry g_device_directory{.name = "", .mode = S_IFDIR | 0755, .children = g_device_files};

// ---- Links to a device directory ----

ErrorOr print_device_path(SeqBuffer& out, const char* up, const DeviceNode& node) {
    out.append(up);
    out.append("devices/virtual/");
    out.append(class_of(node));
    out.put_char('/');
    out.append(base_name(node.name));
    return {};
}
ErrorOr show_class_link(const PseudoKey& key, SeqBuffer& out) {
    return print_device_path(out, "../../", *node_of(key));
}
ErrorOr show_block_link(const PseudoKey& key, SeqBuffer& out) {
    return print_device_path(out, "../", *node_of(key));
}

const PseudoEntry g_class_link{.name = "", .mode = S_IFLNK | 0777, .show = show_class_link};
const PseudoEntry g_block_link{.name = "", .mode = S_IFLNK | 0777, .show = show_block_link};

// ---- Dynamic directories ----

// A class directory's key holds the class's first node; its children are that class's
// devices, as `child_entry` (device directories or links).
template <const PseudoEntry& ChildEntry>
ErrorOr lookup_in_class(const PseudoKey& parent, kstd::string_view name, PseudoChild& out) {
    kstd::string_view wanted = class_of(*node_of(parent));
    ErrorOr result = err(ENOENT);
    for_each_node_at(0, [&](DeviceNode& node, u64) {
        if (class_of(node) != wanted || base_name(node.name) != name) return true;
        out.entry = &ChildEntry;
        out.key.object = &node;
        result = {};
        return false;
    });
    return result;
}

template <const PseudoEntry& ChildEntry>
bool next_in_class(const PseudoKey& parent, u64 position, PseudoChild& out) {
    kstd::string_view wanted = class_of(*node_of(parent));
    bool found = false;
    for_each_node_at(position, [&](DeviceNode& node, u64 index) {
        if (class_of(node) != wanted) return true;
        out.entry = &ChildEntry;
        out.key.object = &node;
        out.position = index;
        set_name(out, base_name(node.name));
        found = true;
        return false;
    });
    return found;
}

// The classes: one directory per class, at the place of its first device.
template <const PseudoEntry& ClassEntry>
ErrorOr lookup_class(const PseudoKey&, kstd::string_view name, PseudoChild& out) {
    ErrorOr result = err(ENOENT);
    for_each_node_at(0, [&](DeviceNode& node, u64) {
        if (class_of(node) != name) return true;
        out.entry = &ClassEntry;
        out.key.object = &node;
        result = {};
        return false;
    });
    return result;
}

template <const PseudoEntry& ClassEntry>
bool next_class(const PseudoKey&, u64 position, PseudoChild& out) {
    bool found = false;
    for_each_node_at(position, [&](DeviceNode& node, u64 index) {
        kstd::string_view name = class_of(node);
        if (class_named_before(name, index)) return true;
        out.entry = &ClassEntry;
        out.key.object = &node;
        out.position = index;
        set_name(out, name);
        found = true;
        return false;
    });
    return found;
}

// /sys/dev/char and /sys/dev/block: "major:minor" links.
template <bool Block>
ErrorOr lookup_number(const PseudoKey&, kstd::string_view name, PseudoChild& out) {
    ErrorOr result = err(ENOENT);
    for_each_node_at(0, [&](DeviceNode& node, u64) {
        if (S_ISBLK(node.mode) != Block) return true;
        char text[32];
        usize length =
            klib::snprintf(text, sizeof(text), "%u:%u", dev_major(node.rdev), dev_minor(node.rdev));
        if (kstd::string_view(text, length) != name) return true;
        out.entry = &g_class_link;
        out.key.object = &node;
        result = {};
        return false;
    });
    return result;
}

template <bool Block>
bool next_number(const PseudoKey&, u64 position, PseudoChild& out) {
    bool found = false;
    for_each_node_at(position, [&](DeviceNode& node, u64 index) {
        if (S_ISBLK(node.mode) != Block) return true;
        out.entry = &g_class_link;
        out.key.object = &node;
        out.position = index;
        klib::snprintf(out.name, sizeof(out.name), "%u:%u", dev_major(node.rdev), dev_minor(node.rdev));
        found = true;
        return false;
    });
    return found;
}

// /sys/block: the block devices by name.
ErrorOr lookup_block(const PseudoKey&, kstd::string_view name, PseudoChild& out) {
    ErrorOr result = err(ENOENT);
    for_each_node_at(0, [&](DeviceNode& node, u64) {
        if (!S_ISBLK(node.mode) || base_name(node.name) != name) return true;
        out.entry = &g_block_link;
        out.key.object = &node;
        result = {};
        return false;
    });
    return result;
}

bool next_block(const PseudoKey&, u64 position, PseudoChild& out) {
    bool found = false;
    for_each_node_at(position, [&](DeviceNode& node, u64 index) {
        if (!S_ISBLK(node.mode)) return true;
        out.entry = &g_block_link;
        out.key.object = &node;
        out.position = index;
        set_name(out, base_name(node.name));
        found = true;
        return false;
    });
    return found;
}

extern const PseudoEntry g_virtual_class;
extern const PseudoEntry g_class_directory;

const PseudoDirectoryOps g_virtual_devices{lookup_in_class<g_device_directory>,
                                           next_in_class<g_device_directory>};
const PseudoDirectoryOps g_class_devices{lookup_in_class<g_class_link>, next_in_class<g_class_link>};
const PseudoDirectoryOps g_virtual_classes{lookup_class<g_virtual_class>, next_class<g_virtual_class>};
const PseudoDirectoryOps g_classes{lookup_class<g_class_directory>, next_class<g_class_directory>};
const PseudoDirectoryOps g_char_numbers{lookup_number<false>, next_number<false>};
const PseudoDirectoryOps g_block_numbers{lookup_number<true>, next_number<true>};
const PseudoDirectoryOps g_block_names{lookup_block, next_block};

const PseudoEntry g_virtual_class{.name = "", .mode = S_IFDIR | 0755, .dynamic = &g_virtual_devices};
const PseudoEntry g_class_directory{.name = "", .mode = S_IFDIR | 0755, .dynamic = &g_class_devices};

// ---- The fixed tree ----

ErrorOr show_zero(const PseudoKey&, SeqBuffer& out) {
    out.append("0\n");
    return {};
}
ErrorOr show_empty_line(const PseudoKey&, SeqBuffer& out) {
    out.append("\n");
    return {};
}

const PseudoEntry g_virtual_entries[] = {
    {.name = "virtual", .mode = S_IFDIR | 0755, .dynamic = &g_virtual_classes},
};
const PseudoEntry g_dev_entries[] = {
    {.name = "block", .mode = S_IFDIR | 0755, .dynamic = &g_block_numbers},
    {.name = "char", .mode = S_IFDIR | 0755, .dynamic = &g_char_numbers},
};
const PseudoEntry g_fs_entries[] = {
    {.name = "cgroup", .mode = S_IFDIR | 0755},
};
const PseudoEntry g_kernel_entries[] = {
    {.name = "uevent_helper", .mode = S_IFREG | 0444, .show = show_empty_line},
    {.name = "uevent_seqnum", .mode = S_IFREG | 0444, .show = show_zero},
};
const PseudoEntry g_root_entries[] = {
    {.name = "block", .mode = S_IFDIR | 0755, .dynamic = &g_block_names},
    {.name = "bus", .mode = S_IFDIR | 0755},
    {.name = "class", .mode = S_IFDIR | 0755, .dynamic = &g_classes},
    {.name = "dev", .mode = S_IFDIR | 0755, .children = g_dev_entries},
    {.name = "devices", .mode = S_IFDIR | 0755, .children = g_virtual_entries},
    {.name = "firmware", .mode = S_IFDIR | 0755},
    {.name = "fs", .mode = S_IFDIR | 0755, .children = g_fs_entries},
    {.name = "kernel", .mode = S_IFDIR | 0755, .children = g_kernel_entries},
    {.name = "module", .mode = S_IFDIR | 0755},
    {.name = "power", .mode = S_IFDIR | 0755},
};
// Linux's kernfs root is read-only (0555); the directories under it are 0755.
const PseudoEntry g_sys_root{.name = "", .mode = S_IFDIR | 0555, .children = g_root_entries};

class SysfsSuperBlock final : public PseudoSuperBlock {
public:
    static Result<RefPtr<SuperBlock>> create() {
        RefPtr<SysfsSuperBlock> super_block(adopt, new (kstd::nothrow) SysfsSuperBlock());
        if (!super_block) return err(ENOMEM);
        TRY(super_block->create_root());
        return RefPtr<SuperBlock>(super_block);
    }

private:
    SysfsSuperBlock() : PseudoSuperBlock("sysfs", SYSFS_MAGIC, g_sys_root, NameCaching::On) {}
};

Result<RefPtr<SuperBlock>> mount_sysfs(BlockDevice*, u64, kstd::string_view) {
    return SysfsSuperBlock::create();
}

FileSystemType g_sysfs_type{"sysfs", false, mount_sysfs, {}};

}  // namespace

void sysfs_register() { vfs::register_filesystem(g_sysfs_type); }
