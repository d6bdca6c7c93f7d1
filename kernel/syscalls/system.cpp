// Syscalls: the system and the process's place in it — uname, sysinfo, limits and usage,
// credentials, prctl/arch_prctl, scheduling hints, randomness, reboot.
#include <asm/prctl.h>
#include <linux/capability.h>
#include <linux/personality.h>
#include <linux/prctl.h>
#include <linux/random.h>
#include <linux/reboot.h>
#include <linux/resource.h>
#include <linux/sched.h>
#include <linux/sched/types.h>
#include <linux/sysinfo.h>
#include <linux/utsname.h>

#include "arch/memory_layout.h"
#include "arch/x86_64/cpu/x86.h"
#include "fs/tmpfs/page_store.h"
#include "mm/address_space.h"
#include "init/version.h"
#include "lib/string.h"
#include "mm/pmm.h"
#include "mm/user_copy.h"
#include "power/power.h"
#include "proc/load_average.h"
#include "proc/process.h"
#include "proc/scheduler.h"
#include "proc/thread_table.h"
#include "random/random.h"
#include "syscalls/syscall.h"
#include "syscalls/system.h"
#include "time/clock.h"

void sync_all_filesystems();

namespace {
Process& self() { return *current_process(); }
Credentials& creds() { return self().credentials; }

char g_hostname[__NEW_UTS_LEN + 1] = "(none)";
char g_domainname[__NEW_UTS_LEN + 1] = "(none)";
}  // namespace

const char* system_hostname() { return g_hostname; }
const char* system_domainname() { return g_domainname; }
const char* system_release() { return "6.1.0-" STRIX_RELEASE; }

namespace {
ErrorOr store_name(kstd::string_view name, char* target) {
    if (name.size() > __NEW_UTS_LEN) return err(EINVAL);
    memcpy(target, name.data(), name.size());
    memset(target + name.size(), 0, __NEW_UTS_LEN + 1 - name.size());
    return {};
}
}  // namespace

ErrorOr set_system_hostname(kstd::string_view name) { return store_name(name, g_hostname); }
ErrorOr set_system_domainname(kstd::string_view name) { return store_name(name, g_domainname); }

SyscallResult sys_uname(UserPtr<new_utsname> out) {
    new_utsname name{};
    klib::strlcpy(name.sysname, "Linux", sizeof(name.sysname));  // programs check for "Linux"
    klib::strlcpy(name.nodename, g_hostname, sizeof(name.nodename));
    klib::strlcpy(name.release, system_release(), sizeof(name.release));
    klib::strlcpy(name.version, STRIX_VERSION_STRING, sizeof(name.version));
    klib::strlcpy(name.machine, "x86_64", sizeof(name.machine));
    klib::strlcpy(name.domainname, g_domainname, sizeof(name.domainname));
    TRY(mm::copy_to_user(out, &name));
    return 0;
}

namespace {
SyscallResult set_name(UserPtr<const char> name, int length, char* target) {
    if (!creds().is_superuser()) return err(EPERM);
    if (length < 0 || length > __NEW_UTS_LEN) return err(EINVAL);
    char copy[__NEW_UTS_LEN + 1] = {};
    TRY(mm::copy_from_user(copy, name.cast<const void>(), static_cast<usize>(length)));
    TRY(store_name({copy, static_cast<usize>(length)}, target));
    return 0;
}
}  // namespace

SyscallResult sys_sethostname(UserPtr<const char> name, int length) { return set_name(name, length, g_hostname); }
SyscallResult sys_setdomainname(UserPtr<const char> name, int length) { return set_name(name, length, g_domainname); }

