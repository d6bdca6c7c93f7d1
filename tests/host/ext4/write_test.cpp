// Host tests for ext4: every kind of write, then e2fsck -fn must find the file system
// clean and debugfs must see the changes. Run on ext4 (4 KiB and 1 KiB blocks, with and
// without metadata_csum), ext3 and ext2.
#include <gtest/gtest.h>
#include <linux/fs.h>
#include <sys/xattr.h>

#include <algorithm>

#include "host_shims.h"
#include "tree.h"

using namespace ext4_test;

namespace {

std::string as_string(Result<usize>&& n, const u8* data) {
    if (n.is_error()) return "<error " + std::to_string(n.error().code()) + ">";
    return std::string(reinterpret_cast<const char*>(data), n.value());
}

struct Variant {
    const char* name;
    const char* type;
    const char* extra;
    bool extents;
};

class WriteTest : public ::testing::TestWithParam<Variant> {
protected:
    void SetUp() override {
        source = dir / "src";
        image = dir / "fs.img";
        run("mkdir -p '" + source + "'");
        TreeOptions options;
        build_tree(source, options);
        make_image(image, GetParam().type, "64M", source, GetParam().extra);
        remount();
    }
    void remount() {
        fs = OwnPtr<ext4::Ext4Filesystem>();
        device = std::make_unique<FileBlockDevice>(image);
        auto mounted = mount(*device);
        ASSERT_FALSE(mounted.is_error()) << mounted.error().code();
        fs = mounted.release_value();
    }
    // Unmounts and checks the image with e2fsck.
    void check_clean() {
        ASSERT_FALSE(fs->unmount().is_error());
        fs = OwnPtr<ext4::Ext4Filesystem>();
        EXPECT_EQ(device->out_of_range(), 0u);
        device.reset();
        CommandResult result = fsck(image);
        EXPECT_EQ(result.status, 0) << result.output;
    }
    u32 root() { return fs->root_ino(); }
    u32 must(Result<u32>&& r) {
        EXPECT_FALSE(r.is_error()) << (r.is_error() ? r.error().code() : 0);
        return r.is_error() ? 0 : r.value();
    }
    void ok(ErrorOr&& r) { EXPECT_FALSE(r.is_error()) << (r.is_error() ? r.error().code() : 0); }
    int error_of(ErrorOr&& r) { return r.is_error() ? r.error().code() : 0; }
    usize write(u32 ino, u64 offset, const std::string& data) {
        auto n = fs->write(ino, offset, {reinterpret_cast<const u8*>(data.data()), data.size()});
        EXPECT_FALSE(n.is_error()) << (n.is_error() ? n.error().code() : 0);
        return n.is_error() ? 0 : n.value();
    }
    std::string dump(const std::string& path) {
        std::string out = dir / "dump.out";
        run("rm -f '" + out + "'");
        debugfs(image, "dump " + path + " " + out);
        return read_file(out);
    }

