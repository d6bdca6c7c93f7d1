/* Strix events test — sendfile, copy_file_range, splice, fallocate, fadvise, readahead,
 * O_TMPFILE, openat2's RESOLVE_* flags, utime/utimes/futimesat and getdents. */
#include <dirent.h>
#include <linux/falloc.h>
#include <linux/openat2.h>
#include <sys/sendfile.h>
#include <sys/time.h>
#include <utime.h>

#include "cases.h"

static int read_file(const char* name, char* buffer, size_t size) {
    int fd = open(name, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t length = read(fd, buffer, size - 1);
    close(fd);
    if (length < 0) return -1;
    buffer[length] = 0;
    return (int)length;
}

CASE(sendfile_transfers) {
    int in = CHECK_OK(write_file("in", "0123456789abcdef", 16));
    int out = CHECK_OK(write_file("out", NULL, 0));
    off_t offset = 4;
    CHECK_OK(lseek(in, 2, SEEK_SET));
    CHECK(sendfile(out, in, &offset, 6) == 6, "sendfile with an offset: %s", errno_name(errno));
    CHECK(offset == 10, "offset advanced to %lld", (long long)offset);
    CHECK(lseek(in, 0, SEEK_CUR) == 2, "sendfile with an offset moved the file offset");
    CHECK(sendfile(out, in, NULL, 3) == 3, "sendfile without an offset");
    CHECK(lseek(in, 0, SEEK_CUR) == 5, "sendfile without an offset did not advance the file offset");
    CHECK(sendfile(out, in, NULL, 1000) == 11, "sendfile of more than remains");
    CHECK(sendfile(out, in, NULL, 1000) == 0, "sendfile at end of file");
    char contents[64] = "";
    CHECK(read_file("out", contents, sizeof contents) == 20 && strcmp(contents, "45678923456789abcdef") == 0,
          "destination holds \"%s\"", contents);
    int fds[2];
    CHECK_OK(pipe(fds));
    offset = 0;
    CHECK(sendfile(fds[1], in, &offset, 16) == 16, "sendfile into a pipe: %s", errno_name(errno));
    CHECK(read(fds[0], contents, sizeof contents) == 16 && memcmp(contents, "0123456789abcdef", 16) == 0,
          "pipe");
    int append = CHECK_OK(open("out", O_WRONLY | O_APPEND));
    CHECK_ERRNO(sendfile(append, in, &offset, 1), EINVAL);
    CHECK_ERRNO(sendfile(out, fds[1], NULL, 1), EBADF); /* the write end is not readable */
    CHECK_ERRNO(sendfile(fds[0], in, NULL, 1), EBADF);  /* the read end is not writable */
    offset = -1;
    CHECK_ERRNO(sendfile(out, in, &offset, 1), EINVAL);
    /* A large copy goes through in several chunks. */
    static char big[300000];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (char)(i * 7);
    int source = CHECK_OK(write_file("big", big, sizeof big));
    int copy = CHECK_OK(write_file("copy", NULL, 0));
    offset = 0;
    CHECK(sendfile(copy, source, &offset, sizeof big) == (ssize_t)sizeof big, "large sendfile");
    static char back[300000];
    CHECK(pread(copy, back, sizeof back, 0) == (ssize_t)sizeof back && memcmp(back, big, sizeof big) == 0,
          "large copy differs");
}

CASE(copy_file_range_copies) {
    int in = CHECK_OK(write_file("in", "0123456789", 10));
    int out = CHECK_OK(write_file("out", "----------", 10));
    loff_t in_offset = 2, out_offset = 5;
    long copied = syscall(SYS_copy_file_range, in, &in_offset, out, &out_offset, 4L, 0);
    CHECK(copied == 4, "copy_file_range returned %ld (%s)", copied, errno_name(errno));
    CHECK(in_offset == 6 && out_offset == 9, "offsets %lld/%lld", (long long)in_offset,
          (long long)out_offset);
    char contents[16] = "";
    CHECK(read_file("out", contents, sizeof contents) == 10 && strcmp(contents, "-----2345-") == 0,
          "destination holds \"%s\"", contents);
    /* Without offsets: the files' positions, which advance. */
    CHECK_OK(lseek(in, 8, SEEK_SET));
    CHECK_OK(lseek(out, 10, SEEK_SET));
    CHECK(syscall(SYS_copy_file_range, in, NULL, out, NULL, 100L, 0) == 2, "copy to the end");
    CHECK(lseek(in, 0, SEEK_CUR) == 10 && lseek(out, 0, SEEK_CUR) == 12, "positions did not advance");
    in_offset = 10;
    CHECK(syscall(SYS_copy_file_range, in, &in_offset, out, &out_offset, 4L, 0) == 0, "copy at end of file");
    CHECK_ERRNO(syscall(SYS_copy_file_range, in, NULL, out, NULL, 1L, 1), EINVAL);
    loff_t same_in = 0, same_out = 2;
    CHECK_ERRNO(syscall(SYS_copy_file_range, in, &same_in, in, &same_out, 4L, 0), EINVAL);
    int read_only = CHECK_OK(open("out", O_RDONLY));
    CHECK_ERRNO(syscall(SYS_copy_file_range, in, NULL, read_only, NULL, 1L, 0), EBADF);
    int append = CHECK_OK(open("out", O_WRONLY | O_APPEND));
    CHECK_ERRNO(syscall(SYS_copy_file_range, in, NULL, append, NULL, 1L, 0), EBADF);
    int fds[2];
    CHECK_OK(pipe(fds));
    CHECK_ERRNO(syscall(SYS_copy_file_range, in, NULL, fds[1], NULL, 1L, 0), EINVAL);
    int directory = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_ERRNO(syscall(SYS_copy_file_range, directory, NULL, out, NULL, 1L, 0), EISDIR);
}

CASE(splice_through_pipes) {
    int in = CHECK_OK(write_file("in", "hello, splice", 13));
    int fds[2];
    CHECK_OK(pipe(fds));
    loff_t offset = 7;
    CHECK(splice(in, &offset, fds[1], NULL, 100, 0) == 6, "file to pipe: %s", errno_name(errno));
    CHECK(offset == 13, "offset %lld", (long long)offset);
    int out = CHECK_OK(write_file("out", NULL, 0));
    CHECK(splice(fds[0], NULL, out, NULL, 100, 0) == 6, "pipe to file: %s", errno_name(errno));
    char contents[32] = "";
    CHECK(read_file("out", contents, sizeof contents) == 6 && strcmp(contents, "splice") == 0,
          "out holds \"%s\"", contents);
    CHECK(lseek(out, 0, SEEK_CUR) == 6, "the output position did not advance");
    CHECK_ERRNO(splice(in, NULL, out, NULL, 10, 0), EINVAL);        /* no pipe */
    CHECK_ERRNO(splice(fds[0], &offset, out, NULL, 10, 0), ESPIPE); /* offset on the pipe side */
    CHECK_ERRNO(splice(in, NULL, fds[1], NULL, 10, 0x100), EINVAL); /* unknown flag */
    CHECK(splice(in, NULL, fds[1], NULL, 0, 0) == 0, "a zero-length splice");
}

CASE(fallocate_and_hints) {
    int fd = CHECK_OK(write_file("file", NULL, 0));
    if (fallocate(fd, 0, 0, 65536) != 0 && errno == EOPNOTSUPP) skip("this filesystem has no fallocate");
    struct stat status;
    CHECK_OK(fstat(fd, &status));
    CHECK(status.st_size == 65536, "mode 0 left size %lld", (long long)status.st_size);
    char buffer[16];
    CHECK(
        pread(fd, buffer, sizeof buffer, 4096) == (ssize_t)sizeof buffer && buffer[0] == 0 && buffer[15] == 0,
        "allocated range does not read as zeros");
    CHECK_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 65536, 65536));
    struct stat kept;
    CHECK_OK(fstat(fd, &kept));
    CHECK(kept.st_size == 65536 && kept.st_blocks >= status.st_blocks,
          "FALLOC_FL_KEEP_SIZE changed the size");
    char data[8192];
    memset(data, 'p', sizeof data);
    CHECK(pwrite(fd, data, sizeof data, 0) == (ssize_t)sizeof data, "pwrite");
    CHECK_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096));
    CHECK(pread(fd, buffer, sizeof buffer, 0) == (ssize_t)sizeof buffer && buffer[0] == 0,
          "punched hole has data");
    CHECK(pread(fd, buffer, 1, 4096) == 1 && buffer[0] == 'p', "punching hit the next block");
    CHECK_ERRNO(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096), EOPNOTSUPP); /* needs KEEP_SIZE */
    CHECK_ERRNO(fallocate(fd, 0, -1, 10), EINVAL);
    CHECK_ERRNO(fallocate(fd, 0, 0, 0), EINVAL);
    CHECK_ERRNO(fallocate(fd, 0x1000, 0, 10), EOPNOTSUPP);
    /* A mode combination Linux refuses: EINVAL up to 6.10, EOPNOTSUPP since. */
    CHECK(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_KEEP_SIZE, 0, 4096) == -1 &&
              (errno == EINVAL || errno == EOPNOTSUPP),
          "FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_KEEP_SIZE: %s", errno_name(errno));
    int fds[2];
    CHECK_OK(pipe(fds));
    CHECK_ERRNO(fallocate(fds[1], 0, 0, 10), ESPIPE);
    int read_only = CHECK_OK(open("file", O_RDONLY));
    CHECK_ERRNO(fallocate(read_only, 0, 0, 10), EBADF);
    int directory = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_ERRNO(fallocate(directory, 0, 0, 10), EBADF);
    CHECK(posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL) == 0, "fadvise");
    CHECK(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0, "fadvise DONTNEED");
    CHECK(posix_fadvise(fd, 0, 0, 99) == EINVAL, "fadvise with bad advice");
    CHECK(posix_fadvise(fds[0], 0, 0, POSIX_FADV_NORMAL) == ESPIPE, "fadvise on a pipe");
    CHECK(posix_fadvise(-1, 0, 0, POSIX_FADV_NORMAL) == EBADF, "fadvise on a bad descriptor");
    CHECK_OK(readahead(fd, 0, 4096));
    CHECK_ERRNO(readahead(fds[0], 0, 10), EINVAL);
    int write_only = CHECK_OK(open("file", O_WRONLY));
    CHECK_ERRNO(readahead(write_only, 0, 10), EBADF);
}

