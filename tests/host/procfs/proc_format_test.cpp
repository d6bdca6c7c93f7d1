// Host tests: the /proc text formats, byte for byte — against fixed examples and against
// what the host's Linux prints for this very test process (/proc/self/maps, stat, limits,
// mounts, mountinfo, meminfo, uptime).
#include "fs/procfs/proc_format.h"

#include <gtest/gtest.h>
#include <linux/mount.h>
#include <sys/resource.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace procfs;

std::string text(const SeqBuffer& buffer) { return std::string(buffer.data(), buffer.size()); }

std::vector<std::string> host_lines(const char* path) {
    std::ifstream file(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(file, line);) lines.push_back(line);
    return lines;
}

std::vector<std::string> split(const std::string& line, char separator = ' ') {
    std::vector<std::string> fields;
    std::stringstream stream(line);
    for (std::string field; std::getline(stream, field, separator);)
        if (!field.empty()) fields.push_back(field);
    return fields;
}

TEST(ProcFormat, MapsLinesMatchTheHost) {
    auto lines = host_lines("/proc/self/maps");
    ASSERT_FALSE(lines.empty());
    for (const std::string& line : lines) {
        MapsLine l;
        char perms[5] = {};
        unsigned major = 0, minor = 0;
        int name_at = 0;
        ASSERT_EQ(sscanf(line.c_str(), "%lx-%lx %4s %lx %x:%x %lu %n", &l.start, &l.end, perms, &l.offset,
                         &major, &minor, &l.inode, &name_at),
                  7)
            << line;
        l.read = perms[0] == 'r', l.write = perms[1] == 'w', l.execute = perms[2] == 'x',
        l.shared = perms[3] == 's';
        l.device_major = major, l.device_minor = minor;
        std::string name = line.substr(static_cast<size_t>(name_at));
        l.name = name;
        SeqBuffer out;
        format_maps_line(out, l);
        EXPECT_EQ(text(out), line + "\n");
    }
}

TEST(ProcFormat, MapsLineForAnonymousMemoryEndsInASpace) {
    MapsLine l{.start = 0x7f210eadf000, .end = 0x7f210eb01000, .read = true, .write = true};
    SeqBuffer out;
    format_maps_line(out, l);
    EXPECT_EQ(text(out), "7f210eadf000-7f210eb01000 rw-p 00000000 00:00 0 \n");
}

TEST(ProcFormat, TaskStatMatchesTheHostFieldForField) {
    std::string line = host_lines("/proc/self/stat").at(0);
    size_t open = line.find('('), close = line.rfind(')');
    std::string comm = line.substr(open + 1, close - open - 1);
    std::vector<std::string> f = split(line.substr(close + 2));  // f[0] is field 3
    ASSERT_EQ(f.size(), 50u);
    auto u = [&](int field) { return std::stoull(f[field - 3]); };
    auto i = [&](int field) { return std::stoll(f[field - 3]); };
    TaskStat s;
    s.pid = static_cast<u32>(std::stoul(line));
    s.comm = comm;
    s.state = f[0][0];
    s.ppid = u(4), s.pgrp = u(5), s.session = u(6), s.tty_nr = u(7), s.tpgid = static_cast<i32>(i(8));
    s.flags = u(9), s.minflt = u(10), s.cminflt = u(11), s.majflt = u(12), s.cmajflt = u(13);
    s.utime = u(14), s.stime = u(15), s.cutime = i(16), s.cstime = i(17), s.priority = i(18), s.nice = i(19);
    s.num_threads = i(20), s.starttime = u(22), s.vsize = u(23), s.rss = u(24), s.rsslim = u(25);
    s.startcode = u(26), s.endcode = u(27), s.startstack = u(28), s.kstkesp = u(29), s.kstkeip = u(30);
    s.signal = u(31), s.blocked = u(32), s.sigignore = u(33), s.sigcatch = u(34), s.wchan = u(35);
    s.exit_signal = static_cast<i32>(i(38)), s.processor = static_cast<i32>(i(39));
    s.rt_priority = u(40), s.policy = u(41);
    s.start_data = u(45), s.end_data = u(46), s.start_brk = u(47), s.arg_start = u(48), s.arg_end = u(49);
    s.env_start = u(50), s.env_end = u(51), s.exit_code = static_cast<i32>(i(52));
    // Strix prints 0 for itrealvalue, nswap, cnswap, block-I/O delay and guest times.
    for (int zero : {21, 36, 37, 42, 43, 44}) f[zero - 3] = "0";
    std::string expected = line.substr(0, close + 2);
    for (size_t k = 0; k < f.size(); k++) expected += (k ? " " : "") + f[k];
    SeqBuffer out;
    format_task_stat(out, s);
    EXPECT_EQ(text(out), expected + "\n");
}