SyscallResult sys_sysinfo(UserPtr<struct sysinfo> out) {
    struct sysinfo info{};
    mm::MemoryStats stats = mm::memory_stats();
    // Linux rounds a partial second up (kernel/sys.c do_sysinfo).
    info.uptime = static_cast<long>((ktime::monotonic_ns() + ktime::NSEC_PER_SEC - 1) / ktime::NSEC_PER_SEC);
    info.totalram = stats.total_pages * PAGE_SIZE;
    info.freeram = stats.free_pages * PAGE_SIZE;
    info.sharedram = PageStore::total_page_count() * PAGE_SIZE;  // Linux: NR_SHMEM
    info.procs = static_cast<u16>(kstd::min<usize>(thread_table::count(), 0xffff));
    info.mem_unit = 1;
    u64 loads[3];
    load_average::get(loads);
    for (usize i = 0; i < 3; i++) info.loads[i] = loads[i] << (SI_LOAD_SHIFT - load_average::FSHIFT);
    TRY(mm::copy_to_user(out, &info));
    return 0;
}

SyscallResult sys_getrandom(UserPtr<void> buffer, usize length, u32 flags) {
    if (flags & ~u32(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) return err(EINVAL);
    if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM)) return err(EINVAL);
    length = kstd::min<usize>(length, 33554431);  // Linux caps one call at 32 MiB - 1
    u8 chunk[256];
    usize done = 0;
    while (done < length) {
        usize n = kstd::min(sizeof(chunk), length - done);
        krandom::fill(chunk, n);
        auto copied = mm::copy_to_user(buffer.offset(done), chunk, n);
        if (copied.is_error()) {
            if (done) break;
            return copied.error();
        }
        done += n;
    }
    memset(chunk, 0, sizeof(chunk));
    return static_cast<i64>(done);
}

SyscallResult sys_prlimit64(int pid, u32 resource, UserPtr<const rlimit64> new_limit, UserPtr<rlimit64> old_limit) {
    if (resource >= RLIM_NLIMITS) return err(EINVAL);
    RefPtr<Process> target = pid ? process_table::find(static_cast<u32>(pid)) : RefPtr<Process>(&self());
    if (!target || target->state != ProcessState::Alive) return err(ESRCH);
    if (target.get() != &self() && !creds().is_superuser() && creds().uid != target->credentials.uid) return err(EPERM);
    ResourceLimit& limit = target->limits[resource];
    rlimit64 previous{limit.current, limit.maximum};
    if (!new_limit.is_null()) {
        rlimit64 requested;
        TRY(mm::copy_from_user(&requested, new_limit));
        if (requested.rlim_cur > requested.rlim_max) return err(EINVAL);
        if (requested.rlim_max > limit.maximum && !creds().is_superuser()) return err(EPERM);
        if (resource == RLIMIT_NOFILE && requested.rlim_max > 1048576) return err(EPERM);  // Linux's nr_open
        limit = {requested.rlim_cur, requested.rlim_max};
    }
    if (!old_limit.is_null()) TRY(mm::copy_to_user(old_limit, &previous));
    return 0;
}

SyscallResult sys_getrlimit(u32 resource, UserPtr<rlimit64> out) {
    if (resource >= RLIM_NLIMITS) return err(EINVAL);
    const ResourceLimit& limit = self().limits[resource];
    rlimit64 value{limit.current, limit.maximum};
    TRY(mm::copy_to_user(out, &value));
    return 0;
}

SyscallResult sys_setrlimit(u32 resource, UserPtr<const rlimit64> in) {
    if (in.is_null()) return err(EFAULT);
    return sys_prlimit64(0, resource, in, UserPtr<rlimit64>());
}

SyscallResult sys_getrusage(int who, UserPtr<rusage> out) {
    Process& process = self();
    u64 ns = 0;
    u64 voluntary = 0, involuntary = 0;
    switch (who) {
    case RUSAGE_SELF:
        for (Thread& t : process.threads()) {
            ns += t.cpu_time();
            voluntary += t.voluntary_switches;
            involuntary += t.involuntary_switches;
        }
        break;
    case RUSAGE_THREAD:
        ns = current_thread()->cpu_time();
        voluntary = current_thread()->voluntary_switches;
        involuntary = current_thread()->involuntary_switches;
        break;
    case RUSAGE_CHILDREN:
        ns = process.children_user_ns;
        break;
    default: return err(EINVAL);
    }
    rusage usage{};
    usage.ru_utime.tv_sec = static_cast<long>(ns / ktime::NSEC_PER_SEC);
    usage.ru_utime.tv_usec = static_cast<long>(ns / 1000 % 1000000);
    usage.ru_minflt = who == RUSAGE_CHILDREN ? 0 : static_cast<long>(process.minor_faults);
    usage.ru_nvcsw = static_cast<long>(voluntary);
    usage.ru_nivcsw = static_cast<long>(involuntary);
    if (who == RUSAGE_CHILDREN) {
        usage.ru_maxrss = static_cast<long>(process.children_peak_resident_pages * 4);
    } else if (process.address_space) {
        usage.ru_maxrss = static_cast<long>(process.address_space->peak_resident_pages() * 4);
    }
    TRY(mm::copy_to_user(out, &usage));
    return 0;
}

