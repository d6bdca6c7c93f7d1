// procfs: /proc/sys — the kernel's tunables (Linux's sysctl tables) that programs read:
// names and limits in kernel/, the pipe and file limits in fs/, the overcommit policy in
// vm/. Writable where Strix honours the value (the host and domain names, the console log
// level, the hotplug helper); the rest are read-only.
#include <linux/capability.h>
#include <linux/utsname.h>

#include "fs/file_table.h"
#include "fs/pipe.h"
#include "fs/procfs/proc_internal.h"
#include "init/version.h"
#include "lib/string.h"
#include "log/klog.h"
#include "proc/coredump.h"
#include "proc/core_name.h"
#include "proc/process.h"
#include "proc/thread_table.h"
#include "random/random.h"
#include "syscalls/system.h"

namespace procfs {
namespace {

// proc_dostring: one trailing newline ends the value.
kstd::string_view one_line(kstd::string_view data) {
    usize newline = data.find('\n');
    return newline == kstd::string_view::npos ? data : data.substr(0, newline);
}

ErrorOr show_hostname(const PseudoKey&, SeqBuffer& out) {
    out.printf("%s\n", system_hostname());
    return {};
}
Result<usize> store_hostname(const PseudoKey&, kstd::string_view data) {
    if (!current_process()->credentials.is_superuser()) return err(EPERM);
    TRY(set_system_hostname(one_line(data).substr(0, __NEW_UTS_LEN)));
    return data.size();
}
ErrorOr show_domainname(const PseudoKey&, SeqBuffer& out) {
    out.printf("%s\n", system_domainname());
    return {};
}
Result<usize> store_domainname(const PseudoKey&, kstd::string_view data) {
    if (!current_process()->credentials.is_superuser()) return err(EPERM);
    TRY(set_system_domainname(one_line(data).substr(0, __NEW_UTS_LEN)));
    return data.size();
}

ErrorOr show_osrelease(const PseudoKey&, SeqBuffer& out) {
    out.printf("%s\n", system_release());
    return {};
}
ErrorOr show_ostype(const PseudoKey&, SeqBuffer& out) {
    out.append("Linux\n");  // what uname(2) says: programs check for it
    return {};
}
ErrorOr show_kernel_version(const PseudoKey&, SeqBuffer& out) {
    out.append(STRIX_VERSION_STRING "\n");
    return {};
}

// Fixed numbers, printed as Linux prints integer sysctls.
template <u64 Value>
ErrorOr show_number(const PseudoKey&, SeqBuffer& out) {
    out.printf("%lu\n", Value);
    return {};
}

// /proc/sys/kernel/printk: console level, default message level, minimum console level,
// default console level. The first is writable (dmesg -n does it through syslog(2)).
ErrorOr show_printk(const PseudoKey&, SeqBuffer& out) {
    out.printf("%d\t4\t1\t7\n", klog_console_level());
    return {};
}
Result<usize> store_printk(const PseudoKey&, kstd::string_view data) {
    if (!current_process()->credentials.is_superuser()) return err(EPERM);
    usize digits = 0;
    while (digits < data.size() && data[digits] >= '0' && data[digits] <= '9') digits++;
    u64 level;
    if (!digits || !klib::parse_u64(data.data(), digits, &level, 10) || level > 15) return err(EINVAL);
    klog_set_console_level(static_cast<int>(level));
    return data.size();
}

// The program the kernel would run for device events (mdev writes itself here). Strix
// sends no events yet; the value is kept so that it reads back.
char g_hotplug[256] = "";
ErrorOr show_hotplug(const PseudoKey&, SeqBuffer& out) {
    out.printf("%s\n", g_hotplug);
    return {};
}
Result<usize> store_hotplug(const PseudoKey&, kstd::string_view data) {
    if (!current_process()->credentials.is_superuser()) return err(EPERM);
    kstd::string_view value = one_line(data);
    if (value.size() >= sizeof(g_hotplug)) return err(EINVAL);
    memcpy(g_hotplug, value.data(), value.size());
    g_hotplug[value.size()] = '\0';
    return data.size();
}

// Where core files go (proc/coredump.h). Linux's proc_dostring keeps at most the
// buffer's size less one and drops the rest; core_uses_pid is an integer, non-zero on.
ErrorOr show_core_pattern(const PseudoKey&, SeqBuffer& out) {
    kstd::string_view pattern = coredump::core_pattern();
    out.append(pattern);
    out.append("\n");
    return {};
}
Result<usize> store_core_pattern(const PseudoKey&, kstd::string_view data) {
    if (!current_process()->credentials.is_superuser()) return err(EPERM);
    kstd::string_view value = one_line(data);
    TRY(coredump::set_core_pattern(value.substr(0, coredump::CORE_PATTERN_MAX - 1)));
    return data.size();
}
ErrorOr show_core_uses_pid(const PseudoKey&, SeqBuffer& out) {
    out.printf("%d\n", coredump::core_uses_pid() ? 1 : 0);
    return {};
}
Result<usize> store_core_uses_pid(const PseudoKey&, kstd::string_view data) {
    if (!current_process()->credentials.is_superuser()) return err(EPERM);
    kstd::string_view value = one_line(data);
    bool negative = !value.empty() && value[0] == '-';
    if (negative) value = value.substr(1);
    u64 number;
    if (value.empty() || !klib::parse_u64(value.data(), value.size(), &number, 10)) return err(EINVAL);
    coredump::set_core_uses_pid(number != 0);
    return data.size();
}

// random/boot_id: one UUID per boot; random/uuid: a new one at every read.
u8 g_boot_id[16];
bool g_boot_id_made = false;
ErrorOr show_boot_id(const PseudoKey&, SeqBuffer& out) {
    if (!g_boot_id_made) {
        krandom::fill(g_boot_id, sizeof(g_boot_id));
        g_boot_id_made = true;
    }
    format_uuid(out, g_boot_id);
    return {};
}
ErrorOr show_uuid(const PseudoKey&, SeqBuffer& out) {
    u8 bytes[16];
    krandom::fill(bytes, sizeof(bytes));
    format_uuid(out, bytes);
    return {};
}

ErrorOr show_file_nr(const PseudoKey&, SeqBuffer& out) {
    // Open files, unused (always 0 since 2.6), the maximum.
    u64 open = 0;
    process_table::for_each([&](Process& process) {
        if (process.files) open += static_cast<u64>(process.files->highest_open() + 1);
    });
    out.printf("%lu\t0\t%lu\n", open, u64(9223372036854775807ull));
    return {};
}

constexpr u32 FILE_0444 = S_IFREG | 0444;
constexpr u32 FILE_0644 = S_IFREG | 0644;

const PseudoEntry g_random_entries[] = {
    {.name = "boot_id", .mode = FILE_0444, .show = show_boot_id},
    {.name = "entropy_avail", .mode = FILE_0444, .show = show_number<256>},
    {.name = "poolsize", .mode = FILE_0444, .show = show_number<256>},
    {.name = "uuid", .mode = FILE_0444, .show = show_uuid},
};

const PseudoEntry g_kernel_entries[] = {
    {.name = "cap_last_cap", .mode = FILE_0444, .show = show_number<CAP_LAST_CAP>},
    {.name = "core_pattern", .mode = FILE_0644, .show = show_core_pattern, .store = store_core_pattern},
    {.name = "core_uses_pid", .mode = FILE_0644, .show = show_core_uses_pid, .store = store_core_uses_pid},
    {.name = "domainname", .mode = FILE_0644, .show = show_domainname, .store = store_domainname},
    {.name = "hostname", .mode = FILE_0644, .show = show_hostname, .store = store_hostname},
    {.name = "hotplug", .mode = FILE_0644, .show = show_hotplug, .store = store_hotplug},
    {.name = "ngroups_max", .mode = FILE_0444, .show = show_number<65536>},
    {.name = "osrelease", .mode = FILE_0444, .show = show_osrelease},
    {.name = "ostype", .mode = FILE_0444, .show = show_ostype},
    {.name = "pid_max", .mode = FILE_0444, .show = show_number<thread_table::PID_MAX>},
    {.name = "printk", .mode = FILE_0644, .show = show_printk, .store = store_printk},
    {.name = "random", .mode = S_IFDIR | 0555, .children = g_random_entries},
    {.name = "threads-max", .mode = FILE_0444, .show = show_number<thread_table::PID_MAX>},
    {.name = "version", .mode = FILE_0444, .show = show_kernel_version},
};

const PseudoEntry g_fs_entries[] = {
    {.name = "file-max", .mode = FILE_0444, .show = show_number<9223372036854775807ull>},
    {.name = "file-nr", .mode = FILE_0444, .show = show_file_nr},
    {.name = "nr_open", .mode = FILE_0444, .show = show_number<1048576>},
    {.name = "pipe-max-size", .mode = FILE_0444, .show = show_number<PIPE_BUFFER_MAX>},
};

// Strix's memory policy is Linux's default: heuristic overcommit (0), ratio 50.
const PseudoEntry g_vm_entries[] = {
    {.name = "max_map_count", .mode = FILE_0444, .show = show_number<65530>},
    {.name = "overcommit_memory", .mode = FILE_0444, .show = show_number<0>},
    {.name = "overcommit_ratio", .mode = FILE_0444, .show = show_number<50>},
};

const PseudoEntry g_sys_table[] = {
    {.name = "fs", .mode = S_IFDIR | 0555, .children = g_fs_entries},
    {.name = "kernel", .mode = S_IFDIR | 0555, .children = g_kernel_entries},
    {.name = "vm", .mode = S_IFDIR | 0555, .children = g_vm_entries},
};

}  // namespace

const kstd::span<const PseudoEntry> g_sys_entries = g_sys_table;

}  // namespace procfs
