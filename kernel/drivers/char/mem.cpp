// Drivers, character devices: the memory devices of major 1 (Linux's drivers/char/mem.c
// and drivers/char/random.c), with Linux's semantics:
//   1:3 null     reads end at once, writes vanish
//   1:5 zero     reads give zeros, writes vanish, mmap gives zero pages
//   1:7 full     reads give zeros, writes fail with ENOSPC
//   1:8 random   the kernel's ChaCha20 generator (never blocks once seeded, as Linux 5.6+);
//   1:9 urandom  writes are stirred into it
//   1:11 kmsg    the kernel log (drivers/char/kmsg.cpp)
// 1:1 mem, 1:2 kmem and 1:4 port are not offered: ENXIO.
#include "drivers/char/char_devices.h"
#include "drivers/char/kmsg.h"
#include "fs/device.h"
#include "lib/string.h"
#include "lib/uapi/stat.h"
#include "mm/pmm.h"
#include "random/random.h"
#include "sync/spinlock.h"

namespace {

using vfs::DeviceNode;

enum class MemoryDevice : u8 { Null, Zero, Full, Random };

// What mmap of /dev/zero maps: zero-filled pages made on first touch, private to the one
// mapping (Linux maps private /dev/zero as anonymous memory and shared as shmem).
class ZeroObject final : public MemoryObject {
public:
    ~ZeroObject() override {
        while (Entry* entry = m_pages.pop_front()) {
            mm::put_page(entry->page);
            delete entry;
        }
    }
    Result<Page*> get_page(u64 index) override {
        SpinLockGuard guard(m_lock);
        for (Entry& entry : m_pages) {
            if (entry.index == index) {
                mm::get_page(entry.page);
                return entry.page;
            }
        }
        Page* page = mm::alloc_zeroed_page();
        auto* entry = page ? new (kstd::nothrow) Entry{index, page, {}} : nullptr;
        if (!entry) {
            if (page) mm::put_page(page);
            return err(ENOMEM);
        }
        m_pages.push_front(*entry);  // the allocation's reference is the object's
        mm::get_page(page);
        return page;
    }
    const char* describe() const override { return "/dev/zero (deleted)"; }

private:
    struct Entry {
        u64 index;
        Page* page;
        ListNode node;
    };
    SpinLock m_lock;
    IntrusiveList<Entry, &Entry::node> m_pages;
};

class MemoryDeviceFile final : public File {
public:
    MemoryDeviceFile(u32 flags, const Path& path, MemoryDevice device)
        : File(flags, path, path.dentry->inode_ref()), m_device(device) {}

    Result<usize> read(u64, IoBuffer buffer, usize length) override {
        switch (m_device) {
            case MemoryDevice::Null: return 0;
            case MemoryDevice::Zero:
            case MemoryDevice::Full: TRY(buffer.clear(0, length)); return length;
            case MemoryDevice::Random: return read_random(buffer, length);
        }
        return err(EINVAL);
    }

    Result<usize> write(u64, IoBuffer buffer, usize length) override {
        switch (m_device) {
            case MemoryDevice::Null:
            case MemoryDevice::Zero: return length;
            case MemoryDevice::Full: return err(ENOSPC);
            case MemoryDevice::Random: return write_random(buffer, length);
        }
        return err(EINVAL);
    }

    // Linux lets these be seeked anywhere to no effect (null_lseek, noop_llseek).
    bool seekable() const override { return true; }
    Result<u64> seek_limit(int, u64) override { return 0; }

    Result<RefPtr<MemoryObject>> mmap_object() override {
        if (m_device != MemoryDevice::Zero) return err(ENODEV);
        RefPtr<MemoryObject> object(adopt, new (kstd::nothrow) ZeroObject());
        if (!object) return err(ENOMEM);
        return object;
    }

    const char* kind_name() const override { return "mem"; }

private:
    static Result<usize> read_random(IoBuffer buffer, usize length) {
        length = kstd::min<usize>(length, 33554431);  // Linux caps one read at 32 MiB - 1
        u8 chunk[256];
        usize done = 0;
        while (done < length) {
            usize n = kstd::min(sizeof(chunk), length - done);
            krandom::fill(chunk, n);
            auto copied = buffer.write(done, chunk, n);
            if (copied.is_error()) {
                memset(chunk, 0, sizeof(chunk));
                if (done) break;
                return copied.error();
            }
            done += n;
        }
        memset(chunk, 0, sizeof(chunk));
        return done;
    }

    static Result<usize> write_random(IoBuffer buffer, usize length) {
        u8 chunk[256];
        usize done = 0;
        while (done < length) {
            usize n = kstd::min(sizeof(chunk), length - done);
            TRY(buffer.read(done, chunk, n));
            krandom::mix(chunk, n);
            done += n;
        }
        memset(chunk, 0, sizeof(chunk));
        return length;
    }

    MemoryDevice m_device;
};

Result<RefPtr<File>> open_memory_device(const Path& path, u32 flags, u32 minor, void*) {
    MemoryDevice device;
    switch (minor) {
        case 3: device = MemoryDevice::Null; break;
        case 5: device = MemoryDevice::Zero; break;
        case 7: device = MemoryDevice::Full; break;
        case 8:
        case 9: device = MemoryDevice::Random; break;
        case 11: return kmsg::open(path, flags);
        default: return err(ENXIO);
    }
    RefPtr<File> file(adopt, new (kstd::nothrow) MemoryDeviceFile(flags, path, device));
    if (!file) return err(ENOMEM);
    return file;
}

CharDevice g_memory_devices{false, 1, 0, 256, "mem", open_memory_device, nullptr, {}};

// Linux's devlist in drivers/char/mem.c: names and modes of the nodes devtmpfs makes.
DeviceNode g_nodes[] = {
    {"null", S_IFCHR | 0666, make_dev(1, 3), {}},    {"zero", S_IFCHR | 0666, make_dev(1, 5), {}},
    {"full", S_IFCHR | 0666, make_dev(1, 7), {}},    {"random", S_IFCHR | 0666, make_dev(1, 8), {}},
    {"urandom", S_IFCHR | 0666, make_dev(1, 9), {}}, {"kmsg", S_IFCHR | 0644, make_dev(1, 11), {}},
};

}  // namespace

void char_devices_init() {
    vfs::register_char_device(g_memory_devices);
    for (DeviceNode& node : g_nodes) vfs::publish_device_node(node);
}
