// Syscalls: process and thread lifecycle — identity, clone/fork/vfork, execve, exit, wait,
// process groups and sessions.
#include <asm/prctl.h>
#include <asm/unistd_64.h>
#include <linux/prctl.h>
#include <linux/sched.h>
#include <linux/futex.h>
#include <linux/resource.h>
#include <linux/wait.h>

#include "arch/memory_layout.h"
#include "fs/fs_context.h"
#include "mm/kmalloc.h"
#include "mm/user_copy.h"
#include "proc/exec.h"
#include "proc/exit.h"
#include "proc/fork.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "proc/thread_table.h"
#include "proc/wait.h"
#include "syscalls/fs_common.h"
#include "syscalls/syscall.h"

namespace {
Process& self() { return *current_process(); }
}  // namespace

SyscallResult sys_getpid() { return self().pid(); }
SyscallResult sys_gettid() { return current_thread()->tid(); }

SyscallResult sys_getppid() {
    SpinLockGuard guard(process_table::lock());
    Process* parent = self().parent();
    return parent ? parent->pid() : 0;
}

SyscallResult sys_exit(int status) { exit_current_thread(status); }
SyscallResult sys_exit_group(int status) { exit_group((status & 0xff) << 8); }

SyscallResult sys_set_tid_address(UserPtr<int> address) {
    current_thread()->clear_child_tid = address.address();
    return current_thread()->tid();
}

SyscallResult sys_set_robust_list(UserPtr<void> head, usize length) {
    if (length != sizeof(robust_list_head)) return err(EINVAL);
    current_thread()->robust_list = head.address();
    current_thread()->robust_list_length = length;
    return 0;
}

SyscallResult sys_get_robust_list(int tid, UserPtr<u64> head, UserPtr<usize> length) {
    RefPtr<Thread> thread = tid ? thread_table::find(static_cast<u32>(tid)) : RefPtr<Thread>(current_thread());
    if (!thread || !thread->process()) return err(ESRCH);
    u64 address = thread->robust_list;
    usize size = sizeof(robust_list_head);
    TRY(mm::copy_to_user(head, &address));
    TRY(mm::copy_to_user(length, &size));
    return 0;
}

SyscallResult sys_fork() {
    CloneRequest request;
    request.exit_signal = SIGCHLD;
    return do_clone(request, current_thread()->user_frame());
}

SyscallResult sys_vfork() {
    CloneRequest request;
    request.flags = CLONE_VM | CLONE_VFORK;
    request.exit_signal = SIGCHLD;
    return do_clone(request, current_thread()->user_frame());
}

// Linux x86_64 argument order: flags, stack, parent_tid, child_tid, tls.
SyscallResult sys_clone(u64 flags, uptr stack, UserPtr<int> parent_tid, UserPtr<int> child_tid, uptr tls) {
    CloneRequest request;
    request.flags = flags & ~u64(CSIGNAL);
    request.exit_signal = static_cast<int>(flags & CSIGNAL);
    request.stack = stack;
    request.parent_tid = parent_tid.address();
    request.child_tid = child_tid.address();
    request.tls = tls;
    if (request.exit_signal && !SignalSet::valid(request.exit_signal)) return err(EINVAL);
    return do_clone(request, current_thread()->user_frame());
}

