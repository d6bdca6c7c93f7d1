// Filesystems: file descriptor tables (see file_table.h).
#include "fs/file_table.h"

#include "fs/locks.h"
#include "lib/string.h"
#include "mm/kmalloc.h"

RefPtr<FileTable> FileTable::create() { return try_make_ref<FileTable>(); }

FileTable::~FileTable() {
    close_all();
    kfree(m_slots);
}

ErrorOr FileTable::grow(int minimum_size) {
    if (minimum_size <= m_capacity) return {};
    if (minimum_size > MAX_DESCRIPTORS) return err(EMFILE);
    int capacity = kstd::max(64, m_capacity);
    while (capacity < minimum_size) capacity *= 2;
    auto* slots = static_cast<Slot*>(kzalloc(sizeof(Slot) * capacity));
    if (!slots) return err(ENOMEM);
    for (int i = 0; i < m_capacity; i++) {
        new (&slots[i]) Slot{kstd::move(m_slots[i].file), m_slots[i].close_on_exec};
        m_slots[i].~Slot();
    }
    for (int i = m_capacity; i < capacity; i++) new (&slots[i]) Slot();
    kfree(m_slots);
    m_slots = slots;
    m_capacity = capacity;
    return {};
}

Result<RefPtr<FileTable>> FileTable::clone() {
    RefPtr<FileTable> copy = create();
    if (!copy) return err(ENOMEM);
    MutexGuard guard(m_lock);
    TRY(copy->grow(m_capacity));
    for (int fd = 0; fd < m_capacity; fd++) copy->m_slots[fd] = m_slots[fd];
    return copy;
}

Result<RefPtr<File>> FileTable::get(int fd) {
    MutexGuard guard(m_lock);
    if (fd < 0 || fd >= m_capacity || !m_slots[fd].file) return err(EBADF);
    return m_slots[fd].file;
}

Result<int> FileTable::allocate(RefPtr<File> file, bool close_on_exec, int minimum, u64 limit) {
    MutexGuard guard(m_lock);
    int ceiling = static_cast<int>(kstd::min<u64>(limit, MAX_DESCRIPTORS));
    if (minimum < 0 || minimum >= ceiling) return err(minimum < 0 ? EINVAL : EMFILE);
    for (int fd = minimum; fd < ceiling; fd++) {
        if (fd >= m_capacity) TRY(grow(fd + 1));
        if (!m_slots[fd].file) {
            m_slots[fd] = Slot{kstd::move(file), close_on_exec};
            return fd;
        }
    }
    return err(EMFILE);
}

ErrorOr FileTable::install_at(int fd, RefPtr<File> file, bool close_on_exec, u64 limit) {
    RefPtr<File> previous;
    {
        MutexGuard guard(m_lock);
        if (fd < 0 || static_cast<u64>(fd) >= kstd::min<u64>(limit, MAX_DESCRIPTORS)) return err(EBADF);
        TRY(grow(fd + 1));
        previous = kstd::move(m_slots[fd].file);
        m_slots[fd] = Slot{kstd::move(file), close_on_exec};
    }
    // POSIX: closing any descriptor of a file drops the process's record locks on it.
    if (previous) locks::descriptor_closed(*previous, this);
    return {};  // `previous` is dropped here, outside the lock: its destructor may sleep
}

ErrorOr FileTable::close(int fd) {
    RefPtr<File> file;
    {
        MutexGuard guard(m_lock);
        if (fd < 0 || fd >= m_capacity || !m_slots[fd].file) return err(EBADF);
        file = kstd::move(m_slots[fd].file);
        m_slots[fd].close_on_exec = false;
    }
    locks::descriptor_closed(*file, this);  // POSIX record locks go with any close
    return {};  // `file` is dropped here, outside the lock
}

void FileTable::close_range(u32 first, u32 last, bool cloexec_only) {
    for (u64 fd = first; fd <= last && fd < static_cast<u64>(m_capacity); fd++) {
        if (cloexec_only) (void)set_close_on_exec(static_cast<int>(fd), true);
        else (void)close(static_cast<int>(fd));
    }
}

void FileTable::close_all() {
    for (int fd = 0; fd < m_capacity; fd++) (void)close(fd);
}

void FileTable::close_on_exec() {
    for (int fd = 0; fd < m_capacity; fd++) {
        if (m_slots[fd].file && m_slots[fd].close_on_exec) (void)close(fd);
    }
}

Result<bool> FileTable::close_on_exec_flag(int fd) {
    MutexGuard guard(m_lock);
    if (fd < 0 || fd >= m_capacity || !m_slots[fd].file) return err(EBADF);
    return m_slots[fd].close_on_exec;
}

ErrorOr FileTable::set_close_on_exec(int fd, bool value) {
    MutexGuard guard(m_lock);
    if (fd < 0 || fd >= m_capacity || !m_slots[fd].file) return err(EBADF);
    m_slots[fd].close_on_exec = value;
    return {};
}

int FileTable::highest_open() const {
    for (int fd = m_capacity - 1; fd >= 0; fd--) {
        if (m_slots[fd].file) return fd;
    }
    return -1;
}