CASE(open_tmpfile) {
    int fd = open(".", O_TMPFILE | O_RDWR, 0600);
    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR)) skip("this filesystem has no O_TMPFILE");
    CHECK(fd >= 0, "O_TMPFILE: %s", errno_name(errno));
    CHECK(write(fd, "anon", 4) == 4, "write: %s", errno_name(errno));
    struct stat status;
    CHECK_OK(fstat(fd, &status));
    CHECK(status.st_nlink == 0 && S_ISREG(status.st_mode) && (status.st_mode & 0777) == 0600,
          "O_TMPFILE nlink %ld mode 0%o", (long)status.st_nlink, status.st_mode);
    DIR* directory = opendir(".");
    struct dirent* entry;
    int names = 0;
    while ((entry = readdir(directory)) != NULL)
        names += strcmp(entry->d_name, ".") && strcmp(entry->d_name, "..");
    closedir(directory);
    CHECK(names == 0, "an O_TMPFILE file appeared in the directory");
    CHECK_OK(linkat(fd, "", AT_FDCWD, "named", AT_EMPTY_PATH));
    char contents[8] = "";
    CHECK(read_file("named", contents, sizeof contents) == 4 && strcmp(contents, "anon") == 0,
          "linked: \"%s\"", contents);
    CHECK_OK(fstat(fd, &status));
    CHECK(status.st_nlink == 1, "nlink %ld after linkat", (long)status.st_nlink);
    close(fd);
    fd = CHECK_OK(open(".", O_TMPFILE | O_RDWR | O_EXCL, 0600));
    CHECK_ERRNO(linkat(fd, "", AT_FDCWD, "never", AT_EMPTY_PATH), ENOENT);
    close(fd);
    /* An unlinked ordinary file cannot be linked back either. */
    fd = CHECK_OK(write_file("doomed", "x", 1));
    CHECK_OK(unlink("doomed"));
    CHECK_ERRNO(linkat(fd, "", AT_FDCWD, "revived", AT_EMPTY_PATH), ENOENT);
    CHECK_ERRNO(open(".", O_TMPFILE | O_RDONLY), EINVAL); /* needs write access */
    CHECK_ERRNO(open(".", O_TMPFILE | O_RDWR | O_CREAT, 0600), EINVAL);
    CHECK_ERRNO(open("never-a-dir", O_TMPFILE | O_RDWR, 0600), ENOENT);
    CHECK_ERRNO(open("named", O_TMPFILE | O_RDWR, 0600), ENOTDIR);
    umask(022);
    fd = CHECK_OK(open(".", O_TMPFILE | O_WRONLY, 0666));
    CHECK_OK(fstat(fd, &status));
    CHECK((status.st_mode & 0777) == 0644, "umask not applied: 0%o", status.st_mode & 0777);
}

