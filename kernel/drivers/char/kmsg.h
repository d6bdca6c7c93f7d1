// Drivers, character devices: the kernel log as user space reads it — /dev/kmsg (1:11)
// and the state syslog(2) shares with it.
#pragma once

#include "fs/file.h"
#include "lib/log_ring.h"

namespace kmsg {

// Opens /dev/kmsg (minor 11 of the memory devices' major).
Result<RefPtr<File>> open(const Path& path, u32 flags);

// The first record SYSLOG_ACTION_CLEAR left (syslog's READ_ALL and /dev/kmsg's SEEK_DATA
// start there).
u64 clear_seq();
void set_clear_seq(u64 seq);

// A cursor at the record numbered `seq` (or the oldest still present, or the end), for a
// ring the caller holds locked.
klib::LogRing::Cursor cursor_at(const klib::LogRing& ring, u64 seq);

// Sleeps until the log holds a record numbered `seq` or later (EINTR on a signal).
ErrorOr wait_for_record(u64 seq);
// Registers a poll(2) on the log's arrivals.
void poll_wait(PollTable& table);

}  // namespace kmsg
