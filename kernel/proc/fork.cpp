// Processes: clone (see fork.h). Flag rules follow Linux's kernel/fork.c copy_process.
#include "proc/fork.h"

#include <asm/unistd_64.h>

#include "fs/file_table.h"
#include "fs/fs_context.h"
#include "log/klog.h"
#include "mm/address_space.h"
#include "mm/user_copy.h"
#include "proc/process.h"
#include "proc/scheduler.h"
#include "proc/signal.h"
#include "proc/thread_table.h"

namespace {

constexpr u64 NAMESPACE_FLAGS = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
                                CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME;

ErrorOr validate(const CloneRequest& r) {
    u64 f = r.flags;
    if ((f & CLONE_SIGHAND) && !(f & CLONE_VM)) return err(EINVAL);
    if ((f & CLONE_THREAD) && !(f & CLONE_SIGHAND)) return err(EINVAL);
    if ((f & CLONE_FS) && (f & CLONE_NEWNS)) return err(EINVAL);
    if (f & NAMESPACE_FLAGS) {
        pr_info("clone: namespaces (flags %#lx) are not supported: EINVAL", f & NAMESPACE_FLAGS);
        return err(EINVAL);
    }
    if (f & (CLONE_PIDFD | CLONE_INTO_CGROUP)) {
        pr_info("clone: CLONE_PIDFD and CLONE_INTO_CGROUP are not supported: EINVAL");
        return err(EINVAL);
    }
    return {};
}

// RLIMIT_NPROC counts the processes of the caller's real user (root is exempt).
ErrorOr check_process_limit(Process& parent) {
    if (parent.credentials.euid == 0) return {};
    u64 limit = parent.limits[RLIMIT_NPROC].current;
    u64 count = 0;
    process_table::for_each([&](Process& p) {
        if (p.state == ProcessState::Alive && p.credentials.uid == parent.credentials.uid) count++;
    });
    if (count >= limit) return err(EAGAIN);
    return {};
}

InterruptFrame child_frame(const InterruptFrame& parent, const CloneRequest& r) {
    InterruptFrame frame = parent;
    frame.rax = 0;  // the child's syscall returns 0
    if (r.stack) frame.rsp = r.stack;
    return frame;
}

Result<RefPtr<Thread>> make_thread(Process& process, const InterruptFrame& frame, const CloneRequest& r, u32 tid) {
    RefPtr<Thread> thread = TRY(Thread::create_user_thread(process, frame, tid));
    Thread* parent = current_thread();
    arch::copy_thread_state(thread->arch_state(), parent->arch_state());
    if (r.flags & CLONE_SETTLS) thread->arch_state().fs_base = r.tls;
    thread->blocked_signals() = parent->blocked_signals();
    thread->alt_stack = (r.flags & CLONE_VM) && !(r.flags & CLONE_VFORK) ? AltStack{} : parent->alt_stack;
    if (r.flags & CLONE_CHILD_SETTID) thread->set_child_tid = r.child_tid;
    if (r.flags & CLONE_CHILD_CLEARTID) thread->clear_child_tid = r.child_tid;
    return thread;
}

}  // namespace

Result<i64> do_clone(const CloneRequest& r, const InterruptFrame& parent_frame) {
    TRY(validate(r));
    Thread* self = current_thread();
    Process* parent = self->process();
    InterruptFrame frame = child_frame(parent_frame, r);

    if (r.flags & CLONE_THREAD) {
        if (parent->exiting) return err(EAGAIN);
        RefPtr<Thread> thread = TRY(make_thread(*parent, frame, r, 0));
        parent->add_thread(*thread);
        u32 tid = thread->tid();
        if (r.flags & CLONE_PARENT_SETTID) (void)mm::copy_to_user(UserPtr<u32>(r.parent_tid), &tid);
        sched::wake_up(*thread);
        return tid;
    }

    TRY(check_process_limit(*parent));
    u32 pid = TRY(thread_table::allocate_id());
    Process* process_parent = (r.flags & CLONE_PARENT) && parent->parent() ? parent->parent() : parent;
    auto created = Process::create(process_parent, pid);
    if (created.is_error()) {
        thread_table::free_id(pid);
        return created.error();
    }
    RefPtr<Process> child = created.release_value();
    child->exit_signal = r.exit_signal;
    child->child_subreaper = false;
    ErrorOr setup;
    if (r.flags & CLONE_VM) {
        child->address_space = parent->address_space;
    } else {
        MutexGuard guard(parent->address_space->lock());
        auto copied = parent->address_space->fork();
        if (copied.is_error()) setup = copied.error();
        else child->address_space = copied.release_value();
    }
    if (!setup.is_error()) {
        if (r.flags & CLONE_FILES) child->files = parent->files;
        else if (auto copied = parent->files->clone(); copied.is_error()) setup = copied.error();
        else child->files = copied.release_value();
    }
    if (!setup.is_error()) {
        child->fs = (r.flags & CLONE_FS) ? parent->fs : parent->fs->clone();
        child->signal_handlers = (r.flags & CLONE_SIGHAND) ? parent->signal_handlers : parent->signal_handlers->clone();
        if (!child->fs || !child->signal_handlers) setup = err(ENOMEM);
    }
    RefPtr<Thread> thread;
    if (!setup.is_error()) {
        auto made = make_thread(*child, frame, r, pid);
        if (made.is_error()) setup = made.error();
        else thread = made.release_value();
    }
    if (setup.is_error()) {
        // Undo: the half-built child never ran; it leaves as if reaped.
        child->state = ProcessState::Zombie;
        child->address_space.clear();
        child->files.clear();
        child->fs.clear();
        process_table::remove(*child);
        return setup.error();
    }
    child->add_thread(*thread);
    if (r.flags & CLONE_PARENT_SETTID) (void)mm::copy_to_user(UserPtr<u32>(r.parent_tid), &pid);
    if (r.flags & CLONE_VFORK) child->vfork_released = false;
    sched::wake_up(*thread);
    if (r.flags & CLONE_VFORK) {
        // The parent sleeps until the child execs or exits (Linux: a killable wait).
        (void)child->vfork_done.wait_until([&] { return child->vfork_released; }, WaitMode::Killable);
    }
    return pid;
}
