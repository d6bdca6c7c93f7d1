/*
 * Strix conformance suite — file_meta: who may do what to a file. access/faccessat/
 * faccessat2, chmod and chown families (and the bits they clear), utimensat and the old
 * utime/utimes/futimesat, the umask, extended attributes (user.*, trusted.*, security.*
 * and POSIX ACLs), and permission checks as ordinary users: owner/group/other classes,
 * directory search and write rights, sticky and setgid directories; tmpfs's directory
 * sizes.
 */
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <utime.h>

#include "common.h"

#define USER_A 41001
#define USER_B 41002
#define GROUP_G 41500

static mode_t mode_of(const char* path) {
    struct stat status;
    return lstat(path, &status) == 0 ? status.st_mode : 0;
}

/* Forks; the child continues as `uid` (primary group `gid`, optional extra group). */
static pid_t fork_as(uid_t uid, gid_t gid, gid_t extra_group) {
    pid_t child = fork();
    if (child == 0) {
        gid_t groups[1] = {extra_group};
        if (setgroups(extra_group ? 1 : 0, groups) != 0 || setresgid(gid, gid, gid) != 0 ||
            setresuid(uid, uid, uid) != 0)
            sub_fail("switching to uid %d: %s", (int)uid, errno_name(errno));
    }
    return child;
}

#define NEED_ROOT()                                                                 \
    do {                                                                            \
        if (!running_as_root()) SKIP("needs root to create files for other users"); \
    } while (0)

CASE(access_family) {
    CHECK_OK(write_file("none", "", 0, 0000));
    CHECK_OK(write_file("exec", "", 0, 0100));
    CHECK_OK(symlink("missing", "dangling"));
    CHECK_OK(access("none", F_OK));
    CHECK_ERRNO(access("missing", F_OK), ENOENT);
    CHECK_ERRNO(access("dangling", F_OK), ENOENT);
    CHECK_OK(syscall(SYS_faccessat2, AT_FDCWD, "dangling", F_OK, AT_SYMLINK_NOFOLLOW));
    if (running_as_root()) {
        /* Root passes read/write checks but needs some execute bit for X_OK. */
        CHECK_OK(access("none", R_OK | W_OK));
        CHECK_ERRNO(access("none", X_OK), EACCES);
        CHECK_OK(access("exec", X_OK));
        CHECK_OK(chmod(".", 0755));
        pid_t child = fork();
        if (child == 0) {
            /* access() checks the real uid; AT_EACCESS the effective one. */
            SUB_CHECK(setresuid(USER_A, 0, 0) == 0, "setresuid: %s", errno_name(errno));
            SUB_CHECK(access("none", R_OK) == -1 && errno == EACCES, "access with real uid %d: %s", USER_A,
                      errno_name(errno));
            SUB_CHECK(syscall(SYS_faccessat2, AT_FDCWD, "none", R_OK, AT_EACCESS) == 0,
                      "faccessat2 AT_EACCESS with euid 0: %s", errno_name(errno));
            _exit(0);
        }
        CHECK_EXIT(child, 0);
    }
    int directory = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_OK(faccessat(directory, "exec", F_OK, 0));
    CHECK_ERRNO(syscall(SYS_faccessat2, directory, "exec", F_OK, 0x8000), EINVAL);
}

