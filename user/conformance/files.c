/*
 * Strix conformance suite — files: the VFS name space. open/openat/openat2 and their
 * flags, creating and removing names (mkdir, mknod, unlink, rmdir, link, symlink,
 * rename/renameat2), path walking (".", "..", symlink loops and the 40-link limit,
 * trailing slashes, ENOTDIR, ENAMETOOLONG), the working directory and chroot.
 * Every case runs in its own fresh directory under a mkdtemp() root in /tmp.
 */
#include <linux/fs.h>
#include <linux/openat2.h>
#include <sys/sysmacros.h>

#include "common.h"

static ino_t inode_of(const char* path) {
    struct stat status;
    return lstat(path, &status) == 0 ? status.st_ino : 0;
}

static mode_t mode_of(const char* path) {
    struct stat status;
    return lstat(path, &status) == 0 ? status.st_mode : 0;
}

static ssize_t read_all(const char* path, char* buffer, size_t size) { return read_file(path, buffer, size); }

CASE(open_create_excl_trunc) {
    umask(022);
    int fd = CHECK_OK(open("new", O_WRONLY | O_CREAT | O_EXCL, 0666));
    CHECK(write(fd, "hello", 5) == 5, "write: %s", errno_name(errno));
    close(fd);
    CHECK((mode_of("new") & 07777) == 0644, "created with mode 0%o, expected 0666 & ~022",
          (unsigned)(mode_of("new") & 07777));
    CHECK_ERRNO(open("new", O_WRONLY | O_CREAT | O_EXCL, 0666), EEXIST);
    CHECK_OK(symlink("dangling-target", "dangling"));
    CHECK_ERRNO(open("dangling", O_WRONLY | O_CREAT | O_EXCL, 0666), EEXIST); /* O_EXCL never follows */
    fd = CHECK_OK(open("new", O_WRONLY | O_CREAT, 0600)); /* exists: opened, not truncated */
    close(fd);
    struct stat status;
    CHECK_OK(stat("new", &status));
    CHECK(status.st_size == 5 && (status.st_mode & 0777) == 0644, "O_CREAT on an existing file changed it");
    fd = CHECK_OK(open("new", O_WRONLY | O_TRUNC));
    close(fd);
    CHECK_OK(stat("new", &status));
    CHECK(status.st_size == 0, "O_TRUNC left %lld bytes", (long long)status.st_size);
    CHECK_ERRNO(open("missing", O_RDONLY), ENOENT);
    CHECK_ERRNO(open("no-dir/file", O_WRONLY | O_CREAT, 0644), ENOENT);
    CHECK_ERRNO(open("newdir/", O_WRONLY | O_CREAT, 0644), EISDIR);
    /* A dangling symlink without O_EXCL: O_CREAT creates its target. */
    fd = CHECK_OK(open("dangling", O_WRONLY | O_CREAT, 0644));
    close(fd);
    CHECK(S_ISREG(mode_of("dangling-target")),
          "O_CREAT through a dangling symlink did not create the target");
}

CASE(open_append) {
    int fd = CHECK_OK(open("log", O_RDWR | O_CREAT | O_APPEND, 0644));
    CHECK(write(fd, "abc", 3) == 3, "write");
    CHECK_OK(lseek(fd, 0, SEEK_SET));
    CHECK(write(fd, "def", 3) == 3, "write");
    CHECK(lseek(fd, 0, SEEK_CUR) == 6, "offset after an O_APPEND write is not the end");
    /* Linux quirk: pwrite on an O_APPEND file appends, whatever the offset. */
    CHECK(pwrite(fd, "ghi", 3, 0) == 3, "pwrite");
    char buffer[16];
    CHECK(pread(fd, buffer, sizeof buffer, 0) == 9, "file size after appends");
    CHECK(memcmp(buffer, "abcdefghi", 9) == 0, "contents \"%.9s\"", buffer);
    CHECK_OK(fcntl(fd, F_SETFL, 0)); /* O_APPEND can be cleared */
    CHECK(pwrite(fd, "X", 1, 0) == 1 && pread(fd, buffer, 1, 0) == 1 && buffer[0] == 'X',
          "pwrite after clearing O_APPEND did not write at the offset");
}