// Credentials: real, effective, saved and filesystem ids (Linux's kernel/sys.c rules).
SyscallResult sys_getuid() { return creds().uid; }
SyscallResult sys_geteuid() { return creds().euid; }
SyscallResult sys_getgid() { return creds().gid; }
SyscallResult sys_getegid() { return creds().egid; }

SyscallResult sys_getresuid(UserPtr<u32> r, UserPtr<u32> e, UserPtr<u32> s) {
    TRY(mm::copy_to_user(r, &creds().uid));
    TRY(mm::copy_to_user(e, &creds().euid));
    TRY(mm::copy_to_user(s, &creds().suid));
    return 0;
}

SyscallResult sys_getresgid(UserPtr<u32> r, UserPtr<u32> e, UserPtr<u32> s) {
    TRY(mm::copy_to_user(r, &creds().gid));
    TRY(mm::copy_to_user(e, &creds().egid));
    TRY(mm::copy_to_user(s, &creds().sgid));
    return 0;
}

SyscallResult sys_setresuid(u32 ruid, u32 euid, u32 suid) {
    Credentials& c = creds();
    auto allowed = [&](u32 id) { return id == u32(-1) || c.euid == 0 || id == c.uid || id == c.euid || id == c.suid; };
    if (!allowed(ruid) || !allowed(euid) || !allowed(suid)) return err(EPERM);
    if (ruid != u32(-1)) c.uid = ruid;
    if (euid != u32(-1)) c.euid = euid;
    if (suid != u32(-1)) c.suid = suid;
    c.fsuid = c.euid;
    return 0;
}

SyscallResult sys_setresgid(u32 rgid, u32 egid, u32 sgid) {
    Credentials& c = creds();
    auto allowed = [&](u32 id) { return id == u32(-1) || c.euid == 0 || id == c.gid || id == c.egid || id == c.sgid; };
    if (!allowed(rgid) || !allowed(egid) || !allowed(sgid)) return err(EPERM);
    if (rgid != u32(-1)) c.gid = rgid;
    if (egid != u32(-1)) c.egid = egid;
    if (sgid != u32(-1)) c.sgid = sgid;
    c.fsgid = c.egid;
    return 0;
}

SyscallResult sys_setuid(u32 uid) {
    Credentials& c = creds();
    if (c.euid == 0) {
        c.uid = c.euid = c.suid = c.fsuid = uid;
        return 0;
    }
    if (uid != c.uid && uid != c.suid) return err(EPERM);
    c.euid = c.fsuid = uid;
    return 0;
}

SyscallResult sys_setgid(u32 gid) {
    Credentials& c = creds();
    if (c.euid == 0) {
        c.gid = c.egid = c.sgid = c.fsgid = gid;
        return 0;
    }
    if (gid != c.gid && gid != c.sgid) return err(EPERM);
    c.egid = c.fsgid = gid;
    return 0;
}

SyscallResult sys_setreuid(u32 ruid, u32 euid) {
    Credentials& c = creds();
    u32 old_ruid = c.uid;
    if (ruid != u32(-1) && c.euid != 0 && ruid != c.uid && ruid != c.euid) return err(EPERM);
    if (euid != u32(-1) && c.euid != 0 && euid != c.uid && euid != c.euid && euid != c.suid) return err(EPERM);
    if (ruid != u32(-1)) c.uid = ruid;
    if (euid != u32(-1)) c.euid = euid;
    // The saved id follows the new effective id when the real id changed or the
    // effective id became something other than the old real id.
    if (ruid != u32(-1) || (euid != u32(-1) && euid != old_ruid)) c.suid = c.euid;
    c.fsuid = c.euid;
    return 0;
}

