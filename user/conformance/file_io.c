/*
 * Strix conformance suite — file_io: data and metadata of open files. read/write and
 * their positioned and vectored forms, offsets (lseek incl. SEEK_DATA/SEEK_HOLE, 64-bit
 * offsets), getdents64 and the old getdents, stat/fstat/lstat/newfstatat/statx,
 * timestamps, truncate, fallocate, fadvise64 and readahead, the sync family, sendfile,
 * copy_file_range, splice and statfs.
 */
#include <linux/falloc.h>
#include <linux/magic.h>
#include <linux/stat.h>
#include <sys/sendfile.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>

#include "common.h"

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static int create_file(const char* name, const char* contents) {
    int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0 && contents && write(fd, contents, strlen(contents)) != (ssize_t)strlen(contents)) {
        close(fd);
        return -1;
    }
    return fd;
}

CASE(read_write_offsets) {
    int fd = CHECK_OK(create_file("file", "0123456789"));
    CHECK(lseek(fd, 0, SEEK_CUR) == 10, "offset after writing 10 bytes");
    char buffer[32];
    CHECK(read(fd, buffer, sizeof buffer) == 0, "read at EOF did not return 0");
    CHECK_OK(lseek(fd, 2, SEEK_SET));
    CHECK(read(fd, buffer, 3) == 3 && memcmp(buffer, "234", 3) == 0, "read after lseek");
    CHECK(lseek(fd, 0, SEEK_CUR) == 5, "read did not advance the offset");
    CHECK(read(fd, buffer, 0) == 0 && write(fd, buffer, 0) == 0, "zero-length transfers");
    CHECK_OK(lseek(fd, 20, SEEK_SET));
    CHECK(write(fd, "Z", 1) == 1, "write past EOF");
    CHECK(pread(fd, buffer, sizeof buffer, 0) == 21, "size after writing at 20");
    for (int i = 10; i < 20; i++) CHECK(buffer[i] == 0, "hole byte %d is 0x%x", i, buffer[i]);
    CHECK(lseek(fd, -1, SEEK_END) == 20, "SEEK_END");
    CHECK(lseek(fd, 100, SEEK_END) == 121, "seeking past EOF is allowed");
    CHECK(lseek(fd, -5, SEEK_CUR) == 116, "SEEK_CUR backwards");
}

CASE(positioned_io_keeps_offset) {
    int fd = CHECK_OK(create_file("file", "abcdef"));
    CHECK_OK(lseek(fd, 1, SEEK_SET));
    char buffer[8];
    CHECK(pread(fd, buffer, 2, 3) == 2 && memcmp(buffer, "de", 2) == 0, "pread");
    CHECK(pwrite(fd, "XY", 2, 4) == 2, "pwrite");
    CHECK(lseek(fd, 0, SEEK_CUR) == 1, "pread/pwrite moved the offset");
    CHECK(pread(fd, buffer, 8, 6) == 0, "pread at EOF");
    CHECK_ERRNO(syscall(SYS_pread64, fd, buffer, 1, -1L), EINVAL);
    CHECK_ERRNO(syscall(SYS_pwrite64, fd, buffer, 1, -1L), EINVAL);
    /* 64-bit offsets: a sparse file beyond 4 GiB. */
    off_t far = 5LL << 30;
    CHECK(pwrite(fd, "far", 3, far) == 3, "pwrite at 5 GiB: %s", errno_name(errno));
    struct stat status;
    CHECK_OK(fstat(fd, &status));
    CHECK(status.st_size == far + 3, "size %lld", (long long)status.st_size);
    CHECK(pread(fd, buffer, 3, far) == 3 && memcmp(buffer, "far", 3) == 0, "pread at 5 GiB");
    CHECK(lseek(fd, 0, SEEK_END) == far + 3, "SEEK_END past 4 GiB");
}