TEST(ProcFormat, TaskStatKeepsAnAwkwardCommRaw) {
    TaskStat s;
    s.pid = 7;
    s.comm = "a) b (c";
    SeqBuffer out;
    format_task_stat(out, s);
    std::string line = text(out);
    EXPECT_EQ(line.rfind("7 (a) b (c) R ", 0), 0u) << line;
    size_t fields = split(line.substr(line.rfind(')') + 2)).size() + 2;
    EXPECT_EQ(fields, 52u);
}

TEST(ProcFormat, StatmLine) {
    SeqBuffer out;
    format_task_statm(out, {.size = 765, .resident = 418, .shared = 390, .text = 5, .data = 123});
    EXPECT_EQ(text(out), "765 418 390 5 0 123 0\n");
}

TEST(ProcFormat, LimitsMatchTheHost) {
    static const char* const names[RLIM_NLIMITS][2] = {
        {"Max cpu time", "seconds"},    {"Max file size", "bytes"},      {"Max data size", "bytes"},
        {"Max stack size", "bytes"},    {"Max core file size", "bytes"}, {"Max resident set", "bytes"},
        {"Max processes", "processes"}, {"Max open files", "files"},     {"Max locked memory", "bytes"},
        {"Max address space", "bytes"}, {"Max file locks", "locks"},     {"Max pending signals", "signals"},
        {"Max msgqueue size", "bytes"}, {"Max nice priority", ""},       {"Max realtime priority", ""},
        {"Max realtime timeout", "us"},
    };
    auto lines = host_lines("/proc/self/limits");
    ASSERT_EQ(lines.size(), RLIM_NLIMITS + 1);
    for (int resource = 0; resource < RLIM_NLIMITS; resource++) {
        rlimit limit;
        ASSERT_EQ(getrlimit(static_cast<__rlimit_resource>(resource), &limit), 0);
        SeqBuffer out;
        format_limit_line(out, names[resource][0], limit.rlim_cur, limit.rlim_max, names[resource][1]);
        EXPECT_EQ(text(out), lines[static_cast<size_t>(resource) + 1] + "\n");
    }
}

// Mount options Strix prints from the mount's flags; lines with others (a filesystem's
// own options) cannot be regenerated.
bool parse_generic_options(const std::string& options, u64& flags, bool& read_only) {
    static const std::map<std::string, u64> known = {
        {"nosuid", MS_NOSUID},   {"nodev", MS_NODEV},           {"noexec", MS_NOEXEC},
        {"noatime", MS_NOATIME}, {"nodiratime", MS_NODIRATIME}, {"relatime", MS_RELATIME}};
    flags = 0;
    auto fields = split(options, ',');
    if (fields.empty() || (fields[0] != "rw" && fields[0] != "ro")) return false;
    read_only = fields[0] == "ro";
    for (size_t k = 1; k < fields.size(); k++) {
        auto found = known.find(fields[k]);
        if (found == known.end()) return false;
        flags |= found->second;
    }
    return true;
}

TEST(ProcFormat, MountsLinesMatchTheHost) {
    int compared = 0;
    for (const std::string& line : host_lines("/proc/mounts")) {
        auto f = split(line);
        ASSERT_EQ(f.size(), 6u) << line;
        u64 flags;
        bool read_only;
        if (!parse_generic_options(f[3], flags, read_only) || f[1].find('\\') != std::string::npos) continue;
        SeqBuffer out;
        format_mounts_line(out, f[0], f[1], f[2], flags, read_only);
        EXPECT_EQ(text(out), line + "\n");
        compared++;
    }
    EXPECT_GT(compared, 0);
}

TEST(ProcFormat, MountsLineEscapesSeparators) {
    SeqBuffer out;
    format_mounts_line(out, "my disk", "/mnt/a b", "tmpfs", MS_NOSUID | MS_RELATIME, true);
    EXPECT_EQ(text(out), "my\\040disk /mnt/a\\040b tmpfs ro,nosuid,relatime 0 0\n");
}

