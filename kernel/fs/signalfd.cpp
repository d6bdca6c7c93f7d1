// Filesystems: signalfd (Linux's fs/signalfd.c) — the calling thread's pending signals
// in the file's mask, read as struct signalfd_siginfo. Reading takes the signal as
// delivery would (the thread's own queue first, then the process's); the signals are
// normally blocked so that only the file sees them. Wake-ups come from the process's
// signalfd queue, which sending a signal wakes (proc/signal.cpp).
#include <linux/poll.h>

#include "arch/cpu.h"
#include "fs/event_files.h"
#include "lib/string.h"
#include "proc/process.h"

namespace {

const char SIGNALFD_KIND[] = "signalfd";

// Linux's signalfd_copyinfo: the fields that the signal's siginfo layout carries.
signalfd_siginfo to_signalfd_info(const SignalInfo& info) {
    signalfd_siginfo out;
    memset(&out, 0, sizeof(out));
    out.ssi_signo = static_cast<u32>(info.si_signo);
    out.ssi_errno = info.si_errno;
    out.ssi_code = info.si_code;
    int signal = info.si_signo;
    int code = info.si_code;
    if (code > SI_USER && code < SI_KERNEL) {  // codes that belong to the signal
        switch (signal) {
        case SIGILL:
        case SIGFPE:
        case SIGSEGV:
        case SIGBUS:
        case SIGTRAP: out.ssi_addr = reinterpret_cast<u64>(info.si_addr); return out;
        case SIGCHLD:
            out.ssi_pid = static_cast<u32>(info.si_pid);
            out.ssi_uid = info.si_uid;
            out.ssi_status = info.si_status;
            out.ssi_utime = static_cast<u64>(info.si_utime);
            out.ssi_stime = static_cast<u64>(info.si_stime);
            return out;
        case SIGPOLL:
            out.ssi_band = static_cast<u32>(info.si_band);
            out.ssi_fd = info.si_fd;
            return out;
        case SIGSYS:
            out.ssi_call_addr = reinterpret_cast<u64>(info.si_call_addr);
            out.ssi_syscall = info.si_syscall;
            out.ssi_arch = info.si_arch;
            return out;
        default: break;
        }
    }
    if (code == SI_TIMER) {
        out.ssi_tid = static_cast<u32>(info.si_tid);
        out.ssi_overrun = static_cast<u32>(info.si_overrun);
        out.ssi_ptr = reinterpret_cast<u64>(info.si_ptr);
        out.ssi_int = info.si_int;
    } else if (code == SI_SIGIO) {
        out.ssi_band = static_cast<u32>(info.si_band);
        out.ssi_fd = info.si_fd;
    } else if (code < 0) {  // sigqueue, tkill, mq_notify, …: pid, uid and value
        out.ssi_pid = static_cast<u32>(info.si_pid);
        out.ssi_uid = info.si_uid;
        out.ssi_ptr = reinterpret_cast<u64>(info.si_ptr);
        out.ssi_int = info.si_int;
    } else {  // SI_USER, SI_KERNEL
        out.ssi_pid = static_cast<u32>(info.si_pid);
        out.ssi_uid = info.si_uid;
    }
    return out;
}

class SignalFd final : public File {
public:
    SignalFd(SignalSet mask, u32 flags) : File(O_RDWR | (flags & O_NONBLOCK)), m_mask(mask) {}

    Result<usize> read(u64, IoBuffer buffer, usize length) override {
        usize count = length / sizeof(signalfd_siginfo);
        if (!count) return err(EINVAL);
        usize done = 0;
        while (done < count) {
            SignalInfo info;
            if (!dequeue(info)) {
                if (done || nonblocking()) break;
                Process& process = *current_process();
                auto waited = process.signalfd_wait.wait_until([&] { return pending(); });
                if (waited.is_error()) return err(ERESTARTSYS);
                continue;
            }
            signalfd_siginfo out = to_signalfd_info(info);
            TRY(buffer.write(done * sizeof(out), &out, sizeof(out)));
            done++;
        }
        if (!done) return err(EAGAIN);
        return done * sizeof(signalfd_siginfo);
    }

    u32 poll(PollTable* table) override {
        if (table) table->add(current_process()->signalfd_wait);
        return pending() ? (POLLIN | POLLRDNORM) : 0;
    }

    const char* kind_name() const override { return SIGNALFD_KIND; }
    u32 stat_mode() const override { return 0600; }
    void set_mask(SignalSet mask) {
        m_mask = mask;
        current_process()->signalfd_wait.wake_all();
    }

private:
    bool pending() {
        Thread& thread = *current_thread();
        SignalSet waiting = thread.pending_signals().pending() | thread.process()->shared_pending.pending();
        return !(waiting & m_mask).empty();
    }
    bool dequeue(SignalInfo& info) {
        Thread& thread = *current_thread();
        arch::InterruptGuard guard;  // signals are queued from interrupt context too (timers)
        return thread.pending_signals().dequeue(m_mask, info) ||
               thread.process()->shared_pending.dequeue(m_mask, info);
    }

    SignalSet m_mask;
};

}  // namespace

namespace event_files {

Result<RefPtr<File>> create_signalfd(SignalSet mask, u32 flags) {
    RefPtr<File> file(adopt, new (kstd::nothrow) SignalFd(mask & ~UNBLOCKABLE, flags));
    if (!file) return err(ENOMEM);
    return file;
}

ErrorOr update_signalfd(File& file, SignalSet mask) {
    if (file.kind_name() != SIGNALFD_KIND) return err(EINVAL);
    static_cast<SignalFd&>(file).set_mask(mask & ~UNBLOCKABLE);
    return {};
}

}  // namespace event_files
