// procfs: the directory of a process, /proc/<pid>, and of each of its threads,
// /proc/<pid>/task/<tid> (Linux's fs/proc/base.c, array.c, task_mmu.c, fd.c), with the
// list of processes in /proc and the /proc/self and /proc/thread-self links.
//
// Values are read without stopping the process: the kernel runs one thread at a time and
// does not preempt itself, so a file printed without sleeping sees one consistent moment.
#include <linux/fcntl.h>

#include "drivers/tty/tty.h"
#include "fs/device.h"
#include "fs/file_table.h"
#include "fs/fs_context.h"
#include "fs/namei.h"
#include "fs/procfs/proc_internal.h"
#include "lib/string.h"
#include "mm/address_space.h"
#include "mm/heap_buffer.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "proc/thread_table.h"
#include "time/clock.h"

namespace procfs {
namespace {

// ---- Shared pieces ----

Result<RefPtr<Process>> live_process(const PseudoKey& key) {
    RefPtr<Process> process = process_of(key);
    if (!process) return err(ESRCH);
    return process;
}

// Linux's task_state_array: the letter and the word status prints.
char state_letter(const Process& process, const Thread* thread) {
    if (process.state == ProcessState::Zombie) return 'Z';
    if (!thread) return 'X';
    switch (thread->state()) {
        case ThreadState::Runnable: return 'R';
        case ThreadState::Interruptible: return 'S';
        case ThreadState::Uninterruptible: return 'D';
        case ThreadState::Stopped: return 'T';
        case ThreadState::Dead: return process.stopped ? 'T' : 'X';
    }
    return 'R';
}

const char* state_name(char letter) {
    switch (letter) {
        case 'R': return "R (running)";
        case 'S': return "S (sleeping)";
        case 'D': return "D (disk sleep)";
        case 'T': return "T (stopped)";
        case 'Z': return "Z (zombie)";
        default: return "X (dead)";
    }
}

u32 parent_pid(const Process& process) {
    SpinLockGuard guard(process_table::lock());
    return process.parent() ? process.parent()->pid() : 0;
}

struct SignalMasks {
    u64 pending = 0, shared_pending = 0, blocked = 0, ignored = 0, caught = 0;
};

SignalMasks signal_masks(Process& process, Thread* thread) {
    SignalMasks masks;
    masks.shared_pending = process.shared_pending.pending().bits();
    if (thread) {
        masks.pending = thread->pending_signals().pending().bits();
        masks.blocked = thread->blocked_signals().bits();
    }
    if (process.signal_handlers) {
        for (int signal = 1; signal <= NSIG_KERNEL; signal++) {
            auto handler = process.signal_handlers->get(signal).sa_handler;
            if (handler == SIG_IGN)
                masks.ignored |= u64(1) << (signal - 1);
            else if (handler != SIG_DFL)
                masks.caught |= u64(1) << (signal - 1);
        }
    }
    return masks;
}

// CPU time of the thread a key names, or of every thread of the process. Strix does not
// yet tell user from system time apart: it is all user time (as getrusage reports).
u64 cpu_time_ns(Process& process, const PseudoKey& key, Thread* thread) {
    if (key.tid) return thread ? thread->cpu_time_ns : 0;
    u64 total = 0;
    arch::InterruptGuard guard;
    for (Thread& t : process.threads()) total += t.cpu_time_ns;
    return total;
}

// Sizes from the regions (Linux's task_mem): the program's own text apart from libraries.
struct VmFigures {
    u64 size = 0, locked = 0, executable = 0, libraries = 0, stack = 0, data = 0, resident_pages = 0;
    uptr code_start = 0, code_end = 0;
};

VmFigures vm_figures(AddressSpace& space, const Process& process) {
    VmFigures f;
    MutexGuard guard(space.lock());
    for (Vma& vma : space.vmas()) {
        u64 length = vma.end - vma.start;
        f.size += length;
        if (vma.flags & VMA_LOCKED) f.locked += length;
        if (vma.kind == VmaKind::Stack) {
            f.stack += length;
        } else if ((vma.prot & PROT_EXEC) && !(vma.prot & PROT_WRITE)) {
            if (vma.name && vma.name->view() == process.exe_path) {
                f.executable += length;
                if (!f.code_start) f.code_start = vma.start;
                f.code_end = vma.end;
            } else {
                f.libraries += length;
            }
        } else if ((vma.prot & PROT_WRITE) && !vma.shared()) {
            f.data += length;
        }
    }
    f.resident_pages = space.resident_pages();
    return f;
}

u64 kb(u64 bytes) { return bytes / 1024; }

// ---- /proc/<pid>/stat, status, statm ----

ErrorOr show_stat(const PseudoKey& key, SeqBuffer& out) {
    RefPtr<Process> process = TRY(live_process(key));
    RefPtr<Thread> thread = thread_of(*process, key);
    TaskStat s;
    s.pid = key.tid ? key.tid : process->pid();
    s.comm = key.tid && thread ? kstd::string_view(thread->name()) : kstd::string_view(process->comm());
    s.state = state_letter(*process, thread.get());
    s.ppid = parent_pid(*process);
    s.pgrp = process->pgid;
    s.session = process->sid;
    if (Tty* tty = process->controlling_tty) {
        // new_encode_dev: glibc's makedev agrees in the low 32 bits for majors below 4096.
        s.tty_nr = static_cast<u32>(tty->device());
        u32 foreground = tty->foreground_group();
        s.tpgid = foreground ? static_cast<i32>(foreground) : -1;
    }
    s.flags = 0x400000;  // PF_RANDOMIZE: address-space randomisation is on
    s.minflt = process->minor_faults;
    s.majflt = process->major_faults;
    s.utime = ns_to_clock_ticks(cpu_time_ns(*process, key, thread.get()));
    s.cutime = static_cast<i64>(ns_to_clock_ticks(process->children_user_ns));
    s.cstime = static_cast<i64>(ns_to_clock_ticks(process->children_system_ns));
    s.num_threads = static_cast<i64>(process->live_thread_count());
    s.starttime = ns_to_clock_ticks(process->start_time_ns);
    s.rsslim = process->limits[RLIMIT_RSS].current;
    SignalMasks masks = signal_masks(*process, thread.get());
    s.signal = masks.pending | masks.shared_pending;
    s.blocked = masks.blocked;
    s.sigignore = masks.ignored;
    s.sigcatch = masks.caught;
    s.exit_signal = process->exit_signal;
    if (RefPtr<AddressSpace> space = process->address_space) {
        VmFigures vm = vm_figures(*space, *process);
        s.vsize = vm.size;
        s.rss = vm.resident_pages;
        s.startcode = vm.code_start;
        s.endcode = vm.code_end;
        s.startstack = space->start_stack;
        s.start_brk = space->brk_start;
        s.arg_start = space->arg_start;
        s.arg_end = space->arg_end;
        s.env_start = space->env_start;
        s.env_end = space->env_end;
    }
    if (process->state == ProcessState::Zombie) s.exit_code = process->wait_status;
    format_task_stat(out, s);
    return {};
}

ErrorOr show_statm(const PseudoKey& key, SeqBuffer& out) {
    RefPtr<Process> process = TRY(live_process(key));
    TaskStatm s;
    if (RefPtr<AddressSpace> space = process->address_space) {
        VmFigures vm = vm_figures(*space, *process);
        s.size = vm.size / PAGE_SIZE;
        s.resident = vm.resident_pages;
        s.text = vm.executable / PAGE_SIZE;
        s.data = (vm.data + vm.stack) / PAGE_SIZE;
    }
    format_task_statm(out, s);
    return {};
}

ErrorOr show_status(const PseudoKey& key, SeqBuffer& out) {
    RefPtr<Process> process = TRY(live_process(key));
    RefPtr<Thread> thread = thread_of(*process, key);
    const Credentials& c = process->credentials;
    u32 pid = key.tid ? key.tid : process->pid();
    out.append("Name:\t");
    out.append_escaped(key.tid && thread ? thread->name() : process->comm(), "\\");
    u32 umask = process->fs ? process->fs->umask : 022;
    char state = state_letter(*process, thread.get());
    out.printf("\nUmask:\t%04o\nState:\t%s\nTgid:\t%u\nNgid:\t0\nPid:\t%u\nPPid:\t%u\nTracerPid:\t0\n", umask,
               state_name(state), process->pid(), pid, parent_pid(*process));
    out.printf("Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n", c.uid, c.euid, c.suid, c.fsuid, c.gid, c.egid,
               c.sgid, c.fsgid);
    // FDSize is the descriptor table's capacity: 64 slots at first, doubling (Linux's fdtable).
    int highest = process->files ? process->files->highest_open() : -1;
    u32 fd_size = 64;
    while (static_cast<int>(fd_size) <= highest) fd_size *= 2;
    out.printf("FDSize:\t%u\nGroups:\t", fd_size);
    for (usize i = 0; i < c.group_count; i++) out.printf(i ? " %u" : "%u", c.groups[i]);
    out.printf(" \nNStgid:\t%u\nNSpid:\t%u\nNSpgid:\t%u\nNSsid:\t%u\n", process->pid(), pid, process->pgid,
               process->sid);
    if (RefPtr<AddressSpace> space = process->address_space) {
        VmFigures vm = vm_figures(*space, *process);
        u64 rss = vm.resident_pages * (PAGE_SIZE / 1024);
        // Linux's task_mem: peaks are not tracked apart, so they equal the current sizes.
        out.printf("VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmLck:\t%8lu kB\nVmPin:\t%8lu kB\n", kb(vm.size),
                   kb(vm.size), kb(vm.locked), 0ul);
        out.printf(
            "VmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\nRssAnon:\t%8lu kB\nRssFile:\t%8lu kB\nRssShmem:\t%8lu kB\n",
            rss, rss, rss, 0ul, 0ul);
        out.printf("VmData:\t%8lu kB\nVmStk:\t%8lu kB\nVmExe:\t%8lu kB\nVmLib:\t%8lu kB\nVmPTE:\t%8lu kB\n",
                   kb(vm.data), kb(vm.stack), kb(vm.executable), kb(vm.libraries), 0ul);
        out.printf("VmSwap:\t%8lu kB\nHugetlbPages:\t%8lu kB\n", 0ul, 0ul);
    }
    out.printf("CoreDumping:\t0\nTHP_enabled:\t1\nThreads:\t%zu\nSigQ:\t0/%lu\n",
               process->live_thread_count(), process->limits[RLIMIT_SIGPENDING].current);
    SignalMasks masks = signal_masks(*process, thread.get());
    out.printf("SigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\nSigIgn:\t%016lx\nSigCgt:\t%016lx\n",
               masks.pending, masks.shared_pending, masks.blocked, masks.ignored, masks.caught);
    // Without capability sets, root holds every capability (CAP_LAST_CAP is 40).
    constexpr u64 ALL_CAPABILITIES = (u64(1) << 41) - 1;
    u64 effective = c.euid == 0 ? ALL_CAPABILITIES : 0;
    out.printf("CapInh:\t%016lx\nCapPrm:\t%016lx\nCapEff:\t%016lx\nCapBnd:\t%016lx\nCapAmb:\t%016lx\n", 0ul,
               effective, effective, ALL_CAPABILITIES, 0ul);
    out.printf("NoNewPrivs:\t%d\nSeccomp:\t0\nSeccomp_filters:\t0\n", process->no_new_privs ? 1 : 0);
    out.append(
        "Speculation_Store_Bypass:\tthread vulnerable\nSpeculationIndirectBranch:\tconditional enabled\n");
    out.append("Cpus_allowed:\t1\nCpus_allowed_list:\t0\nMems_allowed:\t1\nMems_allowed_list:\t0\n");
    u64 voluntary = 0, involuntary = 0;
    if (key.tid) {
        if (thread) voluntary = thread->voluntary_switches, involuntary = thread->involuntary_switches;
    } else {
        arch::InterruptGuard guard;
        for (Thread& t : process->threads())
            voluntary += t.voluntary_switches, involuntary += t.involuntary_switches;
    }
    out.printf("voluntary_ctxt_switches:\t%lu\nnonvoluntary_ctxt_switches:\t%lu\n", voluntary, involuntary);
    return {};
}

// ---- Memory: cmdline, environ, auxv, maps ----

enum class Region : u8 { Arguments, Environment, AuxiliaryVector };

ErrorOr show_region(const PseudoKey& key, SeqBuffer& out, Region region) {
    RefPtr<Process> process = TRY(live_process(key));
    RefPtr<AddressSpace> space = process->address_space;
    if (!space) return {};  // a zombie has no memory left: the files are empty, as on Linux
    uptr start = 0, end = 0;
    switch (region) {
        case Region::Arguments: start = space->arg_start, end = space->arg_end; break;
        case Region::Environment: start = space->env_start, end = space->env_end; break;
        case Region::AuxiliaryVector: start = space->auxv_start, end = space->auxv_end; break;
    }
    HeapBuffer chunk(PAGE_SIZE);
    if (!chunk) return err(ENOMEM);
    for (uptr at = start; at < end;) {
        usize want = static_cast<usize>(kstd::min<u64>(end - at, PAGE_SIZE));
        usize got = read_process_memory(*space, at, chunk.data(), want);
        out.write(chunk.data(), got);
        if (got < want) break;
        at += got;
    }
    return {};
}

ErrorOr show_cmdline(const PseudoKey& key, SeqBuffer& out) {
    return show_region(key, out, Region::Arguments);
}
ErrorOr show_environ(const PseudoKey& key, SeqBuffer& out) {
    return show_region(key, out, Region::Environment);
}
ErrorOr show_auxv(const PseudoKey& key, SeqBuffer& out) {
    return show_region(key, out, Region::AuxiliaryVector);
}

ErrorOr show_maps(const PseudoKey& key, SeqBuffer& out) {
    RefPtr<Process> process = TRY(live_process(key));
    RefPtr<AddressSpace> space = process->address_space;
    if (!space) return {};
    MutexGuard guard(space->lock());
    for (Vma& vma : space->vmas()) {
        MapsLine line;
        line.start = vma.start;
        line.end = vma.end;
        line.read = vma.prot & PROT_READ;
        line.write = vma.prot & PROT_WRITE;
        line.execute = vma.prot & PROT_EXEC;
        line.shared = vma.shared();
        if (vma.kind == VmaKind::File) {
            line.offset = vma.offset;
            line.device_major = dev_major(vma.device);
            line.device_minor = dev_minor(vma.device);
            line.inode = vma.inode;
        }
        switch (vma.kind) {
            case VmaKind::Heap: line.name = "[heap]"; break;
            case VmaKind::Stack: line.name = "[stack]"; break;
            case VmaKind::Vdso: line.name = "[vdso]"; break;
            case VmaKind::Vvar: line.name = "[vvar]"; break;
            case VmaKind::File:
                if (vma.name) line.name = vma.name->view();
                break;
            case VmaKind::Anonymous:
                if (vma.object) line.name = vma.object->describe();  // shared anonymous memory
                break;
        }
        format_maps_line(out, line);
    }
    return {};
}

// ---- comm, limits, cgroup, mounts ----

ErrorOr show_comm(const PseudoKey& key, SeqBuffer& out) {
    RefPtr<Process> process = TRY(live_process(key));
    RefPtr<Thread> thread = thread_of(*process, key);
    out.append(key.tid && thread ? thread->name() : process->comm());
    out.put_char('\n');
    return {};
}

Result<usize> store_comm(const PseudoKey& key, kstd::string_view data) {
    RefPtr<Process> process = TRY(live_process(key));
    // Linux's comm_write: only within the writer's own thread group.
    if (process.get() != current_process()) return err(EINVAL);
    RefPtr<Thread> thread = thread_of(*process, key);
    if (!thread) return err(ESRCH);
    char name[16] = {};
    memcpy(name, data.data(), kstd::min<usize>(data.size(), sizeof(name) - 1));
    thread->set_name(name);
    if (thread->tid() == process->pid()) process->set_comm(name);
    return data.size();
}

ErrorOr show_limits(const PseudoKey& key, SeqBuffer& out) {
    RefPtr<Process> process = TRY(live_process(key));
    // Linux's lnames in fs/proc/base.c, by RLIMIT_* number.
    static const struct {
        const char* name;
        const char* units;
    } names[RLIM_NLIMITS] = {
        {"Max cpu time", "seconds"},    {"Max file size", "bytes"},      {"Max data size", "bytes"},
        {"Max stack size", "bytes"},    {"Max core file size", "bytes"}, {"Max resident set", "bytes"},
        {"Max processes", "processes"}, {"Max open files", "files"},     {"Max locked memory", "bytes"},
        {"Max address space", "bytes"}, {"Max file locks", "locks"},     {"Max pending signals", "signals"},
        {"Max msgqueue size", "bytes"}, {"Max nice priority", ""},       {"Max realtime priority", ""},
        {"Max realtime timeout", "us"},
    };
    out.printf("%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
    for (int i = 0; i < RLIM_NLIMITS; i++)
        format_limit_line(out, names[i].name, process->limits[i].current, process->limits[i].maximum,
                          names[i].units);
    return {};
}

ErrorOr show_cgroup(const PseudoKey&, SeqBuffer& out) {
    out.append("0::/\n");  // the cgroup v2 root: Strix has no control groups
    return {};
}

Path root_of(Process& process) { return process.fs ? process.fs->root() : vfs::root_path(); }

ErrorOr show_mounts(const PseudoKey& key, SeqBuffer& out) {
    RefPtr<Process> process = TRY(live_process(key));
    return print_mounts(out, root_of(*process));
}

ErrorOr show_mountinfo(const PseudoKey& key, SeqBuffer& out) {
    RefPtr<Process> process = TRY(live_process(key));
    return print_mountinfo(out, root_of(*process));
}

// ---- Links: exe, cwd, root ----

ErrorOr show_exe(const PseudoKey& key, SeqBuffer& out) {
    RefPtr<Process> process = TRY(live_process(key));
    if (!process->exe_path[0] || !process->address_space) return err(ENOENT);
    out.append(process->exe_path);
    return {};
}

ErrorOr resolve_exe(const PseudoKey& key, const Path&, Path& target) {
    RefPtr<Process> process = TRY(live_process(key));
    if (!process->exe_path[0] || !process->address_space) return err(ENOENT);
    LookupContext context{vfs::root_path(), vfs::root_path(), &current_process()->credentials};
    target = TRY(resolve_path(context, process->exe_path, LOOKUP_FOLLOW));
    return {};
}

Result<Path> fs_path(const PseudoKey& key, bool cwd) {
    RefPtr<Process> process = TRY(live_process(key));
    if (!process->fs) return err(ENOENT);
    return cwd ? process->fs->cwd() : process->fs->root();
}

ErrorOr show_cwd(const PseudoKey& key, SeqBuffer& out) { return print_path(out, TRY(fs_path(key, true))); }
ErrorOr show_root(const PseudoKey& key, SeqBuffer& out) { return print_path(out, TRY(fs_path(key, false))); }
ErrorOr resolve_cwd(const PseudoKey& key, const Path&, Path& target) {
    target = TRY(fs_path(key, true));
    return {};
}
ErrorOr resolve_root(const PseudoKey& key, const Path&, Path& target) {
    target = TRY(fs_path(key, false));
    return {};
}

// ---- fd/ and fdinfo/ ----

Result<RefPtr<File>> open_file(const PseudoKey& key) {
    RefPtr<Process> process = TRY(live_process(key));
    if (!process->files) return err(ENOENT);
    auto file = process->files->get(static_cast<int>(key.item));
    if (file.is_error()) return err(ENOENT);
    return file.release_value();
}

// What /proc/<pid>/fd/N leads to for a file with no path (a pipe, a socket): an inode
// that opens that very file again (sharing its offset and flags, like dup).
class OpenFileInode final : public Inode {
public:
    OpenFileInode(SuperBlock& super_block, RefPtr<File> file, const Credentials& owner)
        : Inode(super_block,
                pseudo_inode_number(g_fd_link, {0, 0, reinterpret_cast<uptr>(file.get()), nullptr})),
          m_file(kstd::move(file)) {
        m_attributes.mode = m_file->stat_mode();
        m_attributes.uid = owner.euid;
        m_attributes.gid = owner.egid;
    }
    Result<RefPtr<File>> open_special(const Path&, int) override { return m_file; }

private:
    RefPtr<File> m_file;
};

ErrorOr show_fd(const PseudoKey& key, SeqBuffer& out) {
    RefPtr<File> file = TRY(open_file(key));
    if (file->path().valid()) return print_path(out, file->path());
    char text[64];
    usize length = TRY(file->describe(text, sizeof(text)));
    out.append({text, kstd::min(length, sizeof(text) - 1)});
    return {};
}

ErrorOr resolve_fd(const PseudoKey& key, const Path& link, Path& target) {
    RefPtr<File> file = TRY(open_file(key));
    if (file->path().valid()) {
        target = file->path();
        return {};
    }
    RefPtr<Process> process = TRY(live_process(key));
    RefPtr<Inode> inode(
        adopt, new (kstd::nothrow) OpenFileInode(link.inode().super_block(), file, process->credentials));
    if (!inode) return err(ENOMEM);
    RefPtr<Dentry> dentry = Dentry::create_root(inode);
    if (!dentry) return err(ENOMEM);
    target = Path{link.mount, dentry};
    return {};
}

ErrorOr show_fdinfo(const PseudoKey& key, SeqBuffer& out) {
    RefPtr<Process> process = TRY(live_process(key));
    RefPtr<File> file = TRY(open_file(key));
    // Linux's seq_show in fs/proc/fd.c: open(2)'s creation flags are gone, O_LARGEFILE is
    // forced on 64-bit opens, and close-on-exec shows as O_CLOEXEC.
    u32 flags = file->flags() & ~u32(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC);
    if (file->path().valid()) flags |= O_LARGEFILE;
    auto cloexec = process->files->close_on_exec_flag(static_cast<int>(key.item));
    if (!cloexec.is_error() && cloexec.value()) flags |= O_CLOEXEC;
    u32 mount_id = file->path().valid() ? file->path().mount->id : 0;
    u64 ino = file->inode() ? file->inode()->ino() : 0;
    out.printf("pos:\t%lu\nflags:\t0%o\nmnt_id:\t%u\nino:\t%lu\n", file->position, flags, mount_id, ino);
    return {};
}

// A directory name that is a number: no sign, no leading zeros (Linux's name_to_int).
bool parse_number(kstd::string_view name, u64 limit, u64& out) {
    if (name.empty() || name.size() > 10 || (name.size() > 1 && name[0] == '0')) return false;
    u64 value = 0;
    for (char c : name) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + static_cast<u64>(c - '0');
    }
    if (value >= limit) return false;
    out = value;
    return true;
}

void name_child(PseudoChild& child, u64 number) {
    klib::snprintf(child.name, sizeof(child.name), "%lu", number);
}

// The lowest open descriptor at or after `position`, or -1.
int next_open_fd(Process& process, u64 position) {
    if (!process.files) return -1;
    int found = -1;
    process.files->for_each([&](int fd, File&) {
        if (found < 0 && static_cast<u64>(fd) >= position) found = fd;
    });
    return found;
}

extern const PseudoEntry g_fdinfo_file;

template <const PseudoEntry& Entry>
ErrorOr lookup_descriptor(const PseudoKey& parent, kstd::string_view name, PseudoChild& out) {
    u64 fd;
    if (!parse_number(name, FileTable::MAX_DESCRIPTORS, fd)) return err(ENOENT);
    RefPtr<Process> process = process_of(parent);
    if (!process || !process->files || process->files->get(static_cast<int>(fd)).is_error())
        return err(ENOENT);
    out.entry = &Entry;
    out.key = PseudoKey{parent.pid, parent.tid, fd, nullptr};
    return {};
}

template <const PseudoEntry& Entry>
bool next_descriptor(const PseudoKey& parent, u64 position, PseudoChild& out) {
    RefPtr<Process> process = process_of(parent);
    if (!process) return false;
    int fd = next_open_fd(*process, position);
    if (fd < 0) return false;
    out.entry = &Entry;
    out.key = PseudoKey{parent.pid, parent.tid, static_cast<u64>(fd), nullptr};
    out.position = static_cast<u64>(fd);
    name_child(out, static_cast<u64>(fd));
    return true;
}

const PseudoDirectoryOps g_fd_list{lookup_descriptor<g_fd_link>, next_descriptor<g_fd_link>};
const PseudoDirectoryOps g_fdinfo_list{lookup_descriptor<g_fdinfo_file>, next_descriptor<g_fdinfo_file>};

// ---- task/ ----

extern const PseudoEntry g_thread_directory;

ErrorOr lookup_thread(const PseudoKey& parent, kstd::string_view name, PseudoChild& out) {
    u64 tid;
    if (!parse_number(name, thread_table::PID_MAX, tid)) return err(ENOENT);
    RefPtr<Thread> thread = thread_table::find(static_cast<u32>(tid));
    if (!thread || !thread->process() || thread->process()->pid() != parent.pid ||
        thread->state() == ThreadState::Dead)
        return err(ENOENT);
    out.entry = &g_thread_directory;
    out.key = PseudoKey{parent.pid, static_cast<u32>(tid), 0, nullptr};
    return {};
}

bool next_thread(const PseudoKey& parent, u64 position, PseudoChild& out) {
    RefPtr<Process> process = process_of(parent);
    if (!process) return false;
    u32 best = 0;
    {
        arch::InterruptGuard guard;
        for (Thread& thread : process->threads()) {
            if (thread.state() == ThreadState::Dead || thread.tid() < position) continue;
            if (!best || thread.tid() < best) best = thread.tid();
        }
    }
    if (!best) return false;
    out.entry = &g_thread_directory;
    out.key = PseudoKey{parent.pid, best, 0, nullptr};
    out.position = best;
    name_child(out, best);
    return true;
}

const PseudoDirectoryOps g_thread_list{lookup_thread, next_thread};

// ---- The tables ----

constexpr u32 FILE_0444 = S_IFREG | 0444;
constexpr u32 LINK = S_IFLNK | 0777;

// /proc/<pid>: "task" first, so that the thread directories show the rest.
const PseudoEntry g_process_entries[] = {
    {.name = "task", .mode = S_IFDIR | 0555, .dynamic = &g_thread_list},
    {.name = "auxv", .mode = S_IFREG | 0400, .flags = PSEUDO_TASK_PRIVATE, .show = show_auxv},
    {.name = "cgroup", .mode = FILE_0444, .show = show_cgroup},
    {.name = "cmdline", .mode = FILE_0444, .show = show_cmdline},
    {.name = "comm", .mode = S_IFREG | 0644, .show = show_comm, .store = store_comm},
    {.name = "cwd", .mode = LINK, .flags = PSEUDO_TASK_PRIVATE, .show = show_cwd, .resolve = resolve_cwd},
    {.name = "environ", .mode = S_IFREG | 0400, .flags = PSEUDO_TASK_PRIVATE, .show = show_environ},
    {.name = "exe", .mode = LINK, .flags = PSEUDO_TASK_PRIVATE, .show = show_exe, .resolve = resolve_exe},
    {.name = "fd", .mode = S_IFDIR | 0500, .dynamic = &g_fd_list},
    {.name = "fdinfo", .mode = S_IFDIR | 0555, .dynamic = &g_fdinfo_list},
    {.name = "limits", .mode = FILE_0444, .show = show_limits},
    {.name = "maps", .mode = FILE_0444, .flags = PSEUDO_TASK_PRIVATE, .show = show_maps},
    {.name = "mountinfo", .mode = FILE_0444, .show = show_mountinfo},
    {.name = "mounts", .mode = FILE_0444, .show = show_mounts},
    {.name = "root", .mode = LINK, .flags = PSEUDO_TASK_PRIVATE, .show = show_root, .resolve = resolve_root},
    {.name = "stat", .mode = FILE_0444, .show = show_stat},
    {.name = "statm", .mode = FILE_0444, .show = show_statm},
    {.name = "status", .mode = FILE_0444, .show = show_status},
};

const PseudoEntry g_process_directory{.name = "", .mode = S_IFDIR | 0555, .children = g_process_entries};
const PseudoEntry g_thread_directory{.name = "",
                                     .mode = S_IFDIR | 0555,
                                     .children = kstd::span<const PseudoEntry>(g_process_entries).subspan(1)};
const PseudoEntry g_fdinfo_file{
    .name = "", .mode = S_IFREG | 0444, .flags = PSEUDO_TASK_PRIVATE, .show = show_fdinfo};

// ---- /proc's list of processes ----

ErrorOr lookup_process(const PseudoKey&, kstd::string_view name, PseudoChild& out) {
    u64 id;
    if (!parse_number(name, thread_table::PID_MAX, id)) return err(ENOENT);
    if (RefPtr<Process> process = process_table::find(static_cast<u32>(id))) {
        out.entry = &g_process_directory;
        out.key = PseudoKey{static_cast<u32>(id), 0, 0, nullptr};
        return {};
    }
    // A thread's id works too, though listings show only processes (Linux's proc_pid_lookup).
    RefPtr<Thread> thread = thread_table::find(static_cast<u32>(id));
    if (!thread || !thread->process() || thread->state() == ThreadState::Dead) return err(ENOENT);
    out.entry = &g_process_directory;
    out.key = PseudoKey{thread->process()->pid(), static_cast<u32>(id), 0, nullptr};
    return {};
}

bool next_process(const PseudoKey&, u64 position, PseudoChild& out) {
    u32 best = 0;
    process_table::for_each([&](Process& process) {
        if (process.pid() >= position && (!best || process.pid() < best)) best = process.pid();
    });
    if (!best) return false;
    out.entry = &g_process_directory;
    out.key = PseudoKey{best, 0, 0, nullptr};
    out.position = best;
    name_child(out, best);
    return true;
}

ErrorOr show_self(const PseudoKey&, SeqBuffer& out) {
    out.printf("%u", current_process()->pid());
    return {};
}

ErrorOr show_thread_self(const PseudoKey&, SeqBuffer& out) {
    out.printf("%u/task/%u", current_process()->pid(), current_thread()->tid());
    return {};
}

ErrorOr show_mounts_link(const PseudoKey&, SeqBuffer& out) {
    out.append("self/mounts");
    return {};
}

}  // namespace

const PseudoEntry g_fd_link{
    .name = "", .mode = S_IFLNK | 0700, .flags = PSEUDO_TASK_PRIVATE, .show = show_fd, .resolve = resolve_fd};
const PseudoDirectoryOps g_process_list{lookup_process, next_process};
const PseudoEntry g_self_link{.name = "self", .mode = S_IFLNK | 0777, .show = show_self};
const PseudoEntry g_thread_self_link{.name = "thread-self", .mode = S_IFLNK | 0777, .show = show_thread_self};
const PseudoEntry g_mounts_link{.name = "mounts", .mode = S_IFLNK | 0777, .show = show_mounts_link};

}  // namespace procfs