TEST(ProcFormat, MountinfoLinesMatchTheHost) {
    int compared = 0;
    for (const std::string& line : host_lines("/proc/self/mountinfo")) {
        size_t dash = line.find(" - ");
        ASSERT_NE(dash, std::string::npos) << line;
        auto head = split(line.substr(0, dash));
        auto tail = split(line.substr(dash + 3));
        if (head.size() != 6 || tail.size() != 3) continue;  // optional fields (shared:N) or odd sources
        MountinfoLine l;
        unsigned major, minor;
        ASSERT_EQ(sscanf(head[2].c_str(), "%u:%u", &major, &minor), 2);
        if (!parse_generic_options(head[5], l.mount_flags, l.mount_read_only) ||
            (tail[2] != "rw" && tail[2] != "ro"))
            continue;
        l.id = static_cast<u32>(std::stoul(head[0])), l.parent_id = static_cast<u32>(std::stoul(head[1]));
        l.major = major, l.minor = minor;
        l.root = head[3], l.mount_point = head[4], l.type = tail[0], l.source = tail[1];
        l.super_read_only = tail[2] == "ro";
        if (head[3].find('\\') != std::string::npos || head[4].find('\\') != std::string::npos) continue;
        SeqBuffer out;
        format_mountinfo_line(out, l);
        EXPECT_EQ(text(out), line + "\n");
        compared++;
    }
    EXPECT_GT(compared, 0);
}

TEST(ProcFormat, MeminfoLinesHaveLinuxLayout) {
    std::map<std::string, std::string> host;
    for (const std::string& line : host_lines("/proc/meminfo")) host[line.substr(0, line.find(':'))] = line;
    MemoryFigures f;
    f.total_kb = std::stoull(split(host.at("MemTotal"))[1]);
    f.free_kb = std::stoull(split(host.at("MemFree"))[1]);
    f.available_kb = std::stoull(split(host.at("MemAvailable"))[1]);
    f.vmalloc_total_kb = 34359738367;
    SeqBuffer out;
    format_meminfo(out, f);
    std::istringstream ours(text(out));
    std::set<std::string> seen;
    int compared = 0;
    for (std::string line; std::getline(ours, line);) {
        std::string name = line.substr(0, line.find(':'));
        EXPECT_TRUE(seen.insert(name).second) << "twice: " << name;
        // Same names as Linux 6.1, same columns: a value ends in column 24 (kB lines) or 24.
        EXPECT_TRUE(line.size() == 27 ? line.substr(24) == " kB" : line.size() >= 24) << line;
        for (const char* exact : {"MemTotal", "MemFree", "MemAvailable", "VmallocTotal", "HugePages_Total",
                                  "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp", "Hugepagesize"}) {
            if (name == exact && host.count(name) &&
                (name.rfind("Huge", 0) != 0 || split(host[name])[1] == "0" || name == "Hugepagesize")) {
                EXPECT_EQ(line, host[name]);
                compared++;
            }
        }
    }
    EXPECT_GE(compared, 4);
    EXPECT_EQ(text(out).rfind("MemTotal:", 0), 0u);
}

TEST(ProcFormat, UptimeMatchesTheHostsLayout) {
    std::string line = host_lines("/proc/uptime").at(0);
    unsigned long up_seconds, up_hundredths, idle_seconds, idle_hundredths;
    ASSERT_EQ(
        sscanf(line.c_str(), "%lu.%lu %lu.%lu", &up_seconds, &up_hundredths, &idle_seconds, &idle_hundredths),
        4);
    SeqBuffer out;
    format_uptime(out, (up_seconds * 100 + up_hundredths) * 10000000 + 9999999,
                  (idle_seconds * 100 + idle_hundredths) * 10000000);
    EXPECT_EQ(text(out), line + "\n");
}

TEST(ProcFormat, LoadavgRoundsAsLinux) {
    LoadFigures f;
    f.load[0] = 1638;             // 0.7998: Linux adds FIXED_1/200 before cutting to two decimals
    f.load[1] = 7004;             // 3.42
    f.load[2] = 2048 * 3 + 1802;  // 3.8798
    f.running = 2, f.threads = 93, f.last_pid = 18287;
    SeqBuffer out;
    format_loadavg(out, f);
    EXPECT_EQ(text(out), "0.80 3.42 3.88 2/93 18287\n");
}

TEST(ProcFormat, UuidIsVersionFour) {
    const u8 bytes[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                          0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    SeqBuffer out;
    format_uuid(out, bytes);
    EXPECT_EQ(text(out), "ffffffff-ffff-4fff-bfff-ffffffffffff\n");
}

TEST(ProcFormat, MountOptionsInLinuxOrder) {
    SeqBuffer out;
    format_mount_options(out, MS_RELATIME | MS_NOEXEC | MS_NOSUID | MS_NODEV | MS_NODIRATIME, false);
    EXPECT_EQ(text(out), "rw,nosuid,nodev,noexec,nodiratime,relatime");
}

}  // namespace