SyscallResult sys_setregid(u32 rgid, u32 egid) {
    Credentials& c = creds();
    u32 old_rgid = c.gid;
    if (rgid != u32(-1) && c.euid != 0 && rgid != c.gid && rgid != c.egid) return err(EPERM);
    if (egid != u32(-1) && c.euid != 0 && egid != c.gid && egid != c.egid && egid != c.sgid) return err(EPERM);
    if (rgid != u32(-1)) c.gid = rgid;
    if (egid != u32(-1)) c.egid = egid;
    if (rgid != u32(-1) || (egid != u32(-1) && egid != old_rgid)) c.sgid = c.egid;
    c.fsgid = c.egid;
    return 0;
}

SyscallResult sys_setfsuid(u32 uid) {
    Credentials& c = creds();
    u32 old = c.fsuid;
    if (c.euid == 0 || uid == c.uid || uid == c.euid || uid == c.suid || uid == c.fsuid) c.fsuid = uid;
    return old;
}

SyscallResult sys_setfsgid(u32 gid) {
    Credentials& c = creds();
    u32 old = c.fsgid;
    if (c.euid == 0 || gid == c.gid || gid == c.egid || gid == c.sgid || gid == c.fsgid) c.fsgid = gid;
    return old;
}

SyscallResult sys_getgroups(int size, UserPtr<u32> list) {
    Credentials& c = creds();
    if (size < 0) return err(EINVAL);
    if (size == 0) return static_cast<i64>(c.group_count);
    if (static_cast<usize>(size) < c.group_count) return err(EINVAL);
    TRY(mm::copy_to_user(list.cast<void>(), c.groups, c.group_count * sizeof(u32)));
    return static_cast<i64>(c.group_count);
}

SyscallResult sys_setgroups(int size, UserPtr<const u32> list) {
    Credentials& c = creds();
    if (!c.is_superuser()) return err(EPERM);
    if (size < 0 || static_cast<usize>(size) > Credentials::MAX_GROUPS) return err(EINVAL);
    if (static_cast<usize>(size) > Credentials::INLINE_GROUPS) return err(ENOMEM);
    u32 groups[Credentials::INLINE_GROUPS];
    TRY(mm::copy_from_user(groups, list.cast<const void>(), static_cast<usize>(size) * sizeof(u32)));
    memcpy(c.groups, groups, static_cast<usize>(size) * sizeof(u32));
    c.group_count = static_cast<usize>(size);
    return 0;
}

SyscallResult sys_arch_prctl(int code, u64 address) {
    Thread& thread = *current_thread();
    switch (code) {
    case ARCH_SET_FS:
        if (address >= arch::USER_END) return err(EPERM);
        thread.arch_state().fs_base = address;
        x86::wrmsr(x86::MSR_FS_BASE, address);
        return 0;
    case ARCH_GET_FS:
        TRY(mm::copy_to_user(UserPtr<u64>(address), &thread.arch_state().fs_base));
        return 0;
    case ARCH_SET_GS:
        if (address >= arch::USER_END) return err(EPERM);
        thread.arch_state().gs_base = address;
        x86::wrmsr(x86::MSR_KERNEL_GS_BASE, address);  // the user's GS while we run in the kernel
        return 0;
    case ARCH_GET_GS:
        TRY(mm::copy_to_user(UserPtr<u64>(address), &thread.arch_state().gs_base));
        return 0;
    default:
        return err(EINVAL);
    }
}

