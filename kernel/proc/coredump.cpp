// Processes: writing a core file (see coredump.h), after Linux's do_coredump: stop the
// other threads (zap_threads and coredump_wait), name the file from core_pattern, create
// it safely in the working directory, and write the ELF image through the VFS with
// RLIMIT_CORE as its size limit.
#include "proc/coredump.h"

#include "fs/file.h"
#include "fs/fs_context.h"
#include "fs/vfs.h"
#include "lib/string.h"
#include "log/klog.h"
#include "mm/heap_buffer.h"
#include "proc/core_name.h"
#include "proc/core_snapshot.h"
#include "proc/process.h"
#include "proc/scheduler.h"
#include "syscalls/system.h"
#include "time/clock.h"

namespace coredump {
namespace {

char g_core_pattern[CORE_PATTERN_MAX] = "core";
bool g_core_uses_pid = false;
bool g_pipe_warned = false;

// The core file, written through a small buffer; holes become seeks. The limit counts
// the bytes written (Linux's dump_emit): the write that would cross it fails, and the
// file keeps what came before.
class FileSink final : public CoreSink {
public:
    FileSink(File& file, u64 limit, char* buffer, usize buffer_size)
        : m_file(file), m_limit(limit), m_buffer(buffer), m_buffer_size(buffer_size) {}

    ErrorOr emit(const void* data, usize length) override {
        if (m_written + length > m_limit) return err(EFBIG);
        m_written += length;
        const char* bytes = static_cast<const char*>(data);
        if (m_buffered + length > m_buffer_size) TRY(flush());
        if (length >= m_buffer_size) return write_at(m_position, bytes, length, m_position);
        memcpy(m_buffer + m_buffered, bytes, length);
        m_buffered += length;
        return {};
    }
    ErrorOr skip(usize length) override {
        TRY(flush());
        m_position += length;
        return {};
    }
    // A hole at the end still counts toward the file's size: Linux writes its last byte.
    ErrorOr finish() {
        TRY(flush());
        if (m_position > m_file_end) {
            char zero = 0;
            TRY(write_at(m_position - 1, &zero, 1, m_position));
        }
        return {};
    }

private:
    ErrorOr flush() {
        if (!m_buffered) return {};
        usize length = kstd::exchange(m_buffered, usize(0));
        return write_at(m_position, m_buffer, length, m_position);
    }
    ErrorOr write_at(u64 offset, const char* data, usize length, u64& position) {
        usize done = 0;
        while (done < length) {
            usize wrote = TRY(m_file.write(offset + done, IoBuffer::kernel(data + done), length - done));
            if (!wrote) return err(EIO);
            done += wrote;
        }
        position = offset + length;
        m_file_end = kstd::max(m_file_end, position);
        return {};
    }