static long openat2_call(int dirfd, const char* path, struct open_how* how, size_t size) {
    return syscall(SYS_openat2, dirfd, path, how, size);
}

CASE(openat2_resolve_flags) {
    CHECK_OK(mkdir("root", 0755));
    CHECK_OK(mkdir("root/sub", 0755));
    close(CHECK_OK(write_file("root/sub/file", "x", 1)));
    close(CHECK_OK(write_file("outside", "o", 1)));
    CHECK_OK(symlink("sub/file", "root/link"));
    CHECK_OK(symlink("/outside", "root/escape"));
    CHECK_OK(symlink("../outside", "root/up"));
    int root = CHECK_OK(open("root", O_PATH | O_DIRECTORY));
    struct open_how how = {.flags = O_RDONLY, .resolve = RESOLVE_BENEATH};
    long fd = openat2_call(root, "sub/file", &how, sizeof how);
    CHECK(fd >= 0, "RESOLVE_BENEATH inside: %s", errno_name(errno));
    close((int)fd);
    fd = openat2_call(root, "link", &how, sizeof how);
    CHECK(fd >= 0, "RESOLVE_BENEATH through a relative link: %s", errno_name(errno));
    close((int)fd);
    CHECK_ERRNO(openat2_call(root, "../outside", &how, sizeof how), EXDEV);
    CHECK_ERRNO(openat2_call(root, "/etc/passwd", &how, sizeof how), EXDEV);
    CHECK_ERRNO(openat2_call(root, "up", &how, sizeof how), EXDEV);
    CHECK_ERRNO(openat2_call(root, "escape", &how, sizeof how), EXDEV);
    how.resolve = RESOLVE_NO_SYMLINKS;
    CHECK_ERRNO(openat2_call(root, "link", &how, sizeof how), ELOOP);
    how.resolve = RESOLVE_IN_ROOT;
    close(CHECK_OK(write_file("root/outside", "in", 2)));
    fd = openat2_call(root, "escape", &how, sizeof how); /* "/outside" inside root */
    CHECK(fd >= 0, "RESOLVE_IN_ROOT: %s", errno_name(errno));
    char contents[4] = "";
    CHECK(read((int)fd, contents, 3) == 2 && strcmp(contents, "in") == 0, "RESOLVE_IN_ROOT escaped: \"%s\"",
          contents);
    close((int)fd);
    fd = openat2_call(root, "../../outside", &how, sizeof how); /* ".." stops at the root */
    CHECK(fd >= 0, "RESOLVE_IN_ROOT with dot-dot: %s", errno_name(errno));
    close((int)fd);
    how.resolve = RESOLVE_BENEATH | RESOLVE_IN_ROOT;
    CHECK_ERRNO(openat2_call(root, "sub/file", &how, sizeof how), EINVAL);
    how.resolve = 0x1000;
    CHECK_ERRNO(openat2_call(root, "sub/file", &how, sizeof how), EINVAL);
    how.resolve = RESOLVE_CACHED;
    how.flags = O_RDWR | O_CREAT;
    how.mode = 0644;
    CHECK_ERRNO(openat2_call(root, "created", &how, sizeof how), EAGAIN);
    how = (struct open_how){.flags = O_RDONLY, .mode = 0644};
    CHECK_ERRNO(openat2_call(root, "sub/file", &how, sizeof how), EINVAL); /* a mode without O_CREAT */
    how = (struct open_how){.flags = O_WRONLY | O_CREAT, .mode = 0644, .resolve = RESOLVE_BENEATH};
    fd = openat2_call(root, "sub/new", &how, sizeof how);
    CHECK(fd >= 0, "O_CREAT beneath: %s", errno_name(errno));
    close((int)fd);
    CHECK_ERRNO(openat2_call(root, "../created", &how, sizeof how), EXDEV);
    struct {
        struct open_how how;
        uint64_t extra;
    } bigger = {{.flags = O_RDONLY}, 1};
    CHECK_ERRNO(openat2_call(root, "sub/file", &bigger.how, sizeof bigger), E2BIG);
    bigger.extra = 0;
    fd = openat2_call(root, "sub/file", &bigger.how, sizeof bigger);
    CHECK(fd >= 0, "a larger open_how with a zero tail: %s", errno_name(errno));
    CHECK_ERRNO(openat2_call(root, "sub/file", &bigger.how, 16), EINVAL);
}