CASE(chmod_family) {
    CHECK_OK(write_file("file", "", 0, 0644));
    CHECK_OK(chmod("file", 07755));
    CHECK((mode_of("file") & 07777) == 07755, "chmod 07755 gave 0%o", (unsigned)(mode_of("file") & 07777));
    int fd = CHECK_OK(open("file", O_RDONLY));
    CHECK_OK(fchmod(fd, 0600));
    CHECK((mode_of("file") & 07777) == 0600, "fchmod");
    CHECK_OK(fchmodat(AT_FDCWD, "file", 0640, 0));
    CHECK((mode_of("file") & 07777) == 0640, "fchmodat");
    CHECK_OK(symlink("file", "link"));
    CHECK_OK(chmod("link", 0604)); /* follows the link */
    CHECK((mode_of("file") & 07777) == 0604 && S_ISLNK(mode_of("link")), "chmod through a symlink");
    CHECK_OK(chmod("file", 0644 | S_IFDIR)); /* file-type bits are ignored */
    CHECK(S_ISREG(mode_of("file")), "chmod changed the file type");
    CHECK_ERRNO(chmod("missing", 0644), ENOENT);
    if (!running_as_root()) return;
    CHECK_OK(chown("file", USER_A, 0));
    pid_t child = fork_as(USER_A, USER_A, 0);
    if (child == 0) {
        /* The owner may chmod, but not set S_ISGID for a group it is not in. */
        SUB_CHECK(chmod("file", 02755) == 0, "owner chmod: %s", errno_name(errno));
        SUB_CHECK((mode_of("file") & 07777) == 0755, "S_ISGID kept for a non-member: 0%o",
                  (unsigned)(mode_of("file") & 07777));
        _exit(0);
    }
    CHECK_EXIT(child, 0);
    CHECK_OK(write_file("root-file", "", 0, 0644));
    child = fork_as(USER_A, USER_A, 0);
    if (child == 0) {
        SUB_CHECK(chmod("root-file", 0777) == -1 && errno == EPERM, "non-owner chmod: %s", errno_name(errno));
        _exit(0);
    }
    CHECK_EXIT(child, 0);
}

CASE(chown_family) {
    NEED_ROOT();
    CHECK_OK(write_file("file", "", 0, 06755));
    CHECK_OK(chmod("file", 06755));
    CHECK_OK(chown("file", USER_A, GROUP_G));
    struct stat status;
    CHECK_OK(stat("file", &status));
    CHECK(status.st_uid == USER_A && status.st_gid == GROUP_G, "chown gave %d:%d", (int)status.st_uid,
          (int)status.st_gid);
    CHECK((status.st_mode & 06000) == 0, "chown kept set-id bits of an executable: 0%o",
          (unsigned)(status.st_mode & 07777));
    CHECK_OK(chown("file", (uid_t)-1, 0));
    CHECK_OK(stat("file", &status));
    CHECK(status.st_uid == USER_A && status.st_gid == 0, "-1 must leave the owner alone");
    CHECK_OK(symlink("file", "link"));
    CHECK_OK(lchown("link", USER_B, USER_B));
    struct stat link_status;
    CHECK_OK(lstat("link", &link_status));
    CHECK_OK(stat("file", &status));
    CHECK(link_status.st_uid == USER_B && status.st_uid == USER_A, "lchown followed the link");
    CHECK_OK(fchownat(AT_FDCWD, "link", USER_A, USER_A, AT_SYMLINK_NOFOLLOW));
    CHECK_OK(lstat("link", &link_status));
    CHECK(link_status.st_uid == USER_A, "fchownat AT_SYMLINK_NOFOLLOW");
    int fd = CHECK_OK(open("file", O_RDONLY));
    CHECK_OK(fchown(fd, USER_B, (gid_t)-1));
    CHECK_OK(fstat(fd, &status));
    CHECK(status.st_uid == USER_B, "fchown");
    pid_t child = fork_as(USER_B, USER_B, GROUP_G);
    if (child == 0) {
        SUB_CHECK(fchown(fd, USER_A, (gid_t)-1) == -1 && errno == EPERM, "giving a file away: %s",
                  errno_name(errno));
        SUB_CHECK(fchown(fd, (uid_t)-1, 999) == -1 && errno == EPERM, "chgrp to a foreign group: %s",
                  errno_name(errno));
        SUB_CHECK(fchown(fd, (uid_t)-1, GROUP_G) == 0, "chgrp to a member group: %s", errno_name(errno));
        SUB_CHECK(fchown(fd, USER_B, (gid_t)-1) == 0, "chown to oneself: %s", errno_name(errno));
        _exit(0);
    }
    CHECK_EXIT(child, 0);
}

