// Host tests for ext4: image devices and e2fsprogs helpers (see image.h).
#include "image.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ext4_test {

FileBlockDevice::FileBlockDevice(const std::string& path, bool read_only) : m_read_only(read_only) {
    m_fd = ::open(path.c_str(), read_only ? O_RDONLY : O_RDWR);
    if (m_fd >= 0) {
        struct stat st;
        fstat(m_fd, &st);
        m_sectors = static_cast<u64>(st.st_size) / SECTOR_SIZE;
    }
}

FileBlockDevice::~FileBlockDevice() {
    if (m_fd >= 0) ::close(m_fd);
}

ErrorOr FileBlockDevice::read_sectors(u64 first, u32 count, void* buffer) {
    if (first + count > m_sectors || first + count < first) {
        m_out_of_range++;
        return err(EINVAL);
    }
    ssize_t n = pread(m_fd, buffer, static_cast<size_t>(count) * SECTOR_SIZE, static_cast<off_t>(first * SECTOR_SIZE));
    if (n != static_cast<ssize_t>(count) * SECTOR_SIZE) return err(EIO);
    return {};
}

ErrorOr FileBlockDevice::write_sectors(u64 first, u32 count, const void* buffer) {
    if (m_read_only) return err(EROFS);
    if (first + count > m_sectors || first + count < first) {
        m_out_of_range++;
        return err(EINVAL);
    }
    ssize_t n = pwrite(m_fd, buffer, static_cast<size_t>(count) * SECTOR_SIZE, static_cast<off_t>(first * SECTOR_SIZE));
    if (n != static_cast<ssize_t>(count) * SECTOR_SIZE) return err(EIO);
    return {};
}

ErrorOr MemoryBlockDevice::read_sectors(u64 first, u32 count, void* buffer) {
    if (first + count > sector_count() || first + count < first) {
        m_out_of_range++;
        return err(EINVAL);
    }
    memcpy(buffer, m_bytes.data() + first * SECTOR_SIZE, static_cast<size_t>(count) * SECTOR_SIZE);
    return {};
}

ErrorOr MemoryBlockDevice::write_sectors(u64 first, u32 count, const void* buffer) {
    if (first + count > sector_count() || first + count < first) {
        m_out_of_range++;
        return err(EINVAL);
    }
    memcpy(m_bytes.data() + first * SECTOR_SIZE, buffer, static_cast<size_t>(count) * SECTOR_SIZE);
    return {};
}

CommandResult run(const std::string& command) {
    std::string full = command + " 2>&1";
    FILE* pipe = popen(full.c_str(), "r");
    CommandResult result{-1, ""};
    if (!pipe) return result;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.output.append(buffer, n);
    int status = pclose(pipe);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

TempDir::TempDir() {
    static std::atomic<int> counter{0};
    std::string base = STRIX_EXT4_WORK_DIR;
    run("mkdir -p '" + base + "'");
    m_path = base + "/t" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    run("rm -rf '" + m_path + "' && mkdir -p '" + m_path + "'");
}

TempDir::~TempDir() { run("rm -rf '" + m_path + "'"); }

void write_file(const std::string& path, const std::string& contents) {
    std::ofstream out(path, std::ios::binary);
    out << contents;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

std::string pattern(size_t size, unsigned seed) {
    std::string s(size, '\0');
    unsigned state = seed * 2654435761u + 1;
    for (size_t i = 0; i < size; i++) {
        state = state * 1103515245u + 12345u;
        s[i] = static_cast<char>(state >> 16);
    }
    return s;
}

void make_image(const std::string& image, const std::string& type, const std::string& size, const std::string& source,
                const std::string& extra) {
    std::string command = "rm -f '" + image + "' && mke2fs -q -F -t " + type + " " + extra;
    if (!source.empty()) command += " -d '" + source + "'";
    command += " '" + image + "' " + size;
    CommandResult result = run(command);
    if (result.status != 0) {
        std::fprintf(stderr, "%s\n%s\n", command.c_str(), result.output.c_str());
        std::abort();
    }
}

CommandResult fsck(const std::string& image) { return run("e2fsck -fn '" + image + "'"); }

std::string debugfs(const std::string& image, const std::string& request) {
    return run("debugfs -R '" + request + "' '" + image + "'").output;
}

namespace {
i64 g_clock_seconds = 1700000000;
ext4::Timestamp test_clock() { return ext4::Timestamp{g_clock_seconds++, 123456789}; }
}  // namespace

Result<OwnPtr<ext4::Ext4Filesystem>> mount(BlockDevice& device, u32 flags) {
    auto fs = TRY(ext4::Ext4Filesystem::mount(device, flags));
    fs->set_clock(test_clock);
    return fs;
}

Result<u32> resolve(ext4::Ext4Filesystem& fs, const std::string& path) {
    u32 ino = fs.root_ino();
    size_t position = 0;
    while (position < path.size()) {
        size_t slash = path.find('/', position);
        if (slash == std::string::npos) slash = path.size();
        std::string part = path.substr(position, slash - position);
        position = slash + 1;
        if (part.empty()) continue;
        ino = TRY(fs.lookup(ino, {part.data(), part.size()}));
    }
    return ino;
}

std::string read_all(ext4::Ext4Filesystem& fs, u32 ino) {
    auto st = fs.stat(ino);
    if (st.is_error()) return "<stat error " + std::to_string(st.error().code()) + ">";
    std::string out(st.value().size, '\0');
    auto n = fs.read(ino, 0, {reinterpret_cast<u8*>(out.data()), out.size()});
    if (n.is_error()) return "<read error " + std::to_string(n.error().code()) + ">";
    out.resize(n.value());
    return out;
}

std::vector<Listed> list_dir(ext4::Ext4Filesystem& fs, u32 ino) {
    struct Context {
        std::vector<Listed> entries;
        unsigned calls = 0;
    } context;
    u64 cookie = 0;
    for (int rounds = 0; rounds < 1000000; rounds++) {
        size_t before = context.entries.size();
        unsigned calls_before = context.calls;
        auto next = fs.readdir(
            ino, cookie,
            [](const ext4::DirEntry& entry, void* opaque) {
                auto* c = static_cast<Context*>(opaque);
                // Refuse every seventh entry, as a full getdents64 buffer would, so the
                // cookies get exercised.
                if (c->calls++ % 7 == 6) return false;
                c->entries.push_back({std::string(entry.name, entry.name_len), entry.ino, entry.type});
                return true;
            },
            &context);
        if (next.is_error()) break;
        if (context.entries.size() == before && context.calls == calls_before) break;
        cookie = next.value();
    }
    return context.entries;
}

}  // namespace ext4_test
