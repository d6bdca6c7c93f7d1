// Filesystems: files that deliver events rather than data — eventfd (a counter),
// signalfd (the caller's pending signals) and timerfd (a timer's expirations). Each is
// an anonymous file ("anon_inode:[eventfd]" in /proc) that poll, select and epoll watch
// like any other.
#pragma once

#include <linux/signalfd.h>
#include <linux/time_types.h>

#include "fs/file.h"
#include "proc/signal_types.h"

// Linux's include/linux/eventfd.h (not part of the UAPI).
constexpr u32 EFD_SEMAPHORE = 1;
constexpr u32 EFD_CLOEXEC = O_CLOEXEC;
constexpr u32 EFD_NONBLOCK = O_NONBLOCK;

namespace event_files {

// eventfd2: a 64-bit counter; EFD_SEMAPHORE makes reads take 1 at a time.
Result<RefPtr<File>> create_eventfd(u64 initial, u32 flags);

// signalfd4: reads the caller's pending signals in `mask` as struct signalfd_siginfo.
Result<RefPtr<File>> create_signalfd(SignalSet mask, u32 flags);
// signalfd4 on an existing descriptor: a new mask (EINVAL when not a signalfd).
ErrorOr update_signalfd(File& file, SignalSet mask);

// timerfd_create: clock_id is CLOCK_MONOTONIC, CLOCK_REALTIME or CLOCK_BOOTTIME.
Result<RefPtr<File>> create_timerfd(int clock_id, u32 flags);
ErrorOr timerfd_settime(File& file, int flags, const __kernel_itimerspec& value, __kernel_itimerspec* old);
ErrorOr timerfd_gettime(File& file, __kernel_itimerspec& value);

}  // namespace event_files
