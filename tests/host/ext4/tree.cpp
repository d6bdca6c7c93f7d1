// Host tests for ext4: the standard source tree and the tree comparison (see tree.h).
#include "tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>

namespace ext4_test {

void build_tree(const std::string& root, const TreeOptions& options) {
    run("mkdir -p '" + root + "/dir/sub/deeper' '" + root + "/empty_dir'");
    write_file(root + "/empty", "");
    write_file(root + "/small.txt", "hello, ext4\n");
    write_file(root + "/one_block", pattern(4096, 1));
    write_file(root + "/odd_size", pattern(12345, 2));
    write_file(root + "/dir/medium", pattern(200 * 1024 + 17, 3));
    write_file(root + "/dir/sub/large", pattern(5 * 1024 * 1024 + 3, 4));
    write_file(root + "/dir/sub/deeper/leaf", "deep\n");
    // Sparse: data, a hole, data, and a hole at the end.
    int fd = ::open((root + "/sparse").c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    std::string a = pattern(5000, 5), b = pattern(3000, 6);
    pwrite(fd, a.data(), a.size(), 0);
    pwrite(fd, b.data(), b.size(), 3 * 1024 * 1024 + 100);
    ftruncate(fd, 8 * 1024 * 1024);
    ::close(fd);
    if (options.huge_sparse) {
        fd = ::open((root + "/huge_sparse").c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
        std::string c = pattern(10000, 7);
        pwrite(fd, c.data(), c.size(), 0);
        pwrite(fd, c.data(), c.size(), 512ll * 1024 * 1024 + 7);
        pwrite(fd, c.data(), c.size(), (1ll << 30) - static_cast<long long>(c.size()));
        ::close(fd);
    }
    symlink("small.txt", (root + "/fast_link").c_str());
    std::string long_target = "dir/sub/" + std::string(150, 'x') + "/" + std::string(100, 'y');
    symlink(long_target.c_str(), (root + "/slow_link").c_str());
    symlink("dir/sub/deeper", (root + "/dir_link").c_str());
    link((root + "/odd_size").c_str(), (root + "/dir/hard_link").c_str());
    link((root + "/odd_size").c_str(), (root + "/dir/sub/hard_link2").c_str());
    chmod((root + "/small.txt").c_str(), 0600);
    chmod((root + "/dir/medium").c_str(), 04755);
    chown((root + "/one_block").c_str(), 1000, 1001);
    chown((root + "/dir/sub").c_str(), 70000, 80000);
    if (options.devices) {
        mknod((root + "/null").c_str(), S_IFCHR | 0666, makedev(1, 3));
        mknod((root + "/disk").c_str(), S_IFBLK | 0660, makedev(8, 1));
        mknod((root + "/bigdev").c_str(), S_IFCHR | 0600, makedev(300, 70000));
        mkfifo((root + "/fifo").c_str(), 0644);
    }
    if (options.xattrs) {
        std::string big(600, 'v');
        setxattr((root + "/small.txt").c_str(), "user.comment", "a comment", 9, 0);
        setxattr((root + "/small.txt").c_str(), "user.empty", "", 0, 0);
        setxattr((root + "/one_block").c_str(), "user.big", big.data(), big.size(), 0);
        setxattr((root + "/one_block").c_str(), "user.second", "2", 1, 0);
        setxattr((root + "/dir").c_str(), "trusted.overlay", "yes", 3, 0);
        setxattr((root + "/dir").c_str(), "security.label", "system_u:object_r", 17, 0);
    }
    if (options.big_directory) {
        run("mkdir -p '" + root + "/big'");
        for (int i = 0; i < 10000; i++)
            write_file(root + "/big/file_" + std::to_string(i) + ".dat", std::to_string(i * 7919));
    }
}

namespace {

std::map<std::string, std::string> host_xattrs(const std::string& path) {
    std::map<std::string, std::string> result;
    char names[65536];
    ssize_t length = llistxattr(path.c_str(), names, sizeof(names));
    for (ssize_t i = 0; i < length;) {
        std::string name(names + i);
        i += static_cast<ssize_t>(name.size()) + 1;
        char value[65536];
        ssize_t n = lgetxattr(path.c_str(), name.c_str(), value, sizeof(value));
        if (n >= 0) result[name] = std::string(value, static_cast<size_t>(n));
    }
    return result;
}

std::map<std::string, std::string> fs_xattrs(ext4::Ext4Filesystem& fs, u32 ino) {
    std::map<std::string, std::string> result;
    char names[65536];
    auto length = fs.listxattr(ino, {names, sizeof(names)});
    if (length.is_error()) return result;
    for (size_t i = 0; i < length.value();) {
        std::string name(names + i);
        i += name.size() + 1;
        u8 value[65536];
        auto n = fs.getxattr(ino, {name.data(), name.size()}, {value, sizeof(value)});
        result[name] = n.is_error() ? "<error>" : std::string(reinterpret_cast<char*>(value), n.value());
    }
    return result;
}

void compare_file(ext4::Ext4Filesystem& fs, u32 ino, const std::string& path, u64 size) {
    int fd = ::open(path.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    constexpr size_t CHUNK = 1 << 20;
    std::string expected(CHUNK, '\0'), actual(CHUNK, '\0');
    for (u64 offset = 0; offset < size; offset += CHUNK) {
        ssize_t n = pread(fd, expected.data(), CHUNK, static_cast<off_t>(offset));
        auto got = fs.read(ino, offset, {reinterpret_cast<u8*>(actual.data()), CHUNK});
        ASSERT_FALSE(got.is_error()) << path << " at " << offset;
        ASSERT_EQ(static_cast<ssize_t>(got.value()), n) << path;
        ASSERT_TRUE(memcmp(expected.data(), actual.data(), static_cast<size_t>(n)) == 0) << path << " at " << offset;
    }
    // Reads at and past the end return nothing.
    auto end = fs.read(ino, size, {reinterpret_cast<u8*>(actual.data()), 16});
    ASSERT_FALSE(end.is_error());
    EXPECT_EQ(end.value(), 0u);
    ::close(fd);
}

}  // namespace

void compare_tree(ext4::Ext4Filesystem& fs, u32 ino, const std::string& path, bool root) {
    std::set<std::string> expected = {".", ".."};
    if (root) expected.insert("lost+found");
    DIR* dir = opendir(path.c_str());
    ASSERT_NE(dir, nullptr) << path;
    while (dirent* entry = readdir(dir)) expected.insert(entry->d_name);
    closedir(dir);
    std::set<std::string> actual;
    for (auto& entry : list_dir(fs, ino)) {
        EXPECT_TRUE(actual.insert(entry.name).second) << "duplicate " << entry.name << " in " << path;
    }
    EXPECT_EQ(actual, expected) << path;

    for (const std::string& name : expected) {
        if (name == "." || name == ".." || (root && name == "lost+found")) continue;
        std::string host_path = path + "/" + name;
        struct stat st;
        ASSERT_EQ(lstat(host_path.c_str(), &st), 0);
        auto child = fs.lookup(ino, {name.data(), name.size()});
        ASSERT_FALSE(child.is_error()) << host_path << ": " << child.error().code();
        auto fst = fs.stat(child.value());
        ASSERT_FALSE(fst.is_error()) << host_path;
        const ext4::InodeStat& s = fst.value();
        EXPECT_EQ(s.mode, st.st_mode) << host_path;
        EXPECT_EQ(s.uid, st.st_uid) << host_path;
        EXPECT_EQ(s.gid, st.st_gid) << host_path;
        EXPECT_EQ(s.nlink, st.st_nlink) << host_path;
        EXPECT_EQ(s.mtime.sec, st.st_mtim.tv_sec) << host_path;
        if (!S_ISDIR(st.st_mode)) { EXPECT_EQ(s.size, static_cast<u64>(st.st_size)) << host_path; }
        EXPECT_EQ(host_xattrs(host_path), fs_xattrs(fs, child.value())) << host_path;
        if (S_ISREG(st.st_mode)) {
            compare_file(fs, child.value(), host_path, static_cast<u64>(st.st_size));
        } else if (S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t n = ::readlink(host_path.c_str(), target, sizeof(target));
            char got[4096];
            auto length = fs.readlink(child.value(), {got, sizeof(got)});
            ASSERT_FALSE(length.is_error()) << host_path;
            EXPECT_EQ(std::string(got, length.value()), std::string(target, static_cast<size_t>(n))) << host_path;
        } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
            EXPECT_EQ(s.rdev.major, major(st.st_rdev)) << host_path;
            EXPECT_EQ(s.rdev.minor, minor(st.st_rdev)) << host_path;
        } else if (S_ISDIR(st.st_mode)) {
            compare_tree(fs, child.value(), host_path, false);
            auto dotdot = fs.lookup(child.value(), "..");
            ASSERT_FALSE(dotdot.is_error());
            EXPECT_EQ(dotdot.value(), ino);
        }
    }
}

}  // namespace ext4_test
