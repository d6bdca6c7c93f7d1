// In-kernel tests: the ext4 adapter on the scratch ext4 disk (serial strix-scratch-ext4,
// made by mke2fs in tests/qemu/test_ktest.py --scratch, which runs e2fsck -fn on it
// afterwards): namespace operations, data through the page cache and mmap's view of it,
// xattrs, an orphan kept while in use, unmount and mount again.
#include <linux/xattr.h>

#include "drivers/block/ktest_thread.h"
#include "drivers/virtio/virtio_blk.h"
#include "fs/ext4/vfs/inode.h"
#include "ktest/ktest.h"
#include "lib/string.h"
#include "log/klog.h"
#include "mm/kmalloc.h"
#include "mm/pmm.h"

namespace {

constexpr usize BIG = 3 * MiB + 123;

u8 pattern(usize i) { return static_cast<u8>(i * 13 + (i >> 12) + 1); }

Result<RefPtr<ext4::VfsSuperBlock>> mount_scratch(BlockDevice& disk) {
    RefPtr<SuperBlock> sb = TRY(ext4::VfsSuperBlock::mount(&disk, 0, "", "ext4"));
    return RefPtr<ext4::VfsSuperBlock>(static_cast<ext4::VfsSuperBlock*>(sb.get()));
}

struct Collector final : DirectoryEmitter {
    bool emit(kstd::string_view name, u64, u8, u64) override {
        if (name == "big" || name == "dir" || name == "link" || name == "hard") found++;
        entries++;
        return true;
    }
    usize found = 0, entries = 0;
};

// First mount: builds the tree, then unmounts. Returns whether every step worked.
void build_tree(KTestContext& ktest_context, BlockDevice& disk, u64* free_blocks_before) {
    auto mounted = mount_scratch(disk);
    KASSERT_TRUE(!mounted.is_error());
    RefPtr<ext4::VfsSuperBlock> sb = mounted.release_value();
    *free_blocks_before = sb->statfs().blocks_free;
    RefPtr<Inode> root = sb->root();
    KASSERT_TRUE(root);
    auto big = root->create("big", S_IFREG | 0644, 0, 0, 0);
    KASSERT_TRUE(!big.is_error());
    auto* data = static_cast<u8*>(kmalloc(256 * KiB));
    KASSERT_TRUE(data);
    for (usize done = 0; done < BIG;) {
        usize chunk = kstd::min<usize>(256 * KiB - 1000, BIG - done);  // odd sizes: partial pages
        for (usize i = 0; i < chunk; i++) data[i] = pattern(done + i);
        auto written = big.value()->write(done, IoBuffer::kernel(data), chunk);
        if (written.is_error()) break;
        done += written.value();
    }
    KEXPECT_EQ(big.value()->size(), BIG);
    kfree(data);
    auto dir = root->mkdir("dir", 0755, 0, 0);
    KEXPECT(!dir.is_error());
    KEXPECT(!root->symlink("link", "big", 0, 0).is_error());
    KEXPECT(!root->link("hard", *big.value()).is_error());
    KEXPECT_EQ(big.value()->attributes().nlink, 2u);
    const char value[] = "strix";
    KEXPECT(!big.value()->setxattr("user.test", value, 5, XATTR_CREATE).is_error());
    // A file created, renamed and deleted while "open" (a reference held): an orphan.
    auto temp = root->create("temp", S_IFREG | 0600, 0, 0, 0);
    KASSERT_TRUE(!temp.is_error());
    RefPtr<Inode> dentry_reference = temp.value();  // what the VFS's dentry holds
    u8 bytes[100];
    memset(bytes, 0x42, sizeof(bytes));
    KEXPECT(!temp.value()->write(0, IoBuffer::kernel(bytes), sizeof(bytes)).is_error());
    KEXPECT(!root->rename("temp", *dir.value(), "moved", 0).is_error());
    KEXPECT(!dir.value()->unlink("moved", *temp.value()).is_error());
    dentry_reference = nullptr;  // the VFS drops the dentry after unlink
    memset(bytes, 0, sizeof(bytes));
    auto still = temp.value()->read(0, IoBuffer::kernel(bytes), sizeof(bytes));
    KEXPECT(!still.is_error() && still.value() == sizeof(bytes) && bytes[99] == 0x42);
    temp = err(ENOENT);  // closes it: the inode is freed at the next lock
    KEXPECT(!sb->sync().is_error());
    sb->shutdown();
}

void check_tree(KTestContext& ktest_context, BlockDevice& disk, u64 free_blocks_before) {
    auto mounted = mount_scratch(disk);
    KASSERT_TRUE(!mounted.is_error());
    RefPtr<ext4::VfsSuperBlock> sb = mounted.release_value();
    RefPtr<Inode> root = sb->root();
    KASSERT_TRUE(root);
    Collector names;
    KEXPECT(!root->iterate(0, names).is_error());
    KEXPECT_EQ(names.found, 4u);
    auto big = root->lookup("big");
    KASSERT_TRUE(!big.is_error());
    KEXPECT_EQ(big.value()->size(), BIG);
    auto* data = static_cast<u8*>(kmalloc(64 * KiB));
    KASSERT_TRUE(data);
    bool same = true;
    for (usize done = 0; done < BIG && same;) {
        auto got = big.value()->read(done, IoBuffer::kernel(data), 64 * KiB);
        if (got.is_error() || got.value() == 0) {
            same = false;
            break;
        }
        for (usize i = 0; i < got.value(); i++) same = same && data[i] == pattern(done + i);
        done += got.value();
    }
    KEXPECT(same);
    // Memory pressure: every clean page and metadata buffer goes; reading comes back right.
    KEXPECT(block::page_cache::drop_clean() > 0);
    auto again = big.value()->read(BIG - 5000, IoBuffer::kernel(data), 5000);
    KEXPECT(!again.is_error() && again.value() == 5000);
    for (usize i = 0; i < 5000 && !again.is_error(); i++) same = same && data[i] == pattern(BIG - 5000 + i);
    KEXPECT(same);
    kfree(data);
    // What mmap maps is the same data.
    auto object = big.value()->mappable();
    KASSERT_TRUE(!object.is_error());
    auto page = object.value()->get_page(700);
    KASSERT_TRUE(!page.is_error());
    KEXPECT(static_cast<u8*>(mm::page_address(page.value()))[5] == pattern(700 * PAGE_SIZE + 5));
    mm::put_page(page.value());
    char link[16] = {};
    auto length = root->lookup("link").value()->readlink(link, sizeof(link));
    KEXPECT(!length.is_error() && length.value() == 3 && memcmp(link, "big", 3) == 0);
    char value[8] = {};
    auto got = big.value()->getxattr("user.test", value, sizeof(value));
    KEXPECT(!got.is_error() && got.value() == 5 && memcmp(value, "strix", 5) == 0);
    auto dir = root->lookup("dir");
    KASSERT_TRUE(!dir.is_error());
    KEXPECT(dir.value()->lookup("moved").is_error());
    // Deleting everything gives every block back (the orphan included).
    KEXPECT(!root->unlink("hard", *big.value()).is_error());
    KEXPECT(!root->unlink("big", *big.value()).is_error());
    big = err(ENOENT);
    object = err(ENOENT);
    KEXPECT(!root->unlink("link", *root->lookup("link").value()).is_error());
    KEXPECT(!root->rmdir("dir", *dir.value()).is_error());
    KEXPECT(!sb->sync().is_error());
    KEXPECT_EQ(sb->statfs().blocks_free, free_blocks_before);
    sb->shutdown();
}

}  // namespace

