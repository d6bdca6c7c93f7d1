// Kernel init: mounting the root filesystem from a disk (see root_mount.h).
#include "init/root_mount.h"

#include <asm-generic/fcntl.h>
#include <linux/mount.h>

#include "debug/panic.h"
#include "drivers/block/registry.h"
#include "fs/ext4/format.h"
#include "fs/vfs.h"
#include "init/params.h"
#include "lib/format.h"
#include "lib/string.h"
#include "log/klog.h"
#include "sync/wait_queue.h"
#include "time/clock.h"

namespace init {
namespace {

Credentials g_kernel_credentials;  // root, as Linux's init_cred

LookupContext lookup_at(const Path& root) { return LookupContext{root, root, &g_kernel_credentials}; }

bool equal_ignoring_case(kstd::string_view a, kstd::string_view b) {
    if (a.size() != b.size()) return false;
    for (usize i = 0; i < a.size(); i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

// The ext2/3/4 superblock's UUID, as text; false when the device holds no such superblock.
bool filesystem_uuid(BlockDevice& device, char* out, usize size) {
    auto* sb = new (kstd::nothrow) ext4::SuperBlock;
    if (!sb) return false;
    bool found = false;
    if (device.sector_count() >= 4 &&
        !device.read_sectors(2, sizeof(*sb) / BlockDevice::SECTOR_SIZE, sb).is_error() &&
        sb->s_magic == ext4::SUPER_MAGIC) {
        const u8* u = sb->s_uuid;
        klib::snprintf(out, size, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                       u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
                       u[14], u[15]);
        found = true;
    }
    delete sb;
    return found;
}

block::Entry* find_device(kstd::string_view spec) {
    if (spec.substr(0, 5) == "UUID=") {
        kstd::string_view wanted = spec.substr(5);
        block::Entry* match = nullptr;
        block::for_each_entry([&](block::Entry& entry) {
            char uuid[40];
            if (!match && filesystem_uuid(*entry.device, uuid, sizeof(uuid)) &&
                equal_ignoring_case(uuid, wanted))
                match = &entry;
        });
        return match;
    }
    if (spec.substr(0, 9) == "PARTUUID=") return block::find_by_partuuid(spec.substr(9));
    if (spec.substr(0, 5) == "/dev/") spec.remove_prefix(5);
    if (block::Entry* named = block::find_by_name(spec)) return named;
    // major:minor, or the old 16-bit hexadecimal number (Linux's name_to_dev_t).
    usize colon = spec.find(':');
    u64 major, minor, number;
    if (colon != kstd::string_view::npos) {
        if (klib::parse_u64(spec.data(), colon, &major, 10) &&
            klib::parse_u64(spec.data() + colon + 1, spec.size() - colon - 1, &minor, 10))
            return block::find_by_number(make_dev(static_cast<u32>(major), static_cast<u32>(minor)));
        return nullptr;
    }
    if (klib::parse_u64(spec.data(), spec.size(), &number, 16))
        return block::find_by_number(
            make_dev(static_cast<u32>(number >> 8), static_cast<u32>(number & 0xff)));
    return nullptr;
}

void sleep_ms(u64 ms) {
    WaitQueue queue;
    (void)queue.wait_until([] { return false; }, WaitMode::Uninterruptible,
                           ktime::monotonic_ns() + ms * ktime::NSEC_PER_MSEC);
}

[[noreturn]] void fail(kstd::string_view spec, const char* why, int error) {
    // Linux's advice and list, then its panic.
    pr_err("VFS: Cannot open root device \"%.*s\" or unknown-block: %s (error %d)",
           static_cast<int>(spec.size()), spec.data(), why, error);
    pr_err("Please append a correct \"root=\" boot option; here are the available partitions:");
    block::for_each_entry([](block::Entry& entry) {
        pr_err("%04x %10lu %s %s", (dev_major(entry.rdev) << 8) | dev_minor(entry.rdev),
               entry.device->sector_count() / 2, entry.name, entry.partuuid[0] ? entry.partuuid : "");
    });
    panic("VFS: Unable to mount root fs on \"%.*s\"", static_cast<int>(spec.size()), spec.data());
}

// Tries each filesystem type; EACCES (a read-only device) retries read-only, as Linux.
Result<RefPtr<SuperBlock>> mount_device(block::Entry& entry, u64* flags, kstd::string_view options,
                                        const char** type_name) {
    kstd::optional<kstd::string_view> types = g_cmdline.value_of("rootfstype");
    Error last = err(EINVAL);
    auto mount_with = [&](FileSystemType& type) -> Result<RefPtr<SuperBlock>> {
        if (!type.requires_device) return err(ENODEV);
        for (int tries = 0; tries < 2; tries++) {
            auto mounted = type.mount(entry.device, *flags, options);
            if (!mounted.is_error()) {
                *type_name = type.name;
                return mounted.release_value();
            }
            if (mounted.error().code() != EACCES || (*flags & MS_RDONLY)) return mounted.error();
            pr_warn("VFS: %s is write-protected, mounting read-only", entry.name);
            *flags |= MS_RDONLY;
        }
        return err(EACCES);
    };
    if (types) {
        kstd::string_view list = *types;
        while (!list.empty()) {
            usize comma = list.find(',');
            kstd::string_view name = list.substr(0, comma);
            list = comma == kstd::string_view::npos ? kstd::string_view() : list.substr(comma + 1);
            FileSystemType* type = vfs::find_filesystem(name);
            if (!type) {
                pr_err("VFS: unknown filesystem type \"%.*s\" in rootfstype=", static_cast<int>(name.size()),
                       name.data());
                continue;
            }
            auto mounted = mount_with(*type);
            if (!mounted.is_error()) return mounted;
            last = mounted.error();
            if (last.code() != EINVAL) break;
        }
        return last;
    }
    for (FileSystemType* type = vfs::first_filesystem(); type; type = vfs::next_filesystem(*type)) {
        if (!type->requires_device) continue;
        auto mounted = mount_with(*type);
        if (!mounted.is_error()) return mounted;
        last = mounted.error();
        // Linux's mount_block_root: only "not this type" moves on to the next type; a
        // file system that is recognised but damaged or unreadable ends the search.
        if (last.code() != EINVAL) break;
    }
    return last;
}

void mount_devtmpfs(const Path& root) {
    FileSystemType* devtmpfs = vfs::find_filesystem("devtmpfs");
    if (!devtmpfs) return;
    auto dev = resolve_path(lookup_at(root), "/dev", LOOKUP_FOLLOW | LOOKUP_DIRECTORY);
    if (dev.is_error()) {
        pr_warn("devtmpfs: no /dev on the root filesystem; not mounted");
        return;
    }
    auto sb = devtmpfs->mount(nullptr, 0, "");
    if (sb.is_error()) {
        pr_err("devtmpfs: error %d mounting on /dev", sb.error().code());
        return;
    }
    RefPtr<Dentry> top = Dentry::create_root(sb.value()->root());
    if (!top || vfs::attach(dev.value(), sb.value(), top, 0, "devtmpfs").is_error()) {
        pr_err("devtmpfs: cannot attach on /dev");
        return;
    }
    pr_info("devtmpfs: mounted");
}

}  // namespace

bool prepare_root() {
    auto spec = g_cmdline.value_of("root");
    if (!spec) return false;
    // An initramfs with its own init does the mounting itself (root= is for its scripts).
    kstd::string_view rdinit = g_cmdline.value_of("rdinit").value_or("/init");
    if (!vfs::open(lookup_at(vfs::root_path()), rdinit, O_PATH, 0).is_error()) return false;

    if (auto delay = g_cmdline.value_of("rootdelay")) {
        u64 seconds;
        if (klib::parse_u64(delay->data(), delay->size(), &seconds, 10) && seconds) {
            pr_info("Waiting %lu sec before mounting root device...", seconds);
            sleep_ms(seconds * 1000);
        }
    }
    block::Entry* entry = find_device(*spec);
    if (!entry && g_cmdline.has("rootwait")) {
        // Devices are found at boot and none arrive later, but Linux's contract is to wait
        // (forever, or rootwait=N seconds).
        u64 limit_ms = ~u64(0);
        if (auto seconds_text = g_cmdline.value_of("rootwait")) {
            u64 seconds;
            if (klib::parse_u64(seconds_text->data(), seconds_text->size(), &seconds, 10))
                limit_ms = seconds * 1000;
        }
        pr_info("Waiting for root device %.*s...", static_cast<int>(spec->size()), spec->data());
        for (u64 waited = 0; !entry && waited < limit_ms; waited += 100) {
            sleep_ms(100);
            entry = find_device(*spec);
        }
    }
    if (!entry) fail(*spec, "no such device", ENXIO);

    // Linux mounts the root read-only unless `rw` is given; the last of ro/rw wins.
    u64 flags = MS_RDONLY;
    for (const klib::KernelParam& param : g_cmdline.params()) {
        if (param.name == "rw" && !param.value) flags &= ~u64(MS_RDONLY);
        if (param.name == "ro" && !param.value) flags |= MS_RDONLY;
    }
    kstd::string_view options = g_cmdline.value_of("rootflags").value_or("");
    const char* type_name = "?";
    auto mounted = mount_device(*entry, &flags, options, &type_name);
    if (mounted.is_error()) fail(*spec, "no filesystem could mount it", mounted.error().code());
    RefPtr<SuperBlock> sb = mounted.release_value();
    RefPtr<Dentry> top = Dentry::create_root(sb->root());
    if (!top || !sb->root()) panic("VFS: out of memory mounting the root filesystem");
    char source[block::NAME_BYTES + 8];
    klib::snprintf(source, sizeof(source), "/dev/%s", entry->name);
    // On top of the initramfs's rootfs, which stays underneath as on Linux.
    auto attached = vfs::attach(vfs::root_path(), sb, top, flags, source);
    if (attached.is_error())
        panic("VFS: cannot attach the root filesystem (error %d)", attached.error().code());
    vfs::set_root_mount(attached.value());
    pr_info("VFS: Mounted root (%s filesystem)%s on device %u:%u.", type_name,
            (flags & MS_RDONLY) ? " readonly" : "", dev_major(entry->rdev), dev_minor(entry->rdev));
    mount_devtmpfs(vfs::root_path());
    return true;
}

}  // namespace init
