// procfs: the text formats of /proc files, exactly as Linux prints them (programs parse
// them: ps, top, free, mount, glibc, procps). Pure functions of plain values, so the host
// tests check them byte for byte; the files in proc_*.cpp gather the values.
#pragma once

#include "fs/procfs/seq_buffer.h"

namespace procfs {

// Times in /proc/<pid>/stat and /proc/stat are in Linux's USER_HZ clock ticks.
constexpr u64 USER_HZ = 100;
constexpr u64 ns_to_clock_ticks(u64 ns) { return ns / (1000000000 / USER_HZ); }

// /proc/meminfo, in kB (Linux's names; lines Strix has no counterpart for print 0).
struct MemoryFigures {
    u64 total_kb = 0;
    u64 free_kb = 0;
    u64 available_kb = 0;
    u64 cached_kb = 0;
    u64 shmem_kb = 0;
    u64 anon_kb = 0;
    u64 mapped_kb = 0;
    u64 slab_kb = 0;
    u64 kernel_stack_kb = 0;
    u64 page_tables_kb = 0;
    u64 commit_limit_kb = 0;
    u64 committed_kb = 0;
    u64 vmalloc_total_kb = 0;
    u64 vmalloc_used_kb = 0;
    u64 direct_map_4k_kb = 0;
    u64 direct_map_2m_kb = 0;
    u64 direct_map_1g_kb = 0;
};
void format_meminfo(SeqBuffer& out, const MemoryFigures& figures);

// /proc/uptime: seconds since boot and idle seconds, two decimals.
void format_uptime(SeqBuffer& out, u64 uptime_ns, u64 idle_ns);

// /proc/loadavg: loads in Linux's fixed point (FSHIFT = 11 bits of fraction).
struct LoadFigures {
    u64 load[3] = {};
    u32 running = 0;
    u32 threads = 0;
    u32 last_pid = 0;
};
constexpr u32 LOAD_FSHIFT = 11;
void format_loadavg(SeqBuffer& out, const LoadFigures& figures);

// /proc/<pid>/stat: the 52 fields of Linux's do_task_stat.
struct TaskStat {
    u32 pid = 0;
    kstd::string_view comm;
    char state = 'R';
    u32 ppid = 0, pgrp = 0, session = 0;
    u32 tty_nr = 0;
    i32 tpgid = -1;
    u32 flags = 0;
    u64 minflt = 0, cminflt = 0, majflt = 0, cmajflt = 0;
    u64 utime = 0, stime = 0;    // clock ticks
    i64 cutime = 0, cstime = 0;  // clock ticks
    i64 priority = 20, nice = 0;
    i64 num_threads = 1;
    u64 starttime = 0;  // clock ticks after boot
    u64 vsize = 0;      // bytes
    u64 rss = 0;        // pages
    u64 rsslim = ~u64(0);
    u64 startcode = 0, endcode = 0, startstack = 0;
    u64 kstkesp = 0, kstkeip = 0;
    u64 signal = 0, blocked = 0, sigignore = 0, sigcatch = 0;
    u64 wchan = 0;
    i32 exit_signal = 17;
    i32 processor = 0;
    u32 rt_priority = 0, policy = 0;
    u64 start_data = 0, end_data = 0, start_brk = 0;
    u64 arg_start = 0, arg_end = 0, env_start = 0, env_end = 0;
    i32 exit_code = 0;
};
void format_task_stat(SeqBuffer& out, const TaskStat& stat);

// /proc/<pid>/statm: sizes in pages.
struct TaskStatm {
    u64 size = 0, resident = 0, shared = 0, text = 0, data = 0;
};
void format_task_statm(SeqBuffer& out, const TaskStatm& statm);

// One line of /proc/<pid>/maps.
struct MapsLine {
    u64 start = 0, end = 0;
    bool read = false, write = false, execute = false, shared = false;
    u64 offset = 0;
    u32 device_major = 0, device_minor = 0;
    u64 inode = 0;
    kstd::string_view name;  // a path, "[heap]", "[stack]", "[vdso]", or empty
};
void format_maps_line(SeqBuffer& out, const MapsLine& line);

// Mount options as /proc/mounts shows them ("rw,nosuid,nodev,noexec,relatime").
void format_mount_options(SeqBuffer& out, u64 mount_flags, bool read_only);
// One line of /proc/mounts: "source mountpoint type options 0 0"; filesystem_options
// (",name=value...") follow the mount's own.
void format_mounts_line(SeqBuffer& out, kstd::string_view source, kstd::string_view mount_point,
                        kstd::string_view type, u64 mount_flags, bool read_only,
                        kstd::string_view filesystem_options = {});
// One line of /proc/<pid>/mountinfo (no optional fields: every mount is private).
struct MountinfoLine {
    u32 id = 0, parent_id = 0;
    u32 major = 0, minor = 0;
    kstd::string_view root;         // the mount's root within its filesystem
    kstd::string_view mount_point;  // as the reader sees it
    u64 mount_flags = 0;
    bool mount_read_only = false;
    kstd::string_view type;
    kstd::string_view source;
    bool super_read_only = false;
    kstd::string_view filesystem_options;  // ",name=value..." (SuperBlock::show_options)
};
void format_mountinfo_line(SeqBuffer& out, const MountinfoLine& line);

// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx\n" from 16 random bytes (an RFC 4122 version 4
// UUID, as /proc/sys/kernel/random/uuid and boot_id print them).
void format_uuid(SeqBuffer& out, const u8 (&bytes)[16]);

// One resource limit line of /proc/<pid>/limits (~0 is "unlimited").
void format_limit_line(SeqBuffer& out, const char* name, u64 soft, u64 hard, const char* units);

}  // namespace procfs