CASE(open_directory_rules) {
    CHECK_OK(mkdir("dir", 0755));
    CHECK_OK(write_file("file", "x", 1, 0644));
    CHECK_ERRNO(open("file", O_RDONLY | O_DIRECTORY), ENOTDIR);
    CHECK_ERRNO(open("dir", O_WRONLY), EISDIR);
    CHECK_ERRNO(open("dir", O_RDWR), EISDIR);
    CHECK_ERRNO(open("dir", O_RDONLY | O_TRUNC), EISDIR);
    int fd = CHECK_OK(open("dir", O_RDONLY | O_DIRECTORY));
    char byte;
    CHECK_ERRNO(read(fd, &byte, 1), EISDIR);
    CHECK_ERRNO(write(fd, &byte, 1), EBADF);
    close(fd);
}

CASE(open_nofollow_and_path) {
    CHECK_OK(write_file("target", "data", 4, 0644));
    CHECK_OK(symlink("target", "link"));
    CHECK_ERRNO(open("link", O_RDONLY | O_NOFOLLOW), ELOOP);
    int fd = CHECK_OK(open("link", O_PATH | O_NOFOLLOW));
    struct stat status;
    CHECK_OK(fstat(fd, &status));
    CHECK(S_ISLNK(status.st_mode), "O_PATH|O_NOFOLLOW did not open the link itself");
    close(fd);
    CHECK_OK(mkdir("dir", 0755));
    CHECK_OK(symlink("dir", "dirlink"));
    CHECK_OK(write_file("dir/inner", "i", 1, 0644));
    fd = CHECK_OK(open("dirlink/inner", O_RDONLY | O_NOFOLLOW)); /* only the last component counts */
    close(fd);
    int path_fd = CHECK_OK(open("dir", O_PATH | O_DIRECTORY));
    char byte;
    CHECK_ERRNO(read(path_fd, &byte, 1), EBADF);
    CHECK_OK(fstat(path_fd, &status));
    CHECK(S_ISDIR(status.st_mode), "fstat of an O_PATH directory");
    fd = CHECK_OK(openat(path_fd, "inner", O_RDONLY)); /* an O_PATH fd works as dirfd */
    close(fd);
    CHECK(fcntl(path_fd, F_GETFL) & O_PATH, "F_GETFL lost O_PATH");
    CHECK_OK(fchdir(path_fd));
    CHECK_OK(access("inner", F_OK));
}

CASE(open_cloexec_nonblock) {
    CHECK_OK(write_file("file", "x", 1, 0644));
    int fd = CHECK_OK(open("file", O_RDONLY | O_CLOEXEC));
    CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC, "O_CLOEXEC not reflected in F_GETFD");
    close(fd);
    fd = CHECK_OK(open("file", O_RDONLY | O_NONBLOCK));
    CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK, "O_NONBLOCK not reflected in F_GETFL");
    CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY, "access mode wrong");
    close(fd);
    CHECK_OK(mkfifo("fifo", 0644));
    fd = CHECK_OK(open("fifo", O_RDONLY | O_NONBLOCK)); /* no writer: must not block */
    close(fd);
    CHECK_ERRNO(open("fifo", O_WRONLY | O_NONBLOCK), ENXIO); /* no reader */
}

