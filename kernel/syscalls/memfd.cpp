// Syscalls: memfd_create — an anonymous file in memory, with file seals.
#include <linux/memfd.h>

#include "fs/mount.h"
#include "fs/tmpfs/tmpfs.h"
#include "lib/format.h"
#include "mm/heap_buffer.h"
#include "mm/user_copy.h"
#include "proc/process.h"
#include "syscalls/fs_common.h"
#include "syscalls/syscall.h"
#include "sync/mutex.h"

namespace {

// The kernel's own tmpfs instance that memfds live in (Linux's shm_mnt), unreachable
// from the tree: its files have no names, only the "memfd:" paths /proc shows.
Mutex g_lock;
RefPtr<Mount> g_mount;

Result<RefPtr<Mount>> memfd_mount() {
    MutexGuard guard(g_lock);
    if (g_mount) return g_mount;
    RefPtr<SuperBlock> sb = TRY(vfs::find_filesystem("tmpfs")->mount(nullptr, 0, ""));
    RefPtr<Dentry> root = Dentry::create_root(sb->root());
    RefPtr<Mount> mount = try_make_ref<Mount>();
    RefPtr<KString> source = KString::create("memfd");
    if (!root || !mount || !source) return err(ENOMEM);
    mount->super_block = sb;
    mount->root = root;
    mount->source = source;
    g_mount = mount;
    return g_mount;
}

}  // namespace

SyscallResult sys_memfd_create(UserPtr<const char> user_name, u32 flags) {
    if (flags & ~u32(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | (MFD_HUGE_MASK << MFD_HUGE_SHIFT))) return err(EINVAL);
    if (flags & MFD_HUGETLB) return err(EINVAL);  // no hugetlbfs
    // Linux: the name (without "memfd:") is at most NAME_MAX - 6 bytes.
    char name[256];
    auto length = mm::copy_string_from_user(name, user_name, 250);
    if (length.is_error()) return length.error().code() == ENAMETOOLONG ? Result<i64>(err(EINVAL)) : length.error();
    RefPtr<Mount> mount = TRY(memfd_mount());
    auto& sb = static_cast<TmpfsSuperBlock&>(*mount->super_block);
    Process& process = *current_process();
    RefPtr<TmpfsInode> inode = TRY(sb.new_inode(S_IFREG | 0777, process.credentials.fsuid, process.credentials.fsgid, 0));
    if (flags & MFD_ALLOW_SEALING) inode->allow_sealing();
    char label[262];
    klib::snprintf(label, sizeof(label), "memfd:%s", name);
    // A name under the hidden root that no directory lists.
    RefPtr<Dentry> dentry = TRY(mount->root->add_detached_child(label, RefPtr<Inode>(inode.get())));
    RefPtr<File> file = TRY(InodeFile::create(Path{mount, dentry}, O_RDWR | O_LARGEFILE));
    return TRY(process.files->allocate(kstd::move(file), flags & MFD_CLOEXEC, 0, descriptor_limit()));
}