CASE(old_time_calls) {
    close(CHECK_OK(write_file("file", "x", 1)));
    struct utimbuf stamp = {.actime = 1000000, .modtime = 2000000};
    CHECK_OK(utime("file", &stamp));
    struct stat status;
    CHECK_OK(stat("file", &status));
    CHECK(status.st_atime == 1000000 && status.st_mtime == 2000000, "utime: %ld %ld", (long)status.st_atime,
          (long)status.st_mtime);
    struct timeval times[2] = {{3000000, 500000}, {4000000, 250}};
    CHECK_OK(utimes("file", times));
    CHECK_OK(stat("file", &status));
    CHECK(status.st_atime == 3000000 && status.st_atim.tv_nsec == 500000000 && status.st_mtime == 4000000 &&
              status.st_mtim.tv_nsec == 250000,
          "utimes: %ld.%09ld %ld.%09ld", (long)status.st_atime, status.st_atim.tv_nsec, (long)status.st_mtime,
          status.st_mtim.tv_nsec);
    int directory = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    times[1].tv_sec = 5000000;
    CHECK_OK(syscall(SYS_futimesat, directory, "file", times));
    CHECK_OK(stat("file", &status));
    CHECK(status.st_mtime == 5000000, "futimesat: %ld", (long)status.st_mtime);
    long long before = (long long)time(NULL);
    CHECK_OK(utime("file", NULL));
    CHECK_OK(stat("file", &status));
    CHECK(status.st_mtime >= before - 1, "utime(NULL) did not set the current time");
    struct timeval bad[2] = {{0, 1000000}, {0, 0}};
    CHECK_ERRNO(utimes("file", bad), EINVAL);
    CHECK_ERRNO(utime("missing", &stamp), ENOENT);
}

