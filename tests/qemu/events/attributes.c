/* Strix events test — extended attributes and their namespaces. */
#include <sys/xattr.h>

#include "cases.h"

static bool listed(const char* list, ssize_t length, const char* name) {
    for (ssize_t at = 0; at < length; at += (ssize_t)strlen(list + at) + 1)
        if (strcmp(list + at, name) == 0) return true;
    return false;
}

CASE(xattr_user_namespace) {
    CHECK_OK(write_file("file", "", 0));
    if (setxattr("file", "user.probe", "1", 1, 0) != 0 && errno == EOPNOTSUPP)
        skip("this filesystem has no user.* extended attributes");
    CHECK_OK(removexattr("file", "user.probe"));
    CHECK_OK(setxattr("file", "user.colour", "blue", 4, 0));
    char value[64];
    CHECK(getxattr("file", "user.colour", NULL, 0) == 4, "size query: %s", errno_name(errno));
    CHECK(getxattr("file", "user.colour", value, sizeof value) == 4 && memcmp(value, "blue", 4) == 0,
          "value");
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
    CHECK(listed(list, length, "user.colour") && listed(list, length, "user.empty"),
          "listxattr lacks our names");
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
    CHECK_OK(symlink("file", "link"));
    CHECK(getxattr("link", "user.empty", value, sizeof value) == 0, "getxattr follows symlinks");
    CHECK_ERRNO(lgetxattr("link", "user.empty", value, sizeof value), ENODATA);
    CHECK_ERRNO(lsetxattr("link", "user.x", "1", 1, 0), EPERM); /* no user.* on symlinks */
    CHECK(llistxattr("link", list, sizeof list) >= 0, "llistxattr");
    static char big[65537];
    CHECK_ERRNO(setxattr("file", "user.big", big, sizeof big, 0), E2BIG);
    /* The largest value is allowed by the VFS; the filesystem may lack room (ENOSPC). */
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
    CHECK_ERRNO(getxattr("file", (const char*)8, value, sizeof value), EFAULT);
    /* Directories take user.* attributes too. */
    CHECK_OK(mkdir("directory", 0755));
    CHECK_OK(setxattr("directory", "user.d", "1", 1, 0));
    /* Other kinds of files do not. */
    CHECK_OK(mkfifo("fifo", 0644));
    CHECK_ERRNO(setxattr("fifo", "user.x", "1", 1, 0), EPERM);
    CHECK_ERRNO(getxattr("fifo", "user.x", value, sizeof value), ENODATA);
}

CASE(xattr_privileged_namespaces) {
    if (geteuid() != 0) skip("needs root");
    CHECK_OK(write_file("file", "", 0));
    if (setxattr("file", "trusted.probe", "1", 1, 0) != 0 && errno == EOPNOTSUPP)
        skip("this filesystem has no trusted.* attributes");
    CHECK_OK(setxattr("file", "trusted.secret", "s", 1, 0));
    CHECK_OK(setxattr("file", "security.label", "l", 1, 0));
    CHECK_OK(setxattr("file", "user.plain", "p", 1, 0));
    CHECK_OK(chmod("file", 0666));
    char list[256], value[16];
    ssize_t length = listxattr("file", list, sizeof list);
    CHECK(listed(list, length, "trusted.secret") && listed(list, length, "security.label"), "root's list");
    /* An unprivileged child sees neither trusted.* values nor names, and may not write
     * trusted.* or security.* names. */
    pid_t child = fork();
    if (child == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0) _exit(1);
        if (getxattr("file", "trusted.secret", value, sizeof value) != -1 || errno != ENODATA) _exit(2);
        if (getxattr("file", "security.label", value, sizeof value) != 1) _exit(3);
        ssize_t seen = listxattr("file", list, sizeof list);
        if (seen < 0 || listed(list, seen, "trusted.secret") || !listed(list, seen, "user.plain")) _exit(4);
        if (setxattr("file", "trusted.x", "1", 1, 0) != -1 || errno != EPERM) _exit(5);
        if (setxattr("file", "security.x", "1", 1, 0) != -1 || errno != EPERM) _exit(6);
        if (setxattr("file", "user.mine", "1", 1, 0) != 0) _exit(7); /* mode 0666 */
        _exit(0);
    }
    int status = wait_status(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "unprivileged view: check %d", WEXITSTATUS(status));
    /* A file the caller may not write takes no user.* attributes from it. */
    CHECK_OK(chmod("file", 0644));
    child = fork();
    if (child == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0) _exit(1);
        _exit(setxattr("file", "user.denied", "1", 1, 0) == -1 && errno == EACCES ? 0 : 2);
    }
    status = wait_status(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "write permission: check %d", WEXITSTATUS(status));
}

CASE(xattr_posix_acl_passthrough) {
    CHECK_OK(write_file("file", "", 0));
    /* user::rw- group::r-- other::r-- */
    struct {
        uint32_t version;
        struct {
            uint16_t tag, perm;
            uint32_t id;
        } entries[3];
    } acl = {2, {{0x01, 6, 0xffffffff}, {0x04, 4, 0xffffffff}, {0x20, 4, 0xffffffff}}};
    int result = setxattr("file", "system.posix_acl_access", &acl, sizeof acl, 0);
    if (result != 0 && errno == EOPNOTSUPP) skip("this filesystem has no POSIX ACLs");
    CHECK(result == 0, "setting a minimal access ACL: %s", errno_name(errno));
    char garbage[7] = {2, 0, 0, 0, 1, 0, 6};
    CHECK_ERRNO(setxattr("file", "system.posix_acl_access", garbage, sizeof garbage, 0), EINVAL);
    CHECK_ERRNO(setxattr("file", "system.posix_acl_default", &acl, sizeof acl, 0),
                EACCES); /* not a directory */
}

const struct test_case attribute_cases[] = {
    CASE_ENTRY(xattr_user_namespace),
    CASE_ENTRY(xattr_privileged_namespaces),
    CASE_ENTRY(xattr_posix_acl_passthrough),
};
const int attribute_case_count = sizeof attribute_cases / sizeof attribute_cases[0];
