// TTY layer: job control (see job_control.h). The checks and their errno follow Linux's
// tty_jobctrl.c (__tty_check_change, tiocsctty, tiocspgrp, disassociate_ctty) and
// kernel/exit.c (kill_orphaned_pgrp); process groups are orphaned in POSIX's sense
// (will_become_orphaned_pgrp: no member has a parent in another group of the session,
// children of init not counting).
#include "drivers/tty/job_control.h"

#include <asm-generic/fcntl.h>

#include "drivers/tty/tty.h"
#include "drivers/tty/tty_file.h"
#include "lib/errno.h"
#include "proc/process.h"
#include "proc/signal.h"

namespace job_control {
namespace {

bool is_session_leader(const Process& process) { return process.sid == process.pid(); }

bool ignored_or_blocked(int signal) {
    Process* process = current_process();
    if (current_thread()->blocked_signals().has(signal)) return true;
    return process->signal_handlers && process->signal_handlers->get(signal).sa_handler == SIG_IGN;
}

// Whether no member of `group` (other than `leaving`) has a parent in another group of
// its session. A parent that is `leaving` counts as gone: its children go to init.
bool group_orphaned(u32 group, const Process* leaving) {
    bool orphaned = true;
    process_table::for_each([&](Process& process) {
        if (!orphaned || process.pgid != group || &process == leaving || process.state != ProcessState::Alive)
            return;
        Process* parent = process.parent();
        if (!parent || parent == leaving || parent->pid() == 1) return;
        if (parent->pgid != group && parent->sid == process.sid) orphaned = false;
    });
    return orphaned;
}

bool group_has_stopped_member(u32 group) {
    bool stopped = false;
    process_table::for_each([&](Process& process) {
        if (process.pgid == group && process.state == ProcessState::Alive && process.stopped) stopped = true;
    });
    return stopped;
}

void signal_group(u32 group, int signal) {
    (void)send_signal_to_group(group, make_signal_info(signal, SI_KERNEL));
}

void attach(Tty& tty, Process& leader) {
    tty.set_control(leader.sid, leader.pgid);
    leader.controlling_tty = &tty;
}

// Every process of `session` loses its controlling terminal (session_clear_tty).
void clear_session(u32 session) {
    process_table::for_each([&](Process& process) {
        if (process.sid == session) process.controlling_tty = nullptr;
    });
}

// A session leader gives up its terminal (disassociate_ctty). On exit a real terminal is
// hung up; a pty is only disowned (its foreground group still gets SIGHUP), as on Linux.
void disassociate(Process& leader, bool on_exit) {
    Tty* controlling = leader.controlling_tty;
    if (!controlling) return;
    RefPtr<Tty> tty(controlling);
    if (on_exit && tty->kind() != TtyKind::PtySlave) {
        hang_up(*tty, true);
        return;
    }
    if (u32 group = tty->foreground_group()) {
        signal_group(group, SIGHUP);
        if (!on_exit) signal_group(group, SIGCONT);
    }
    if (tty->session() == leader.sid) tty->set_control(0, 0);
    clear_session(leader.sid);
}

}  // namespace

ErrorOr check_background(Tty& tty, int signal) {
    Process* process = current_process();
    if (!process || process->controlling_tty != &tty) return {};
    u32 foreground = tty.foreground_group();
    if (!foreground || foreground == process->pgid) return {};
    if (ignored_or_blocked(signal)) {
        if (signal == SIGTTIN) return err(EIO);
        return {};  // a background writer that ignores SIGTTOU may write
    }
    // Nobody could continue a stopped orphaned group: fail instead of stopping it.
    if (group_orphaned(process->pgid, nullptr)) return err(EIO);
    signal_group(process->pgid, signal);
    return err(ERESTARTSYS);  // after the stop and SIGCONT, the call runs again
}

void acquire_on_open(Tty& tty, TtyFile& file, u32 flags) {
    // Linux: only a file that may read grants a controlling terminal.
    if (file.is_console() || (flags & O_NOCTTY) || !file.readable()) return;
    Process* process = current_process();
    if (!process || !is_session_leader(*process) || process->controlling_tty) return;
    if (tty.session()) return;
    attach(tty, *process);
}

ErrorOr set_controlling_tty(Tty& tty, const File& file, u64 argument) {
    Process* process = current_process();
    if (!process) return err(EPERM);
    if (is_session_leader(*process) && tty.session() == process->sid) return {};  // already ours
    if (!is_session_leader(*process) || process->controlling_tty) return err(EPERM);
    bool privileged = process->credentials.is_superuser();
    if (u32 owner = tty.session()) {
        // The controlling terminal of another session: root may steal it with argument 1.
        if (argument != 1 || !privileged) return err(EPERM);
        process_table::for_each([&](Process& other) {
            if (other.sid == owner && other.controlling_tty == &tty) other.controlling_tty = nullptr;
        });
    }
    if (!file.readable() && !privileged) return err(EPERM);
    attach(tty, *process);
    return {};
}

ErrorOr release_controlling_tty(Tty& tty) {
    Process* process = current_process();
    if (!process || process->controlling_tty != &tty) return err(ENOTTY);
    if (is_session_leader(*process)) disassociate(*process, false);
    process->controlling_tty = nullptr;
    return {};
}

Result<u32> foreground_group(Tty& tty, bool through_master) {
    Process* process = current_process();
    if (!through_master && (!process || process->controlling_tty != &tty)) return err(ENOTTY);
    return tty.foreground_group();
}

ErrorOr set_foreground_group(Tty& tty, int group) {
    if (auto checked = check_background(tty, SIGTTOU); checked.is_error())
        return checked.error().code() == EIO ? err(ENOTTY) : checked;
    if (group < 0) return err(EINVAL);
    Process* process = current_process();
    if (!process || process->controlling_tty != &tty || tty.session() != process->sid) return err(ENOTTY);
    // The group's session (Linux's session_of_pgrp: a member's, or the pid's owner's).
    // Unreaped zombies are still members, as on Linux: a pipeline's first process may
    // exit before the shell makes its group the foreground.
    bool found = false;
    u32 session = 0;
    process_table::for_each([&](Process& member) {
        if (!found && member.pgid == static_cast<u32>(group)) {
            found = true;
            session = member.sid;
        }
    });
    if (!found && group > 0) {
        if (RefPtr<Process> owner = process_table::find(static_cast<u32>(group))) {
            found = true;
            session = owner->sid;
        }
    }
    if (!found) return err(ESRCH);
    if (session != process->sid) return err(EPERM);
    tty.set_foreground_group(static_cast<u32>(group));
    return {};
}

Result<u32> session(Tty& tty, bool through_master) {
    Process* process = current_process();
    if (!through_master && (!process || process->controlling_tty != &tty)) return err(ENOTTY);
    u32 owner = tty.session();
    if (!owner) return err(ENOTTY);
    return owner;
}

void hang_up(Tty& tty, bool session_exiting) {
    RefPtr<Tty> keep(&tty);
    u32 session, group;
    tty.hang_up_files(session, group);
    SignalInfo hangup = make_signal_info(SIGHUP, SI_KERNEL), resume = make_signal_info(SIGCONT, SI_KERNEL);
    // tty_signal_session_leader: the session forgets the terminal, its leader is told.
    process_table::for_each([&](Process& process) {
        if (process.controlling_tty == &tty) process.controlling_tty = nullptr;
        if (session && process.sid == session && is_session_leader(process) &&
            process.state == ProcessState::Alive) {
            (void)send_signal_to_process(process, hangup);
            (void)send_signal_to_process(process, resume);
        }
    });
    if (session_exiting && group) signal_group(group, SIGHUP);
}

void process_exiting(Process& process) {
    // Groups this exit may orphan: the process's own (its parent was its link outside)
    // and its children's (it was theirs).
    constexpr usize MAX_GROUPS = 16;
    u32 groups[MAX_GROUPS];
    usize group_count = 0;
    auto note = [&](u32 group) {
        for (usize i = 0; i < group_count; i++) {
            if (groups[i] == group) return;
        }
        if (group_count < MAX_GROUPS) groups[group_count++] = group;
    };
    Process* parent = process.parent();
    if (parent && parent->pgid != process.pgid && parent->sid == process.sid) note(process.pgid);
    process_table::for_each([&](Process& child) {
        if (child.parent() == &process && child.pgid != process.pgid && child.sid == process.sid &&
            child.state == ProcessState::Alive)
            note(child.pgid);
    });
    for (usize i = 0; i < group_count; i++) {
        // POSIX: a newly orphaned group with a stopped member gets SIGHUP, then SIGCONT.
        if (group_orphaned(groups[i], &process) && group_has_stopped_member(groups[i])) {
            signal_group(groups[i], SIGHUP);
            signal_group(groups[i], SIGCONT);
        }
    }
    if (is_session_leader(process)) disassociate(process, true);
}

Tty* current_controlling_tty() {
    Process* process = current_process();
    return process ? process->controlling_tty : nullptr;
}

}  // namespace job_control
