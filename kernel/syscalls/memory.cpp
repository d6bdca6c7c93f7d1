// Syscalls: memory — brk, mmap, munmap, mprotect, mremap, madvise and their relatives.
#include <asm/mman.h>
#include <linux/fcntl.h>
#include <linux/mman.h>

#include "arch/memory_layout.h"
#include "fs/file.h"
#include "mm/address_space.h"
#include "mm/user_copy.h"
#include "proc/process.h"
#include "syscalls/fs_common.h"
#include "syscalls/syscall.h"

namespace {
AddressSpace& space() { return *current_process()->address_space; }
constexpr uptr PAGE = 4096;
}  // namespace

SyscallResult sys_brk(uptr address) {
    AddressSpace& as = space();
    MutexGuard guard(as.lock());
    if (address == 0) return static_cast<i64>(as.brk_end);
    return static_cast<i64>(TRY(as.set_brk(address)));
}

SyscallResult sys_mmap(uptr address, usize length, int prot, int flags, int fd, u64 offset) {
    if (length == 0) return err(EINVAL);
    if (offset % PAGE) return err(EINVAL);
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP)) return err(EINVAL);
    int type = flags & MAP_TYPE;
    if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE) return err(EINVAL);
    constexpr int KNOWN = MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_DENYWRITE | MAP_EXECUTABLE |
                          MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB |
                          MAP_SYNC | MAP_FIXED_NOREPLACE | MAP_UNINITIALIZED;
    if (type == MAP_SHARED_VALIDATE && (flags & ~KNOWN)) return err(EOPNOTSUPP);
    if (flags & MAP_HUGETLB) return err(EINVAL);  // no hugetlbfs
    if (type == MAP_SHARED_VALIDATE) flags = (flags & ~MAP_TYPE) | MAP_SHARED;
    if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && address % PAGE) address = kstd::align_down<uptr>(address, PAGE);
    usize aligned = kstd::align_up<usize>(length, PAGE);
    if (aligned < length || aligned > mm::MAX_MAPPING) return err(ENOMEM);
    if (offset + aligned < offset) return err(EOVERFLOW);

    AddressSpace::MapRequest request;
    request.address = address;
    request.length = aligned;
    request.prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
    request.flags = flags;
    if (flags & MAP_ANONYMOUS) {
        if ((flags & MAP_TYPE) == MAP_SHARED) {
            request.object = AnonymousSharedObject::create(aligned / PAGE);
            if (!request.object) return err(ENOMEM);
        }
    } else {
        RefPtr<File> file = TRY(file_for(fd));
        if (!file->readable()) return err(EACCES);
        if ((flags & MAP_TYPE) == MAP_SHARED && (prot & PROT_WRITE) && !file->writable()) return err(EACCES);
        if (file->path().valid() && (file->path().mount->flags & MS_NOEXEC) && (prot & PROT_EXEC)) return err(EPERM);
        if (Inode* inode = file->inode(); inode && (flags & MAP_TYPE) == MAP_SHARED && (prot & PROT_WRITE)) {
            auto seals = inode->seals();
            if (!seals.is_error() && (seals.value() & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))) return err(EPERM);
        }
        request.object = TRY(file->mmap_object());
        request.offset = offset;
        request.kind = VmaKind::File;
        if (Inode* inode = file->inode()) {
            request.device = inode->super_block().device();
            request.inode = inode->ino();
            char path[256];
            if (!vfs::path_to_string(file->path(), vfs::root_path(), path, sizeof(path)).is_error())
                request.name = KString::create(path);
        }
    }
    AddressSpace& as = space();
    MutexGuard guard(as.lock());
    return static_cast<i64>(TRY(as.map(kstd::move(request))));
}

SyscallResult sys_munmap(uptr address, usize length) {
    AddressSpace& as = space();
    MutexGuard guard(as.lock());
    TRY(as.unmap(address, length));
    return 0;
}

SyscallResult sys_mprotect(uptr address, usize length, int prot) {
    AddressSpace& as = space();
    MutexGuard guard(as.lock());
    TRY(as.protect(address, length, prot));
    return 0;
}

SyscallResult sys_mremap(uptr old_address, usize old_length, usize new_length, int flags, uptr new_address) {
    AddressSpace& as = space();
    MutexGuard guard(as.lock());
    return static_cast<i64>(TRY(as.remap(old_address, old_length, new_length, flags, new_address)));
}

SyscallResult sys_madvise(uptr address, usize length, int advice) {
    if (address % PAGE) return err(EINVAL);
    AddressSpace& as = space();
    MutexGuard guard(as.lock());
    switch (advice) {
    case MADV_DONTNEED:
        TRY(as.discard(address, length));
        return 0;
    case MADV_DONTFORK:
        TRY(as.set_flags(address, length, VMA_DONTFORK, 0));
        return 0;
    case MADV_DOFORK:
        TRY(as.set_flags(address, length, 0, VMA_DONTFORK));
        return 0;
    // Hints that change nothing a program can observe.
    case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
    case MADV_FREE: case MADV_HUGEPAGE: case MADV_NOHUGEPAGE: case MADV_DONTDUMP: case MADV_DODUMP:
    case MADV_MERGEABLE: case MADV_UNMERGEABLE: case MADV_COLD: case MADV_PAGEOUT:
        return 0;
    default:
        return err(EINVAL);
    }
}

SyscallResult sys_msync(uptr address, usize length, int flags) {
    if (address % PAGE) return err(EINVAL);
    if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) || ((flags & MS_ASYNC) && (flags & MS_SYNC))) return err(EINVAL);
    AddressSpace& as = space();
    MutexGuard guard(as.lock());
    if (!as.fully_mapped(address, length)) return err(ENOMEM);
    return 0;  // shared mappings are the page cache itself; writeback follows the file
}

SyscallResult sys_mincore(uptr address, usize length, UserPtr<u8> vector) {
    if (address % PAGE) return err(EINVAL);
    AddressSpace& as = space();
    usize pages = kstd::align_up<usize>(length, PAGE) / PAGE;
    for (usize i = 0; i < pages; i++) {
        uptr page = address + i * PAGE;
        MutexGuard guard(as.lock());
        if (!as.find_vma(page)) return err(ENOMEM);
        u8 resident = arch::translate(as.page_table(), page).has_value() ? 1 : 0;
        TRY(mm::copy_to_user(vector.offset(i), &resident));
    }
    return 0;
}

// Memory is never swapped out, so locking only checks the range.
namespace {
SyscallResult check_lock_range(uptr address, usize length) {
    AddressSpace& as = space();
    MutexGuard guard(as.lock());
    uptr start = kstd::align_down<uptr>(address, PAGE);
    if (!as.fully_mapped(start, length + (address - start))) return err(ENOMEM);
    return 0;
}
}  // namespace
SyscallResult sys_mlock(uptr address, usize length) { return check_lock_range(address, length); }
SyscallResult sys_munlock(uptr address, usize length) { return check_lock_range(address, length); }
SyscallResult sys_mlockall(int flags) {
    if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT))) return err(EINVAL);
    return 0;
}
SyscallResult sys_munlockall() { return 0; }
