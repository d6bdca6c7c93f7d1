// procfs: /proc's own files — the system as a whole (Linux's fs/proc/meminfo.c,
// uptime.c, loadavg.c, stat.c, cmdline.c, version.c, devices.c, filesystems, swaps,
// partitions) — and the root table that lists them beside the processes.
#include "arch/cpu_info.h"
#include "drivers/block/page_cache.h"
#include "fs/device.h"
#include "fs/procfs/proc_internal.h"
#include "fs/tmpfs/page_store.h"
#include "init/boot_info.h"
#include "mm/address_space.h"
#include "mm/kernel_vm.h"
#include "mm/kmalloc.h"
#include "mm/pmm.h"
#include "proc/load_average.h"
#include "proc/process.h"
#include "proc/scheduler.h"
#include "proc/thread_table.h"
#include "syscalls/system.h"
#include "time/clock.h"

namespace procfs {
namespace {

// The CPU's time since boot, busy and idle (Strix counts busy time as user time, see
// proc_pid.cpp): both only ever grow, as top(1) expects when it subtracts two readings.
struct CpuTimes {
    u64 busy_ns, idle_ns;
};

CpuTimes cpu_times(u64 uptime) {
    u64 idle = kstd::min(sched::idle_time_ns(), uptime);
    return {uptime - idle, idle};
}

ErrorOr show_meminfo(const PseudoKey&, SeqBuffer& out) {
    mm::MemoryStats memory = mm::memory_stats();
    mm::HeapStats heap = mm::heap_stats();
    MemoryFigures f;
    constexpr u64 KB_PER_PAGE = PAGE_SIZE / 1024;
    f.total_kb = memory.total_pages * KB_PER_PAGE;  // as sysinfo(2)'s totalram
    f.free_kb = memory.free_pages * KB_PER_PAGE;
    // Cached: the block page cache (its clean pages can be dropped: available) and tmpfs's
    // files, the initramfs's among them, which cannot (Linux's shmem: Shmem and Cached).
    block::page_cache::Stats cache = block::page_cache::stats();
    f.shmem_kb = PageStore::total_page_count() * KB_PER_PAGE;
    f.cached_kb = f.shmem_kb + cache.cached_pages * KB_PER_PAGE;
    f.available_kb =
        f.free_kb + (cache.cached_pages - kstd::min(cache.dirty_pages, cache.cached_pages)) * KB_PER_PAGE;
    f.slab_kb = (heap.slab_pages + heap.large_pages) * KB_PER_PAGE;
    f.kernel_stack_kb = thread_table::count() * (mm::KERNEL_STACK_SIZE / 1024);
    u64 resident_pages = 0, mapped_bytes = 0;
    process_table::for_each([&](Process& process) {
        if (!process.address_space) return;
        resident_pages += process.address_space->resident_pages();
        mapped_bytes += process.address_space->mapped_bytes();
    });
    f.anon_kb = resident_pages * KB_PER_PAGE;
    f.committed_kb = mapped_bytes / 1024;
    f.commit_limit_kb = f.total_kb / 2;  // no swap, overcommit_ratio 50
    f.vmalloc_total_kb = 34359738367;    // x86_64's vmalloc area with 4-level paging
    format_meminfo(out, f);
    return {};
}

ErrorOr show_uptime(const PseudoKey&, SeqBuffer& out) {
    u64 uptime = ktime::monotonic_ns();
    format_uptime(out, uptime, cpu_times(uptime).idle_ns);
    return {};
}

ErrorOr show_loadavg(const PseudoKey&, SeqBuffer& out) {
    static_assert(LOAD_FSHIFT == load_average::FSHIFT);
    LoadFigures f;
    load_average::get(f.load);
    f.running = static_cast<u32>(sched::active_count());
    f.threads = static_cast<u32>(thread_table::count());
    f.last_pid = thread_table::last_allocated_id();
    format_loadavg(out, f);
    return {};
}

ErrorOr show_cpuinfo(const PseudoKey&, SeqBuffer& out) {
    for (usize cpu = 0; cpu < arch::online_cpu_count(); cpu++) arch::describe_cpu(cpu, out);
    return {};
}

ErrorOr show_stat(const PseudoKey&, SeqBuffer& out) {
    // fs/proc/stat.c: user nice system idle iowait irq softirq steal guest guest_nice.
    u64 uptime = ktime::monotonic_ns();
    CpuTimes times = cpu_times(uptime);
    u64 user = ns_to_clock_ticks(times.busy_ns), idle = ns_to_clock_ticks(times.idle_ns);
    out.printf("cpu  %lu 0 0 %lu 0 0 0 0 0 0\n", user, idle);
    for (usize cpu = 0; cpu < arch::online_cpu_count(); cpu++)
        out.printf("cpu%zu %lu 0 0 %lu 0 0 0 0 0 0\n", cpu, user, idle);
    u64 boot_seconds = (ktime::realtime_ns() - uptime) / ktime::NSEC_PER_SEC;
    out.printf("intr 0\nctxt %lu\nbtime %lu\nprocesses %lu\nprocs_running %zu\nprocs_blocked 0\n",
               sched::context_switches(), boot_seconds, thread_table::allocated_count(),
               sched::active_count());
    out.append("softirq 0 0 0 0 0 0 0 0 0 0 0\n");
    return {};
}

ErrorOr show_filesystems(const PseudoKey&, SeqBuffer& out) {
    vfs::for_each_filesystem([&](FileSystemType& type) {
        out.printf("%s\t%s\n", type.requires_device ? "" : "nodev", type.name);
    });
    return {};
}

ErrorOr show_cmdline(const PseudoKey&, SeqBuffer& out) {
    out.printf("%s\n", g_boot_info.cmdline);
    return {};
}

ErrorOr show_version(const PseudoKey&, SeqBuffer& out) {
    // init/version.c's linux_proc_banner: "Linux version <release> (<who>) (<compiler>) <version>".
    out.printf("Linux version %s (strix@strix) (g++ %d.%d.%d) %s\n", system_release(), __GNUC__,
               __GNUC_MINOR__, __GNUC_PATCHLEVEL__, "#1 SMP PREEMPT_DYNAMIC");
    return {};
}

ErrorOr show_devices(const PseudoKey&, SeqBuffer& out) {
    // fs/proc/devices.c: one line per (major, name), character devices then block devices.
    for (bool block : {false, true}) {
        out.append(block ? "\nBlock devices:\n" : "Character devices:\n");
        for (u32 major = 0; major < 512; major++) {
            const char* last = nullptr;
            vfs::for_each_char_device([&](CharDevice& device) {
                if (device.block != block || device.major != major) return;
                if (last && kstd::string_view(last) == device.name) return;
                out.printf("%3u %s\n", major, device.name);
                last = device.name;
            });
        }
    }
    return {};
}

ErrorOr show_swaps(const PseudoKey&, SeqBuffer& out) {
    out.append("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
    return {};
}

ErrorOr show_partitions(const PseudoKey&, SeqBuffer& out) {
    // block/genhd.c show_partition; the disks arrive with the block layer (branch storage).
    out.append("major minor  #blocks  name\n\n");
    return {};
}

ErrorOr show_empty(const PseudoKey&, SeqBuffer&) { return {}; }

constexpr u32 FILE_0444 = S_IFREG | 0444;

const PseudoEntry g_root_entries[] = {
    g_self_link,
    g_thread_self_link,
    g_mounts_link,
    {.name = "sys", .mode = S_IFDIR | 0555, .children = g_sys_entries},
    {.name = "cmdline", .mode = FILE_0444, .show = show_cmdline},
    {.name = "cpuinfo", .mode = FILE_0444, .show = show_cpuinfo},
    {.name = "devices", .mode = FILE_0444, .show = show_devices},
    {.name = "diskstats", .mode = FILE_0444, .show = show_empty},
    {.name = "filesystems", .mode = FILE_0444, .show = show_filesystems},
    {.name = "loadavg", .mode = FILE_0444, .show = show_loadavg},
    {.name = "meminfo", .mode = FILE_0444, .show = show_meminfo},
    {.name = "modules", .mode = FILE_0444, .show = show_empty},
    {.name = "partitions", .mode = FILE_0444, .show = show_partitions},
    {.name = "stat", .mode = FILE_0444, .show = show_stat},
    {.name = "swaps", .mode = FILE_0444, .show = show_swaps},
    {.name = "uptime", .mode = FILE_0444, .show = show_uptime},
    {.name = "version", .mode = FILE_0444, .show = show_version},
};

}  // namespace

const PseudoEntry g_proc_root{
    .name = "", .mode = S_IFDIR | 0555, .children = g_root_entries, .dynamic = &g_process_list};

}  // namespace procfs