CASE(vectored_io) {
    int fd = CHECK_OK(create_file("file", NULL));
    struct iovec out[3] = {{"one-", 4}, {"", 0}, {"three", 5}};
    CHECK(writev(fd, out, 3) == 9, "writev: %s", errno_name(errno));
    char a[3], b[6];
    struct iovec in[2] = {{a, sizeof a}, {b, sizeof b}};
    CHECK_OK(lseek(fd, 0, SEEK_SET));
    CHECK(readv(fd, in, 2) == 9, "readv");
    CHECK(memcmp(a, "one", 3) == 0 && memcmp(b, "-three", 6) == 0, "readv scattered wrongly");
    struct iovec at[1] = {{"PW", 2}};
    CHECK(pwritev(fd, at, 1, 1) == 2, "pwritev");
    CHECK(preadv(fd, in, 2, 0) == 9 && memcmp(a, "oPW", 3) == 0, "preadv");
    CHECK(lseek(fd, 0, SEEK_CUR) == 9, "pwritev/preadv moved the offset");
    /* preadv2/pwritev2 with offset -1 use and advance the file offset. */
    CHECK_OK(lseek(fd, 4, SEEK_SET));
    CHECK(syscall(SYS_preadv2, fd, in, 1, -1L, 0L, 0) == 3 && memcmp(a, "thr", 3) == 0, "preadv2(-1): %s",
          errno_name(errno));
    CHECK(lseek(fd, 0, SEEK_CUR) == 7, "preadv2(-1) did not advance the offset");
    CHECK_ERRNO(syscall(SYS_preadv2, fd, in, 1, 0L, 0L, 0x10000), EOPNOTSUPP);
}

CASE(seek_data_and_hole) {
    int fd = CHECK_OK(create_file("sparse", NULL));
    off_t data_at = 1 << 20;
    char block[4096];
    memset(block, 'D', sizeof block);
    CHECK(pwrite(fd, block, sizeof block, data_at) == (ssize_t)sizeof block, "pwrite");
    off_t size = data_at + (off_t)sizeof block;
    /* Filesystems without hole tracking treat the whole file as data: accept both. */
    off_t data = lseek(fd, 0, SEEK_DATA);
    CHECK(data >= 0 && data <= data_at, "SEEK_DATA from 0 returned %lld (%s)", (long long)data,
          errno_name(errno));
    off_t hole = lseek(fd, 0, SEEK_HOLE);
    CHECK(hole == 0 || hole == size, "SEEK_HOLE from 0 returned %lld", (long long)hole);
    CHECK(lseek(fd, data_at, SEEK_HOLE) == size, "SEEK_HOLE inside the last data block");
    CHECK(lseek(fd, data_at + 10, SEEK_DATA) == data_at + 10, "SEEK_DATA inside data");
    CHECK_ERRNO(lseek(fd, size, SEEK_DATA), ENXIO);
    CHECK_ERRNO(lseek(fd, size, SEEK_HOLE), ENXIO);
    CHECK_ERRNO(lseek(fd, size + 100, SEEK_DATA), ENXIO);
}