CASE(utimensat_semantics) {
    CHECK_OK(write_file("file", "", 0, 0666));
    CHECK_OK(chmod("file", 0666));
    struct timespec times[2] = {{1000000000, 123456789}, {1100000000, 987654321}};
    CHECK_OK(utimensat(AT_FDCWD, "file", times, 0));
    struct stat status;
    CHECK_OK(stat("file", &status));
    CHECK(status.st_atim.tv_sec == 1000000000 && status.st_mtim.tv_sec == 1100000000, "times set to %ld/%ld",
          (long)status.st_atim.tv_sec, (long)status.st_mtim.tv_sec);
    /* Nanoseconds survive unless the filesystem keeps whole seconds only. */
    CHECK(status.st_mtim.tv_nsec == 987654321 || status.st_mtim.tv_nsec == 0, "mtime nanoseconds %ld",
          status.st_mtim.tv_nsec);
    struct timespec omit_now[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
    CHECK_OK(utimensat(AT_FDCWD, "file", omit_now, 0));
    struct stat after;
    CHECK_OK(stat("file", &after));
    time_t now = time(NULL);
    CHECK(after.st_atim.tv_sec == 1000000000, "UTIME_OMIT changed atime");
    CHECK(labs((long)(after.st_mtim.tv_sec - now)) <= 2, "UTIME_NOW set mtime %ld, now %ld",
          (long)after.st_mtim.tv_sec, (long)now);
    CHECK_OK(utimensat(AT_FDCWD, "file", NULL, 0));
    CHECK_OK(stat("file", &after));
    CHECK(labs((long)(after.st_atim.tv_sec - now)) <= 2, "NULL times did not set atime to now");
    CHECK_OK(symlink("file", "link"));
    CHECK_OK(utimensat(AT_FDCWD, "link", times, AT_SYMLINK_NOFOLLOW));
    struct stat link_status;
    CHECK_OK(lstat("link", &link_status));
    CHECK(link_status.st_mtim.tv_sec == 1100000000, "AT_SYMLINK_NOFOLLOW did not change the link");
    int fd = CHECK_OK(open("file", O_RDONLY));
    CHECK_OK(futimens(fd, times));
    CHECK_OK(stat("file", &status));
    CHECK(status.st_mtim.tv_sec == 1100000000, "futimens");
    if (!running_as_root()) return;
    pid_t child = fork_as(USER_A, USER_A, 0);
    if (child == 0) {
        /* Explicit times need ownership; "now" needs only write permission. */
        SUB_CHECK(utimensat(AT_FDCWD, "file", times, 0) == -1 && errno == EPERM, "explicit times: %s",
                  errno_name(errno));
        SUB_CHECK(utimensat(AT_FDCWD, "file", NULL, 0) == 0, "NULL times with write access: %s",
                  errno_name(errno));
        _exit(0);
    }
    CHECK_EXIT(child, 0);
}

CASE(old_time_calls) {
    /* utime, utimes and futimesat: the raw calls (libcs implement them with utimensat). */
    CHECK_OK(write_file("file", "x", 1, 0644));
    struct utimbuf stamp = {.actime = 1000000, .modtime = 2000000};
    CHECK_OK(syscall(SYS_utime, "file", &stamp));
    struct stat status;
    CHECK_OK(stat("file", &status));
    CHECK(status.st_atime == 1000000 && status.st_mtime == 2000000, "utime set %ld/%ld",
          (long)status.st_atime, (long)status.st_mtime);
    struct timeval times[2] = {{3000000, 500000}, {4000000, 250}};
    CHECK_OK(syscall(SYS_utimes, "file", times));
    CHECK_OK(stat("file", &status));
    CHECK(status.st_atime == 3000000 && status.st_mtime == 4000000, "utimes set %ld/%ld",
          (long)status.st_atime, (long)status.st_mtime);
    /* Microseconds survive unless the filesystem keeps whole seconds only. */
    CHECK((status.st_atim.tv_nsec == 500000000 && status.st_mtim.tv_nsec == 250000) ||
              (status.st_atim.tv_nsec == 0 && status.st_mtim.tv_nsec == 0),
          "utimes nanoseconds %ld/%ld", status.st_atim.tv_nsec, status.st_mtim.tv_nsec);
    int directory = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    times[1].tv_sec = 5000000;
    CHECK_OK(syscall(SYS_futimesat, directory, "file", times));
    CHECK_OK(stat("file", &status));
    CHECK(status.st_mtime == 5000000, "futimesat set mtime %ld", (long)status.st_mtime);
    time_t before = time(NULL);
    CHECK_OK(syscall(SYS_utime, "file", NULL));
    CHECK_OK(stat("file", &status));
    CHECK(status.st_mtime >= before - 1 && status.st_atime >= before - 1, "utime(NULL) did not set now");
    CHECK_OK(utimes("file", times)); /* and through the C library */
    CHECK_OK(stat("file", &status));
    CHECK(status.st_mtime == 5000000, "utimes() set mtime %ld", (long)status.st_mtime);
    struct timeval bad[2] = {{0, 1000000}, {0, 0}};
    CHECK_ERRNO(syscall(SYS_utimes, "file", bad), EINVAL);
    CHECK_ERRNO(syscall(SYS_utime, "missing", &stamp), ENOENT);
}

CASE(umask_applies_to_creation) {
    umask(077);
    CHECK_OK(write_file("file", "", 0, 0666));
    CHECK((mode_of("file") & 0777) == 0600, "file created under umask 077: 0%o",
          (unsigned)(mode_of("file") & 0777));
    CHECK_OK(mkdir("dir", 0777));
    CHECK((mode_of("dir") & 0777) == 0700, "directory under umask 077: 0%o",
          (unsigned)(mode_of("dir") & 0777));
    CHECK_OK(mkfifo("fifo", 0666));
    CHECK((mode_of("fifo") & 0777) == 0600, "fifo under umask 077");
    CHECK_OK(chmod("file", 0666)); /* chmod ignores the umask */
    CHECK((mode_of("file") & 0777) == 0666, "chmod was masked");
    umask(0);
    CHECK_OK(write_file("open", "", 0, 0666));
    CHECK((mode_of("open") & 0777) == 0666, "umask 0");
}

CASE(extended_attributes) {
    CHECK_OK(write_file("file", "", 0, 0644));
    if (setxattr("file", "user.probe", "1", 1, 0) != 0 && errno == EOPNOTSUPP)
        SKIP("this filesystem has no user.* extended attributes");
    CHECK_OK(removexattr("file", "user.probe"));
    CHECK_OK(setxattr("file", "user.colour", "blue", 4, 0));
    char value[64];
    CHECK(getxattr("file", "user.colour", NULL, 0) == 4, "size query: %s", errno_name(errno));
    CHECK(getxattr("file", "user.colour", value, sizeof value) == 4 && memcmp(value, "blue", 4) == 0,
          "getxattr value");
    CHECK_ERRNO(getxattr("file", "user.colour", value, 2), ERANGE);
    CHECK_ERRNO(getxattr("file", "user.missing", value, sizeof value), ENODATA);
    CHECK_ERRNO(setxattr("file", "user.colour", "red", 3, XATTR_CREATE), EEXIST);
    CHECK_ERRNO(setxattr("file", "user.other", "x", 1, XATTR_REPLACE), ENODATA);
    CHECK_ERRNO(setxattr("file", "user.other", "x", 1, 4), EINVAL);
    CHECK_OK(setxattr("file", "user.colour", "red", 3, XATTR_REPLACE));
    CHECK_OK(setxattr("file", "user.empty", "", 0, 0));
    CHECK(getxattr("file", "user.empty", value, sizeof value) == 0, "empty value");
    char list[256];
    ssize_t length = listxattr("file", list, sizeof list);
    CHECK(length > 0 && listxattr("file", NULL, 0) == length, "listxattr size %zd", length);
    bool saw_colour = false, saw_empty = false;
    for (ssize_t at = 0; at < length; at += (ssize_t)strlen(list + at) + 1) {
        saw_colour |= strcmp(list + at, "user.colour") == 0;
        saw_empty |= strcmp(list + at, "user.empty") == 0;
    }
    CHECK(saw_colour && saw_empty, "listxattr lacks our names");
    CHECK_ERRNO(listxattr("file", list, 3), ERANGE);
    int fd = CHECK_OK(open("file", O_RDONLY));
    CHECK_OK(fsetxattr(fd, "user.by-fd", "f", 1, 0));
    CHECK(fgetxattr(fd, "user.by-fd", value, sizeof value) == 1, "fgetxattr");
    CHECK(flistxattr(fd, list, sizeof list) == length + (ssize_t)sizeof "user.by-fd", "flistxattr");
    CHECK_OK(fremovexattr(fd, "user.by-fd"));
    int path_fd = CHECK_OK(open("file", O_PATH));
    CHECK_ERRNO(fgetxattr(path_fd, "user.colour", value, sizeof value), EBADF);
    CHECK_OK(removexattr("file", "user.colour"));
    CHECK_ERRNO(removexattr("file", "user.colour"), ENODATA);
    CHECK_ERRNO(getxattr("file", "user.colour", value, sizeof value), ENODATA);
    CHECK_OK(symlink("file", "link"));
    CHECK(getxattr("link", "user.empty", value, sizeof value) == 0, "getxattr follows symlinks");
    CHECK_ERRNO(lgetxattr("link", "user.empty", value, sizeof value), ENODATA);
    CHECK_ERRNO(lsetxattr("link", "user.x", "1", 1, 0), EPERM); /* no user.* on symlinks */
    CHECK(llistxattr("link", list, sizeof list) >= 0, "llistxattr: %s", errno_name(errno));
    static char big[65537];
    CHECK_ERRNO(setxattr("file", "user.big", big, sizeof big, 0), E2BIG);
    /* 64 KiB is the VFS's largest value; the filesystem may lack room for it (ENOSPC). */
    if (setxattr("file", "user.largest", big, 65536, 0) == 0)
        CHECK(getxattr("file", "user.largest", NULL, 0) == 65536, "a 64 KiB value");
    else
        CHECK(errno == ENOSPC, "a 64 KiB value: %s", errno_name(errno));
    char long_name[300];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    memcpy(long_name, "user.", 5);
    CHECK_ERRNO(setxattr("file", long_name, "1", 1, 0), ERANGE);
    CHECK_ERRNO(getxattr("file", "", value, sizeof value), ERANGE);
    CHECK_ERRNO(setxattr("file", "user.", "1", 1, 0), EINVAL);
    CHECK_ERRNO(setxattr("file", "nonsense.x", "1", 1, 0), EOPNOTSUPP);
    CHECK_ERRNO(getxattr("file", "system.nonsense", value, sizeof value), EOPNOTSUPP);
    CHECK_ERRNO(getxattr("missing", "user.x", value, sizeof value), ENOENT);
    /* Directories take user.* attributes; other kinds of files than regular ones do not. */
    CHECK_OK(mkdir("directory", 0755));
    CHECK_OK(setxattr("directory", "user.d", "1", 1, 0));
    CHECK_OK(mkfifo("fifo", 0644));
    CHECK_ERRNO(setxattr("fifo", "user.x", "1", 1, 0), EPERM);
    CHECK_ERRNO(getxattr("fifo", "user.x", value, sizeof value), ENODATA);
}

static bool xattr_listed(const char* list, ssize_t length, const char* name) {
    for (ssize_t at = 0; at < length; at += (ssize_t)strlen(list + at) + 1)
        if (strcmp(list + at, name) == 0) return true;
    return false;
}

CASE(xattr_privileged_namespaces) {
    if (!running_as_root()) SKIP("needs root to write trusted.* and security.* attributes");
    CHECK_OK(write_file("file", "", 0, 0666));
    if (setxattr("file", "trusted.probe", "1", 1, 0) != 0 && errno == EOPNOTSUPP)
        SKIP("this filesystem has no trusted.* extended attributes");
    CHECK_OK(setxattr("file", "trusted.secret", "s", 1, 0));
    CHECK_OK(setxattr("file", "security.label", "l", 1, 0));
    CHECK_OK(setxattr("file", "user.plain", "p", 1, 0));
    CHECK_OK(chmod("file", 0666));
    char list[256];
    ssize_t length = listxattr("file", list, sizeof list);
    CHECK(xattr_listed(list, length, "trusted.secret") && xattr_listed(list, length, "security.label"),
          "root's listxattr lacks trusted.* or security.* names");
    /* An ordinary user sees no trusted.* name or value and may write neither trusted.* nor
     * security.*; security.* values are readable, user.* follows the file's mode. */
    pid_t child = fork_as(USER_A, USER_A, 0);
    if (child == 0) {
        char value[16];
        SUB_CHECK(getxattr("file", "trusted.secret", value, sizeof value) == -1 && errno == ENODATA,
                  "getxattr trusted.*: %s", errno_name(errno));
        SUB_CHECK(getxattr("file", "security.label", value, sizeof value) == 1, "getxattr security.*: %s",
                  errno_name(errno));
        ssize_t seen = listxattr("file", list, sizeof list);
        SUB_CHECK(seen >= 0 && !xattr_listed(list, seen, "trusted.secret") &&
                      xattr_listed(list, seen, "user.plain"),
                  "an ordinary user's listxattr");
        SUB_CHECK(setxattr("file", "trusted.x", "1", 1, 0) == -1 && errno == EPERM, "setxattr trusted.*: %s",
                  errno_name(errno));
        SUB_CHECK(setxattr("file", "security.x", "1", 1, 0) == -1 && errno == EPERM,
                  "setxattr security.*: %s", errno_name(errno));
        SUB_CHECK(setxattr("file", "user.mine", "1", 1, 0) == 0, "setxattr user.* on a 0666 file: %s",
                  errno_name(errno));
        _exit(0);
    }
    CHECK_EXIT(child, 0);
    CHECK_OK(chmod("file", 0644));
    child = fork_as(USER_A, USER_A, 0);
    if (child == 0) {
        SUB_CHECK(setxattr("file", "user.denied", "1", 1, 0) == -1 && errno == EACCES,
                  "setxattr user.* without write permission: %s", errno_name(errno));
        _exit(0);
    }
    CHECK_EXIT(child, 0);
}

CASE(xattr_posix_acl_passthrough) {
    CHECK_OK(write_file("file", "", 0, 0644));
    /* A minimal access ACL (user::rw- group::r-- other::r--) in the kernel's xattr format. */
    struct {
        uint32_t version;
        struct {
            uint16_t tag, permissions;
            uint32_t id;
        } entries[3];
    } acl = {2, {{0x01, 6, 0xffffffff}, {0x04, 4, 0xffffffff}, {0x20, 4, 0xffffffff}}};
    int result = setxattr("file", "system.posix_acl_access", &acl, sizeof acl, 0);
    if (result != 0 && errno == EOPNOTSUPP) SKIP("this filesystem has no POSIX ACLs");
    CHECK(result == 0, "setting a minimal access ACL: %s", errno_name(errno));
    char garbage[7] = {2, 0, 0, 0, 1, 0, 6};
    CHECK_ERRNO(setxattr("file", "system.posix_acl_access", garbage, sizeof garbage, 0), EINVAL);
    CHECK_ERRNO(setxattr("file", "system.posix_acl_default", &acl, sizeof acl, 0),
                EACCES); /* not a directory */
}

CASE(permission_classes) {
    NEED_ROOT();
    CHECK_OK(chmod(".", 0755));
    CHECK_OK(write_file("private", "p", 1, 0600));
    CHECK_OK(write_file("readable", "r", 1, 0644));
    CHECK_OK(write_file("group-only", "g", 1, 0060));
    CHECK_OK(chown("group-only", 0, GROUP_G));
    CHECK_OK(chmod("group-only", 0060));
    CHECK_OK(write_file("owner-denied", "o", 1, 0077));
    CHECK_OK(chown("owner-denied", USER_A, 0));
    CHECK_OK(chmod("owner-denied", 0077));
    CHECK_OK(mkdir("locked", 0700));
    CHECK_OK(write_file("locked/inner", "i", 1, 0644));
    CHECK_OK(mkdir("no-search", 0644));
    CHECK_OK(write_file("no-search/inner", "i", 1, 0644));
    pid_t child = fork_as(USER_A, USER_A, GROUP_G);
    if (child == 0) {
        SUB_CHECK(open("private", O_RDONLY) == -1 && errno == EACCES, "reading root's 0600 file: %s",
                  errno_name(errno));
        SUB_CHECK(open("readable", O_RDONLY) >= 0, "reading a 0644 file: %s", errno_name(errno));
        SUB_CHECK(open("readable", O_WRONLY) == -1 && errno == EACCES, "writing root's 0644 file: %s",
                  errno_name(errno));
        SUB_CHECK(open("readable", O_RDONLY | O_TRUNC) == -1 && errno == EACCES, "O_TRUNC without write: %s",
                  errno_name(errno));
        SUB_CHECK(open("group-only", O_RDWR) >= 0, "group class access: %s", errno_name(errno));
        /* The owner class applies to the owner even when "other" would allow more. */
        SUB_CHECK(open("owner-denied", O_RDONLY) == -1 && errno == EACCES, "owner class: %s",
                  errno_name(errno));
        SUB_CHECK(open("locked/inner", O_RDONLY) == -1 && errno == EACCES, "searching a 0700 dir: %s",
                  errno_name(errno));
        struct stat status;
        SUB_CHECK(stat("no-search/inner", &status) == -1 && errno == EACCES, "dir without x: %s",
                  errno_name(errno));
        SUB_CHECK(open("new", O_WRONLY | O_CREAT, 0644) == -1 && errno == EACCES,
                  "creating in a 0755 root dir: %s", errno_name(errno));
        SUB_CHECK(unlink("readable") == -1 && errno == EACCES, "unlinking in a 0755 root dir: %s",
                  errno_name(errno));
        SUB_CHECK(mkdir("newdir", 0755) == -1 && errno == EACCES, "mkdir: %s", errno_name(errno));
        SUB_CHECK(access("private", R_OK) == -1 && errno == EACCES, "access R_OK: %s", errno_name(errno));
        SUB_CHECK(access("readable", R_OK) == 0, "access R_OK on 0644: %s", errno_name(errno));
        _exit(0);
    }
    CHECK_EXIT(child, 0);
}

CASE(sticky_directory) {
    NEED_ROOT();
    CHECK_OK(mkdir("shared", 0777));
    CHECK_OK(chmod("shared", 01777));
    pid_t child = fork_as(USER_A, USER_A, 0);
    if (child == 0) {
        SUB_CHECK(write_file("shared/a-file", "a", 1, 0666) == 0, "create: %s", errno_name(errno));
        SUB_CHECK(write_file("shared/a-other", "a", 1, 0666) == 0, "create: %s", errno_name(errno));
        _exit(0);
    }
    CHECK_EXIT(child, 0);
    child = fork_as(USER_B, USER_B, 0);
    if (child == 0) {
        SUB_CHECK(unlink("shared/a-file") == -1 && errno == EPERM, "unlinking another user's file: %s",
                  errno_name(errno));
        SUB_CHECK(rename("shared/a-file", "shared/stolen") == -1 && errno == EPERM,
                  "renaming another user's file: %s", errno_name(errno));
        SUB_CHECK(write_file("shared/b-file", "b", 1, 0666) == 0, "creating own file: %s", errno_name(errno));
        SUB_CHECK(unlink("shared/b-file") == 0, "removing own file: %s", errno_name(errno));
        _exit(0);
    }
    CHECK_EXIT(child, 0);
    child = fork_as(USER_A, USER_A, 0);
    if (child == 0) {
        SUB_CHECK(unlink("shared/a-file") == 0, "owner removing: %s", errno_name(errno));
        _exit(0);
    }
    CHECK_EXIT(child, 0);
    CHECK_OK(unlink("shared/a-other")); /* root may */
}

CASE(setgid_directory_inherits_group) {
    NEED_ROOT();
    CHECK_OK(mkdir("project", 0775));
    CHECK_OK(chown("project", 0, GROUP_G));
    CHECK_OK(chmod("project", 02775));
    CHECK_OK(write_file("project/file", "", 0, 0644));
    CHECK_OK(mkdir("project/sub", 0755));
    struct stat file_status, sub_status;
    CHECK_OK(stat("project/file", &file_status));
    CHECK_OK(stat("project/sub", &sub_status));
    CHECK(file_status.st_gid == GROUP_G, "new file has group %d, expected the directory's %d",
          (int)file_status.st_gid, GROUP_G);
    CHECK(sub_status.st_gid == GROUP_G && (sub_status.st_mode & S_ISGID),
          "new subdirectory: group %d mode 0%o", (int)sub_status.st_gid,
          (unsigned)(sub_status.st_mode & 07777));
}

/* Linux's tmpfs (mm/shmem.c) gives a directory 20 bytes an entry, "." and ".." included:
 * what `ls -l` shows. Only where the test directory is on tmpfs. */
CASE(tmpfs_directory_size) {
    struct statfs where;
    CHECK_OK(statfs(".", &where));
    if (where.f_type != TMPFS_MAGIC) SKIP("the test directory is not on tmpfs");
    CHECK_OK(mkdir("sized", 0755));
    struct stat status;
    CHECK_OK(stat("sized", &status));
    CHECK(status.st_size == 40, "an empty directory has size %lld, expected 40", (long long)status.st_size);
    CHECK_OK(write_file("sized/a", "", 0, 0644));
    CHECK_OK(write_file("sized/b", "", 0, 0644));
    CHECK_OK(mkdir("sized/c", 0755));
    CHECK_OK(stat("sized", &status));
    CHECK(status.st_size == 100, "three entries: size %lld, expected 100", (long long)status.st_size);
    CHECK_OK(unlink("sized/a"));
    CHECK_OK(rename("sized/b", "moved"));
    CHECK_OK(stat("sized", &status));
    CHECK(status.st_size == 60, "after unlink and rename out: size %lld, expected 60",
          (long long)status.st_size);
}

static const struct test_case cases[] = {
    CASE_ENTRY(access_family),
    CASE_ENTRY(chmod_family),
    CASE_ENTRY(chown_family),
    CASE_ENTRY(utimensat_semantics),
    CASE_ENTRY(old_time_calls),
    CASE_ENTRY(umask_applies_to_creation),
    CASE_ENTRY(extended_attributes),
    CASE_ENTRY(xattr_privileged_namespaces),
    CASE_ENTRY(xattr_posix_acl_passthrough),
    CASE_ENTRY(permission_classes),
    CASE_ENTRY(sticky_directory),
    CASE_ENTRY(setgid_directory_inherits_group),
    CASE_ENTRY(tmpfs_directory_size),
};

int main(int argc, char** argv) {
    g_use_tmpdir = true;
    umask(022);
    return CONFORMANCE_MAIN("file_meta", cases, argc, argv);
}
