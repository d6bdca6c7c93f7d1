// Host tests for ext4: corrupted images (deterministic random bit flips in metadata
// blocks) must produce errors, never crashes (ASan/UBSan are on), hangs or reads outside
// the image — through mount, a walk of the whole tree, and writes.
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "host_shims.h"
#include "tree.h"

using namespace ext4_test;

namespace {

struct Walker {
    ext4::Ext4Filesystem& fs;
    int visited = 0;
    std::vector<u8> buffer = std::vector<u8>(256 * 1024);

    void walk(u32 dir, int depth) {
        if (depth > 6 || visited > 3000) return;
        std::vector<Listed> entries = list_dir(fs, dir);
        for (const Listed& entry : entries) {
            if (++visited > 3000) return;
            if (entry.name == "." || entry.name == "..") continue;
            auto ino = fs.lookup(dir, {entry.name.data(), entry.name.size()});
            if (ino.is_error()) continue;
            auto st = fs.stat(ino.value());
            if (st.is_error()) continue;
            char names[4096];
            auto listed = fs.listxattr(ino.value(), {names, sizeof(names)});
            if (!listed.is_error()) {
                for (size_t i = 0; i < listed.value();) {
                    std::string name(names + i, strnlen(names + i, listed.value() - i));
                    i += name.size() + 1;
                    (void)fs.getxattr(ino.value(), {name.data(), name.size()}, {buffer.data(), 4096});
                }
            }
            u32 type = st.value().mode & 0xF000;
            if (type == 0x8000) {
                (void)fs.read(ino.value(), 0, {buffer.data(), buffer.size()});
                (void)fs.read(ino.value(), st.value().size / 2, {buffer.data(), 4096});
            } else if (type == 0xA000) {
                (void)fs.readlink(ino.value(), {reinterpret_cast<char*>(buffer.data()), 4096});
            } else if (type == 0x4000) {
                walk(ino.value(), depth + 1);
            }
        }
    }

    void mutate(u32 seed) {
        u32 root = fs.root_ino();
        std::string data(9000, static_cast<char>(seed));
        auto file = fs.create(root, "fuzz_new", 0644, 0, 0);
        if (!file.is_error()) (void)fs.write(file.value(), 100, {reinterpret_cast<const u8*>(data.data()), data.size()});
        auto dir = fs.mkdir(root, "fuzz_dir", 0755, 0, 0);
        if (!dir.is_error()) (void)fs.rename(root, "fuzz_new", dir.value(), "moved", 0);
        (void)fs.unlink(root, "small.txt");
        (void)fs.rmdir(root, "empty_dir");
        auto dir_ino = fs.lookup(root, "dir");
        if (!dir_ino.is_error()) {
            (void)fs.setxattr(dir_ino.value(), "user.fuzz", {reinterpret_cast<const u8*>(data.data()), 700}, 0);
            (void)fs.create(dir_ino.value(), "another", 0644, 0, 0);
        }
        auto many = fs.lookup(root, "many");
        if (!many.is_error())
            for (int i = 0; i < 40; i++) {
                std::string name = "more_" + std::to_string(i);
                (void)fs.create(many.value(), {name.data(), name.size()}, 0644, 0, 0);
            }
        (void)fs.truncate(root, 0);
        auto large = fs.lookup(root, "odd_size");
        if (!large.is_error()) (void)fs.truncate(large.value(), 100);
        (void)fs.sync();
    }
};

void fuzz(const std::string& type, const std::string& extra, int iterations, unsigned seed_base) {
    TempDir dir;
    std::string source = dir / "src", image = dir / "fs.img";
    run("mkdir -p '" + source + "/many'");
    TreeOptions options;
    options.devices = false;
    build_tree(source, options);
    write_file(source + "/dir/sub/large", "short now");
    for (int i = 0; i < 300; i++) write_file(source + "/many/f" + std::to_string(i), "");
    make_image(image, type, "4M", source, extra);
    std::vector<u8> pristine;
    {
        std::string bytes = read_file(image);
        pristine.assign(bytes.begin(), bytes.end());
    }
    // Candidate blocks: the non-zero ones (nearly all metadata in this small image).
    u32 block_size = 1024;
    {
        MemoryBlockDevice device(pristine);
        auto fs = mount(device, ext4::MOUNT_READ_ONLY);
        ASSERT_FALSE(fs.is_error());
        block_size = fs.value()->block_size();
    }
    std::vector<u32> candidates;
    for (u32 block = 0; block < pristine.size() / block_size; block++) {
        const u8* data = pristine.data() + static_cast<size_t>(block) * block_size;
        if (std::any_of(data, data + block_size, [](u8 b) { return b != 0; })) candidates.push_back(block);
    }
    ASSERT_GT(candidates.size(), 10u);
    host_klog_set_echo(false);
    auto start = std::chrono::steady_clock::now();
    int mounted = 0;
    for (int iteration = 0; iteration < iterations; iteration++) {
        std::mt19937 random(seed_base + static_cast<unsigned>(iteration));
        std::vector<u8> bytes = pristine;
        int flips = 1 + static_cast<int>(random() % 8);
        for (int i = 0; i < flips; i++) {
            u32 block = candidates[random() % candidates.size()];
            // Half the flips land in the first 256 bytes of a block, where headers live.
            u32 offset = random() % 2 ? random() % 256 : random() % block_size;
            bytes[static_cast<size_t>(block) * block_size + offset] ^= static_cast<u8>(1u << (random() % 8));
        }
        MemoryBlockDevice device(std::move(bytes));
        auto fs = mount(device);
        if (!fs.is_error()) {
            mounted++;
            Walker walker{*fs.value()};
            walker.walk(fs.value()->root_ino(), 0);
            if (!fs.value()->read_only()) walker.mutate(static_cast<u32>(iteration));
            Walker again{*fs.value()};
            again.walk(fs.value()->root_ino(), 0);
            (void)fs.value()->unmount();
        }
        ASSERT_EQ(device.out_of_range(), 0u) << "iteration " << iteration;
        auto elapsed = std::chrono::steady_clock::now() - start;
        ASSERT_LT(elapsed, std::chrono::seconds(40)) << "iteration " << iteration << " is too slow (a hang?)";
    }
    host_klog_set_echo(true);
    // Most corruptions still mount (the superblock is one block of many).
    EXPECT_GT(mounted, iterations / 4);
    std::printf("%s: %d iterations, %d mounted, %zu candidate blocks\n", type.c_str(), iterations, mounted,
                candidates.size());
}

TEST(Fuzz, Ext4MetadataCsum) { fuzz("ext4", "", 350, 1000); }
TEST(Fuzz, Ext4WithoutChecksums) { fuzz("ext4", "-O ^metadata_csum -b 1024", 350, 2000); }
TEST(Fuzz, Ext2) { fuzz("ext2", "-b 1024", 300, 3000); }

}  // namespace