CASE(getdents64_lists_everything) {
    enum { FILES = 100 };
    CHECK_OK(mkdir("dir", 0755));
    char name[32];
    for (int i = 0; i < FILES; i++) {
        snprintf(name, sizeof name, "dir/entry-%03d", i);
        CHECK_OK(write_file(name, "", 0, 0644));
    }
    CHECK_OK(mkdir("dir/subdir", 0755));
    CHECK_OK(symlink("x", "dir/symlink"));
    int fd = CHECK_OK(open("dir", O_RDONLY | O_DIRECTORY));
    static unsigned char seen[FILES];
    int dots = 0, others = 0, total = 0;
    int64_t resume_offset = 0;
    char buffer[160]; /* small: forces many calls */
    long got;
    while ((got = syscall(SYS_getdents64, fd, buffer, sizeof buffer)) > 0) {
        for (long position = 0; position < got;) {
            struct linux_dirent64* entry = (struct linux_dirent64*)(buffer + position);
            CHECK(entry->d_reclen > 0 && position + entry->d_reclen <= got, "bad d_reclen %u",
                  entry->d_reclen);
            int number;
            total++;
            if (total == 10) resume_offset = entry->d_off;
            if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) {
                dots++;
                CHECK(entry->d_type == DT_DIR || entry->d_type == DT_UNKNOWN, "d_type of a dot entry");
            } else if (sscanf(entry->d_name, "entry-%03d", &number) == 1 && number >= 0 && number < FILES) {
                CHECK(!seen[number]++, "%s listed twice", entry->d_name);
                CHECK(entry->d_type == DT_REG || entry->d_type == DT_UNKNOWN, "d_type %u for a file",
                      entry->d_type);
            } else if (!strcmp(entry->d_name, "subdir")) {
                others++;
                CHECK(entry->d_type == DT_DIR || entry->d_type == DT_UNKNOWN, "d_type of subdir");
            } else if (!strcmp(entry->d_name, "symlink")) {
                others++;
                CHECK(entry->d_type == DT_LNK || entry->d_type == DT_UNKNOWN, "d_type of symlink");
            } else {
                FAIL("unexpected entry \"%s\"", entry->d_name);
            }
            position += entry->d_reclen;
        }
    }
    CHECK(got == 0, "getdents64: %s", errno_name(errno));
    CHECK(dots == 2 && others == 2 && total == FILES + 4, "listed %d entries (%d dots, %d others)", total,
          dots, others);
    for (int i = 0; i < FILES; i++) CHECK(seen[i] == 1, "entry-%03d missing", i);
    /* d_off is a cookie for lseek: resuming there lists the remaining entries. */
    CHECK(lseek(fd, resume_offset, SEEK_SET) == resume_offset, "lseek to a d_off cookie");
    int rest = 0;
    while ((got = syscall(SYS_getdents64, fd, buffer, sizeof buffer)) > 0)
        for (long position = 0; position < got;
             position += ((struct linux_dirent64*)(buffer + position))->d_reclen)
            rest++;
    CHECK(rest == total - 10, "resuming after entry 10 listed %d of %d", rest, total - 10);
    CHECK_OK(lseek(fd, 0, SEEK_SET));
    CHECK_ERRNO(syscall(SYS_getdents64, fd, buffer, 8), EINVAL);
    int file = CHECK_OK(open("dir/entry-000", O_RDONLY));
    CHECK_ERRNO(syscall(SYS_getdents64, file, buffer, sizeof buffer), ENOTDIR);
}

/* The old getdents record: the type is the last byte of the record, after the name. */
struct linux_dirent {
    unsigned long d_ino;
    unsigned long d_off;
    unsigned short d_reclen;
    char d_name[];
};

CASE(old_getdents) {
    CHECK_OK(write_file("alpha", "", 0, 0644));
    CHECK_OK(mkdir("beta", 0755));
    int directory = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    char buffer[4096];
    long length = syscall(SYS_getdents, directory, buffer, sizeof buffer);
    CHECK(length > 0, "getdents: %s", errno_name(errno));
    int seen = 0;
    for (long at = 0; at < length;) {
        struct linux_dirent* entry = (struct linux_dirent*)(buffer + at);
        CHECK(entry->d_reclen % 8 == 0 && entry->d_reclen > offsetof(struct linux_dirent, d_name) &&
                  at + entry->d_reclen <= length,
              "record length %u", entry->d_reclen);
        char type = buffer[at + entry->d_reclen - 1];
        if (!strcmp(entry->d_name, "alpha")) seen |= (type == DT_REG || type == DT_UNKNOWN) ? 1 : 16;
        if (!strcmp(entry->d_name, "beta")) seen |= (type == DT_DIR || type == DT_UNKNOWN) ? 2 : 16;
        if (!strcmp(entry->d_name, ".")) seen |= 4;
        if (!strcmp(entry->d_name, "..")) seen |= 8;
        at += entry->d_reclen;
    }
    CHECK(seen == 15, "entries seen: 0x%x (1 alpha, 2 beta, 4 dot, 8 dot-dot, 16 a wrong type)", seen);
    CHECK(syscall(SYS_getdents, directory, buffer, sizeof buffer) == 0, "the end of the directory");
    CHECK_OK(lseek(directory, 0, SEEK_SET));
    CHECK_ERRNO(syscall(SYS_getdents, directory, buffer, 4), EINVAL);
    int file = CHECK_OK(open("alpha", O_RDONLY));
    CHECK_ERRNO(syscall(SYS_getdents, file, buffer, sizeof buffer), ENOTDIR);
}

