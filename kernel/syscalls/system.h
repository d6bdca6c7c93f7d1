// Syscalls: the system's names (uname(2)), shared with /proc/sys/kernel.
#pragma once

#include "lib/kstd.h"
#include "lib/result.h"

const char* system_hostname();
const char* system_domainname();
// EINVAL past __NEW_UTS_LEN (64) bytes.
ErrorOr set_system_hostname(kstd::string_view name);
ErrorOr set_system_domainname(kstd::string_view name);
// uname's release ("6.1.0-<Strix release>": programs compare the Linux version).
const char* system_release();
