// procfs: the filesystem type and what its files share (see procfs.h, proc_internal.h).
#include "fs/procfs/procfs.h"

#include <linux/magic.h>

#include "arch/paging.h"
#include "fs/file_table.h"
#include "fs/fs_context.h"
#include "fs/namei.h"
#include "fs/procfs/proc_internal.h"
#include "lib/string.h"
#include "mm/address_space.h"
#include "mm/heap_buffer.h"
#include "mm/phys.h"
#include "proc/process.h"
#include "proc/thread_table.h"

namespace procfs {
namespace {

class ProcSuperBlock final : public PseudoSuperBlock {
public:
    static Result<RefPtr<SuperBlock>> create() {
        RefPtr<ProcSuperBlock> super_block(adopt, new (kstd::nothrow) ProcSuperBlock());
        if (!super_block) return err(ENOMEM);
        TRY(super_block->create_root());
        return RefPtr<SuperBlock>(super_block);
    }

    bool key_alive(const PseudoKey& key) const override {
        if (!key.pid) return true;
        RefPtr<Process> process = process_of(key);
        if (!process) return false;
        if (!key.tid) return true;
        RefPtr<Thread> thread = thread_table::find(key.tid);
        return thread && thread->process() == process.get();
    }

    // Linux's task_dump_owner: a process's entries belong to its effective ids.
    void set_owner(const PseudoEntry& entry, const PseudoKey& key,
                   InodeAttributes& attributes) const override {
        if (!key.pid) return;
        RefPtr<Process> process = process_of(key);
        if (!process) return;
        attributes.uid = process->credentials.euid;
        attributes.gid = process->credentials.egid;
        if (&entry == &g_fd_link && process->files) {
            // fd links show the open mode: lr-x, l-wx or lrwx (Linux's proc_fd_instantiate).
            auto file = process->files->get(static_cast<int>(key.item));
            if (!file.is_error()) {
                u32 mode = S_IFLNK;
                if (file.value()->readable()) mode |= S_IRUSR | S_IXUSR;
                if (file.value()->writable()) mode |= S_IWUSR | S_IXUSR;
                attributes.mode = mode;
            }
        }
    }

    ErrorOr check_access(const PseudoEntry& entry, const PseudoKey& key) const override {
        if (!(entry.flags & PSEUDO_TASK_PRIVATE) || !key.pid) return {};
        RefPtr<Process> process = process_of(key);
        if (!process) return err(ESRCH);
        if (!may_access(*process)) return err(EACCES);
        return {};
    }

private:
    ProcSuperBlock() : PseudoSuperBlock("proc", PROC_SUPER_MAGIC, g_proc_root, NameCaching::Off) {}
};

Result<RefPtr<SuperBlock>> mount_proc(BlockDevice*, u64, kstd::string_view) {
    return ProcSuperBlock::create();
}

FileSystemType g_proc_type{"proc", false, mount_proc, {}};

}  // namespace

RefPtr<Process> process_of(const PseudoKey& key) { return key.pid ? process_table::find(key.pid) : nullptr; }

RefPtr<Thread> thread_of(const Process& process, const PseudoKey& key) {
    if (key.tid) {
        RefPtr<Thread> thread = thread_table::find(key.tid);
        if (thread && thread->process() == &process) return thread;
        return nullptr;
    }
    arch::InterruptGuard guard;
    Thread* fallback = nullptr;
    for (Thread& thread : const_cast<Process&>(process).threads()) {
        if (!fallback) fallback = &thread;
        if (thread.state() != ThreadState::Dead) return RefPtr<Thread>(&thread);
    }
    return RefPtr<Thread>(fallback);
}

bool may_access(const Process& target) {
    const Process& self = *current_process();
    if (&self == &target) return true;
    const Credentials& c = self.credentials;
    const Credentials& t = target.credentials;
    if (c.euid == 0) return true;  // CAP_SYS_PTRACE
    return c.fsuid == t.uid && c.fsuid == t.euid && c.fsuid == t.suid && c.fsgid == t.gid &&
           c.fsgid == t.egid && c.fsgid == t.sgid;
}

usize read_process_memory(AddressSpace& space, uptr address, void* buffer, usize length) {
    MutexGuard guard(space.lock());
    usize done = 0;
    while (done < length) {
        uptr at = address + done;
        auto translation = arch::translate(space.page_table(), at);
        if (!translation || !translation->attributes.user || translation->attributes.no_access) break;
        usize n = kstd::min<usize>(PAGE_SIZE - at % PAGE_SIZE, length - done);
        memcpy(static_cast<u8*>(buffer) + done, mm::phys_to_virt<const u8>(translation->phys), n);
        done += n;
    }
    return done;
}

ErrorOr print_path(SeqBuffer& out, const Path& path) {
    HeapBuffer text(PATH_MAX_BYTES);
    if (!text) return err(ENOMEM);
    Path root = current_process()->fs ? current_process()->fs->root() : vfs::root_path();
    usize length = TRY(vfs::path_to_string(path, root, text.data(), text.size()));
    out.append({text.data(), length});
    if (path.dentry->is_deleted()) out.append(" (deleted)");
    return {};
}

}  // namespace procfs

void procfs_register() { vfs::register_filesystem(procfs::g_proc_type); }
