// Filesystems: open files (Linux's struct file) — what a file descriptor refers to. One
// open file is shared by every descriptor dup'ed or inherited from the same open(2), with
// one position and one set of status flags.
//
// File is the base of every kind: files on a filesystem (InodeFile), pipes, terminals,
// sockets, eventfds… Each overrides what it supports; the defaults give Linux's errno.
#pragma once

#include <asm-generic/fcntl.h>
#include <linux/poll.h>

#include "fs/mount.h"
#include "sync/mutex.h"
#include "sync/wait_queue.h"

// A poll(2)/select/epoll wait registers on the wait queues of the files it watches
// (Linux's poll_table). What registering means is the waiter's business: poll and select
// put the calling thread to sleep on each queue (fs/poll_wait.h), epoll hooks a wake
// function per watched file (fs/epoll.h). Files call add() for each queue whose wake-ups
// may change their readiness, and wake those queues with the events that changed.
class PollTable {
public:
    virtual void add(WaitQueue& queue) = 0;
    // The events the waiter cares about (Linux's _key), for files that can skip work.
    u32 interest() const { return m_interest; }

protected:
    explicit PollTable(u32 interest) : m_interest(interest) {}
    ~PollTable() = default;
    u32 m_interest;
};

struct EpollItem;

class File : public RefCounted<File> {
public:
    // Subclasses release what they hold in their destructors: the last reference may be
    // an in-flight syscall's, not the descriptor's.
    virtual ~File();

    // RefPtr<File> drops references here. The last one first detaches what refers to the
    // file without owning it — epoll entries, flock and OFD locks — while the whole
    // object still stands (Linux's __fput: eventpoll_release, locks_remove_file).
    bool unref() const;

    // Reads/writes at `offset` (seekable files) or at the stream's head (pipes, ttys).
    virtual Result<usize> read(u64 offset, IoBuffer buffer, usize length);
    virtual Result<usize> write(u64 offset, IoBuffer buffer, usize length);
    virtual bool seekable() const { return false; }
    // For SEEK_END and SEEK_DATA/SEEK_HOLE; seekable files only.
    virtual Result<u64> seek_limit(int whence, u64 offset);
    virtual Result<i64> ioctl(u32 request, u64 argument);
    // Readiness (POLLIN, POLLOUT, …); registers on wait queues when table is given.
    virtual u32 poll(PollTable* table);
    // Whether poll means anything (Linux: f_op->poll is set). epoll refuses files that
    // are always ready, regular files and directories among them, with EPERM.
    virtual bool pollable() const { return true; }
    virtual Result<RefPtr<MemoryObject>> mmap_object();
    virtual ErrorOr iterate(DirectoryEmitter& emitter);  // getdents64, at the file's position
    virtual ErrorOr fsync(bool data_only);
    virtual const char* kind_name() const { return "file"; }
    // st_mode for files without an inode (pipes: S_IFIFO, sockets: S_IFSOCK).
    virtual u32 stat_mode() const { return S_IFREG | 0600; }
    // For files that are not on a filesystem (pipes, sockets, anon inodes): what
    // /proc/<pid>/fd shows, e.g. "pipe:[1234]".
    virtual Result<usize> describe(char* buffer, usize size);

    // The inode and path, when the file lives in the filesystem tree.
    Inode* inode() const { return m_inode.get(); }
    RefPtr<Inode> inode_ref() const { return m_inode; }
    const Path& path() const { return m_path; }

    u32 flags() const { return m_flags; }
    // F_SETFL may change only O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT, O_NOATIME.
    void set_status_flags(u32 flags);
    bool readable() const { return (m_flags & O_ACCMODE) != O_WRONLY && !(m_flags & O_PATH); }
    bool writable() const { return (m_flags & O_ACCMODE) != O_RDONLY && !(m_flags & O_PATH); }
    bool nonblocking() const { return m_flags & O_NONBLOCK; }

    // The file position, under its own lock (Linux's f_pos_lock).
    u64 position = 0;
    Mutex position_lock;
    // Directories: where getdents resumes.
    u64 directory_cookie = 0;
    // The epoll entries watching this file (fs/epoll.cpp), linked through
    // EpollItem::next_for_file under the epoll lock.
    EpollItem* epoll_items = nullptr;
    // Whether a flock or OFD lock may be held through this open file (fs/locks.cpp).
    bool may_hold_locks = false;

protected:
    // The status flags F_GETFL reports: open-time flags are not kept, and every file is
    // O_LARGEFILE on a 64-bit kernel (Linux's do_dentry_open and force_o_largefile).
    static constexpr u32 status_flags_of(u32 flags) {
        return (flags & ~u32(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)) | O_LARGEFILE;
    }
    File(u32 flags) : m_flags(status_flags_of(flags)) {}
    File(u32 flags, Path path, RefPtr<Inode> inode)
        : m_path(kstd::move(path)), m_inode(kstd::move(inode)), m_flags(status_flags_of(flags)) {}
    void set_path(Path path, RefPtr<Inode> inode) {
        m_path = kstd::move(path);
        m_inode = kstd::move(inode);
    }

private:
    Path m_path;
    RefPtr<Inode> m_inode;
    u32 m_flags;
};

// A file on a filesystem: regular files, directories, symlinks opened with O_PATH.
class InodeFile final : public File {
public:
    static Result<RefPtr<File>> create(const Path& path, u32 flags);
    ~InodeFile() override;
    Result<usize> read(u64 offset, IoBuffer buffer, usize length) override;
    Result<usize> write(u64 offset, IoBuffer buffer, usize length) override;
    bool seekable() const override { return true; }
    Result<u64> seek_limit(int whence, u64 offset) override;
    u32 poll(PollTable*) override { return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM; }
    bool pollable() const override { return false; }
    Result<RefPtr<MemoryObject>> mmap_object() override;
    ErrorOr iterate(DirectoryEmitter& emitter) override;
    ErrorOr fsync(bool data_only) override;

private:
    InodeFile(u32 flags, Path path, RefPtr<Inode> inode) : File(flags, kstd::move(path), kstd::move(inode)) {}
    bool m_write_access = false;
};