SyscallResult sys_clone3(UserPtr<clone_args> user_args, usize size) {
    if (size < CLONE_ARGS_SIZE_VER0 || size > 4096) return err(EINVAL);
    clone_args args{};
    TRY(mm::copy_from_user(&args, user_args.cast<const void>(), kstd::min(size, sizeof(args))));
    if (args.set_tid || args.set_tid_size || args.cgroup) return err(EINVAL);
    // Linux's clone3_args_valid: the legacy 32 flag bits plus CLONE_CLEAR_SIGHAND and
    // CLONE_INTO_CGROUP; no exit signal for a thread or a CLONE_PARENT child.
    constexpr u64 KNOWN_FLAGS = 0xffffffffull | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP;
    if (args.flags & ~KNOWN_FLAGS) return err(EINVAL);
    if ((args.flags & (CLONE_THREAD | CLONE_PARENT)) && args.exit_signal) return err(EINVAL);
    if (args.exit_signal > NSIG_KERNEL || (args.exit_signal & ~u64(CSIGNAL))) return err(EINVAL);
    if ((args.stack == 0) != (args.stack_size == 0)) return err(EINVAL);
    CloneRequest request;
    request.flags = args.flags;
    request.exit_signal = static_cast<int>(args.exit_signal);
    // clone3 passes the stack as base and size; the pointer starts at the top.
    request.stack = args.stack ? args.stack + args.stack_size : 0;
    request.parent_tid = args.parent_tid;
    request.child_tid = args.child_tid;
    request.tls = args.tls;
    return do_clone(request, current_thread()->user_frame());
}

namespace {
SyscallResult exec_common(int dirfd, UserPtr<const char> path, uptr argv, uptr envp, int flags) {
    if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) return err(EINVAL);
    char* name = static_cast<char*>(kmalloc(PATH_MAX_BYTES));
    if (!name) return err(ENOMEM);
    auto copied = mm::copy_string_from_user(name, path, PATH_MAX_BYTES);
    ExecArguments arguments;
    char* argv_strings = nullptr;
    char* envp_strings = nullptr;
    ErrorOr result = copied.is_error() ? ErrorOr(copied.error()) : ErrorOr();
    if (!result.is_error())
        result = copy_strings_from_user(argv, &argv_strings, &arguments.argc, &arguments.argv_bytes);
    if (!result.is_error())
        result = copy_strings_from_user(envp, &envp_strings, &arguments.envc, &arguments.envp_bytes);
    if (!result.is_error()) {
        arguments.argv_strings = argv_strings;
        arguments.envp_strings = envp_strings;
        auto lookup = lookup_context_for(dirfd, {name, copied.value()});
        if (lookup.is_error()) {
            result = lookup.error();
        } else {
            u32 lookup_flags = ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) |
                               ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0);
            result = do_execve(lookup.value(), {name, copied.value()}, arguments, current_thread()->user_frame(),
                               lookup_flags);
        }
    }
    kfree(argv_strings);
    kfree(envp_strings);
    kfree(name);
    if (result.is_error()) return result.error();
    return 0;
}
}  // namespace

SyscallResult sys_execve(UserPtr<const char> path, uptr argv, uptr envp) {
    return exec_common(AT_FDCWD, path, argv, envp, 0);
}

SyscallResult sys_execveat(int dirfd, UserPtr<const char> path, uptr argv, uptr envp, int flags) {
    return exec_common(dirfd, path, argv, envp, flags);
}

namespace {
ErrorOr put_rusage(UserPtr<rusage> address, const WaitResult& result) {
    if (address.is_null()) return {};
    rusage usage{};
    usage.ru_utime.tv_sec = static_cast<long>(result.user_ns / 1000000000);
    usage.ru_utime.tv_usec = static_cast<long>(result.user_ns / 1000 % 1000000);
    usage.ru_maxrss = static_cast<long>(result.max_resident_kib);
    usage.ru_minflt = static_cast<long>(result.minor_faults);
    return mm::copy_to_user(address, &usage);
}
}  // namespace

SyscallResult sys_wait4(int pid, UserPtr<int> status, int options, UserPtr<rusage> usage) {
    if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)) return err(EINVAL);
    WaitWho who = WaitWho::Any;
    u32 id = 0;
    if (pid > 0) who = WaitWho::Pid, id = static_cast<u32>(pid);
    else if (pid == 0) who = WaitWho::ProcessGroup, id = self().pgid;
    else if (pid < -1) who = WaitWho::ProcessGroup, id = static_cast<u32>(-pid);
    if (pid == INT32_MIN) return err(ESRCH);
    WaitResult result;
    u32 reported = TRY(do_wait(who, id, (options & (WNOHANG | WUNTRACED | WCONTINUED)) | WEXITED, result));
    if (reported) {
        if (!status.is_null()) TRY(mm::copy_to_user(status, &result.status));
        TRY(put_rusage(usage, result));
    }
    return reported;
}