    TempDir dir;
    std::string source, image;
    std::unique_ptr<FileBlockDevice> device;
    OwnPtr<ext4::Ext4Filesystem> fs;
};

TEST_P(WriteTest, CreateWriteOverwriteAppend) {
    u32 file = must(fs->create(root(), "new_file", 0640, 1234, 5678));
    std::string expected = pattern(10000, 11);
    EXPECT_EQ(write(file, 0, expected), expected.size());
    std::string middle = pattern(5000, 12);
    write(file, 3000, middle);
    expected.replace(3000, middle.size(), middle);
    std::string tail = pattern(70000, 13);
    write(file, expected.size(), tail);
    expected += tail;
    EXPECT_EQ(read_all(*fs, file), expected);
    auto st = fs->stat(file);
    ASSERT_FALSE(st.is_error());
    EXPECT_EQ(st.value().size, expected.size());
    EXPECT_EQ(st.value().uid, 1234u);
    EXPECT_EQ(st.value().gid, 5678u);
    EXPECT_EQ(st.value().mode, 0100640u);
    // Overwrite inside the files mke2fs made.
    u32 existing = must(resolve(*fs, "dir/sub/large"));
    std::string large = read_file(source + "/dir/sub/large");
    std::string patch = pattern(9000, 14);
    write(existing, 1000000, patch);
    large.replace(1000000, patch.size(), patch);
    auto again = fs->create(root(), "new_file", 0644, 0, 0);
    ASSERT_TRUE(again.is_error());
    EXPECT_EQ(again.error().code(), EEXIST);
    check_clean();
    EXPECT_EQ(dump("/new_file"), expected);
    EXPECT_EQ(dump("/dir/sub/large"), large);
    EXPECT_NE(debugfs(image, "stat /new_file").find("User:  1234"), std::string::npos);
}

TEST_P(WriteTest, TruncateShrinkGrowAndSparseWrites) {
    u32 large = must(resolve(*fs, "dir/sub/large"));
    std::string data = read_file(source + "/dir/sub/large");
    ok(fs->truncate(large, 123457));
    data.resize(123457);
    ok(fs->truncate(large, 300000));  // grows with a hole; the old tail must read as zeros
    data.resize(300000, '\0');
    EXPECT_EQ(read_all(*fs, large), data);
    u32 sparse = must(fs->create(root(), "sparse_new", 0644, 0, 0));
    std::string piece = pattern(777, 15);
    write(sparse, 50 * 4096 + 5, piece);
    write(sparse, 7 * 1024 * 1024, piece);
    std::string expected(7 * 1024 * 1024 + piece.size(), '\0');
    expected.replace(50 * 4096 + 5, piece.size(), piece);
    expected.replace(7 * 1024 * 1024, piece.size(), piece);
    EXPECT_EQ(read_all(*fs, sparse), expected);
    auto st = fs->stat(sparse);
    EXPECT_LT(st.value().blocks, 64u);  // the holes are not allocated
    u32 medium = must(resolve(*fs, "dir/medium"));
    ok(fs->truncate(medium, 0));
    EXPECT_EQ(read_all(*fs, medium), "");
    check_clean();
    EXPECT_EQ(dump("/dir/sub/large"), data);
    EXPECT_EQ(dump("/sparse_new"), expected);
    EXPECT_EQ(dump("/dir/medium"), "");
}

TEST_P(WriteTest, DirectoriesLinksAndUnlink) {
    u32 a = must(fs->mkdir(root(), "a", 0755, 0, 0));
    u32 b = must(fs->mkdir(a, "b", 0700, 0, 0));
    u32 f = must(fs->create(b, "f", 0644, 0, 0));
    write(f, 0, "content");
    ok(fs->link(f, a, "f_link"));
    EXPECT_EQ(fs->stat(f).value().nlink, 2u);
    EXPECT_EQ(fs->stat(a).value().nlink, 3u);
    EXPECT_EQ(error_of(fs->rmdir(root(), "a")), ENOTEMPTY);
    EXPECT_EQ(error_of(fs->unlink(root(), "a")), EISDIR);
    EXPECT_EQ(error_of(fs->link(a, root(), "dir_link")), EPERM);
    ok(fs->unlink(b, "f"));
    EXPECT_EQ(fs->stat(f).value().nlink, 1u);
    ok(fs->rmdir(a, "b"));
    EXPECT_EQ(fs->stat(a).value().nlink, 2u);
    EXPECT_EQ(error_of(fs->lookup(a, "b").is_error() ? ErrorOr(fs->lookup(a, "b").error()) : ErrorOr()), ENOENT);
    // Removing files mke2fs made, with xattr blocks and hard links.
    ok(fs->unlink(root(), "one_block"));
    ok(fs->unlink(root(), "odd_size"));
    ok(fs->unlink(must(resolve(*fs, "dir")), "hard_link"));
    ok(fs->unlink(root(), "slow_link"));
    ok(fs->unlink(root(), "sparse"));
    u32 deeper_parent = must(resolve(*fs, "dir/sub"));
    ok(fs->unlink(must(resolve(*fs, "dir/sub/deeper")), "leaf"));
    ok(fs->rmdir(deeper_parent, "deeper"));
    check_clean();
    std::string listing = debugfs(image, "ls -l /a");
    EXPECT_NE(listing.find("f_link"), std::string::npos) << listing;
    EXPECT_EQ(dump("/a/f_link"), "content");
    EXPECT_NE(debugfs(image, "stat /dir/sub/hard_link2").find("Links: 1"), std::string::npos);
}

TEST_P(WriteTest, RenameInEveryForm) {
    u32 dir1 = must(fs->mkdir(root(), "d1", 0755, 0, 0));
    u32 dir2 = must(fs->mkdir(root(), "d2", 0755, 0, 0));
    u32 x = must(fs->create(dir1, "x", 0644, 0, 0));
    write(x, 0, "x data");
    u32 y = must(fs->create(dir1, "y", 0644, 0, 0));
    write(y, 0, "y data");
    // Same directory, new name.
    ok(fs->rename(dir1, "x", dir1, "x2", 0));
    EXPECT_EQ(must(fs->lookup(dir1, "x2")), x);
    // Across directories.
    ok(fs->rename(dir1, "x2", dir2, "x3", 0));
    EXPECT_EQ(must(fs->lookup(dir2, "x3")), x);
    // Replacing a file (y's inode is freed).
    ok(fs->rename(dir2, "x3", dir1, "y", 0));
    EXPECT_EQ(must(fs->lookup(dir1, "y")), x);
    // NOREPLACE.
    u32 z = must(fs->create(dir2, "z", 0644, 0, 0));
    EXPECT_EQ(error_of(fs->rename(dir1, "y", dir2, "z", RENAME_NOREPLACE)), EEXIST);
    // A directory moved to another parent: '..' and link counts follow.
    u32 sub = must(fs->mkdir(dir1, "sub", 0755, 0, 0));
    must(fs->create(sub, "inside", 0644, 0, 0));
    ok(fs->rename(dir1, "sub", dir2, "sub_moved", 0));
    EXPECT_EQ(must(fs->lookup(sub, "..")), dir2);
    EXPECT_EQ(fs->stat(dir1).value().nlink, 2u);
    EXPECT_EQ(fs->stat(dir2).value().nlink, 3u);
    // Into its own subtree: refused.
    EXPECT_EQ(error_of(fs->rename(root(), "d2", sub, "loop", 0)), EINVAL);
    // A directory replacing an empty directory, and refusing a non-empty one.
    u32 empty = must(fs->mkdir(dir1, "empty", 0755, 0, 0));
    (void)empty;
    EXPECT_EQ(error_of(fs->rename(dir1, "empty", dir2, "sub_moved", 0)), ENOTEMPTY);
    u32 replacement = must(fs->mkdir(dir2, "replacement", 0755, 0, 0));
    ok(fs->rename(dir2, "replacement", dir1, "empty", 0));
    EXPECT_EQ(must(fs->lookup(dir1, "empty")), replacement);
    EXPECT_EQ(must(fs->lookup(replacement, "..")), dir1);
    EXPECT_EQ(error_of(fs->rename(dir1, "y", dir1, "empty", 0)), EISDIR);
    EXPECT_EQ(error_of(fs->rename(dir1, "empty", dir2, "z", 0)), ENOTDIR);
    // EXCHANGE a file and a directory across parents.
    ok(fs->rename(dir2, "z", dir1, "empty", RENAME_EXCHANGE));
    EXPECT_EQ(must(fs->lookup(dir1, "empty")), z);
    EXPECT_EQ(must(fs->lookup(dir2, "z")), replacement);
    EXPECT_EQ(must(fs->lookup(replacement, "..")), dir2);
    EXPECT_EQ(error_of(fs->rename(dir1, "nothing", dir2, "z", RENAME_EXCHANGE)), ENOENT);
    // Renaming onto another link of the same inode does nothing.
    ok(fs->link(x, dir2, "x_alias"));
    ok(fs->rename(dir1, "y", dir2, "x_alias", 0));
    // Renaming files mke2fs made.
    ok(fs->rename(root(), "small.txt", dir2, "small_moved", 0));
    ok(fs->rename(root(), "dir", dir1, "dir_moved", 0));
    check_clean();
    EXPECT_EQ(dump("/d1/y"), "x data");
    EXPECT_EQ(dump("/d2/small_moved"), "hello, ext4\n");
    std::string listing = debugfs(image, "ls -l /d2");
    EXPECT_NE(listing.find("sub_moved"), std::string::npos) << listing;
}

TEST_P(WriteTest, SymlinksAndDeviceNodes) {
    u32 fast = must(fs->symlink(root(), "fast_new", "target/path", 0, 0));
    std::string long_target(300, 'L');
    u32 slow = must(fs->symlink(root(), "slow_new", {long_target.data(), long_target.size()}, 0, 0));
    char buffer[4096];
    auto n = fs->readlink(fast, {buffer, sizeof(buffer)});
    EXPECT_EQ(std::string(buffer, n.value()), "target/path");
    auto n2 = fs->readlink(slow, {buffer, sizeof(buffer)});
    EXPECT_EQ(std::string(buffer, n2.value()), long_target);
    u32 chr = must(fs->mknod(root(), "chr", 020644, {4, 64}, 0, 0));
    u32 blk = must(fs->mknod(root(), "blk", 060600, {259, 300000}, 0, 0));
    must(fs->mknod(root(), "pipe", 010600, {}, 0, 0));
    must(fs->mknod(root(), "sock", 0140600, {}, 0, 0));
    EXPECT_EQ(fs->stat(chr).value().rdev.major, 4u);
    EXPECT_EQ(fs->stat(blk).value().rdev.minor, 300000u);
    check_clean();
    EXPECT_NE(debugfs(image, "stat /fast_new").find("Fast link dest: \"target/path\""), std::string::npos);
    EXPECT_EQ(dump("/slow_new"), long_target);
    EXPECT_NE(debugfs(image, "stat /blk").find("Device major/minor number: 259:300000"), std::string::npos)
        << debugfs(image, "stat /blk");
}

TEST_P(WriteTest, ExtendedAttributes) {
    u32 file = must(fs->create(root(), "attrs", 0644, 0, 0));
    std::string small = "v1", big(900, 'B');
    ok(fs->setxattr(file, "user.small", {reinterpret_cast<const u8*>(small.data()), small.size()}, 0));
    ok(fs->setxattr(file, "user.big", {reinterpret_cast<const u8*>(big.data()), big.size()}, 0));
    ok(fs->setxattr(file, "trusted.t", {reinterpret_cast<const u8*>("t"), 1}, 0));
    ok(fs->setxattr(file, "security.selinux", {reinterpret_cast<const u8*>("ctx"), 3}, 0));
    EXPECT_EQ(error_of(fs->setxattr(file, "user.small", {reinterpret_cast<const u8*>("x"), 1}, XATTR_CREATE)), EEXIST);
    EXPECT_EQ(error_of(fs->setxattr(file, "user.none", {reinterpret_cast<const u8*>("x"), 1}, XATTR_REPLACE)), ENODATA);
    ok(fs->setxattr(file, "user.small", {reinterpret_cast<const u8*>("v2"), 2}, XATTR_REPLACE));
    // A POSIX ACL in the xattr format user space passes (version 2, 8-byte entries).
    const u8 acl[] = {2, 0, 0, 0, 1, 0, 6, 0, 0xFF, 0xFF, 0xFF, 0xFF, 2, 0, 4, 0, 0xE8, 3, 0, 0,
                      4, 0, 4, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x10, 0, 4, 0, 0xFF, 0xFF, 0xFF, 0xFF,
                      0x20, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF};
    ok(fs->setxattr(file, "system.posix_acl_access", {acl, sizeof(acl)}, 0));
    u8 value[2048];
    EXPECT_EQ(as_string(fs->getxattr(file, "user.small", {value, sizeof(value)}), value), "v2");
    EXPECT_EQ(as_string(fs->getxattr(file, "user.big", {value, sizeof(value)}), value), big);
    EXPECT_EQ(as_string(fs->getxattr(file, "system.posix_acl_access", {value, sizeof(value)}), value),
              std::string(reinterpret_cast<const char*>(acl), sizeof(acl)));
    EXPECT_EQ(fs->getxattr(file, "user.big", {value, 10}).error().code(), ERANGE);
    EXPECT_EQ(fs->getxattr(file, "user.big", {}).value(), big.size());
    char names[1024];
    auto listed = fs->listxattr(file, {names, sizeof(names)});
    ASSERT_FALSE(listed.is_error());
    std::string all(names, listed.value());
    for (const char* name : {"user.small", "user.big", "trusted.t", "security.selinux", "system.posix_acl_access"})
        EXPECT_NE(all.find(std::string(name) + '\0'), std::string::npos) << name;
    // Changing files mke2fs made: removing, replacing, moving into the block.
    u32 one_block = must(resolve(*fs, "one_block"));
    ok(fs->removexattr(one_block, "user.big"));
    EXPECT_EQ(fs->getxattr(one_block, "user.big", {value, sizeof(value)}).error().code(), ENODATA);
    u32 small_txt = must(resolve(*fs, "small.txt"));
    ok(fs->setxattr(small_txt, "user.grown", {reinterpret_cast<const u8*>(big.data()), 500}, 0));
    check_clean();
    std::string listing = debugfs(image, "ea_list /attrs");
    EXPECT_NE(listing.find("user.small"), std::string::npos) << listing;
    EXPECT_NE(listing.find("trusted.t"), std::string::npos) << listing;
    EXPECT_EQ(debugfs(image, "ea_list /one_block").find("user.big"), std::string::npos);
    EXPECT_NE(debugfs(image, "ea_list /small.txt").find("user.grown"), std::string::npos);
}

TEST_P(WriteTest, ManyFilesGrowAnHtree) {
    u32 many = must(fs->mkdir(root(), "many", 0755, 0, 0));
    constexpr int COUNT = 3000;
    for (int i = 0; i < COUNT; i++) {
        std::string name = "entry_with_a_longer_name_" + std::to_string(i);
        u32 ino = must(fs->create(many, {name.data(), name.size()}, 0644, 0, 0));
        if (i % 500 == 0) write(ino, 0, name);
    }
    for (int i = 0; i < COUNT; i += 3) {
        std::string name = "entry_with_a_longer_name_" + std::to_string(i);
        ok(fs->unlink(many, {name.data(), name.size()}));
    }
    for (int i = 0; i < COUNT; i++) {
        std::string name = "entry_with_a_longer_name_" + std::to_string(i);
        auto found = fs->lookup(many, {name.data(), name.size()});
        EXPECT_EQ(found.is_error(), i % 3 == 0) << name;
    }
    EXPECT_EQ(list_dir(*fs, many).size(), static_cast<size_t>(COUNT - (COUNT + 2) / 3 + 2));
    check_clean();
    std::string stat = debugfs(image, "stat /many");
    EXPECT_NE(stat.find("Flags: 0x"), std::string::npos);
    EXPECT_NE(debugfs(image, "ls /many").find("entry_with_a_longer_name_2999"), std::string::npos);
}

TEST_P(WriteTest, FragmentedFilesGrowTheExtentTree) {
    u32 a = must(fs->create(root(), "frag_a", 0644, 0, 0));
    u32 b = must(fs->create(root(), "frag_b", 0644, 0, 0));
    u32 block = fs->block_size();
    std::string expected_a, expected_b;
    for (int i = 0; i < 1500; i++) {
        std::string chunk_a = pattern(block, 100 + i), chunk_b = pattern(block, 5000 + i);
        write(a, expected_a.size(), chunk_a);
        write(b, expected_b.size(), chunk_b);
        expected_a += chunk_a;
        expected_b += chunk_b;
    }
    EXPECT_EQ(read_all(*fs, a), expected_a);
    ok(fs->truncate(b, expected_b.size() / 3 + 5));
    expected_b.resize(expected_b.size() / 3 + 5);
    EXPECT_EQ(read_all(*fs, b), expected_b);
    check_clean();
    EXPECT_EQ(dump("/frag_a"), expected_a);
    EXPECT_EQ(dump("/frag_b"), expected_b);
    if (GetParam().extents) {
        std::string stat = debugfs(image, "stat /frag_a");
        EXPECT_TRUE(stat.find("(1):") != std::string::npos || stat.find("ETB") != std::string::npos) << stat;
    }
}

TEST_P(WriteTest, SetattrNanosecondTimestamps) {
    u32 file = must(resolve(*fs, "small.txt"));
    ext4::SetAttr attr;
    attr.mask = ext4::SETATTR_MODE | ext4::SETATTR_UID | ext4::SETATTR_GID | ext4::SETATTR_ATIME | ext4::SETATTR_MTIME |
                ext4::SETATTR_CTIME;
    attr.mode = 0751;
    attr.uid = 100000;
    attr.gid = 200000;
    attr.atime = {1600000000, 111111111};
    attr.mtime = {1500000000, 222222222};
    attr.ctime = {4000000000ll, 333333333};  // past 2038: uses the epoch bits
    ok(fs->setattr(file, attr));
    auto st = fs->stat(file).value();
    EXPECT_EQ(st.mode, 0100751u);
    EXPECT_EQ(st.uid, 100000u);
    EXPECT_EQ(st.mtime.sec, 1500000000);
    EXPECT_EQ(st.mtime.nsec, 222222222u);
    EXPECT_EQ(st.ctime.sec, 4000000000ll);
    EXPECT_EQ(st.ctime.nsec, 333333333u);
    check_clean();
    std::string stat = debugfs(image, "stat /small.txt");
    if (GetParam().extents) {
        EXPECT_NE(stat.find("mtime: 0x59682f00:34fb5e38"), std::string::npos) << stat;  // 222222222 ns
    }
    EXPECT_NE(stat.find("User: 100000"), std::string::npos) << stat;
}

TEST_P(WriteTest, OpenUnlinkedFilesLiveOnTheOrphanList) {
    u32 file = must(fs->create(root(), "open_file", 0644, 0, 0));
    std::string data = pattern(50000, 21);
    write(file, 0, data);
    ok(fs->pin_inode(file));
    ok(fs->unlink(root(), "open_file"));
    EXPECT_EQ(fs->lookup(root(), "open_file").is_error(), true);
    EXPECT_EQ(read_all(*fs, file), data);  // still readable and writable while pinned
    write(file, data.size(), "more");
    EXPECT_EQ(fs->superblock().s_last_orphan, file);
    // A crash now: the next mount frees the orphan.
    ok(fs->sync());
    remount();
    EXPECT_EQ(fs->superblock().s_last_orphan, 0u);
    EXPECT_TRUE(fs->stat(file).is_error());
    // The normal path: the last unpin frees it.
    u32 second = must(fs->create(root(), "second", 0644, 0, 0));
    write(second, 0, data);
    ok(fs->pin_inode(second));
    ok(fs->pin_inode(second));
    ok(fs->unlink(root(), "second"));
    ok(fs->unpin_inode(second));
    EXPECT_EQ(read_all(*fs, second), data);
    ok(fs->unpin_inode(second));
    EXPECT_TRUE(fs->stat(second).is_error());
    EXPECT_EQ(fs->superblock().s_last_orphan, 0u);
    check_clean();
}

TEST_P(WriteTest, Fallocate) {
    u32 file = must(fs->create(root(), "prealloc", 0644, 0, 0));
    auto result = fs->fallocate(file, 0, 0, 1 << 20);
    if (!GetParam().extents) {
        ASSERT_TRUE(result.is_error());
        EXPECT_EQ(result.error().code(), EOPNOTSUPP);
        check_clean();
        return;
    }
    ok(std::move(result));
    EXPECT_EQ(fs->stat(file).value().size, 1u << 20);
    EXPECT_GE(fs->stat(file).value().blocks, (1u << 20) / 512);
    EXPECT_EQ(read_all(*fs, file), std::string(1 << 20, '\0'));
    std::string piece = pattern(10000, 22);
    write(file, 300000, piece);  // splits the unwritten extent
    std::string expected(1 << 20, '\0');
    expected.replace(300000, piece.size(), piece);
    ok(fs->fallocate(file, 1 /* FALLOC_FL_KEEP_SIZE */, 1 << 20, 1 << 20));
    EXPECT_EQ(fs->stat(file).value().size, 1u << 20);
    EXPECT_EQ(read_all(*fs, file), expected);
    check_clean();
    EXPECT_EQ(dump("/prealloc"), expected);
}

INSTANTIATE_TEST_SUITE_P(Images, WriteTest,
                         ::testing::Values(Variant{"ext4", "ext4", "", true}, Variant{"ext4_1k", "ext4", "-b 1024", true},
                                           Variant{"ext4_uninit_bg", "ext4", "-O ^metadata_csum,uninit_bg", true},
                                           Variant{"ext3", "ext3", "", false}, Variant{"ext2", "ext2", "", false}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
