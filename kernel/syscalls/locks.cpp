// Syscalls: file locks — flock, and fcntl's record-lock commands (F_GETLK, F_SETLK,
// F_SETLKW and their open-file-description forms), which fcntl_extra.cpp hands here.
#include "fs/locks.h"

#include <asm-generic/fcntl.h>

#include "mm/user_copy.h"
#include "syscalls/fs_common.h"
#include "syscalls/syscall.h"

Result<i64> fcntl_record_lock(File& file, int command, u64 argument) {
    UserPtr<struct flock> user(argument);
    struct flock request;
    TRY(mm::copy_from_user(&request, user));
    auto flavor = (command == F_OFD_GETLK || command == F_OFD_SETLK || command == F_OFD_SETLKW)
                      ? locks::Flavor::OpenFile
                      : locks::Flavor::Posix;
    switch (command) {
    case F_GETLK:
    case F_OFD_GETLK:
        TRY(locks::get(file, flavor, request));
        TRY(mm::copy_to_user(user, &request));
        return 0;
    case F_SETLK:
    case F_OFD_SETLK: TRY(locks::set(file, flavor, request, false)); return 0;
    default:  // F_SETLKW, F_OFD_SETLKW
        TRY(locks::set(file, flavor, request, true));
        return 0;
    }
}

SyscallResult sys_flock(int fd, u32 operation) {
    RefPtr<File> file = TRY(file_for(fd));
    TRY(locks::flock(*file, static_cast<int>(operation)));
    return 0;
}