SyscallResult sys_prctl(int option, u64 arg2, u64 arg3, u64, u64) {
    Process& process = self();
    switch (option) {
    case PR_SET_NAME: {
        char name[16] = {};
        auto copied = mm::copy_string_from_user(name, UserPtr<const char>(arg2), sizeof(name));
        if (copied.is_error() && copied.error().code() != ENAMETOOLONG) return copied.error();
        name[15] = '\0';
        current_thread()->set_name(name);
        if (current_thread()->tid() == process.pid()) process.set_comm(name);
        return 0;
    }
    case PR_GET_NAME: {
        char name[16] = {};
        klib::strlcpy(name, current_thread()->name(), sizeof(name));
        TRY(mm::copy_to_user(UserPtr<void>(arg2), name, sizeof(name)));
        return 0;
    }
    case PR_SET_PDEATHSIG:
        if (arg2 > static_cast<u64>(NSIG_KERNEL)) return err(EINVAL);
        process.pdeath_signal = static_cast<int>(arg2);
        return 0;
    case PR_GET_PDEATHSIG:
        TRY(mm::copy_to_user(UserPtr<int>(arg2), &process.pdeath_signal));
        return 0;
    case PR_SET_CHILD_SUBREAPER:
        process.child_subreaper = arg2 != 0;
        return 0;
    case PR_GET_CHILD_SUBREAPER: {
        int value = process.child_subreaper;
        TRY(mm::copy_to_user(UserPtr<int>(arg2), &value));
        return 0;
    }
    case PR_SET_NO_NEW_PRIVS:
        if (arg2 != 1 || arg3) return err(EINVAL);
        process.no_new_privs = true;
        return 0;
    case PR_GET_NO_NEW_PRIVS: return process.no_new_privs ? 1 : 0;
    case PR_CAPBSET_READ:
        if (arg2 > CAP_LAST_CAP) return err(EINVAL);
        return 1;  // every capability is in the bounding set
    case PR_GET_DUMPABLE: return process.dumpable ? 1 : 0;
    case PR_SET_DUMPABLE:
        if (arg2 > 1) return err(EINVAL);
        process.dumpable = arg2 == 1;
        return 0;
    case PR_GET_KEEPCAPS: return 0;
    case PR_SET_KEEPCAPS: return arg2 <= 1 ? 0 : Result<i64>(err(EINVAL));
    default:
        return err(EINVAL);
    }
}

SyscallResult sys_personality(u32 persona) {
    int old = self().personality;
    if (persona != 0xffffffff) self().personality = static_cast<int>(persona);
    return old;
}

SyscallResult sys_sched_yield() {
    sched::yield();
    return 0;
}

SyscallResult sys_sched_getaffinity(int pid, u32 size, UserPtr<void> mask) {
    if (pid < 0) return err(ESRCH);
    if (pid && !thread_table::find(static_cast<u32>(pid))) return err(ESRCH);
    if (size < sizeof(u64) || (size % sizeof(u64))) return err(EINVAL);
    u64 cpus = 1;  // one CPU
    TRY(mm::clear_user(mask, size));
    TRY(mm::copy_to_user(mask, &cpus, sizeof(cpus)));
    return sizeof(u64);
}

SyscallResult sys_sched_setaffinity(int pid, u32 size, UserPtr<const void> mask) {
    if (pid < 0 || (pid && !thread_table::find(static_cast<u32>(pid)))) return err(ESRCH);
    u64 cpus = 0;
    TRY(mm::copy_from_user(&cpus, mask, kstd::min<usize>(size, sizeof(cpus))));
    if (!(cpus & 1)) return err(EINVAL);  // the only CPU must stay allowed
    return 0;
}

SyscallResult sys_getcpu(UserPtr<u32> cpu, UserPtr<u32> node, UserPtr<void>) {
    u32 zero = 0;
    if (!cpu.is_null()) TRY(mm::copy_to_user(cpu, &zero));
    if (!node.is_null()) TRY(mm::copy_to_user(node, &zero));
    return 0;
}

SyscallResult sys_reboot(int magic1, int magic2, u32 command, UserPtr<void>) {
    if (!creds().is_superuser()) return err(EPERM);
    if (static_cast<u32>(magic1) != LINUX_REBOOT_MAGIC1 ||
        (magic2 != LINUX_REBOOT_MAGIC2 && magic2 != LINUX_REBOOT_MAGIC2A && magic2 != LINUX_REBOOT_MAGIC2B &&
         magic2 != LINUX_REBOOT_MAGIC2C))
        return err(EINVAL);
    switch (command) {
    case LINUX_REBOOT_CMD_POWER_OFF:
    case LINUX_REBOOT_CMD_HALT:
        sync_all_filesystems();
        machine_power_off();
    case LINUX_REBOOT_CMD_RESTART:
    case LINUX_REBOOT_CMD_RESTART2:
        sync_all_filesystems();
        machine_restart();
    case LINUX_REBOOT_CMD_CAD_ON:
    case LINUX_REBOOT_CMD_CAD_OFF:
        return 0;
    default:
        return err(EINVAL);
    }
}

