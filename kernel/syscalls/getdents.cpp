// Syscalls: reading directories — getdents64 (struct linux_dirent64) and the older
// getdents (struct linux_dirent, which carries the type in the record's last byte).
// One writer packs both: the records differ only in where the type byte goes.
#include "fs/file.h"
#include "lib/string.h"
#include "log/klog.h"
#include "mm/user_copy.h"
#include "syscalls/fs_common.h"
#include "syscalls/syscall.h"

namespace {

enum class DirentLayout { Linux64, Old };

// Packs entries into the user's buffer, one copy per record. The record starts with
// d_ino (8), d_off (8) and d_reclen (2); linux_dirent64 then has d_type and the name with
// its NUL, linux_dirent the name, its NUL, padding and d_type last. Records are 8-aligned.
class DirentWriter final : public DirectoryEmitter {
public:
    DirentWriter(DirentLayout layout, uptr buffer, usize size) : m_layout(layout), m_buffer(buffer), m_size(size) {}

    bool emit(kstd::string_view name, u64 ino, u8 type, u64 next_cookie) override {
        constexpr usize HEADER = 18;
        if (name.size() > NAME_BYTES) {  // no filesystem makes one; never overrun `entry`
            pr_warn("getdents: skipping a directory entry whose name is %zu bytes", name.size());
            m_cookie = next_cookie;
            return true;
        }
        usize record = kstd::align_up<usize>(HEADER + 1 + name.size() + 1, sizeof(u64));
        if (m_used + record > m_size) {
            m_full = true;
            return false;
        }
        u8 entry[HEADER + 1 + NAME_BYTES + 1 + sizeof(u64)] = {};
        i64 offset = static_cast<i64>(next_cookie);
        u16 reclen = static_cast<u16>(record);
        memcpy(entry, &ino, 8);
        memcpy(entry + 8, &offset, 8);
        memcpy(entry + 16, &reclen, 2);
        if (m_layout == DirentLayout::Linux64) {
            entry[HEADER] = type;
            memcpy(entry + HEADER + 1, name.data(), name.size());
        } else {
            memcpy(entry + HEADER, name.data(), name.size());
            entry[record - 1] = type;
        }
        if (mm::copy_to_user(UserPtr<void>(m_buffer + m_used), entry, record).is_error()) {
            m_fault = true;
            return false;
        }
        m_used += record;
        m_cookie = next_cookie;
        m_any = true;
        return true;
    }

    static constexpr usize NAME_BYTES = 255;
    DirentLayout m_layout;
    uptr m_buffer;
    usize m_size;
    usize m_used = 0;
    u64 m_cookie = 0;
    bool m_full = false;
    bool m_fault = false;
    bool m_any = false;
};

SyscallResult read_directory(int fd, UserPtr<void> buffer, u32 count, DirentLayout layout) {
    RefPtr<File> file = TRY(file_for(fd));
    if (!mm::is_user_range(buffer.address(), count)) return err(EFAULT);
    MutexGuard guard(file->position_lock);
    DirentWriter writer(layout, buffer.address(), count);
    TRY(file->iterate(writer));
    if (writer.m_fault) return err(EFAULT);
    if (!writer.m_any && writer.m_full) return err(EINVAL);  // the buffer cannot hold one entry
    if (writer.m_any) file->directory_cookie = file->position = writer.m_cookie;
    return static_cast<i64>(writer.m_used);
}

}  // namespace

SyscallResult sys_getdents64(int fd, UserPtr<void> buffer, u32 count) {
    return read_directory(fd, buffer, count, DirentLayout::Linux64);
}

SyscallResult sys_getdents(int fd, UserPtr<void> buffer, u32 count) {
    return read_directory(fd, buffer, count, DirentLayout::Old);
}