KTEST(ext4_vfs, tree_survives_unmount_and_frees_everything) {
    virtio::VirtioBlock* disk = virtio::find_block_device("strix-scratch-ext4");
    if (!disk) {
        pr_info("ktest:   no disk with serial strix-scratch-ext4: skipped (run with --scratch)");
        return;
    }
    u64 free_before = 0;
    KEXPECT(block::ktest::run_in_threads("ktest-ext4", 1, [&](usize) {
        build_tree(ktest_context, *disk, &free_before);
        check_tree(ktest_context, *disk, free_before);
    }));
}

KTEST(ext4_vfs, periodic_writeback_and_remount) {
    virtio::VirtioBlock* disk = virtio::find_block_device("strix-scratch-ext4");
    if (!disk) {
        pr_info("ktest:   no disk with serial strix-scratch-ext4: skipped (run with --scratch)");
        return;
    }
    KEXPECT(block::ktest::run_in_threads("ktest-ext4", 1, [&](usize) {
        auto mounted = mount_scratch(*disk);
        KASSERT_TRUE(!mounted.is_error());
        RefPtr<ext4::VfsSuperBlock> sb = mounted.release_value();
        RefPtr<Inode> root = sb->root();
        auto file = root->create("periodic", S_IFREG | 0644, 0, 0, 0);
        KASSERT_TRUE(!file.is_error());
        u8 data[3000];
        memset(data, 0x33, sizeof(data));
        KEXPECT(!file.value()->write(10000, IoBuffer::kernel(data), sizeof(data)).is_error());
        auto* inode = static_cast<ext4::VfsInode*>(file.value().get());
        KEXPECT(inode->needs_writeback());
        // What the flusher does once the data has aged (every 5 s, after 30 s).
        sb->write_back_periodic(~u64(0));
        KEXPECT(!inode->needs_writeback());
        sb->lock();
        auto on_disk = sb->fs().stat(inode->number());
        sb->unlock();
        KEXPECT(!on_disk.is_error() && on_disk.value().size == 13000);
        // Read-only: writes refused; read-write again: accepted.
        KEXPECT(!sb->remount(MS_RDONLY, "").is_error());
        KEXPECT(sb->read_only());
        auto refused = file.value()->write(0, IoBuffer::kernel(data), 10);
        KEXPECT(refused.is_error() && refused.error().code() == EROFS);
        KEXPECT(root->mkdir("nope", 0755, 0, 0).is_error());
        KEXPECT(!sb->remount(0, "commit=7").is_error());
        KEXPECT(!sb->read_only());
        KEXPECT(!file.value()->write(0, IoBuffer::kernel(data), 10).is_error());
        KEXPECT(!root->unlink("periodic", *file.value()).is_error());
        file = err(ENOENT);
        KEXPECT(!sb->sync().is_error());
        sb->shutdown();
    }));
}

KTEST(ext4_vfs, refuses_what_it_cannot_mount) {
    virtio::VirtioBlock* raw = virtio::find_block_device("strix-scratch-ro");
    if (!raw) {
        pr_info("ktest:   no disk with serial strix-scratch-ro: skipped (run with --scratch)");
        return;
    }
    // A read-only disk without a file system: read-write is EACCES (the caller retries
    // read-only), and read-only finds no superblock.
    auto rw = ext4::VfsSuperBlock::mount(raw, 0, "", "ext4");
    KEXPECT(rw.is_error() && rw.error().code() == EACCES);
    auto ro = ext4::VfsSuperBlock::mount(raw, MS_RDONLY, "", "ext4");
    KEXPECT(ro.is_error() && ro.error().code() == EINVAL);
    KEXPECT(ext4::VfsSuperBlock::mount(nullptr, 0, "", "ext4").is_error());
    virtio::VirtioBlock* ext4_disk = virtio::find_block_device("strix-scratch-ext4");
    if (!ext4_disk) return;
    auto bad_option = ext4::VfsSuperBlock::mount(ext4_disk, MS_RDONLY, "bogus_option", "ext4");
    KEXPECT(bad_option.is_error() && bad_option.error().code() == EINVAL);
}
