// Processes: wait4 and waitid (see wait.h), after Linux's kernel/exit.c do_wait.
#include "proc/wait.h"

#include "lib/errno.h"
#include "proc/process.h"
#include "proc/signal.h"

namespace {

u64 process_cpu_ns(Process& process) {
    u64 total = 0;
    for (Thread& thread : process.threads()) total += thread.cpu_time();
    return total;
}

bool matches(Process& child, WaitWho who, u32 id) {
    switch (who) {
    case WaitWho::Pid: return child.pid() == id;
    case WaitWho::ProcessGroup: return child.pgid == id;
    case WaitWho::Any: return true;
    }
    return false;
}

int exit_code_of(int status) {
    if ((status & 0x7f) == 0) return CLD_EXITED;
    return (status & 0x80) ? CLD_DUMPED : CLD_KILLED;
}

}  // namespace

void reap_zombie(Process& zombie) {
    if (Process* parent = zombie.parent()) {
        u64 own = process_cpu_ns(zombie);
        parent->children_user_ns += own + zombie.children_user_ns;
        parent->children_system_ns += zombie.children_system_ns;
        parent->children_peak_resident_pages =
            kstd::max({parent->children_peak_resident_pages, zombie.peak_resident_pages, zombie.children_peak_resident_pages});
    }
    process_table::remove(zombie);
}

Result<u32> do_wait(WaitWho who, u32 id, int options, WaitResult& result) {
    Process* self = current_process();
    if (!(options & (WEXITED | WSTOPPED | WCONTINUED))) return err(EINVAL);
    u32 reported = 0;
    Process* to_reap = nullptr;
    auto scan = [&]() -> Result<bool> {
        bool any = false;
        SpinLockGuard guard(process_table::lock());
        for (Process& child : self->children()) {
            if (!matches(child, who, id)) continue;
            any = true;
            if ((options & WEXITED) && child.state == ProcessState::Zombie) {
                result.pid = child.pid();
                result.status = child.wait_status;
                result.code = exit_code_of(child.wait_status);
                result.status_value = result.code == CLD_EXITED ? (child.wait_status >> 8) & 0xff : child.wait_status & 0x7f;
                result.uid = child.credentials.uid;
                result.user_ns = process_cpu_ns(child);
                result.max_resident_kib = child.peak_resident_pages * 4;
                result.minor_faults = child.minor_faults;
                reported = child.pid();
                if (!(options & WNOWAIT)) to_reap = &child;
                return true;
            }
            if ((options & WSTOPPED) && child.stopped && !child.stop_reported && child.state == ProcessState::Alive) {
                result.pid = child.pid();
                result.status = (child.stop_signal << 8) | 0x7f;
                result.code = CLD_STOPPED;
                result.status_value = child.stop_signal;
                result.uid = child.credentials.uid;
                if (!(options & WNOWAIT)) child.stop_reported = true;
                reported = child.pid();
                return true;
            }
            if ((options & WCONTINUED) && !child.continue_reported && child.state == ProcessState::Alive) {
                result.pid = child.pid();
                result.status = 0xffff;
                result.code = CLD_CONTINUED;
                result.status_value = SIGCONT;
                result.uid = child.credentials.uid;
                if (!(options & WNOWAIT)) child.continue_reported = true;
                reported = child.pid();
                return true;
            }
        }
        if (!any) return err(ECHILD);
        return false;
    };

    bool found = false;
    ErrorOr waited = self->child_wait.wait_until([&] {
        auto r = scan();
        if (r.is_error()) {
            found = false;
            return true;  // no children at all: stop waiting, report below
        }
        found = r.value();
        return found || (options & WNOHANG);
    });
    if (waited.is_error()) return err(ERESTARTSYS);
    if (!found) {
        auto again = scan();  // distinguish "no children" from WNOHANG's "none ready"
        if (again.is_error()) return again.error();
        if (!again.value()) return 0u;
    }
    if (to_reap) reap_zombie(*to_reap);
    return reported;
}
