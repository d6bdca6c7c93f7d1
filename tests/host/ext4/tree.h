// Host tests for ext4: source trees for mke2fs -d and comparing a mounted image with them.
#pragma once

#include <string>

#include "image.h"

namespace ext4_test {

struct TreeOptions {
    bool big_directory = false;  // 10 000 small files in one directory (an htree)
    bool huge_sparse = false;    // a 1 GiB sparse file
    bool xattrs = true;
    bool devices = true;
};

// Builds the standard test tree under root (which must exist).
void build_tree(const std::string& root, const TreeOptions& options);
// Compares everything under fs inode `ino` with host directory `path` (gtest failures).
void compare_tree(ext4::Ext4Filesystem& fs, u32 ino, const std::string& path, bool root = true);

}  // namespace ext4_test
