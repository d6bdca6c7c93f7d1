// procfs: the text formats of /proc files (see proc_format.h). Each follows the Linux
// 6.1 function named beside it, down to the padding.
#include "fs/procfs/proc_format.h"

#include <linux/mount.h>

namespace procfs {
namespace {

// fs/proc/meminfo.c show_val_kb: the name padded to 16 columns, the value to 8.
void kb_line(SeqBuffer& out, const char* name, u64 kb) { out.printf("%-16s%8lu kB\n", name, kb); }

// "12345.67": hundredths of a second, without floating point.
void seconds_two_decimals(SeqBuffer& out, u64 ns) {
    u64 hundredths = ns / 10000000;
    out.printf("%lu.%02lu", hundredths / 100, hundredths % 100);
}

}  // namespace

void format_meminfo(SeqBuffer& out, const MemoryFigures& f) {
    kb_line(out, "MemTotal:", f.total_kb);
    kb_line(out, "MemFree:", f.free_kb);
    kb_line(out, "MemAvailable:", f.available_kb);
    kb_line(out, "Buffers:", 0);
    kb_line(out, "Cached:", f.cached_kb);
    kb_line(out, "SwapCached:", 0);
    kb_line(out, "Active:", f.anon_kb + f.cached_kb);
    kb_line(out, "Inactive:", 0);
    kb_line(out, "Active(anon):", f.anon_kb);
    kb_line(out, "Inactive(anon):", 0);
    kb_line(out, "Active(file):", f.cached_kb);
    kb_line(out, "Inactive(file):", 0);
    kb_line(out, "Unevictable:", 0);
    kb_line(out, "Mlocked:", 0);
    kb_line(out, "SwapTotal:", 0);
    kb_line(out, "SwapFree:", 0);
    kb_line(out, "Zswap:", 0);
    kb_line(out, "Zswapped:", 0);
    kb_line(out, "Dirty:", 0);
    kb_line(out, "Writeback:", 0);
    kb_line(out, "AnonPages:", f.anon_kb);
    kb_line(out, "Mapped:", f.mapped_kb);
    kb_line(out, "Shmem:", f.shmem_kb);
    kb_line(out, "KReclaimable:", 0);
    kb_line(out, "Slab:", f.slab_kb);
    kb_line(out, "SReclaimable:", 0);
    kb_line(out, "SUnreclaim:", f.slab_kb);
    kb_line(out, "KernelStack:", f.kernel_stack_kb);
    kb_line(out, "PageTables:", f.page_tables_kb);
    kb_line(out, "NFS_Unstable:", 0);
    kb_line(out, "Bounce:", 0);
    kb_line(out, "WritebackTmp:", 0);
    kb_line(out, "CommitLimit:", f.commit_limit_kb);
    kb_line(out, "Committed_AS:", f.committed_kb);
    kb_line(out, "VmallocTotal:", f.vmalloc_total_kb);
    kb_line(out, "VmallocUsed:", f.vmalloc_used_kb);
    kb_line(out, "VmallocChunk:", 0);
    kb_line(out, "Percpu:", 0);
    kb_line(out, "HardwareCorrupted:", 0);
    kb_line(out, "AnonHugePages:", 0);
    kb_line(out, "ShmemHugePages:", 0);
    kb_line(out, "ShmemPmdMapped:", 0);
    kb_line(out, "FileHugePages:", 0);
    kb_line(out, "FilePmdMapped:", 0);
    // mm/hugetlb.c hugetlb_report_meminfo: counts, not sizes.
    out.printf(
        "HugePages_Total:   %5lu\nHugePages_Free:    %5lu\nHugePages_Rsvd:    %5lu\nHugePages_Surp:    "
        "%5lu\n",
        0ul, 0ul, 0ul, 0ul);
    kb_line(out, "Hugepagesize:", 2048);
    kb_line(out, "Hugetlb:", 0);
    kb_line(out, "DirectMap4k:", f.direct_map_4k_kb);
    kb_line(out, "DirectMap2M:", f.direct_map_2m_kb);
    kb_line(out, "DirectMap1G:", f.direct_map_1g_kb);
}

void format_uptime(SeqBuffer& out, u64 uptime_ns, u64 idle_ns) {
    // fs/proc/uptime.c: "%lu.%02lu %lu.%02lu\n".
    seconds_two_decimals(out, uptime_ns);
    out.put_char(' ');
    seconds_two_decimals(out, idle_ns);
    out.put_char('\n');
}

void format_loadavg(SeqBuffer& out, const LoadFigures& f) {
    // fs/proc/loadavg.c with LOAD_INT/LOAD_FRAC (include/linux/sched/loadavg.h).
    constexpr u64 FIXED_1 = u64(1) << LOAD_FSHIFT;
    auto integer = [](u64 x) { return x >> LOAD_FSHIFT; };
    auto fraction = [&](u64 x) { return ((x & (FIXED_1 - 1)) * 100) >> LOAD_FSHIFT; };
    u64 rounded[3];
    for (int i = 0; i < 3; i++) rounded[i] = f.load[i] + FIXED_1 / 200;
    out.printf("%lu.%02lu %lu.%02lu %lu.%02lu %u/%u %u\n", integer(rounded[0]), fraction(rounded[0]),
               integer(rounded[1]), fraction(rounded[1]), integer(rounded[2]), fraction(rounded[2]),
               f.running, f.threads, f.last_pid);
}

void format_task_stat(SeqBuffer& out, const TaskStat& s) {
    // fs/proc/array.c do_task_stat: the comm is printed raw between the outer parentheses.
    out.printf("%u (", s.pid);
    out.append(s.comm);
    out.printf(") %c %d %d %d %d %d %u", s.state, static_cast<int>(s.ppid), static_cast<int>(s.pgrp),
               static_cast<int>(s.session), static_cast<int>(s.tty_nr), s.tpgid, s.flags);
    out.printf(" %lu %lu %lu %lu %lu %lu %ld %ld", s.minflt, s.cminflt, s.majflt, s.cmajflt, s.utime, s.stime,
               s.cutime, s.cstime);
    out.printf(" %ld %ld %ld 0 %lu %lu %lu %lu", s.priority, s.nice, s.num_threads, s.starttime, s.vsize,
               s.rss, s.rsslim);
    out.printf(" %lu %lu %lu %lu %lu", s.startcode, s.endcode, s.startstack, s.kstkesp, s.kstkeip);
    constexpr u64 LOW_SIGNALS = 0x7fffffff;  // only the first 31 signals fit the old format
    out.printf(" %lu %lu %lu %lu", s.signal & LOW_SIGNALS, s.blocked & LOW_SIGNALS, s.sigignore & LOW_SIGNALS,
               s.sigcatch & LOW_SIGNALS);
    out.printf(" %lu 0 0 %d %d %u %u 0 0 0", s.wchan, s.exit_signal, s.processor, s.rt_priority, s.policy);
    out.printf(" %lu %lu %lu %lu %lu %lu %lu %d\n", s.start_data, s.end_data, s.start_brk, s.arg_start,
               s.arg_end, s.env_start, s.env_end, s.exit_code);
}

void format_task_statm(SeqBuffer& out, const TaskStatm& s) {
    // fs/proc/array.c proc_pid_statm: size resident shared text lib(0) data dt(0).
    out.printf("%lu %lu %lu %lu 0 %lu 0\n", s.size, s.resident, s.shared, s.text, s.data);
}

void format_maps_line(SeqBuffer& out, const MapsLine& l) {
    // fs/proc/task_mmu.c show_vma_header_prefix, then the name after column 72.
    out.printf("%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu ", l.start, l.end, l.read ? 'r' : '-',
               l.write ? 'w' : '-', l.execute ? 'x' : '-', l.shared ? 's' : 'p', l.offset, l.device_major,
               l.device_minor, l.inode);
    if (!l.name.empty()) {
        out.pad_to_column(25 + sizeof(void*) * 6 - 1);  // seq_setwidth, then seq_pad(m, ' ')
        out.put_char(' ');
        out.append(l.name);
    }
    out.put_char('\n');
}

void format_mount_options(SeqBuffer& out, u64 flags, bool read_only) {
    // fs/proc_namespace.c show_mnt_opts, in its order (MS_RELATIME is stored on the mount
    // as Linux stores MNT_RELATIME: set at mount unless noatime or strictatime was asked).
    out.append(read_only ? "ro" : "rw");
    if (flags & MS_NOSUID) out.append(",nosuid");
    if (flags & MS_NODEV) out.append(",nodev");
    if (flags & MS_NOEXEC) out.append(",noexec");
    if (flags & MS_NOATIME) out.append(",noatime");
    if (flags & MS_NODIRATIME) out.append(",nodiratime");
    if (flags & MS_RELATIME) out.append(",relatime");
}

namespace {
// Linux's mangle(): what separates fields in /proc/mounts is written as octal escapes.
constexpr const char* MOUNT_ESCAPED = " \t\n\\";
}  // namespace

void format_mounts_line(SeqBuffer& out, kstd::string_view source, kstd::string_view mount_point,
                        kstd::string_view type, u64 mount_flags, bool read_only,
                        kstd::string_view filesystem_options) {
    // fs/proc_namespace.c show_vfsmnt.
    out.append_escaped(source.empty() ? "none" : source, MOUNT_ESCAPED);
    out.put_char(' ');
    out.append_escaped(mount_point, MOUNT_ESCAPED);
    out.put_char(' ');
    out.append_escaped(type, MOUNT_ESCAPED);
    out.put_char(' ');
    format_mount_options(out, mount_flags, read_only);
    out.append(filesystem_options);
    out.append(" 0 0\n");
}

void format_mountinfo_line(SeqBuffer& out, const MountinfoLine& l) {
    // fs/proc_namespace.c show_mountinfo.
    out.printf("%u %u %u:%u ", l.id, l.parent_id, l.major, l.minor);
    out.append_escaped(l.root, MOUNT_ESCAPED);
    out.put_char(' ');
    out.append_escaped(l.mount_point, MOUNT_ESCAPED);
    out.put_char(' ');
    format_mount_options(out, l.mount_flags & ~u64(MS_RDONLY), l.mount_read_only);
    out.append(" - ");
    out.append_escaped(l.type, MOUNT_ESCAPED);
    out.put_char(' ');
    out.append_escaped(l.source.empty() ? "none" : l.source, MOUNT_ESCAPED);
    out.append(l.super_read_only ? " ro" : " rw");
    out.append(l.filesystem_options);
    out.put_char('\n');
}

void format_uuid(SeqBuffer& out, const u8 (&raw)[16]) {
    u8 b[16];
    for (int i = 0; i < 16; i++) b[i] = raw[i];
    b[6] = static_cast<u8>((b[6] & 0x0f) | 0x40);  // version 4
    b[8] = static_cast<u8>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
    out.printf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\n", b[0], b[1], b[2],
               b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

void format_limit_line(SeqBuffer& out, const char* name, u64 soft, u64 hard, const char* units) {
    // fs/proc/base.c proc_pid_limits: "%-25s %-20s %-20s %-10s\n" (values as %-20lu).
    out.printf("%-25s ", name);
    if (soft == ~u64(0))
        out.printf("%-20s ", "unlimited");
    else
        out.printf("%-20lu ", soft);
    if (hard == ~u64(0))
        out.printf("%-20s ", "unlimited");
    else
        out.printf("%-20lu ", hard);
    if (units[0])
        out.printf("%-10s\n", units);
    else
        out.put_char('\n');
}

}  // namespace procfs
