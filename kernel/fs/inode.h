// Filesystems: inodes — the objects a filesystem stores (files, directories, links,
// device nodes, FIFOs, sockets) and the operations the VFS asks of them.
//
// A filesystem subclasses Inode and overrides what it supports; the defaults return the
// errno Linux gives for the operation on the wrong kind of inode. Attributes are cached
// in the Inode and kept current by the filesystem. Callers hold the inode's lock for
// operations that change it (namei does this for directory operations).
#pragma once

#include "lib/uapi/stat.h"
#include <linux/time_types.h>

#include "fs/io_buffer.h"
#include "lib/kstd.h"
#include "lib/ref_ptr.h"
#include "lib/result.h"
#include "mm/memory_object.h"
#include "sync/mutex.h"

class SuperBlock;
class File;
class Inode;
struct Path;

struct Timespec {
    i64 seconds = 0;
    i64 nanoseconds = 0;
    bool operator==(const Timespec&) const = default;
};

struct InodeAttributes {
    u64 ino = 0;
    u32 mode = 0;  // S_IFMT type bits | permission bits
    u32 nlink = 1;
    u32 uid = 0;
    u32 gid = 0;
    u64 rdev = 0;  // device nodes: Linux's encoding (major << 8 | minor, extended)
    u64 size = 0;
    u64 blocks = 0;  // in 512-byte units
    u32 block_size = 4096;
    Timespec atime, mtime, ctime, btime;
};

// Which fields setattr changes (Linux's ATTR_* in include/linux/fs.h).
enum AttributeMask : u32 {
    ATTRIBUTE_MODE = 1 << 0,
    ATTRIBUTE_UID = 1 << 1,
    ATTRIBUTE_GID = 1 << 2,
    ATTRIBUTE_SIZE = 1 << 3,
    ATTRIBUTE_ATIME = 1 << 4,
    ATTRIBUTE_MTIME = 1 << 5,
    ATTRIBUTE_CTIME = 1 << 6,
};

// Receives directory entries; returns false to stop (the caller's buffer is full).
class DirectoryEmitter {
public:
    // `next_cookie` is where iteration resumes after this entry (getdents64's d_off).
    virtual bool emit(kstd::string_view name, u64 ino, u8 type, u64 next_cookie) = 0;

protected:
    ~DirectoryEmitter() = default;
};

u8 directory_type_of(u32 mode);  // DT_* from S_IF*

class Inode : public RefCounted<Inode> {
public:
    Inode(SuperBlock& super_block, u64 ino);
    virtual ~Inode();

    SuperBlock& super_block() const { return *m_super_block; }
    u64 ino() const { return m_attributes.ino; }
    const InodeAttributes& attributes() const { return m_attributes; }
    u32 mode() const { return m_attributes.mode; }
    u32 type() const { return m_attributes.mode & S_IFMT; }
    bool is_directory() const { return S_ISDIR(m_attributes.mode); }
    bool is_regular() const { return S_ISREG(m_attributes.mode); }
    bool is_symlink() const { return S_ISLNK(m_attributes.mode); }
    u64 size() const { return m_attributes.size; }
    Mutex& lock() { return m_lock; }

    // Linux's i_writecount: open files writing to the inode (> 0), or an exec reading it
    // as a program (< 0). Each side refuses the other with ETXTBSY.
    bool get_write_access();
    void put_write_access() { m_write_count.fetch_sub(1); }
    bool deny_write_access();
    void allow_write_access() { m_write_count.fetch_add(1); }

    // Directories.
    virtual Result<RefPtr<Inode>> lookup(kstd::string_view name);
    // Regular files, device nodes, FIFOs and sockets (by the type bits in mode).
    virtual Result<RefPtr<Inode>> create(kstd::string_view name, u32 mode, u32 uid, u32 gid, u64 rdev);
    virtual Result<RefPtr<Inode>> mkdir(kstd::string_view name, u32 mode, u32 uid, u32 gid);
    virtual Result<RefPtr<Inode>> symlink(kstd::string_view name, kstd::string_view target, u32 uid, u32 gid);
    virtual ErrorOr link(kstd::string_view name, Inode& target);
    virtual ErrorOr unlink(kstd::string_view name, Inode& victim);
    virtual ErrorOr rmdir(kstd::string_view name, Inode& victim);
    // RENAME_NOREPLACE / RENAME_EXCHANGE semantics (checked by the VFS beforehand).
    virtual ErrorOr rename(kstd::string_view old_name, Inode& new_directory, kstd::string_view new_name,
                           u32 flags);
    virtual ErrorOr iterate(u64 cookie, DirectoryEmitter& emitter);
    // O_TMPFILE: a new regular file in this directory's filesystem with no name (nlink
    // 0), which linkat may name later (Linux's i_op->tmpfile). EOPNOTSUPP by default.
    virtual Result<RefPtr<Inode>> tmpfile(u32 mode, u32 uid, u32 gid);

    // File data and metadata.
    virtual Result<usize> read(u64 offset, IoBuffer buffer, usize length);
    virtual Result<usize> write(u64 offset, IoBuffer buffer, usize length);
    virtual ErrorOr truncate(u64 size);
    virtual ErrorOr allocate(int mode, u64 offset, u64 length);
    virtual Result<usize> readlink(char* buffer, usize size);
    virtual ErrorOr setattr(const InodeAttributes& values, u32 mask);
    virtual ErrorOr sync();
    // SEEK_DATA / SEEK_HOLE: the next data (or hole) at or after offset; ENXIO past the end.
    virtual Result<u64> seek_data(u64 offset, bool hole);

    // Extended attributes.
    virtual Result<usize> getxattr(kstd::string_view name, void* value, usize size);
    virtual ErrorOr setxattr(kstd::string_view name, const void* value, usize size, int flags);
    virtual Result<usize> listxattr(char* list, usize size);
    virtual ErrorOr removexattr(kstd::string_view name);

    // File seals (memfd_create, fcntl F_ADD_SEALS/F_GET_SEALS). EINVAL where the
    // filesystem has none.
    virtual Result<u32> seals() const { return err(EINVAL); }
    virtual ErrorOr add_seals(u32 seals) {
        (void)seals;
        return err(EINVAL);
    }

    // What mmap maps: the inode's page cache.
    virtual Result<RefPtr<MemoryObject>> mappable();

    // Special inodes (procfs and sysfs files, the targets of /proc/<pid>/fd links) open
    // their own File objects; ENXIO means "nothing special": the VFS opens the inode itself.
    virtual Result<RefPtr<File>> open_special(const Path& path, int flags);

    // Magic links (/proc/<pid>/fd/N, exe, cwd, root): symlinks that name an object rather
    // than a text. The path walk asks for the object's path instead of reading the link.
    virtual bool is_magic_link() const { return false; }
    virtual ErrorOr follow_magic_link(const Path& link, Path& target);

    // Linux's I_LINKABLE: an O_TMPFILE inode (opened without O_EXCL) that linkat may
    // give a name although its link count is 0; cleared once it has one.
    bool linkable = false;

protected:
    InodeAttributes m_attributes;

private:
    SuperBlock* m_super_block;
    Mutex m_lock;
    kstd::atomic<i32> m_write_count{0};
};

// The current time, for timestamps.
Timespec current_time();
