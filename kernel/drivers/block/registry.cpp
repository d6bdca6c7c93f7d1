// Drivers, block layer: the disk registry (see registry.h).
#include "drivers/block/registry.h"

#include "drivers/block/device_file.h"
#include "drivers/block/partition.h"
#include "drivers/block/partition_table.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lib/uapi/stat.h"
#include "log/klog.h"
#include "mm/kmalloc.h"

namespace block {
namespace {

IntrusiveList<Entry, &Entry::list_node> g_entries;
struct Family {
    const char* prefix;
    u32 next;
};
Family g_families[4];

// Linux's disk names: a..z, then aa..zz, ... (bijective base 26).
void disk_name(const char* prefix, u32 index, char* out, usize size) {
    char letters[8];
    usize count = 0;
    u32 n = index + 1;
    while (n && count < sizeof(letters)) {
        n--;
        letters[count++] = static_cast<char>('a' + n % 26);
        n /= 26;
    }
    usize at = klib::snprintf(out, size, "%s", prefix);
    while (count && at + 1 < size) out[at++] = letters[--count];
    out[at < size ? at : size - 1] = '\0';
}

ErrorOr read_for_table(void* context, u64 sector, u32 count, void* buffer) {
    return static_cast<BlockDevice*>(context)->read_sectors(sector, count, buffer);
}

Entry* new_entry(BlockDevice& device, u64 rdev, const char* name) {
    Entry* entry = new (kstd::nothrow) Entry;
    if (!entry) return nullptr;
    entry->device = &device;
    entry->rdev = rdev;
    klib::strlcpy(entry->name, name, sizeof(entry->name));
    entry->node.name = entry->name;
    entry->node.mode = S_IFBLK | 0660;
    entry->node.rdev = rdev;
    return entry;
}

void publish(Entry& entry) {
    g_entries.push_back(entry);
    vfs::publish_device_node(entry.node);
}

Result<RefPtr<File>> open_disk_minor(const Path& path, u32 flags, u32 minor, void* context) {
    auto* major = static_cast<CharDevice*>(context);
    Entry* entry = find_by_number(make_dev(major->major, minor));
    if (!entry) return err(ENXIO);
    return open_block_device(*entry, path, flags);
}

}  // namespace

u32 allocate_disk_name(const char* family, char* out, usize size) {
    Family* slot = nullptr;
    for (Family& f : g_families) {
        if (f.prefix && klib::strcmp(f.prefix, family) == 0) {
            slot = &f;
            break;
        }
        if (!f.prefix) {
            f.prefix = family;
            slot = &f;
            break;
        }
    }
    u32 index = slot ? slot->next++ : 0;
    disk_name(family, index, out, size);
    return index;
}

ErrorOr add_disk(BlockDevice& disk, u32 major, u32 first_minor) {
    Entry* entry = new_entry(disk, make_dev(major, first_minor), disk.name());
    auto* char_device = new (kstd::nothrow) CharDevice;
    if (!entry || !char_device) {
        delete entry;
        delete char_device;
        return err(ENOMEM);
    }
    entry->disk = entry;
    // One registration covers the disk and its partitions' minors.
    *char_device =
        CharDevice{true, major, first_minor, MINORS_PER_DISK, "virtblk", open_disk_minor, nullptr, {}};
    char_device->context = char_device;
    vfs::register_char_device(*char_device);
    publish(*entry);

    auto* table = new (kstd::nothrow) PartitionTable;
    if (!table) return err(ENOMEM);
    auto read = read_partition_table(read_for_table, &disk, disk.sector_count(), disk.name());
    if (read.is_error()) {
        pr_err("%s: unable to read partition table (error %d)", disk.name(), read.error().code());
        delete table;
        return {};
    }
    *table = read.release_value();
    char line[160];
    usize at = klib::snprintf(line, sizeof(line), " %s:", disk.name());
    for (u32 i = 0; i < table->count; i++) {
        const PartitionInfo& info = table->partitions[i];
        char name[NAME_BYTES];
        klib::snprintf(name, sizeof(name), "%s%u", disk.name(), info.number);
        auto* partition = new (kstd::nothrow) Partition(disk, info.start, info.sectors, name);
        Entry* child =
            partition ? new_entry(*partition, make_dev(major, first_minor + info.number), name) : nullptr;
        if (!child) {
            delete partition;
            pr_err("%s: out of memory registering partition %u", disk.name(), info.number);
            continue;
        }
        child->disk = entry;
        child->partition = info.number;
        child->start_sector = info.start;
        klib::strlcpy(child->partuuid, info.partuuid, sizeof(child->partuuid));
        publish(*child);
        if (at < sizeof(line)) at += klib::snprintf(line + at, sizeof(line) - at, " %s", name);
    }
    // Linux's check_partition line: " vda: vda1 vda2".
    if (table->count) pr_info("%s", line);
    delete table;
    return {};
}

Entry* find_by_name(kstd::string_view name) {
    for (Entry& entry : g_entries)
        if (name == entry.name) return &entry;
    return nullptr;
}

Entry* find_by_device(const BlockDevice* device) {
    for (Entry& entry : g_entries)
        if (entry.device == device) return &entry;
    return nullptr;
}

Entry* find_by_number(u64 rdev) {
    for (Entry& entry : g_entries)
        if (entry.rdev == rdev) return &entry;
    return nullptr;
}

Entry* find_by_partuuid(kstd::string_view partuuid) {
    if (partuuid.empty()) return nullptr;
    for (Entry& entry : g_entries) {
        kstd::string_view mine(entry.partuuid);
        if (mine.size() != partuuid.size()) continue;
        bool same = true;
        for (usize i = 0; i < mine.size() && same; i++) {
            char a = mine[i], b = partuuid[i];
            if (a >= 'A' && a <= 'F') a = static_cast<char>(a - 'A' + 'a');
            if (b >= 'A' && b <= 'F') b = static_cast<char>(b - 'A' + 'a');
            same = a == b;
        }
        if (same) return &entry;
    }
    return nullptr;
}

Entry* first_entry() { return g_entries.first(); }
Entry* next_entry(Entry& entry) { return g_entries.next(entry); }

Result<BlockDevice*> block_device_for_path(const LookupContext& context, kstd::string_view path) {
    if (path.empty()) return err(ENOENT);
    Path resolved = TRY(resolve_path(context, path, LOOKUP_FOLLOW));
    Inode& inode = resolved.inode();
    if (!S_ISBLK(inode.mode())) return err(ENOTBLK);
    // Linux's lookup_bdev: a device node on a nodev mount cannot be used.
    if (resolved.mount->flags & MS_NODEV) return err(EACCES);
    Entry* entry = find_by_number(inode.attributes().rdev);
    if (!entry) return err(ENXIO);
    return entry->device;
}

}  // namespace block
