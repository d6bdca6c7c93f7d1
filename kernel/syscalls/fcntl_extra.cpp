// Syscalls: the fcntl commands beyond descriptor flags (record locks, pipe sizes,
// owners), dispatched from sys_fcntl.
#include <linux/fcntl.h>

#include "log/klog.h"
#include "syscalls/syscall.h"
#include "fs/file.h"
#include "fs/pipe.h"

Result<i64> fcntl_record_lock(File& file, int command, u64 argument);  // locks.cpp

Result<i64> fcntl_locks_and_more(File& file, int command, u64 argument) {
    switch (command) {
    case F_ADD_SEALS: {
        if (!file.inode()) return err(EINVAL);
        if (!file.writable()) return err(EPERM);
        TRY(file.inode()->add_seals(static_cast<u32>(argument)));
        return 0;
    }
    case F_GET_SEALS:
        if (!file.inode()) return err(EINVAL);
        return TRY(file.inode()->seals());
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
        return fcntl_record_lock(file, command, argument);
    case F_GETPIPE_SZ: return pipes::get_size(file);
    case F_SETPIPE_SZ: return pipes::set_size(file, argument);
    case F_GETOWN:
    case F_GETSIG:
        return 0;
    default:
        pr_info("fcntl: command %d is not supported: EINVAL", command);
        return err(EINVAL);
    }
}
