// Filesystems: file locks (Linux's fs/locks.c) — POSIX record locks (fcntl F_SETLK…),
// open-file-description locks (F_OFD_SETLK…) and BSD flock.
//
// POSIX locks belong to a process's descriptor table and go when the process closes
// ANY descriptor of the file; OFD locks and flock belong to the open file and go with
// its last reference. POSIX and OFD locks see each other; flock lives apart. Waits are
// interruptible, and a POSIX wait that would close a cycle of waiting owners fails with
// EDEADLK, as Linux detects it.
#pragma once

#include <asm-generic/fcntl.h>

#include "fs/file.h"

namespace locks {

enum class Flavor : u8 { Posix, OpenFile };

// F_GETLK / F_OFD_GETLK: rewrites `request` with the first conflicting lock, or F_UNLCK.
ErrorOr get(File& file, Flavor flavor, struct flock& request);
// F_SETLK(W) / F_OFD_SETLK(W).
ErrorOr set(File& file, Flavor flavor, const struct flock& request, bool wait);
// flock(2): LOCK_SH, LOCK_EX or LOCK_UN, with LOCK_NB.
ErrorOr flock(File& file, int operation);

// close(2) of a descriptor of `file` by the descriptor table `owner`.
void descriptor_closed(File& file, const void* owner);
// The file's last reference is gone: its OFD locks and flock go.
void file_released(File& file);

}  // namespace locks