// Scheduling policy: every thread is SCHED_OTHER at nice 0..19 under the round-robin
// scheduler; real-time policies are refused as unprivileged Linux refuses them.
namespace {
ErrorOr check_thread_exists(int pid) {
    if (pid < 0) return err(EINVAL);
    if (pid && !thread_table::find(static_cast<u32>(pid))) return err(ESRCH);
    return {};
}
}  // namespace

SyscallResult sys_sched_getscheduler(int pid) {
    TRY(check_thread_exists(pid));
    return SCHED_NORMAL;
}

SyscallResult sys_sched_setscheduler(int pid, int policy, UserPtr<const sched_param> param) {
    TRY(check_thread_exists(pid));
    sched_param value;
    TRY(mm::copy_from_user(&value, param));
    int base = policy & ~SCHED_RESET_ON_FORK;
    if (base == SCHED_NORMAL || base == SCHED_BATCH || base == SCHED_IDLE)
        return value.sched_priority == 0 ? 0 : Result<i64>(err(EINVAL));
    if (base == SCHED_FIFO || base == SCHED_RR) {
        if (value.sched_priority < 1 || value.sched_priority > 99) return err(EINVAL);
        return err(EPERM);  // no real-time scheduling
    }
    return err(EINVAL);
}

SyscallResult sys_sched_getparam(int pid, UserPtr<sched_param> param) {
    TRY(check_thread_exists(pid));
    sched_param value{0};
    TRY(mm::copy_to_user(param, &value));
    return 0;
}

SyscallResult sys_sched_setparam(int pid, UserPtr<const sched_param> param) {
    TRY(check_thread_exists(pid));
    sched_param value;
    TRY(mm::copy_from_user(&value, param));
    return value.sched_priority == 0 ? 0 : Result<i64>(err(EINVAL));
}

SyscallResult sys_sched_get_priority_max(int policy) {
    if (policy == SCHED_FIFO || policy == SCHED_RR) return 99;
    if (policy == SCHED_NORMAL || policy == SCHED_BATCH || policy == SCHED_IDLE) return 0;
    return err(EINVAL);
}

SyscallResult sys_sched_get_priority_min(int policy) {
    if (policy == SCHED_FIFO || policy == SCHED_RR) return 1;
    if (policy == SCHED_NORMAL || policy == SCHED_BATCH || policy == SCHED_IDLE) return 0;
    return err(EINVAL);
}

SyscallResult sys_sched_rr_get_interval(int pid, UserPtr<__kernel_timespec> interval) {
    TRY(check_thread_exists(pid));
    __kernel_timespec value{0, static_cast<long long>(sched::TIME_SLICE_NS)};
    TRY(mm::copy_to_user(interval, &value));
    return 0;
}

// Nice values are kept per process (the scheduler does not weigh them yet).
SyscallResult sys_getpriority(int which, int who) {
    if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER) return err(EINVAL);
    if (which == PRIO_PROCESS) {
        RefPtr<Process> target = who ? process_table::find(static_cast<u32>(who)) : RefPtr<Process>(&self());
        if (!target) return err(ESRCH);
        return 20 - target->nice;  // the raw syscall returns 20 - nice
    }
    return 20 - self().nice;
}

SyscallResult sys_setpriority(int which, int who, int niceness) {
    if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER) return err(EINVAL);
    niceness = kstd::max(-20, kstd::min(19, niceness));
    RefPtr<Process> target = (which == PRIO_PROCESS && who) ? process_table::find(static_cast<u32>(who))
                                                            : RefPtr<Process>(&self());
    if (!target) return err(ESRCH);
    if (niceness < target->nice && !creds().is_superuser()) return err(EACCES);
    target->nice = niceness;
    return 0;
}
