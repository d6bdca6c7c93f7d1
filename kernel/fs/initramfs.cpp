// Filesystems: unpacking the initramfs (see initramfs.h).
#include "fs/initramfs.h"

#include "lib/uapi/stat.h"

#include "fs/device.h"
#include "fs/vfs.h"
#include "lib/cpio.h"
#include "lib/gunzip.h"
#include "lib/string.h"
#include "log/klog.h"
#include "mm/kmalloc.h"

namespace initramfs {
namespace {

// Creates what the archive describes, through the VFS, as root.
class Unpacker final : public klib::CpioSink {
public:
    Unpacker() : m_context{vfs::root_path(), vfs::root_path(), &m_root} {}

    ErrorOr begin_entry(const klib::CpioEntry& entry) override {
        m_file = nullptr;
        m_offset = 0;
        m_entry = entry;
        kstd::string_view name = entry.name;
        while (name.substr(0, 2) == "./") name.remove_prefix(2);
        while (!name.empty() && name[0] == '/') name.remove_prefix(1);
        if (name.empty() || name == ".") return {};
        if (name.size() >= sizeof(m_path)) return err(ENAMETOOLONG);
        memcpy(m_path, name.data(), name.size());
        m_path[name.size()] = '\0';
        m_path_length = name.size();
        kstd::string_view path(m_path, m_path_length);
        u32 mode = entry.mode;
        u32 permissions = mode & 07777;

        // Hard links: a later entry with the same inode number becomes a link to the first.
        if (!S_ISDIR(mode) && entry.nlink > 1) {
            for (usize i = 0; i < m_link_count; i++) {
                if (m_links[i].ino == entry.ino && m_links[i].dev == make_dev(entry.dev_major, entry.dev_minor)) {
                    (void)vfs::unlink(m_context, path);
                    TRY(vfs::link(m_context, m_links[i].name->view(), m_context, path, 0));
                    if (entry.file_size) m_file = TRY(vfs::open(m_context, path, O_WRONLY | O_TRUNC, 0));
                    return {};
                }
            }
            if (m_link_count < MAX_LINKS) m_links[m_link_count++] = {entry.ino, make_dev(entry.dev_major, entry.dev_minor), KString::create(path)};
        }

        switch (mode & S_IFMT) {
        case S_IFREG:
            (void)vfs::unlink(m_context, path);
            m_file = TRY(vfs::open(m_context, path, O_WRONLY | O_CREAT | O_TRUNC, permissions));
            break;
        case S_IFDIR:
            if (auto made = vfs::mkdir(m_context, path, permissions); made.is_error() && made.error().code() != EEXIST)
                return made;
            break;
        case S_IFLNK:
            // The target is the entry's data; created in end_entry.
            if (entry.file_size >= sizeof(m_link_target)) return err(ENAMETOOLONG);
            break;
        case S_IFCHR: case S_IFBLK: case S_IFIFO: case S_IFSOCK:
            (void)vfs::unlink(m_context, path);
            TRY(vfs::mknod(m_context, path, mode, make_dev(entry.rdev_major, entry.rdev_minor)));
            break;
        default:
            pr_warn("initramfs: %s: unknown file type %#o, skipped", m_path, mode & S_IFMT);
            return {};
        }
        return {};
    }

    ErrorOr entry_data(kstd::span<const u8> data) override {
        m_bytes += data.size();
        if (S_ISLNK(m_entry.mode)) {
            memcpy(m_link_target + m_offset, data.data(), data.size());
            m_offset += data.size();
            return {};
        }
        if (!m_file) return {};
        usize written = TRY(m_file->write(m_offset, IoBuffer::kernel(data.data()), data.size()));
        m_offset += written;
        return {};
    }

    ErrorOr end_entry() override {
        if (m_path_length == 0) return {};
        kstd::string_view path(m_path, m_path_length);
        if (S_ISLNK(m_entry.mode)) {
            (void)vfs::unlink(m_context, path);
            TRY(vfs::symlink(m_context, {m_link_target, m_offset}, path));
        }
        m_file = nullptr;
        // Owner, mode (mkdir and creat applied no umask here, but keep exact bits) and mtime.
        auto resolved = resolve_path(m_context, path, 0);
        if (resolved.is_error()) return {};
        Path& p = resolved.value();
        if (!S_ISLNK(m_entry.mode)) (void)vfs::chmod(p, m_entry.mode & 07777, m_root);
        (void)vfs::chown(p, m_entry.uid, m_entry.gid, m_root);
        m_path_length = 0;
        if (S_ISDIR(m_entry.mode)) return defer_directory_time(path);
        Timespec mtime{m_entry.mtime, 0};
        (void)vfs::set_times(p, &mtime, &mtime, m_root, true);
        return {};
    }