CASE(stat_fields) {
    char data[10000];
    memset(data, 's', sizeof data);
    CHECK_OK(write_file("file", data, sizeof data, 0640));
    struct stat by_path, by_fd, by_at;
    CHECK_OK(stat("file", &by_path));
    int fd = CHECK_OK(open("file", O_RDONLY));
    CHECK_OK(fstat(fd, &by_fd));
    CHECK_OK(fstatat(AT_FDCWD, "file", &by_at, AT_SYMLINK_NOFOLLOW));
    CHECK(S_ISREG(by_path.st_mode) && (by_path.st_mode & 07777) == (0640 & ~022 & 0777), "mode 0%o",
          (unsigned)by_path.st_mode);
    CHECK(by_path.st_size == (off_t)sizeof data, "size %lld", (long long)by_path.st_size);
    CHECK(by_path.st_nlink == 1 && by_path.st_uid == geteuid() && by_path.st_gid == getegid(),
          "nlink %ld uid %d gid %d", (long)by_path.st_nlink, (int)by_path.st_uid, (int)by_path.st_gid);
    CHECK(by_path.st_blksize > 0 && by_path.st_blocks * 512 >= by_path.st_size, "blksize %ld blocks %lld",
          (long)by_path.st_blksize, (long long)by_path.st_blocks);
    CHECK(by_path.st_ino == by_fd.st_ino && by_path.st_dev == by_fd.st_dev && by_at.st_ino == by_fd.st_ino,
          "stat, fstat and fstatat disagree");
    CHECK_OK(symlink("file", "link"));
    struct stat link_status;
    CHECK_OK(fstatat(AT_FDCWD, "link", &link_status, AT_SYMLINK_NOFOLLOW));
    CHECK(S_ISLNK(link_status.st_mode) && link_status.st_ino != by_path.st_ino, "AT_SYMLINK_NOFOLLOW");

    struct statx extended;
    memset(&extended, 0xff, sizeof extended);
    CHECK_OK(syscall(SYS_statx, AT_FDCWD, "file", AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, &extended));
    CHECK((extended.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS, "stx_mask 0x%x", extended.stx_mask);
    CHECK(extended.stx_size == (uint64_t)by_path.st_size && extended.stx_ino == by_path.st_ino &&
              extended.stx_mode == by_path.st_mode && extended.stx_nlink == by_path.st_nlink,
          "statx disagrees with stat");
    CHECK(extended.stx_mtime.tv_sec == by_path.st_mtim.tv_sec &&
              extended.stx_mtime.tv_nsec == (uint32_t)by_path.st_mtim.tv_nsec,
          "statx mtime disagrees");
    CHECK(makedev(extended.stx_dev_major, extended.stx_dev_minor) == by_path.st_dev, "statx device");
    CHECK_OK(syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_SIZE, &extended));
    CHECK(extended.stx_size == sizeof data, "statx AT_EMPTY_PATH size");
    CHECK_OK(syscall(SYS_statx, AT_FDCWD, "link", AT_SYMLINK_NOFOLLOW, STATX_TYPE, &extended));
    CHECK(S_ISLNK(extended.stx_mode), "statx AT_SYMLINK_NOFOLLOW");
    struct stat directory;
    CHECK_OK(stat(".", &directory));
    CHECK(S_ISDIR(directory.st_mode), "stat of a directory");
}

static bool timespec_after(struct timespec later, struct timespec earlier) {
    return later.tv_sec > earlier.tv_sec ||
           (later.tv_sec == earlier.tv_sec && later.tv_nsec > earlier.tv_nsec);
}

