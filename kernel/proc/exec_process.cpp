// Processes: what execve does to the process beyond its memory (see exec.h).
#include "fs/file_table.h"
#include "lib/string.h"
#include "proc/exec.h"
#include "proc/process.h"
#include "proc/scheduler.h"
#include "proc/signal.h"
#include "time/process_timers.h"

void exec_kill_other_threads(Process& process, Thread& survivor) {
    // Linux's de_thread: every other thread dies; exec waits until they are gone.
    bool others = false;
    {
        arch::InterruptGuard guard;
        for (Thread& thread : process.threads()) {
            if (&thread == &survivor || thread.state() == ThreadState::Dead) continue;
            others = true;
            thread.exit_requested = true;
            if (thread.state() != ThreadState::Uninterruptible) sched::wake_up(thread);
        }
    }
    while (others) {
        others = false;
        {
            arch::InterruptGuard guard;
            for (Thread& thread : process.threads()) {
                if (&thread != &survivor && thread.state() != ThreadState::Dead) others = true;
            }
        }
        if (others) sched::yield();
    }
    process.become_single_threaded(survivor);
}

void exec_finish(Process& process, const Path& executable, kstd::string_view filename,
                 const ExecArguments& arguments) {
    if (process.files) process.files->close_on_exec();
    process_timers_exec(process);  // POSIX timers go; interval timers stay
    if (process.signal_handlers) {
        // A handler table shared with another process (CLONE_SIGHAND) is unshared first.
        if (process.signal_handlers->ref_count() > 1) {
            RefPtr<SignalHandlers> own = process.signal_handlers->clone();
            if (own) process.signal_handlers = own;
        }
        process.signal_handlers->reset_for_exec();
    }
    Thread* thread = current_thread();
    thread->alt_stack = AltStack{};
    thread->clear_child_tid = 0;
    thread->robust_list = 0;
    // The name: the last component of the name execve was given (the file's own name for
    // an fd-based execveat), at most 15 bytes (Linux's comm).
    while (!filename.empty() && filename.back() == '/') filename.remove_suffix(1);
    usize slash = filename.rfind('/');
    kstd::string_view name = slash == kstd::string_view::npos ? filename : filename.substr(slash + 1);
    if (name.empty()) name = executable.dentry->name();
    char comm[16];
    usize n = kstd::min<usize>(name.size(), sizeof(comm) - 1);
    memcpy(comm, name.data(), n);
    comm[n] = '\0';
    process.set_comm(comm);
    thread->set_name(comm);
    if (vfs::path_to_string(executable, vfs::root_path(), process.exe_path, sizeof(process.exe_path)).is_error())
        process.exe_path[0] = '\0';
    (void)arguments;
    process.did_exec = true;
    arch::InterruptGuard guard;
    process.vfork_released = true;
    process.vfork_done.wake_all();
}