    // Linux (init/initramfs.c, dir_utime): a directory's time is set once everything is
    // unpacked, since creating its entries changes it.
    void set_directory_times() {
        while (DirectoryTime* directory = m_directories) {
            m_directories = directory->next;
            auto resolved = resolve_path(m_context, directory->path->view(), 0);
            Timespec mtime{directory->mtime, 0};
            if (!resolved.is_error()) (void)vfs::set_times(resolved.value(), &mtime, &mtime, m_root, true);
            delete directory;
        }
    }

    ~Unpacker() {
        while (DirectoryTime* directory = m_directories) {
            m_directories = directory->next;
            delete directory;
        }
    }

    u64 bytes() const { return m_bytes; }

private:
    struct DirectoryTime {
        RefPtr<KString> path;
        i64 mtime;
        DirectoryTime* next;
    };

    ErrorOr defer_directory_time(kstd::string_view path) {
        auto* directory =
            new (kstd::nothrow) DirectoryTime{KString::create(path), m_entry.mtime, m_directories};
        if (!directory || !directory->path) {
            delete directory;
            return err(ENOMEM);
        }
        m_directories = directory;
        return {};
    }

    static constexpr usize MAX_LINKS = 256;
    struct LinkRecord {
        u32 ino;
        u64 dev;
        RefPtr<KString> name;
    };
    Credentials m_root;
    LookupContext m_context;
    klib::CpioEntry m_entry{};
    RefPtr<File> m_file;
    u64 m_offset = 0;
    u64 m_bytes = 0;
    char m_path[PATH_MAX_BYTES];
    usize m_path_length = 0;
    char m_link_target[PATH_MAX_BYTES];
    LinkRecord m_links[MAX_LINKS];
    usize m_link_count = 0;
    DirectoryTime* m_directories = nullptr;  // the times to set at the end, newest first
};

bool is_gzip(kstd::span<const u8> data) { return data.size() >= 2 && data[0] == 0x1f && data[1] == 0x8b; }

}  // namespace

Summary unpack(kstd::span<const u8> image) {
    Summary summary;
    auto* unpacker = new (kstd::nothrow) Unpacker();
    auto* reader = unpacker ? new (kstd::nothrow) klib::CpioReader(*unpacker) : nullptr;
    if (!reader) {
        pr_err("initramfs: out of memory");
        delete unpacker;
        summary.complete = false;
        return summary;
    }
    usize at = 0;
    const char* failure = nullptr;
    while (at < image.size() && !failure) {
        kstd::span<const u8> rest = image.subspan(at);
        if (rest[0] == 0) {  // padding between members
            at++;
            continue;
        }
        if (is_gzip(rest)) {
            klib::GzipStream gzip;
            auto used = gzip.decompress(rest, [&](kstd::span<const u8> chunk) -> ErrorOr {
                usize fed = TRY(reader->feed(chunk));
                if (fed < chunk.size()) return err(EINVAL);  // garbage after an archive inside the member
                return {};
            });
            if (used.is_error()) {
                failure = gzip.error() ? gzip.error() : reader->error() ? reader->error() : "cannot create a file";
                break;
            }
            at += used.value();
        } else if (rest.size() >= 6 && memcmp(rest.data(), "07070", 5) == 0) {
            // A plain archive: the reader stops where something else (a gzip member) begins.
            auto fed = reader->feed(rest);
            if (fed.is_error()) failure = reader->error() ? reader->error() : "cannot create a file";
            else at += fed.value() ? fed.value() : 1;
        } else {
            failure = "unrecognised data (neither cpio nor gzip)";
        }
    }
    if (!failure && !reader->at_boundary()) failure = "truncated archive";
    unpacker->set_directory_times();
    summary.entries = reader->entries();
    summary.bytes = unpacker->bytes();
    if (failure) {
        summary.complete = false;
        pr_err("initramfs: unpacking failed after %lu entries (at \"%s\"): %s", summary.entries,
               reader->current_name() ? reader->current_name() : "", failure);
    }
    delete reader;
    delete unpacker;
    return summary;
}

}  // namespace initramfs
