// Filesystems: pipes and FIFOs — a byte ring between writers and readers (Linux's
// fs/pipe.c semantics): writes of at most PIPE_BUF bytes are atomic; reading an empty
// pipe blocks while a writer exists and returns 0 (end of file) when none does; writing
// with no reader raises SIGPIPE and fails with EPIPE.
#pragma once

#include "fs/file.h"

constexpr usize PIPE_BUFFER_DEFAULT = 65536;  // Linux's default pipe capacity
constexpr usize PIPE_BUFFER_MAX = 1048576;    // /proc/sys/fs/pipe-max-size
constexpr usize PIPE_ATOMIC = 4096;           // PIPE_BUF

class Pipe;

namespace pipes {
// pipe2(2): the read end and the write end.
ErrorOr create(u32 flags, RefPtr<File>& read_end, RefPtr<File>& write_end);
// F_GETPIPE_SZ / F_SETPIPE_SZ on either end; ENOTSUP-free EBADF for non-pipes.
Result<i64> get_size(File& file);
Result<i64> set_size(File& file, u64 size);
}  // namespace pipes
