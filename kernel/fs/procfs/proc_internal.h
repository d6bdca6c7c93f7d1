// procfs: what the files of /proc share — finding the process an entry is about, the
// access rule for private entries, reading another process's memory, paths as the reader
// sees them, and the entry tables each file contributes.
#pragma once

#include "fs/procfs/proc_format.h"
#include "fs/procfs/pseudo.h"

class Process;
class Thread;
class AddressSpace;

namespace procfs {

// The process a key names, alive or a zombie; null once reaped.
RefPtr<Process> process_of(const PseudoKey& key);
// The thread a key names (/proc/<pid>/task/<tid>), or the process's first live thread.
RefPtr<Thread> thread_of(const Process& process, const PseudoKey& key);
// Linux's ptrace_may_access(PTRACE_MODE_READ_FSCREDS) without ptrace: root, or a caller
// whose real, effective and saved ids all match the target's.
bool may_access(const Process& target);
// Copies [address, address + length) of `space` into `buffer` as far as pages are present;
// returns how much was copied.
usize read_process_memory(AddressSpace& space, uptr address, void* buffer, usize length);
// The path as the reader (the current process) sees it, with " (deleted)" for a name that
// was unlinked.
ErrorOr print_path(SeqBuffer& out, const Path& path);
// /proc/<pid>/mounts and mountinfo, for a process whose root is `root`.
ErrorOr print_mounts(SeqBuffer& out, const Path& root);
ErrorOr print_mountinfo(SeqBuffer& out, const Path& root);

// The tables: /proc's own files (proc_system.cpp), /proc/sys (proc_sys.cpp), the
// directory of a process (proc_pid.cpp) and the dynamic list of processes in /proc.
extern const PseudoEntry g_proc_root;
extern const kstd::span<const PseudoEntry> g_sys_entries;
extern const PseudoDirectoryOps g_process_list;
extern const PseudoEntry g_self_link;
extern const PseudoEntry g_thread_self_link;
extern const PseudoEntry g_mounts_link;
// Entries whose inode attributes depend on the object (descriptor links take the open mode).
extern const PseudoEntry g_fd_link;

}  // namespace procfs
