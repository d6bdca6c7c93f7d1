// Host tests for ext4: images made by mke2fs -d read back byte for byte, for ext4 (with
// and without metadata_csum, 1 KiB and 4 KiB blocks), ext3 and ext2.
#include <gtest/gtest.h>

#include "host_shims.h"
#include "tree.h"

using namespace ext4_test;

namespace {

struct Variant {
    const char* name;
    const char* type;
    const char* extra;
    const char* size;
    bool big;
};

class ReadTest : public ::testing::TestWithParam<Variant> {};

TEST_P(ReadTest, MatchesSourceTree) {
    const Variant& v = GetParam();
    TempDir dir;
    std::string source = dir / "src", image = dir / "fs.img";
    run("mkdir -p '" + source + "'");
    TreeOptions options;
    options.big_directory = v.big;
    options.huge_sparse = v.big;
    build_tree(source, options);
    make_image(image, v.type, v.size, source, v.extra);
    FileBlockDevice device(image, true);
    ASSERT_TRUE(device.ok());
    auto fs = mount(device, ext4::MOUNT_READ_ONLY);
    ASSERT_FALSE(fs.is_error()) << fs.error().code();
    compare_tree(*fs.value(), fs.value()->root_ino(), source);
    EXPECT_EQ(device.out_of_range(), 0u);
    auto statfs = fs.value()->statfs();
    ASSERT_FALSE(statfs.is_error());
    EXPECT_GT(statfs.value().free_blocks, 0u);
    EXPECT_EQ(fs.value()->unmount().is_error(), false);
}

INSTANTIATE_TEST_SUITE_P(Images, ReadTest,
                         ::testing::Values(Variant{"ext4", "ext4", "-N 16384", "192M", true},
                                           Variant{"ext4_1k", "ext4", "-b 1024", "64M", false},
                                           Variant{"ext4_uninit_bg", "ext4", "-O ^metadata_csum,uninit_bg", "64M", false},
                                           Variant{"ext3", "ext3", "", "64M", false},
                                           Variant{"ext2", "ext2", "", "64M", false},
                                           Variant{"ext2_1k", "ext2", "-b 1024 -O ^filetype", "64M", false}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Mount, RefusesUnsupportedIncompatibleFeature) {
    TempDir dir;
    std::string image = dir / "fs.img";
    make_image(image, "ext4", "16M", "", "-O inline_data");
    FileBlockDevice device(image);
    host_klog_clear();
    auto fs = mount(device);
    ASSERT_TRUE(fs.is_error());
    EXPECT_EQ(fs.error().code(), EINVAL);
    EXPECT_NE(host_klog_text().find("inline_data"), std::string::npos) << host_klog_text();
}

TEST(Mount, UnsupportedReadOnlyFeatureMountsReadOnly) {
    TempDir dir;
    std::string image = dir / "fs.img";
    make_image(image, "ext4", "16M", "", "-O quota");
    FileBlockDevice device(image);
    auto fs = mount(device);
    ASSERT_FALSE(fs.is_error());
    EXPECT_TRUE(fs.value()->read_only());
    auto created = fs.value()->create(fs.value()->root_ino(), "x", 0644, 0, 0);
    ASSERT_TRUE(created.is_error());
    EXPECT_EQ(created.error().code(), EROFS);
}

TEST(Mount, RejectsGarbage) {
    MemoryBlockDevice device(std::vector<u8>(1 << 20, 0x5A));
    auto fs = mount(device);
    ASSERT_TRUE(fs.is_error());
    EXPECT_EQ(device.out_of_range(), 0u);
}

}  // namespace
