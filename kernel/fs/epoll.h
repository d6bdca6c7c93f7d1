// Filesystems: epoll (Linux's fs/eventpoll.c) — an open file that watches others.
//
// Each watched (file, fd) pair is an EpollItem. Adding one polls the file with a table
// that hooks a wake function onto every wait queue the file names; from then on a
// wake-up puts the item on the instance's ready list, and epoll_wait polls only the
// items there. Level-triggered items go back on the list after being reported,
// edge-triggered ones wait for the next wake-up, one-shot ones are disabled until
// EPOLL_CTL_MOD. An item holds no reference to its file: the file's last reference
// removes it (File::unref), so closing one of several descriptors keeps it alive.
#pragma once

#include <linux/eventpoll.h>

#include "fs/file.h"

namespace epoll {

constexpr int MAX_NESTING = 4;  // Linux's EP_MAX_NESTS

Result<RefPtr<File>> create(u32 flags);
bool is_epoll(const File& file);
// EPOLL_CTL_ADD / MOD / DEL of (target, fd) in the instance `epoll_file`.
ErrorOr control(File& epoll_file, int operation, int fd, File& target, const epoll_event& event);
// Up to max_events ready events into the user's array. deadline_ns is monotonic, 0 for
// none; immediate: do not sleep at all. A signal ends the wait with EINTR (epoll_wait is
// never restarted, as on Linux).
Result<i64> wait(File& epoll_file, UserPtr<epoll_event> events, int max_events, u64 deadline_ns,
                 bool immediate);

// The file's last reference is gone: every epoll entry watching it goes.
void file_released(File& file);

}  // namespace epoll
