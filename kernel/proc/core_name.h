// Processes: the core file's name — /proc/sys/kernel/core_pattern expanded with Linux's
// % specifiers (fs/coredump.c format_corename), and core_uses_pid's ".PID" suffix.
//
// Pure, so the host tests run every specifier.
#pragma once

#include "lib/kstd.h"
#include "lib/result.h"

namespace coredump {

// Linux's CORENAME_MAX_SIZE: the longest pattern /proc/sys/kernel/core_pattern accepts.
constexpr usize CORE_PATTERN_MAX = 128;
// The longest expanded name Strix writes (ENAMETOOLONG beyond).
constexpr usize CORE_NAME_MAX = 256;

struct CoreNameValues {
    u32 pid = 0;                 // %p (the thread group, as the process sees it) and %P (globally)
    u32 tid = 0;                 // %i and %I
    u32 uid = 0;                 // %u
    u32 gid = 0;                 // %g
    int signal = 0;              // %s
    int dumpable = 1;            // %d (the dumpable mode)
    u64 time_seconds = 0;        // %t
    u64 core_limit = 0;          // %c (RLIMIT_CORE's soft limit)
    kstd::string_view hostname;  // %h
    kstd::string_view comm;      // %e
    kstd::string_view exe_path;  // %E (with '/' as '!'); %f is its last component
};

enum class CoreTarget : u8 { File, Pipe };

struct CoreName {
    CoreTarget target = CoreTarget::File;
    char name[CORE_NAME_MAX] = {};
    usize length = 0;
};

// Expands `pattern` into `out`. A leading '|' makes a pipe target (whose name is the
// helper's command line, without the '|'). Unknown specifiers vanish, as on Linux.
// ENAMETOOLONG when the result does not fit.
ErrorOr format_core_name(kstd::string_view pattern, const CoreNameValues& values, bool uses_pid,
                         CoreName& out);

}  // namespace coredump