SyscallResult sys_waitid(int idtype, int id, UserPtr<siginfo_t> info, int options, UserPtr<rusage> usage) {
    if (options & ~(WNOHANG | WEXITED | WSTOPPED | WCONTINUED | WNOWAIT | __WNOTHREAD | __WCLONE | __WALL))
        return err(EINVAL);
    WaitWho who;
    u32 target = 0;
    switch (idtype) {
    case P_ALL: who = WaitWho::Any; break;
    case P_PID:
        if (id <= 0) return err(EINVAL);
        who = WaitWho::Pid, target = static_cast<u32>(id);
        break;
    case P_PGID:
        if (id < 0) return err(EINVAL);
        who = WaitWho::ProcessGroup, target = id ? static_cast<u32>(id) : self().pgid;
        break;
    default: return err(EINVAL);
    }
    WaitResult result;
    u32 reported = TRY(do_wait(who, target, options, result));
    if (!info.is_null()) {
        SignalInfo si = make_signal_info(reported ? SIGCHLD : 0, reported ? result.code : 0);
        if (reported) {
            si.si_pid = static_cast<int>(result.pid);
            si.si_uid = result.uid;
            si.si_status = result.status_value;
        }
        TRY(mm::copy_to_user(info, &si));
    }
    if (reported) TRY(put_rusage(usage, result));
    return 0;
}

SyscallResult sys_getpgid(int pid) {
    if (pid == 0) return self().pgid;
    RefPtr<Process> process = process_table::find(static_cast<u32>(pid));
    if (!process || process->state != ProcessState::Alive) return err(ESRCH);
    return process->pgid;
}

SyscallResult sys_getpgrp() { return self().pgid; }

SyscallResult sys_setpgid(int pid, int pgid) {
    if (pgid < 0 || pid < 0) return err(EINVAL);
    Process& caller = self();
    RefPtr<Process> target = pid ? process_table::find(static_cast<u32>(pid)) : RefPtr<Process>(&caller);
    if (!target || target->state != ProcessState::Alive) return err(ESRCH);
    // The caller itself or one of its children (which must not have exec'ed yet).
    if (target.get() != &caller) {
        if (target->parent() != &caller) return err(ESRCH);
        if (target->did_exec) return err(EACCES);
        if (target->sid != caller.sid) return err(EPERM);
    }
    if (target->sid == target->pid()) return err(EPERM);  // a session leader stays put
    u32 group = pgid ? static_cast<u32>(pgid) : target->pid();
    if (group != target->pid()) {
        // Joining an existing group: it must exist in the same session. A zombie not yet
        // reaped still belongs to its group, as on Linux (a pipeline's first process may
        // have exited before the last one joins its group).
        bool exists = false;
        process_table::for_each([&](Process& p) {
            if (p.pgid == group && p.sid == caller.sid) exists = true;
        });
        if (!exists) return err(EPERM);
    }
    target->pgid = group;
    return 0;
}

SyscallResult sys_getsid(int pid) {
    if (pid == 0) return self().sid;
    RefPtr<Process> process = process_table::find(static_cast<u32>(pid));  // zombies too, as Linux
    if (!process) return err(ESRCH);
    return process->sid;
}

SyscallResult sys_setsid() {
    Process& caller = self();
    // A process group leader cannot start a session (its group would straddle two).
    bool group_in_use = false;
    process_table::for_each([&](Process& p) {
        if (p.pgid == caller.pid()) group_in_use = true;  // unreaped zombies count, as on Linux
    });
    if (group_in_use) return err(EPERM);
    caller.sid = caller.pid();
    caller.pgid = caller.pid();
    caller.controlling_tty = nullptr;
    return caller.sid;
}