CASE(timestamps_follow_changes) {
    int fd = CHECK_OK(create_file("file", "x"));
    struct stat before, after;
    CHECK_OK(fstat(fd, &before));
    sleep_ms(30); /* file times come from a coarse clock */
    CHECK(write(fd, "more", 4) == 4, "write");
    CHECK_OK(fstat(fd, &after));
    CHECK(timespec_after(after.st_mtim, before.st_mtim), "write did not advance mtime");
    CHECK(timespec_after(after.st_ctim, before.st_ctim), "write did not advance ctime");
    before = after;
    sleep_ms(30);
    CHECK_OK(fchmod(fd, 0600));
    CHECK_OK(fstat(fd, &after));
    CHECK(timespec_after(after.st_ctim, before.st_ctim), "chmod did not advance ctime");
    CHECK(after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec,
          "chmod changed mtime");
    struct stat directory_before, directory_after;
    CHECK_OK(stat(".", &directory_before));
    sleep_ms(30);
    CHECK_OK(write_file("new-entry", "", 0, 0644));
    CHECK_OK(stat(".", &directory_after));
    CHECK(timespec_after(directory_after.st_mtim, directory_before.st_mtim),
          "creating an entry did not advance the directory's mtime");
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    CHECK(labs((long)(after.st_ctim.tv_sec - now.tv_sec)) <= 2, "ctime %ld is not the current time %ld",
          (long)after.st_ctim.tv_sec, (long)now.tv_sec);
}

CASE(truncate_and_ftruncate) {
    int fd = CHECK_OK(create_file("file", "0123456789"));
    CHECK_OK(ftruncate(fd, 4));
    struct stat status;
    CHECK_OK(fstat(fd, &status));
    CHECK(status.st_size == 4, "shrunk to %lld", (long long)status.st_size);
    CHECK_OK(truncate("file", 8192));
    char buffer[8192];
    CHECK(pread(fd, buffer, sizeof buffer, 0) == 8192, "read after growing");
    CHECK(memcmp(buffer, "0123", 4) == 0 && buffer[4] == 0 && buffer[8191] == 0, "grown part not zero");
    CHECK(lseek(fd, 0, SEEK_CUR) == 10, "truncate moved the offset");
    CHECK_OK(mkdir("dir", 0755));
    CHECK_ERRNO(truncate("dir", 0), EISDIR);
    CHECK_ERRNO(truncate("missing", 0), ENOENT);
    CHECK_ERRNO(syscall(SYS_truncate, "file", -1L), EINVAL);
    int fds[2];
    CHECK_OK(pipe(fds));
    CHECK_ERRNO(ftruncate(fds[1], 0), EINVAL);
}

CASE(fallocate_modes) {
    int fd = CHECK_OK(create_file("file", NULL));
    if (fallocate(fd, 0, 0, 65536) != 0 && errno == EOPNOTSUPP) SKIP("this filesystem has no fallocate");
    struct stat status;
    CHECK_OK(fstat(fd, &status));
    CHECK(status.st_size == 65536, "fallocate mode 0 left size %lld", (long long)status.st_size);
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
    if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096) == 0) {
        CHECK(pread(fd, buffer, sizeof buffer, 0) == (ssize_t)sizeof buffer && buffer[0] == 0,
              "punched hole still holds data");
        CHECK(pread(fd, buffer, 1, 4096) == 1 && buffer[0] == 'p', "punching hit the next block");
    } else {
        CHECK(errno == EOPNOTSUPP, "FALLOC_FL_PUNCH_HOLE: %s", errno_name(errno));
    }
    CHECK_ERRNO(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096), EOPNOTSUPP); /* needs KEEP_SIZE */
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
}

CASE(fadvise_and_readahead) {
    int fd = CHECK_OK(create_file("file", "some data"));
    /* posix_fadvise returns the error number instead of setting errno. */
    CHECK_RETURNS(posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL), 0);
    CHECK_RETURNS(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
    CHECK_RETURNS(posix_fadvise(fd, 0, 0, 99), EINVAL);
    int fds[2];
    CHECK_OK(pipe(fds));
    CHECK_RETURNS(posix_fadvise(fds[0], 0, 0, POSIX_FADV_NORMAL), ESPIPE);
    CHECK_RETURNS(posix_fadvise(-1, 0, 0, POSIX_FADV_NORMAL), EBADF);
    CHECK_OK(readahead(fd, 0, 4096));
    CHECK_ERRNO(readahead(fds[0], 0, 10), EINVAL);
    int write_only = CHECK_OK(open("file", O_WRONLY));
    CHECK_ERRNO(readahead(write_only, 0, 10), EBADF);
}

