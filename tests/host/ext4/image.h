// Host tests for ext4: block devices over image files and memory, and helpers that run
// Debian's e2fsprogs (mke2fs, e2fsck, debugfs) on them.
#pragma once

#include <string>
#include <vector>

#include "drivers/block/block_device.h"
#include "fs/ext4/filesystem.h"

namespace ext4_test {

// A block device over a host file; requests outside the file are counted and refused.
class FileBlockDevice final : public BlockDevice {
public:
    explicit FileBlockDevice(const std::string& path, bool read_only = false);
    ~FileBlockDevice() override;
    const char* name() const override { return "test-image"; }
    u64 sector_count() const override { return m_sectors; }
    bool read_only() const override { return m_read_only; }
    ErrorOr read_sectors(u64 first, u32 count, void* buffer) override;
    ErrorOr write_sectors(u64 first, u32 count, const void* buffer) override;
    ErrorOr flush() override { return {}; }
    bool ok() const { return m_fd >= 0; }
    u64 out_of_range() const { return m_out_of_range; }

private:
    int m_fd = -1;
    u64 m_sectors = 0;
    bool m_read_only;
    u64 m_out_of_range = 0;
};

// A block device over a byte vector (the fuzz test's corrupted images).
class MemoryBlockDevice final : public BlockDevice {
public:
    explicit MemoryBlockDevice(std::vector<u8> bytes) : m_bytes(std::move(bytes)) {}
    const char* name() const override { return "memory-image"; }
    u64 sector_count() const override { return m_bytes.size() / SECTOR_SIZE; }
    ErrorOr read_sectors(u64 first, u32 count, void* buffer) override;
    ErrorOr write_sectors(u64 first, u32 count, const void* buffer) override;
    ErrorOr flush() override { return {}; }
    u64 out_of_range() const { return m_out_of_range; }
    std::vector<u8>& bytes() { return m_bytes; }

private:
    std::vector<u8> m_bytes;
    u64 m_out_of_range = 0;
};

struct CommandResult {
    int status;
    std::string output;
};
CommandResult run(const std::string& command);

// A fresh directory under the build tree for one test; removed by the destructor.
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::string& path() const { return m_path; }
    std::string operator/(const std::string& name) const { return m_path + "/" + name; }

private:
    std::string m_path;
};

void write_file(const std::string& path, const std::string& contents);
std::string read_file(const std::string& path);
// Deterministic file contents of a given size.
std::string pattern(size_t size, unsigned seed);

// mke2fs -q -F -t type [extra] -d source image size; returns e2fsprogs' output on failure.
void make_image(const std::string& image, const std::string& type, const std::string& size,
                const std::string& source = "", const std::string& extra = "");
// e2fsck -fn; status 0 means clean.
CommandResult fsck(const std::string& image);
std::string debugfs(const std::string& image, const std::string& request);

// Mounts with a clock that advances one second per call, for distinct timestamps.
Result<OwnPtr<ext4::Ext4Filesystem>> mount(BlockDevice& device, u32 flags = 0);

// Path helpers on the library's inode-number API.
Result<u32> resolve(ext4::Ext4Filesystem& fs, const std::string& path);
std::string read_all(ext4::Ext4Filesystem& fs, u32 ino);
struct Listed {
    std::string name;
    u32 ino;
    u8 type;
};
std::vector<Listed> list_dir(ext4::Ext4Filesystem& fs, u32 ino);

}  // namespace ext4_test