    File& m_file;
    u64 m_limit;
    u64 m_written = 0;
    u64 m_position = 0;
    u64 m_file_end = 0;
    char* m_buffer;
    usize m_buffer_size;
    usize m_buffered = 0;
};

// Linux's zap_threads and coredump_wait: every other thread of the process leaves for
// wait_for_core_dump, and the dumper waits until all of them are there. False when the
// process is already on its way out (another thread's exit_group or dump came first).
bool stop_other_threads(Process& process, Thread& self) {
    {
        arch::InterruptGuard guard;
        if (process.exiting || process.core_dumper) return false;
        process.core_dumper = &self;
        process.core_dump_done = false;
        process.core_threads_to_stop = 0;
        for (Thread& thread : process.threads()) {
            if (&thread == &self || thread.state() == ThreadState::Dead) continue;
            process.core_threads_to_stop++;
            thread.exit_requested = true;
            if (thread.state() != ThreadState::Uninterruptible) sched::wake_up(thread);
        }
    }
    (void)process.core_dump_wait.wait_until([&] { return process.core_threads_to_stop == 0; },
                                            WaitMode::Uninterruptible);
    return true;
}

void release_other_threads(Process& process) {
    {
        arch::InterruptGuard guard;
        process.core_dump_done = true;
    }
    process.core_dump_wait.wake_all();
}

Result<CoreName> name_core(Process& process, Thread& thread, int signal) {
    CoreNameValues values;
    values.pid = process.pid();
    values.tid = thread.tid();
    values.uid = process.credentials.uid;
    values.gid = process.credentials.gid;
    values.signal = signal;
    values.time_seconds = ktime::realtime_ns() / 1'000'000'000;
    values.core_limit = process.limits[RLIMIT_CORE].current;
    values.hostname = system_hostname();
    values.comm = process.comm();
    values.exe_path = process.exe_path;
    CoreName name;
    TRY(format_core_name(core_pattern(), values, core_uses_pid(), name));
    return name;
}

// Linux's do_coredump file checks: no symlink as the last component, a regular file
// with one link, owned by the dumper's fsuid; then truncated.
Result<RefPtr<File>> create_core_file(Process& process, const CoreName& name) {
    if (!process.fs) return err(ENOENT);
    LookupContext context{process.fs->root(), process.fs->cwd(), &process.credentials};
    u32 mode = 0600 & ~process.fs->umask;
    RefPtr<File> file = TRY(
        vfs::open(context, {name.name, name.length}, O_CREAT | O_WRONLY | O_NOFOLLOW | O_LARGEFILE, mode));
    const InodeAttributes& attributes = file->inode()->attributes();
    if (!S_ISREG(attributes.mode) || attributes.nlink > 1 || attributes.uid != process.credentials.fsuid ||
        file->path().dentry->is_deleted())
        return err(EPERM);
    TRY(vfs::truncate(file->path(), 0, process.credentials));
    return file;
}

ErrorOr write_core_file(Process& process, Thread& self, const SignalInfo& info, const CoreName& name) {
    CoreSnapshot snapshot;
    TRY(snapshot.take(process, self, info));
    RefPtr<File> file = TRY(create_core_file(process, name));
    HeapBuffer page(CORE_PAGE_SIZE);
    HeapBuffer buffer(CORE_PAGE_SIZE);
    if (!page || !buffer) return err(ENOMEM);
    FileSink sink(*file, process.limits[RLIMIT_CORE].current, buffer.data(), buffer.size());
    AddressSpaceSource source(*process.address_space);
    ErrorOr written = write_core(snapshot.description(), source, sink, reinterpret_cast<u8*>(page.data()));
    // Past RLIMIT_CORE the file stays truncated where the limit fell, and it still counts
    // as a dump, as on Linux (has_dumped is set before the first write).
    if (written.is_error() && written.error().code() != EFBIG) return written;
    return sink.finish();
}

}  // namespace

kstd::string_view core_pattern() {
    return {g_core_pattern, klib::strnlen(g_core_pattern, sizeof(g_core_pattern))};
}

ErrorOr set_core_pattern(kstd::string_view pattern) {
    if (pattern.size() >= CORE_PATTERN_MAX) return err(EINVAL);
    memcpy(g_core_pattern, pattern.data(), pattern.size());
    g_core_pattern[pattern.size()] = '\0';
    return {};
}

bool core_uses_pid() { return g_core_uses_pid; }
void set_core_uses_pid(bool value) { g_core_uses_pid = value; }

bool dump_core(const SignalInfo& info) {
    Thread& self = *current_thread();
    Process& process = *self.process();
    if (!process.dumpable || !process.address_space) return false;
    auto name = name_core(process, self, info.si_signo);
    if (name.is_error()) {
        pr_info("coredump: pid %u (%s): core_pattern too long once expanded, no core written\n",
                process.pid(), process.comm());
        return false;
    }
    if (name.value().target == CoreTarget::Pipe) {
        if (!kstd::exchange(g_pipe_warned, true))
            pr_warn(
                "coredump: core_pattern pipes to a helper (\"%s\"), which Strix does not run: no core "
                "written\n",
                g_core_pattern);
        return false;
    }
    if (process.limits[RLIMIT_CORE].current < MIN_CORE_SIZE) return false;
    if (!stop_other_threads(process, self)) return false;
    ErrorOr written = write_core_file(process, self, info, name.value());
    release_other_threads(process);
    if (written.is_error()) {
        pr_info("coredump: pid %u (%s): cannot write core file \"%s\": errno %d\n", process.pid(),
                process.comm(), name.value().name, written.error().code());
        return false;
    }
    return true;
}

void wait_for_core_dump(Thread& thread) {
    Process& process = *thread.process();
    {
        arch::InterruptGuard guard;
        if (!process.core_dumper || process.core_dumper == &thread || process.core_dump_done) return;
        process.core_threads_to_stop--;
    }
    process.core_dump_wait.wake_all();
    (void)process.core_dump_wait.wait_until([&] { return process.core_dump_done; },
                                            WaitMode::Uninterruptible);
}

}  // namespace coredump