CASE(sync_family) {
    int fd = CHECK_OK(create_file("file", "data"));
    sync();
    CHECK_OK(fsync(fd));
    CHECK_OK(fdatasync(fd));
    CHECK_OK(syncfs(fd));
    CHECK_OK(sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE));
    int directory = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_OK(fsync(directory));
    int fds[2];
    CHECK_OK(pipe(fds));
    CHECK_ERRNO(fsync(fds[0]), EINVAL);
    CHECK_ERRNO(fsync(-1), EBADF);
}

CASE(sendfile_transfers) {
    int in = CHECK_OK(create_file("in", "0123456789abcdef"));
    int out = CHECK_OK(create_file("out", NULL));
    off_t offset = 4;
    CHECK_OK(lseek(in, 2, SEEK_SET));
    CHECK(sendfile(out, in, &offset, 6) == 6, "sendfile with an offset: %s", errno_name(errno));
    CHECK(offset == 10, "offset pointer advanced to %lld", (long long)offset);
    CHECK(lseek(in, 0, SEEK_CUR) == 2, "sendfile with an offset pointer moved the file offset");
    CHECK(sendfile(out, in, NULL, 3) == 3, "sendfile without an offset");
    CHECK(lseek(in, 0, SEEK_CUR) == 5, "sendfile without an offset did not advance the file offset");
    CHECK(sendfile(out, in, NULL, 1000) == 11, "sendfile of more than remains");
    CHECK(sendfile(out, in, NULL, 1000) == 0, "sendfile at EOF");
    char contents[32] = "";
    CHECK(read_file("out", contents, sizeof contents) == 20 && strcmp(contents, "45678923456789abcdef") == 0,
          "destination holds \"%s\"", contents);
    int fds[2];
    CHECK_OK(pipe(fds));
    offset = 0;
    CHECK(sendfile(fds[1], in, &offset, 16) == 16, "sendfile into a pipe: %s", errno_name(errno));
    CHECK(read(fds[0], contents, sizeof contents) == 16 && memcmp(contents, "0123456789abcdef", 16) == 0,
          "pipe contents");
    int append = CHECK_OK(open("out", O_WRONLY | O_APPEND));
    CHECK_ERRNO(sendfile(append, in, &offset, 1), EINVAL);
    CHECK_ERRNO(sendfile(out, fds[1], NULL, 1), EBADF); /* write end is not readable */
    CHECK_ERRNO(sendfile(fds[0], in, NULL, 1), EBADF);  /* read end is not writable */
    offset = -1;
    CHECK_ERRNO(sendfile(out, in, &offset, 1), EINVAL);
    /* A copy larger than any kernel buffer goes through whole. */
    static char big[300000], back[300000];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (char)(i * 7);
    CHECK_OK(write_file("big", big, sizeof big, 0644));
    int source = CHECK_OK(open("big", O_RDONLY));
    int copy = CHECK_OK(create_file("copy", NULL));
    offset = 0;
    CHECK(sendfile(copy, source, &offset, sizeof big) == (ssize_t)sizeof big, "large sendfile: %s",
          errno_name(errno));
    CHECK(pread(copy, back, sizeof back, 0) == (ssize_t)sizeof back && memcmp(back, big, sizeof big) == 0,
          "the large copy differs");
}