CASE(old_getdents) {
    close(CHECK_OK(write_file("alpha", "", 0)));
    CHECK_OK(mkdir("beta", 0755));
    int directory = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    char buffer[4096];
    long length = syscall(SYS_getdents, directory, buffer, sizeof buffer);
    CHECK(length > 0, "getdents: %s", errno_name(errno));
    int seen = 0;
    for (long at = 0; at < length;) {
        unsigned short reclen;
        memcpy(&reclen, buffer + at + 16, 2);
        const char* name = buffer + at + 18;
        char type = buffer[at + reclen - 1];
        if (!strcmp(name, "alpha")) seen |= (type == DT_REG) ? 1 : 16;
        if (!strcmp(name, "beta")) seen |= (type == DT_DIR) ? 2 : 16;
        if (!strcmp(name, ".")) seen |= 4;
        if (!strcmp(name, "..")) seen |= 8;
        CHECK(reclen % 8 == 0 && reclen > 18, "record length %u", reclen);
        at += reclen;
    }
    CHECK(seen == 15, "entries seen: 0x%x", seen);
    CHECK(syscall(SYS_getdents, directory, buffer, sizeof buffer) == 0, "the end of the directory");
    CHECK_OK(lseek(directory, 0, SEEK_SET));
    CHECK_ERRNO(syscall(SYS_getdents, directory, buffer, 4), EINVAL);
    int file = CHECK_OK(open("alpha", O_RDONLY));
    CHECK_ERRNO(syscall(SYS_getdents, file, buffer, sizeof buffer), ENOTDIR);
}

const struct test_case file_call_cases[] = {
    CASE_ENTRY(sendfile_transfers),  CASE_ENTRY(copy_file_range_copies), CASE_ENTRY(splice_through_pipes),
    CASE_ENTRY(fallocate_and_hints), CASE_ENTRY(open_tmpfile),           CASE_ENTRY(openat2_resolve_flags),
    CASE_ENTRY(old_time_calls),      CASE_ENTRY(old_getdents),
};
const int file_call_case_count = sizeof file_call_cases / sizeof file_call_cases[0];