CASE(open_tmpfile) {
    int fd = open(".", O_TMPFILE | O_RDWR, 0600);
    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR))
        SKIP("this filesystem has no O_TMPFILE (%s)", errno_name(errno));
    CHECK(fd >= 0, "O_TMPFILE: %s", errno_name(errno));
    CHECK(write(fd, "anon", 4) == 4, "write: %s", errno_name(errno));
    struct stat status;
    CHECK_OK(fstat(fd, &status));
    CHECK(status.st_nlink == 0 && S_ISREG(status.st_mode) && (status.st_mode & 0777) == 0600,
          "O_TMPFILE nlink %ld mode 0%o", (long)status.st_nlink, (unsigned)status.st_mode);
    DIR* directory = opendir(".");
    struct dirent* entry;
    int names = 0;
    while ((entry = readdir(directory)) != NULL)
        names += strcmp(entry->d_name, ".") && strcmp(entry->d_name, "..");
    closedir(directory);
    CHECK(names == 0, "an O_TMPFILE file appeared in the directory");
    char proc_path[64];
    snprintf(proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
    CHECK_OK(linkat(AT_FDCWD, proc_path, AT_FDCWD, "named", AT_SYMLINK_FOLLOW));
    char contents[8] = "";
    CHECK(read_all("named", contents, sizeof contents) == 4 && strcmp(contents, "anon") == 0,
          "linked O_TMPFILE contents \"%s\"", contents);
    CHECK_OK(fstat(fd, &status));
    CHECK(status.st_nlink == 1, "nlink %ld after linkat", (long)status.st_nlink);
    close(fd);
    fd = CHECK_OK(open(".", O_TMPFILE | O_RDWR | O_EXCL, 0600));
    snprintf(proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
    CHECK_ERRNO(linkat(AT_FDCWD, proc_path, AT_FDCWD, "never", AT_SYMLINK_FOLLOW), ENOENT);
    if (running_as_root()) { /* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH before Linux 6.10 */
        CHECK_ERRNO(linkat(fd, "", AT_FDCWD, "never", AT_EMPTY_PATH), ENOENT);
        int plain = CHECK_OK(open(".", O_TMPFILE | O_RDWR, 0600));
        CHECK_OK(linkat(plain, "", AT_FDCWD, "by-fd", AT_EMPTY_PATH));
        CHECK_OK(fstat(plain, &status));
        CHECK(status.st_nlink == 1, "nlink %ld after linkat(AT_EMPTY_PATH)", (long)status.st_nlink);
    }
    /* An ordinary file whose last name is gone cannot be linked back either. */
    CHECK_OK(write_file("doomed", "x", 1, 0644));
    int doomed = CHECK_OK(open("doomed", O_RDONLY));
    CHECK_OK(unlink("doomed"));
    snprintf(proc_path, sizeof proc_path, "/proc/self/fd/%d", doomed);
    CHECK_ERRNO(linkat(AT_FDCWD, proc_path, AT_FDCWD, "revived", AT_SYMLINK_FOLLOW), ENOENT);
    if (running_as_root()) CHECK_ERRNO(linkat(doomed, "", AT_FDCWD, "revived", AT_EMPTY_PATH), ENOENT);
    CHECK_ERRNO(open(".", O_TMPFILE | O_RDONLY), EINVAL); /* needs write access */
    CHECK_ERRNO(open(".", O_TMPFILE | O_RDWR | O_CREAT, 0600), EINVAL);
    CHECK_ERRNO(open("never-a-dir", O_TMPFILE | O_RDWR, 0600), ENOENT);
    CHECK_ERRNO(open("named", O_TMPFILE | O_RDWR, 0600), ENOTDIR);
    umask(022);
    fd = CHECK_OK(open(".", O_TMPFILE | O_WRONLY, 0666));
    CHECK_OK(fstat(fd, &status));
    CHECK((status.st_mode & 0777) == 0644, "O_TMPFILE ignored the umask: 0%o",
          (unsigned)(status.st_mode & 0777));
}

CASE(openat_dirfd_rules) {
    CHECK_OK(mkdir("dir", 0755));
    CHECK_OK(write_file("dir/file", "x", 1, 0644));
    int dir_fd = CHECK_OK(open("dir", O_RDONLY | O_DIRECTORY));
    int fd = CHECK_OK(openat(dir_fd, "file", O_RDONLY));
    CHECK_ERRNO(openat(fd, "anything", O_RDONLY), ENOTDIR);
    close(fd);
    char cwd[PATH_MAX], absolute[PATH_MAX + 16];
    CHECK(getcwd(cwd, sizeof cwd), "getcwd");
    snprintf(absolute, sizeof absolute, "%s/dir/file", cwd);
    fd = CHECK_OK(openat(-1, absolute, O_RDONLY)); /* absolute paths ignore dirfd */
    close(fd);
    CHECK_ERRNO(openat(-1, "dir/file", O_RDONLY), EBADF);
    struct stat status;
    CHECK_OK(fstatat(dir_fd, "", &status, AT_EMPTY_PATH));
    CHECK(S_ISDIR(status.st_mode), "AT_EMPTY_PATH did not stat the dirfd itself");
    CHECK_ERRNO(fstatat(dir_fd, "", &status, 0), ENOENT);
}

CASE(openat2_resolve_flags) {
    CHECK_OK(mkdir("root", 0755));
    CHECK_OK(mkdir("root/sub", 0755));
    CHECK_OK(write_file("root/sub/file", "x", 1, 0644));
    CHECK_OK(write_file("outside", "o", 1, 0644));
    CHECK_OK(symlink("sub/file", "root/link"));
    CHECK_OK(symlink("/outside", "root/escape"));
    CHECK_OK(symlink("../outside", "root/up"));
    int root = CHECK_OK(open("root", O_PATH | O_DIRECTORY));
    struct open_how how = {.flags = O_RDONLY, .resolve = RESOLVE_BENEATH};
    long fd = syscall(SYS_openat2, root, "sub/file", &how, sizeof how);
    CHECK(fd >= 0, "RESOLVE_BENEATH inside: %s", errno_name(errno));
    close((int)fd);
    fd = syscall(SYS_openat2, root, "link", &how, sizeof how);
    CHECK(fd >= 0, "RESOLVE_BENEATH through a symlink that stays inside: %s", errno_name(errno));
    close((int)fd);
    CHECK_ERRNO(syscall(SYS_openat2, root, "../outside", &how, sizeof how), EXDEV);
    CHECK_ERRNO(syscall(SYS_openat2, root, "/etc/passwd", &how, sizeof how), EXDEV);
    CHECK_ERRNO(syscall(SYS_openat2, root, "up", &how, sizeof how), EXDEV);     /* symlink to ../ */
    CHECK_ERRNO(syscall(SYS_openat2, root, "escape", &how, sizeof how), EXDEV); /* absolute symlink */
    how = (struct open_how){.flags = O_WRONLY | O_CREAT, .mode = 0644, .resolve = RESOLVE_BENEATH};
    fd = syscall(SYS_openat2, root, "sub/new", &how, sizeof how);
    CHECK(fd >= 0, "O_CREAT beneath: %s", errno_name(errno));
    close((int)fd);
    CHECK_ERRNO(syscall(SYS_openat2, root, "../created", &how, sizeof how), EXDEV);
    how.resolve = RESOLVE_CACHED; /* creation can never be served from the cache alone */
    CHECK_ERRNO(syscall(SYS_openat2, root, "created", &how, sizeof how), EAGAIN);
    how = (struct open_how){.flags = O_RDONLY, .resolve = RESOLVE_BENEATH | RESOLVE_IN_ROOT};
    CHECK_ERRNO(syscall(SYS_openat2, root, "sub/file", &how, sizeof how), EINVAL);
    how.resolve = 0x1000; /* the first bit above the known flags */
    CHECK_ERRNO(syscall(SYS_openat2, root, "sub/file", &how, sizeof how), EINVAL);
    how.resolve = RESOLVE_NO_SYMLINKS;
    CHECK_ERRNO(syscall(SYS_openat2, root, "link", &how, sizeof how), ELOOP);
    how.resolve = RESOLVE_IN_ROOT;
    CHECK_OK(write_file("root/outside", "in", 2, 0644));
    fd = syscall(SYS_openat2, root, "escape", &how, sizeof how); /* "/outside" inside root */
    CHECK(fd >= 0, "RESOLVE_IN_ROOT: %s", errno_name(errno));
    char contents[4] = "";
    CHECK(read((int)fd, contents, 3) == 2 && strcmp(contents, "in") == 0,
          "RESOLVE_IN_ROOT escaped the root (read \"%s\")", contents);
    close((int)fd);
    fd = syscall(SYS_openat2, root, "../../outside", &how, sizeof how); /* ".." stops at the root */
    CHECK(fd >= 0, "RESOLVE_IN_ROOT with \"..\": %s", errno_name(errno));
    contents[0] = 0;
    CHECK(read((int)fd, contents, 3) == 2 && strcmp(contents, "in") == 0,
          "\"..\" climbed out of RESOLVE_IN_ROOT (read \"%s\")", contents);
    close((int)fd);
    how.resolve = RESOLVE_NO_MAGICLINKS;
    CHECK_ERRNO(syscall(SYS_openat2, AT_FDCWD, "/proc/self/exe", &how, sizeof how), ELOOP);
    struct {
        struct open_how how;
        uint64_t extra;
    } bigger = {{.flags = O_RDONLY}, 1};
    CHECK_ERRNO(syscall(SYS_openat2, root, "sub/file", &bigger, sizeof bigger), E2BIG);
    bigger.extra = 0;
    fd = syscall(SYS_openat2, root, "sub/file", &bigger, sizeof bigger);
    CHECK(fd >= 0, "a larger open_how with zero tail: %s", errno_name(errno));
    CHECK_ERRNO(syscall(SYS_openat2, root, "sub/file", &bigger, 16), EINVAL); /* smaller than version 0 */
}

CASE(mkdir_rmdir) {
    umask(022);
    CHECK_OK(mkdir("dir", 0777));
    CHECK((mode_of("dir") & 07777) == 0755, "mkdir mode 0%o", (unsigned)(mode_of("dir") & 07777));
    CHECK_ERRNO(mkdir("dir", 0755), EEXIST);
    CHECK_ERRNO(mkdir("missing/dir", 0755), ENOENT);
    CHECK_OK(mkdir("dir/sub", 0755));
    struct stat status;
    CHECK_OK(stat("dir", &status));
    CHECK(status.st_nlink == 3 || status.st_nlink == 1, "directory with one subdirectory has nlink %ld",
          (long)status.st_nlink);
    CHECK_ERRNO(rmdir("dir"), ENOTEMPTY);
    CHECK_ERRNO(rmdir("dir/sub/."), EINVAL);
    CHECK_ERRNO(rmdir("dir/sub/.."), ENOTEMPTY);
    CHECK_OK(write_file("file", "x", 1, 0644));
    CHECK_ERRNO(rmdir("file"), ENOTDIR);
    CHECK_OK(rmdir("dir/sub"));
    CHECK_OK(rmdir("dir/"));
    CHECK_ERRNO(rmdir("dir"), ENOENT);
    int here = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_OK(mkdirat(here, "at", 0700));
    CHECK_OK(unlinkat(here, "at", AT_REMOVEDIR));
    CHECK_ERRNO(unlinkat(here, "file", AT_REMOVEDIR), ENOTDIR);
}

CASE(unlink_semantics) {
    CHECK_OK(write_file("file", "still here", 10, 0644));
    int fd = CHECK_OK(open("file", O_RDONLY));
    CHECK_OK(unlink("file"));
    CHECK_ERRNO(access("file", F_OK), ENOENT);
    struct stat status;
    CHECK_OK(fstat(fd, &status));
    CHECK(status.st_nlink == 0, "unlinked open file has nlink %ld", (long)status.st_nlink);
    char buffer[16] = "";
    CHECK(read(fd, buffer, sizeof buffer) == 10, "an unlinked open file lost its data");
    close(fd);
    CHECK_OK(mkdir("dir", 0755));
    CHECK_ERRNO(unlink("dir"), EISDIR);
    CHECK_ERRNO(unlink("missing"), ENOENT);
    CHECK_ERRNO(unlink("dir/missing/x"), ENOENT);
}

CASE(mknod_nodes) {
    CHECK_OK(mknod("fifo", S_IFIFO | 0644, 0));
    CHECK(S_ISFIFO(mode_of("fifo")), "mknod S_IFIFO made 0%o", (unsigned)mode_of("fifo"));
    CHECK_OK(mknod("regular", S_IFREG | 0600, 0));
    CHECK(S_ISREG(mode_of("regular")), "mknod S_IFREG");
    CHECK_OK(mknodat(AT_FDCWD, "plain", 0600, 0)); /* type 0 means regular */
    CHECK(S_ISREG(mode_of("plain")), "mknod with type 0");
    CHECK_ERRNO(mknod("fifo", S_IFIFO | 0644, 0), EEXIST);
    int result = mknod("null", S_IFCHR | 0666, makedev(1, 3));
    if (result == 0) {
        struct stat status;
        CHECK_OK(stat("null", &status));
        CHECK(S_ISCHR(status.st_mode) && major(status.st_rdev) == 1 && minor(status.st_rdev) == 3,
              "device node rdev %u:%u", major(status.st_rdev), minor(status.st_rdev));
    } else {
        /* Without CAP_MKNOD, or under a devices cgroup (containers), root is refused too. */
        CHECK(errno == EPERM, "mknod of a device: %s", errno_name(errno));
    }
    CHECK_ERRNO(mknod("socket-dir/x", S_IFIFO | 0644, 0), ENOENT);
}

CASE(rename_semantics) {
    CHECK_OK(write_file("a", "A", 1, 0644));
    CHECK_OK(write_file("b", "B", 1, 0644));
    ino_t a_inode = inode_of("a");
    CHECK_OK(rename("a", "b")); /* replaces atomically */
    CHECK(inode_of("b") == a_inode && access("a", F_OK) != 0, "rename over an existing file");
    CHECK_OK(mkdir("d1", 0755));
    CHECK_OK(mkdir("d2", 0755));
    CHECK_OK(rename("d1", "d2")); /* an empty directory may be replaced */
    CHECK_OK(mkdir("d3", 0755));
    CHECK_OK(write_file("d3/x", "x", 1, 0644));
    CHECK_ERRNO(rename("d2", "d3"), ENOTEMPTY);
    CHECK_ERRNO(rename("b", "d2"), EISDIR);
    CHECK_ERRNO(rename("d2", "b"), ENOTDIR);
    CHECK_ERRNO(rename("d3", "d3/inside"), EINVAL);
    CHECK_ERRNO(rename("missing", "x"), ENOENT);
    CHECK_OK(link("b", "b-link"));
    CHECK_OK(rename("b", "b-link")); /* same inode: nothing happens */
    CHECK(access("b", F_OK) == 0 && access("b-link", F_OK) == 0, "rename between hard links removed a name");
    CHECK_ERRNO(rename(".", "dot"), EBUSY);
}

CASE(renameat2_flags) {
    CHECK_OK(write_file("one", "1", 1, 0644));
    CHECK_OK(write_file("two", "2", 1, 0644));
    CHECK_ERRNO(syscall(SYS_renameat2, AT_FDCWD, "one", AT_FDCWD, "two", RENAME_NOREPLACE), EEXIST);
    CHECK_OK(syscall(SYS_renameat2, AT_FDCWD, "one", AT_FDCWD, "three", RENAME_NOREPLACE));
    CHECK_OK(syscall(SYS_renameat2, AT_FDCWD, "three", AT_FDCWD, "two", RENAME_EXCHANGE));
    char contents[4] = "";
    CHECK(read_all("two", contents, sizeof contents) == 1 && contents[0] == '1', "exchange: two holds \"%s\"",
          contents);
    CHECK(read_all("three", contents, sizeof contents) == 1 && contents[0] == '2',
          "exchange: three holds \"%s\"", contents);
    CHECK_ERRNO(syscall(SYS_renameat2, AT_FDCWD, "two", AT_FDCWD, "missing", RENAME_EXCHANGE), ENOENT);
    CHECK_OK(mkdir("dir", 0755));
    CHECK_OK(syscall(SYS_renameat2, AT_FDCWD, "dir", AT_FDCWD, "two", RENAME_EXCHANGE)); /* any types */
    CHECK(S_ISDIR(mode_of("two")) && S_ISREG(mode_of("dir")), "exchanging a file and a directory");
}

CASE(hard_links) {
    CHECK_OK(write_file("file", "x", 1, 0644));
    CHECK_OK(link("file", "second"));
    struct stat first, second;
    CHECK_OK(stat("file", &first));
    CHECK_OK(stat("second", &second));
    CHECK(first.st_ino == second.st_ino && first.st_nlink == 2, "link: inode %lu/%lu nlink %ld",
          (unsigned long)first.st_ino, (unsigned long)second.st_ino, (long)first.st_nlink);
    CHECK_ERRNO(link("file", "second"), EEXIST);
    CHECK_OK(mkdir("dir", 0755));
    CHECK_ERRNO(link("dir", "dir-link"), EPERM);
    CHECK_ERRNO(link("missing", "x"), ENOENT);
    CHECK_OK(symlink("file", "symlink"));
    CHECK_OK(linkat(AT_FDCWD, "symlink", AT_FDCWD, "link-to-symlink", 0));
    CHECK(S_ISLNK(mode_of("link-to-symlink")), "linkat without AT_SYMLINK_FOLLOW must link the symlink");
    CHECK_OK(linkat(AT_FDCWD, "symlink", AT_FDCWD, "link-to-target", AT_SYMLINK_FOLLOW));
    CHECK(inode_of("link-to-target") == first.st_ino, "AT_SYMLINK_FOLLOW did not link the target");
    CHECK_OK(unlink("file"));
    CHECK_OK(stat("second", &second));
    CHECK(second.st_nlink == 2, "nlink %ld after removing one of three names", (long)second.st_nlink);
}

CASE(symlink_readlink) {
    CHECK_OK(symlink("some/where/../target", "link"));
    char buffer[64];
    memset(buffer, 'Z', sizeof buffer);
    ssize_t length = readlink("link", buffer, sizeof buffer);
    CHECK(length == 20 && memcmp(buffer, "some/where/../target", 20) == 0 && buffer[20] == 'Z',
          "readlink returned %zd \"%.*s\" (must not NUL-terminate)", length, (int)(length > 0 ? length : 0),
          buffer);
    CHECK(readlink("link", buffer, 4) == 4 && memcmp(buffer, "some", 4) == 0, "short buffer not truncated");
    struct stat status;
    CHECK_OK(lstat("link", &status));
    CHECK(S_ISLNK(status.st_mode) && status.st_size == 20, "lstat of a symlink: mode 0%o size %lld",
          (unsigned)status.st_mode, (long long)status.st_size);
    CHECK_OK(write_file("file", "x", 1, 0644));
    CHECK_ERRNO(readlink("file", buffer, sizeof buffer), EINVAL);
    CHECK_ERRNO(readlink("missing", buffer, sizeof buffer), ENOENT);
    CHECK_ERRNO(syscall(SYS_readlink, "link", buffer, 0), EINVAL);
    CHECK_ERRNO(symlink("", "empty"), ENOENT);
    CHECK_ERRNO(symlink("anything", "link"), EEXIST);
    int here = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_OK(symlinkat("file", here, "at-link"));
    CHECK(readlinkat(here, "at-link", buffer, sizeof buffer) == 4, "readlinkat");
    CHECK_ERRNO(stat("link", &status), ENOENT); /* dangling: stat follows */
}

CASE(path_walk_dots) {
    CHECK_OK(mkdir("a", 0755));
    CHECK_OK(mkdir("a/b", 0755));
    CHECK_OK(write_file("a/b/file", "x", 1, 0644));
    ino_t file = inode_of("a/b/file");
    CHECK(inode_of("a/./b/./file") == file, "\".\" components");
    CHECK(inode_of("a/b/../b/file") == file, "\"..\" components");
    CHECK(inode_of("a//b///file") == file, "repeated slashes");
    CHECK(inode_of("/..") == inode_of("/") && inode_of("/../../..") == inode_of("/"),
          "\"..\" above the root");
    struct stat status;
    CHECK_ERRNO(stat("a/b/file/..", &status), ENOTDIR);
    CHECK_ERRNO(stat("a/b/file/.", &status), ENOTDIR);
    CHECK_ERRNO(stat("a/missing/..", &status), ENOENT);
}

CASE(symlink_loops_and_limit) {
    CHECK_OK(symlink("loop-b", "loop-a"));
    CHECK_OK(symlink("loop-a", "loop-b"));
    CHECK_OK(symlink("self", "self"));
    struct stat status;
    CHECK_ERRNO(stat("loop-a", &status), ELOOP);
    CHECK_ERRNO(open("self", O_RDONLY), ELOOP);
    CHECK_ERRNO(stat("loop-a/x", &status), ELOOP);
    /* Linux follows at most 40 links in one lookup (MAXSYMLINKS). */
    CHECK_OK(write_file("l0", "end", 3, 0644));
    char name[16], target[16];
    for (int i = 1; i <= 41; i++) {
        snprintf(name, sizeof name, "l%d", i);
        snprintf(target, sizeof target, "l%d", i - 1);
        CHECK_OK(symlink(target, name));
    }
    CHECK(stat("l40", &status) == 0, "a chain of 40 symlinks: %s", errno_name(errno));
    CHECK_ERRNO(stat("l41", &status), ELOOP);
}

CASE(trailing_slashes) {
    CHECK_OK(write_file("file", "x", 1, 0644));
    CHECK_OK(mkdir("dir", 0755));
    CHECK_OK(symlink("dir", "dirlink"));
    CHECK_OK(symlink("file", "filelink"));
    struct stat status;
    CHECK_ERRNO(stat("file/", &status), ENOTDIR);
    CHECK_ERRNO(open("file/", O_RDONLY), ENOTDIR);
    CHECK_ERRNO(stat("filelink/", &status), ENOTDIR);
    CHECK_OK(stat("dir/", &status));
    CHECK_OK(stat("dirlink/", &status));
    CHECK(S_ISDIR(status.st_mode), "\"dirlink/\" must resolve to the directory");
    CHECK_OK(lstat("dirlink/", &status));
    CHECK(S_ISDIR(status.st_mode), "lstat(\"dirlink/\") must follow the link");
    CHECK_OK(mkdir("newdir/", 0755));
    CHECK_ERRNO(unlink("file/"), ENOTDIR);
    CHECK_ERRNO(rename("file/", "other"), ENOTDIR);
    CHECK_OK(rename("newdir/", "renamed/"));
    CHECK_ERRNO(rename("file", "other/"), ENOTDIR);
    CHECK_OK(rmdir("renamed/"));
}

CASE(enotdir_and_nametoolong) {
    CHECK_OK(write_file("file", "x", 1, 0644));
    struct stat status;
    CHECK_ERRNO(stat("file/child", &status), ENOTDIR);
    CHECK_ERRNO(open("file/child", O_WRONLY | O_CREAT, 0644), ENOTDIR);
    CHECK_ERRNO(mkdir("file/child", 0755), ENOTDIR);
    char long_name[NAME_MAX + 2];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    CHECK_ERRNO(open(long_name, O_WRONLY | O_CREAT, 0644), ENAMETOOLONG);
    CHECK_ERRNO(stat(long_name, &status), ENAMETOOLONG);
    long_name[NAME_MAX] = 0; /* exactly NAME_MAX bytes is allowed */
    int fd = CHECK_OK(open(long_name, O_WRONLY | O_CREAT, 0644));
    close(fd);
    static char long_path[PATH_MAX + 10];
    for (size_t i = 0; i + 2 < sizeof long_path; i += 2) memcpy(long_path + i, "./", 2);
    long_path[sizeof long_path - 1] = 0;
    CHECK_ERRNO(stat(long_path, &status), ENAMETOOLONG);
}

CASE(working_directory) {
    char start[PATH_MAX], now[PATH_MAX];
    CHECK(getcwd(start, sizeof start), "getcwd: %s", errno_name(errno));
    CHECK(start[0] == '/', "getcwd is not absolute: %s", start);
    CHECK_OK(mkdir("sub", 0755));
    CHECK_OK(chdir("sub"));
    CHECK(getcwd(now, sizeof now) && strlen(now) == strlen(start) + 4 &&
              strcmp(now + strlen(start), "/sub") == 0,
          "getcwd after chdir: %s", now);
    CHECK_OK(chdir(".."));
    int fd = CHECK_OK(open("sub", O_RDONLY | O_DIRECTORY));
    CHECK_OK(fchdir(fd));
    CHECK(getcwd(now, sizeof now) && strstr(now, "/sub"), "getcwd after fchdir: %s", now);
    CHECK_OK(write_file("file", "x", 1, 0644));
    CHECK_ERRNO(chdir("file"), ENOTDIR);
    int file_fd = CHECK_OK(open("file", O_RDONLY));
    CHECK_ERRNO(fchdir(file_fd), ENOTDIR);
    CHECK_ERRNO(chdir("missing"), ENOENT);
    /* Once the working directory is removed, Linux's getcwd reports ENOENT. */
    CHECK_OK(mkdir("doomed", 0755));
    CHECK_OK(chdir("doomed"));
    CHECK_OK(rmdir("../doomed"));
    char buffer[PATH_MAX];
    CHECK_ERRNO(syscall(SYS_getcwd, buffer, sizeof buffer), ENOENT);
    CHECK_ERRNO(open("new", O_WRONLY | O_CREAT, 0644), ENOENT);
}

CASE(chroot_confines) {
    CHECK_OK(mkdir("jail", 0755));
    CHECK_OK(write_file("jail/inside", "in", 2, 0644));
    CHECK_OK(write_file("jail-neighbour", "out", 3, 0644));
    CHECK_ERRNO(chroot("jail-neighbour"), ENOTDIR);
    pid_t child = fork();
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    if (child == 0) {
        if (!running_as_root()) {
            SUB_CHECK(chroot("jail") == -1 && errno == EPERM, "chroot unprivileged: %s", errno_name(errno));
            _exit(0);
        }
        SUB_CHECK(chroot("jail") == 0, "chroot: %s", errno_name(errno));
        SUB_CHECK(chdir("/") == 0, "chdir(/): %s", errno_name(errno));
        char contents[8] = "";
        SUB_CHECK(read_file("/inside", contents, sizeof contents) == 2, "/inside not found in the new root");
        SUB_CHECK(access("/../jail-neighbour", F_OK) == -1 && errno == ENOENT, "\"..\" escaped the chroot");
        SUB_CHECK(access("/../../inside", F_OK) == 0, "\"..\" at the new root is not the root");
        SUB_CHECK(drop_privileges(unprivileged_uid()) == 0, "drop: %s", errno_name(errno));
        SUB_CHECK(chroot("/") == -1 && errno == EPERM, "chroot after dropping root: %s", errno_name(errno));
        _exit(0);
    }
    CHECK_EXIT(child, 0);
}

static const struct test_case cases[] = {
    CASE_ENTRY(open_create_excl_trunc),
    CASE_ENTRY(open_append),
    CASE_ENTRY(open_directory_rules),
    CASE_ENTRY(open_nofollow_and_path),
    CASE_ENTRY(open_cloexec_nonblock),
    CASE_ENTRY(open_tmpfile),
    CASE_ENTRY(openat_dirfd_rules),
    CASE_ENTRY(openat2_resolve_flags),
    CASE_ENTRY(mkdir_rmdir),
    CASE_ENTRY(unlink_semantics),
    CASE_ENTRY(mknod_nodes),
    CASE_ENTRY(rename_semantics),
    CASE_ENTRY(renameat2_flags),
    CASE_ENTRY(hard_links),
    CASE_ENTRY(symlink_readlink),
    CASE_ENTRY(path_walk_dots),
    CASE_ENTRY(symlink_loops_and_limit),
    CASE_ENTRY(trailing_slashes),
    CASE_ENTRY(enotdir_and_nametoolong),
    CASE_ENTRY(working_directory),
    CASE_ENTRY(chroot_confines),
};

int main(int argc, char** argv) {
    g_use_tmpdir = true;
    return CONFORMANCE_MAIN("files", cases, argc, argv);
}