CASE(copy_file_range_copies) {
    int in = CHECK_OK(create_file("in", "0123456789"));
    int out = CHECK_OK(create_file("out", "----------"));
    loff_t in_offset = 2, out_offset = 5;
    long copied = syscall(SYS_copy_file_range, in, &in_offset, out, &out_offset, 4L, 0);
    CHECK(copied == 4, "copy_file_range returned %ld (%s)", copied, errno_name(errno));
    CHECK(in_offset == 6 && out_offset == 9, "offsets advanced to %lld/%lld", (long long)in_offset,
          (long long)out_offset);
    char contents[16] = "";
    CHECK(read_file("out", contents, sizeof contents) == 10 && strcmp(contents, "-----2345-") == 0,
          "destination holds \"%s\"", contents);
    /* Without offset pointers: the files' own offsets, which advance. */
    CHECK_OK(lseek(in, 8, SEEK_SET));
    CHECK_OK(lseek(out, 10, SEEK_SET));
    CHECK(syscall(SYS_copy_file_range, in, NULL, out, NULL, 100L, 0) == 2, "copy to the end: %s",
          errno_name(errno));
    CHECK(lseek(in, 0, SEEK_CUR) == 10 && lseek(out, 0, SEEK_CUR) == 12, "file offsets did not advance");
    in_offset = 10;
    CHECK(syscall(SYS_copy_file_range, in, &in_offset, out, &out_offset, 4L, 0) == 0, "copy at EOF");
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
    int in = CHECK_OK(create_file("in", "hello, splice"));
    int fds[2];
    CHECK_OK(pipe(fds));
    loff_t offset = 7;
    CHECK(splice(in, &offset, fds[1], NULL, 100, 0) == 6, "file to pipe: %s", errno_name(errno));
    CHECK(offset == 13, "the offset pointer advanced to %lld", (long long)offset);
    int out = CHECK_OK(create_file("out", NULL));
    CHECK(splice(fds[0], NULL, out, NULL, 100, 0) == 6, "pipe to file: %s", errno_name(errno));
    char contents[32] = "";
    CHECK(read_file("out", contents, sizeof contents) == 6 && strcmp(contents, "splice") == 0,
          "destination holds \"%s\"", contents);
    CHECK(lseek(out, 0, SEEK_CUR) == 6, "the file offset did not advance");
    CHECK_ERRNO(splice(in, NULL, out, NULL, 10, 0), EINVAL);        /* neither end a pipe */
    CHECK_ERRNO(splice(fds[0], &offset, out, NULL, 10, 0), ESPIPE); /* an offset for the pipe */
    CHECK_ERRNO(splice(in, NULL, fds[1], NULL, 10, 0x100), EINVAL); /* unknown flag */
    CHECK(splice(in, NULL, fds[1], NULL, 0, 0) == 0, "a zero-length splice");
}

CASE(statfs_values) {
    struct statfs by_path, by_fd;
    CHECK_OK(statfs(".", &by_path));
    int fd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_OK(fstatfs(fd, &by_fd));
    CHECK(by_path.f_type == by_fd.f_type && by_path.f_blocks == by_fd.f_blocks,
          "statfs and fstatfs disagree");
    CHECK(by_path.f_bsize > 0 && by_path.f_blocks > 0, "f_bsize %ld f_blocks %llu", (long)by_path.f_bsize,
          (unsigned long long)by_path.f_blocks);
    CHECK(by_path.f_bfree <= by_path.f_blocks && by_path.f_bavail <= by_path.f_bfree, "free block counts");
    CHECK(by_path.f_namelen >= 255, "f_namelen %ld", (long)by_path.f_namelen);
    struct statfs proc;
    CHECK_OK(statfs("/proc", &proc));
    CHECK(proc.f_type == PROC_SUPER_MAGIC, "/proc f_type 0x%lx", (unsigned long)proc.f_type);
    CHECK_ERRNO(statfs("missing", &proc), ENOENT);
}

static const struct test_case cases[] = {
    CASE_ENTRY(read_write_offsets),
    CASE_ENTRY(positioned_io_keeps_offset),
    CASE_ENTRY(vectored_io),
    CASE_ENTRY(seek_data_and_hole),
    CASE_ENTRY(getdents64_lists_everything),
    CASE_ENTRY(old_getdents),
    CASE_ENTRY(stat_fields),
    CASE_ENTRY(timestamps_follow_changes),
    CASE_ENTRY(truncate_and_ftruncate),
    CASE_ENTRY(fallocate_modes),
    CASE_ENTRY(fadvise_and_readahead),
    CASE_ENTRY(sync_family),
    CASE_ENTRY(sendfile_transfers),
    CASE_ENTRY(copy_file_range_copies),
    CASE_ENTRY(splice_through_pipes),
    CASE_ENTRY(statfs_values),
};

int main(int argc, char** argv) {
    g_use_tmpdir = true;
    umask(022);
    return CONFORMANCE_MAIN("file_io", cases, argc, argv);
}
