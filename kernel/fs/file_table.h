// Filesystems: a process's file descriptor table — shared between threads and CLONE_FILES
// children, copied by fork, with the close-on-exec flag per descriptor.
#pragma once

#include "fs/file.h"
#include "lib/ref_ptr.h"
#include "sync/mutex.h"

class FileTable : public RefCounted<FileTable> {
public:
    static constexpr int MAX_DESCRIPTORS = 65536;  // the hard ceiling behind RLIMIT_NOFILE

    static RefPtr<FileTable> create();
    ~FileTable();
    Result<RefPtr<FileTable>> clone();

    // The file behind fd, or EBADF.
    Result<RefPtr<File>> get(int fd);
    // The lowest free descriptor >= minimum (below `limit`, RLIMIT_NOFILE), or EMFILE.
    Result<int> allocate(RefPtr<File> file, bool close_on_exec, int minimum, u64 limit);
    // dup2/dup3: installs at exactly `fd`, closing what was there.
    ErrorOr install_at(int fd, RefPtr<File> file, bool close_on_exec, u64 limit);
    ErrorOr close(int fd);
    void close_range(u32 first, u32 last, bool cloexec_only);
    void close_all();
    void close_on_exec();
    Result<bool> close_on_exec_flag(int fd);
    ErrorOr set_close_on_exec(int fd, bool value);
    int highest_open() const;
    template <typename Fn>
    void for_each(Fn&& fn);  // fn(fd, File&)

private:
    struct Slot {
        RefPtr<File> file;
        bool close_on_exec = false;
    };
    ErrorOr grow(int minimum_size);
    Slot* m_slots = nullptr;
    int m_capacity = 0;
    Mutex m_lock;
};

template <typename Fn>
void FileTable::for_each(Fn&& fn) {
    MutexGuard guard(m_lock);
    for (int fd = 0; fd < m_capacity; fd++) {
        if (m_slots[fd].file) fn(fd, *m_slots[fd].file);
    }
}
