// Host tests for ext4: the journal. A device that loses every write after the Nth
// simulates a crash at each point of a commit; our mount must replay the journal to a
// file system e2fsck finds clean, with either the old or the new contents.
#include <gtest/gtest.h>

#include "host_shims.h"
#include "tree.h"

using namespace ext4_test;

namespace {

class CrashDevice final : public BlockDevice {
public:
    CrashDevice(std::vector<u8>& bytes, u64 writes_allowed) : m_bytes(bytes), m_allowed(writes_allowed) {}
    const char* name() const override { return "crash-image"; }
    u64 sector_count() const override { return m_bytes.size() / SECTOR_SIZE; }
    ErrorOr read_sectors(u64 first, u32 count, void* buffer) override {
        memcpy(buffer, m_bytes.data() + first * SECTOR_SIZE, static_cast<size_t>(count) * SECTOR_SIZE);
        return {};
    }
    ErrorOr write_sectors(u64 first, u32 count, const void* buffer) override {
        if (m_writes++ < m_allowed)
            memcpy(m_bytes.data() + first * SECTOR_SIZE, buffer, static_cast<size_t>(count) * SECTOR_SIZE);
        return {};
    }
    ErrorOr flush() override { return {}; }
    u64 writes() const { return m_writes; }

private:
    std::vector<u8>& m_bytes;
    u64 m_allowed;
    u64 m_writes = 0;
};

void workload(ext4::Ext4Filesystem& fs) {
    u32 root = fs.root_ino();
    auto dir = fs.mkdir(root, "crash_dir", 0755, 0, 0);
    ASSERT_FALSE(dir.is_error());
    for (int i = 0; i < 20; i++) {
        std::string name = "f" + std::to_string(i);
        auto file = fs.create(dir.value(), {name.data(), name.size()}, 0644, 0, 0);
        ASSERT_FALSE(file.is_error());
        std::string data = pattern(5000 + i, i);
        (void)fs.write(file.value(), 0, {reinterpret_cast<const u8*>(data.data()), data.size()});
    }
    (void)fs.unlink(root, "small.txt");
    (void)fs.rename(root, "dir", dir.value(), "dir_moved", 0);
}

TEST(Journal, CrashAtEveryWriteOfACommitRecovers) {
    TempDir dir;
    std::string source = dir / "src", image = dir / "fs.img";
    run("mkdir -p '" + source + "'");
    TreeOptions options;
    options.devices = false;
    build_tree(source, options);
    make_image(image, "ext4", "16M", source);
    std::string pristine_bytes = read_file(image);
    std::vector<u8> pristine(pristine_bytes.begin(), pristine_bytes.end());
    // How many writes does the whole workload and its commit take?
    u64 total;
    {
        std::vector<u8> bytes = pristine;
        CrashDevice device(bytes, ~0ull);
        auto fs = mount(device);
        ASSERT_FALSE(fs.is_error());
        workload(*fs.value());
        ASSERT_FALSE(fs.value()->unmount().is_error());
        total = device.writes();
    }
    ASSERT_GT(total, 10u);
    host_klog_set_echo(false);
    int checked = 0;
    for (u64 allowed = 0; allowed <= total; allowed += std::max<u64>(1, total / 25)) {
        std::vector<u8> bytes = pristine;
        {
            CrashDevice device(bytes, allowed);
            auto fs = mount(device);
            ASSERT_FALSE(fs.is_error());
            workload(*fs.value());
            (void)fs.value()->unmount();
        }
        // Recover with our own mount, then let e2fsck judge.
        host_klog_clear();
        {
            MemoryBlockDevice device(bytes);
            auto fs = mount(device);
            ASSERT_FALSE(fs.is_error()) << "after " << allowed << " writes: " << host_klog_text();
            ASSERT_FALSE(fs.value()->unmount().is_error());
            bytes = device.bytes();
        }
        std::string crashed = dir / "crashed.img";
        write_file(crashed, std::string(bytes.begin(), bytes.end()));
        CommandResult result = fsck(crashed);
        EXPECT_EQ(result.status, 0) << "crash after " << allowed << " of " << total << " writes\n" << result.output;
        checked++;
    }
    host_klog_set_echo(true);
    EXPECT_GT(checked, 15);
}

TEST(Journal, E2fsckReplaysOurTransactions) {
    TempDir dir;
    std::string image = dir / "fs.img";
    make_image(image, "ext4", "16M");
    std::string pristine_bytes = read_file(image);
    std::vector<u8> bytes(pristine_bytes.begin(), pristine_bytes.end());
    // Stop right after the commit block: the journal holds a full transaction.
    u64 total;
    {
        std::vector<u8> probe = bytes;
        CrashDevice device(probe, ~0ull);
        auto fs = mount(device);
        ASSERT_FALSE(fs.is_error());
        workload(*fs.value());
        ASSERT_FALSE(fs.value()->sync().is_error());
        total = device.writes();
    }
    // Writes at the end of a commit: checkpoint blocks, then 3 superblock updates.
    // Find the largest prefix that leaves needs_recovery set with a committed journal.
    bool found = false;
    for (u64 allowed = total; allowed > 0 && !found; allowed--) {
        std::vector<u8> crashed = bytes;
        {
            CrashDevice device(crashed, allowed);
            auto fs = mount(device);
            ASSERT_FALSE(fs.is_error());
            workload(*fs.value());
            (void)fs.value()->sync();
        }
        std::string path = dir / "crashed.img";
        write_file(path, std::string(crashed.begin(), crashed.end()));
        if (debugfs(path, "logdump").find("Found expected sequence") == std::string::npos) continue;
        if (debugfs(path, "features").find("needs_recovery") == std::string::npos) continue;
        found = true;
        CommandResult repaired = run("e2fsck -fy '" + path + "'");
        EXPECT_LE(repaired.status, 1) << repaired.output;
        CommandResult clean = fsck(path);
        EXPECT_EQ(clean.status, 0) << clean.output;
        EXPECT_NE(debugfs(path, "ls -l /crash_dir").find("f19"), std::string::npos);
    }
    EXPECT_TRUE(found);
}

}  // namespace
