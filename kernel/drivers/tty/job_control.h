// TTY layer: job control — sessions, controlling terminals and foreground process groups
// (Linux's drivers/tty/tty_jobctrl.c). A session leader acquires a controlling terminal
// by opening one (without O_NOCTTY) or with TIOCSCTTY; its processes inherit it; only the
// foreground process group may read it (and, with TOSTOP, write it or change it); when
// the session leader exits, the terminal is hung up and the session loses it.
//
// Processes point at their controlling terminal (Process::controlling_tty, a plain
// pointer). Every way a terminal goes away (a hang-up: its pty master closed, its
// session leader exited) clears the pointers to it first, so none dangles.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

class File;
class Process;
class Tty;
class TtyFile;

namespace job_control {

// The calling process reading (SIGTTIN) or changing (SIGTTOU: writes with TOSTOP,
// TCSETS, TIOCSPGRP, TCFLSH…) `tty` from a background process group: signals its group
// and returns ERESTARTSYS, or EIO when the group is orphaned or (for SIGTTIN) the signal
// is ignored or blocked. Success when `tty` is not its controlling terminal or it is in
// the foreground (Linux's __tty_check_change).
ErrorOr check_background(Tty& tty, int signal);

// open(): a session leader without a controlling terminal gets this one, unless O_NOCTTY,
// the file is /dev/console or write-only, or the terminal belongs to another session.
void acquire_on_open(Tty& tty, TtyFile& file, u32 flags);

// TIOCSCTTY (argument 1: root may steal it from another session), TIOCNOTTY.
ErrorOr set_controlling_tty(Tty& tty, const File& file, u64 argument);
ErrorOr release_controlling_tty(Tty& tty);
// TIOCGPGRP, TIOCSPGRP, TIOCGSID. `through_master`: asked on the pty master, which needs
// no controlling-terminal relationship.
Result<u32> foreground_group(Tty& tty, bool through_master);
ErrorOr set_foreground_group(Tty& tty, int group);
Result<u32> session(Tty& tty, bool through_master);

// Hangs `tty` up (Linux's __tty_hangup): its files die, processes lose it as their
// controlling terminal, the session leader gets SIGHUP and SIGCONT, and with
// `session_exiting` the foreground process group SIGHUP.
void hang_up(Tty& tty, bool session_exiting);

// The exit path (kernel/proc/exit.cpp), before the children are reparented: a session
// leader's terminal is hung up (a pty's only disowned, its foreground group sent SIGHUP);
// process groups this exit orphans get SIGHUP and SIGCONT if they have stopped members.
void process_exiting(Process& process);

// The calling process's controlling terminal, or null (/dev/tty).
Tty* current_controlling_tty();

}  // namespace job_control
