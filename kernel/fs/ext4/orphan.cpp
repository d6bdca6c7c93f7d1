// ext4: open-but-unlinked inodes — pins held by open files, the on-disk orphan list
// (s_last_orphan chained through i_dtime, Linux fs/ext4/orphan.c) and its processing at
// mount after a crash.
#include "fs/ext4/filesystem.h"
#include "lib/string.h"
#include "log/klog.h"

namespace ext4 {

u32* Ext4Filesystem::find_pin(u32 ino) {
    for (u32 i = 0; i < m_pin_count; i++)
        if (m_pins[i].ino == ino) return &m_pins[i].count;
    return nullptr;
}

ErrorOr Ext4Filesystem::pin_inode(u32 ino) {
    if (u32* count = find_pin(ino)) {
        (*count)++;
        return {};
    }
    Inode inode;
    TRY(load_inode(ino, inode));
    if (m_pin_count == m_pin_capacity) {
        u32 capacity = m_pin_capacity ? m_pin_capacity * 2 : 16;
        Pin* pins = new (kstd::nothrow) Pin[capacity];
        if (!pins) return err(ENOMEM);
        for (u32 i = 0; i < m_pin_count; i++) pins[i] = m_pins[i];
        delete[] m_pins;
        m_pins = pins;
        m_pin_capacity = capacity;
    }
    m_pins[m_pin_count++] = Pin{ino, 1};
    return {};
}

ErrorOr Ext4Filesystem::unpin_inode(u32 ino) {
    u32* count = find_pin(ino);
    if (!count) return err(EINVAL);
    if (--*count > 0) return {};
    u32 index = static_cast<u32>(reinterpret_cast<Pin*>(count) - m_pins);
    m_pins[index] = m_pins[--m_pin_count];
    if (m_read_only) return {};
    Inode inode;
    TRY(read_inode(ino, inode));
    if (inode.raw.i_links_count > 0 || inode.mode() == 0) return {};
    TRY(orphan_remove(inode));
    TRY(evict_inode(inode));
    return maybe_commit();
}

ErrorOr Ext4Filesystem::orphan_add(Inode& inode) {
    inode.raw.i_dtime = m_sb.s_last_orphan;
    m_sb.s_last_orphan = inode.ino;
    m_superblock_dirty = true;
    return write_inode(inode);
}

ErrorOr Ext4Filesystem::orphan_remove(Inode& inode) {
    u32 next = inode.raw.i_dtime;
    if (m_sb.s_last_orphan == inode.ino) {
        m_sb.s_last_orphan = next;
        m_superblock_dirty = true;
    } else {
        u32 current = m_sb.s_last_orphan;
        for (u32 steps = 0; current && steps < m_sb.s_inodes_count; steps++) {
            Inode previous;
            TRY(read_inode(current, previous));
            if (previous.raw.i_dtime == inode.ino) {
                previous.raw.i_dtime = next;
                TRY(write_inode(previous));
                break;
            }
            current = previous.raw.i_dtime;
        }
    }
    inode.raw.i_dtime = 0;
    return write_inode(inode);
}

// Linux: ext4_orphan_cleanup — inodes unlinked while open are freed, inodes on the list
// with links left (an interrupted truncate) lose the blocks past their size.
ErrorOr Ext4Filesystem::process_orphans() {
    u32 ino = m_sb.s_last_orphan;
    u32 processed = 0;
    while (ino) {
        if (ino < m_first_ino || ino > m_sb.s_inodes_count || processed++ > m_sb.s_inodes_count) {
            pr_err("ext4 (%s): orphan list is corrupt at inode %u", m_device.name(), ino);
            m_sb.s_last_orphan = 0;
            m_superblock_dirty = true;
            return err(EFSCORRUPTED);
        }
        Inode inode;
        TRY(read_inode(ino, inode));
        u32 next = inode.raw.i_dtime;
        inode.raw.i_dtime = 0;
        if (inode.raw.i_links_count == 0) {
            pr_info("ext4 (%s): deleting unreferenced inode %u", m_device.name(), ino);
            TRY(evict_inode(inode));
        } else {
            pr_info("ext4 (%s): truncating orphaned inode %u to %llu bytes", m_device.name(), ino,
                    static_cast<unsigned long long>(inode.size()));
            if (inode.is_reg()) TRY(truncate_blocks(inode, inode.size()));
            TRY(write_inode(inode));
        }
        ino = next;
        m_sb.s_last_orphan = next;
        m_superblock_dirty = true;
    }
    return {};
}

}  // namespace ext4
