// Processes: credentials — who a process acts as (real, effective, saved and filesystem
// user and group ids, supplementary groups), and the privilege checks built on them.
//
// Strix has no capability sets yet: an effective uid of 0 holds every capability, as
// root does on Linux by default.
#pragma once

#include "lib/types.h"

struct Credentials {
    static constexpr usize MAX_GROUPS = 65536;  // Linux's NGROUPS_MAX
    static constexpr usize INLINE_GROUPS = 32;

    u32 uid = 0, euid = 0, suid = 0, fsuid = 0;
    u32 gid = 0, egid = 0, sgid = 0, fsgid = 0;
    u32 groups[INLINE_GROUPS] = {};
    usize group_count = 0;

    bool is_superuser() const { return euid == 0; }
    bool fs_is_superuser() const { return fsuid == 0; }
    bool in_group(u32 group) const {
        if (group == fsgid) return true;
        for (usize i = 0; i < group_count; i++) {
            if (groups[i] == group) return true;
        }
        return false;
    }
};
