// Syscalls: waiting on many files — poll, ppoll, select, pselect6 (Linux's fs/select.c)
// and the epoll calls (fs/epoll.h); eventfd, signalfd and timerfd (fs/event_files.h).
//
// Every pass asks each file for its readiness (File::poll); the first pass also hooks
// the thread onto the files' wait queues (fs/poll_wait.h), so that a wake-up on any of
// them starts another pass. A signal ends the wait with ERESTARTNOHAND: EINTR when a
// handler runs, even with SA_RESTART, and a restart otherwise.
#include <linux/poll.h>
#include <linux/timerfd.h>

#include "fs/epoll.h"
#include "fs/event_files.h"
#include "fs/poll_wait.h"
#include "mm/kmalloc.h"
#include "mm/user_copy.h"
#include "proc/process.h"
#include "syscalls/fs_common.h"
#include "syscalls/syscall.h"
#include "syscalls/wait_common.h"

namespace {

struct PollEntry {  // struct pollfd
    int fd;
    i16 events;
    i16 revents;
};
static_assert(sizeof(PollEntry) == sizeof(pollfd));

// After poll's or select's scan of its files: the result (the ready count, ENOMEM, a
// timeout, a signal), or nothing when the caller was woken and scans again.
kstd::optional<i64> after_scan(PollWait& wait, const WaitDeadline& deadline, i64 ready) {
    if (ready) return ready;
    if (wait.out_of_memory()) return -ENOMEM;
    if (deadline.kind == WaitDeadline::Kind::Immediate) return 0;
    switch (wait.sleep(deadline.sleep_deadline())) {
    case PollWait::Outcome::Interrupted: return -ERESTARTNOHAND;
    case PollWait::Outcome::TimedOut: return 0;
    case PollWait::Outcome::Woken: break;
    }
    return kstd::nullopt;
}

// Linux's do_poll: returns how many entries have events, or ERESTARTNOHAND / ENOMEM.
i64 poll_entries(PollEntry* entries, usize count, const WaitDeadline& deadline) {
    PollWait wait;
    bool first_pass = true;
    for (;;) {
        i64 ready = 0;
        for (usize i = 0; i < count; i++) {
            PollEntry& entry = entries[i];
            entry.revents = 0;
            if (entry.fd < 0) continue;
            auto file = file_for(entry.fd);
            if (file.is_error()) {
                entry.revents = POLLNVAL;
                ready++;
                continue;
            }
            u32 interest = static_cast<u16>(entry.events) | POLLERR | POLLHUP;
            wait.set_interest(interest);
            // Once something is ready there is no need to hook the remaining files.
            u32 events = file.value()->poll(first_pass && !ready ? &wait : nullptr) & interest;
            entry.revents = static_cast<i16>(events);
            if (events) ready++;
        }
        first_pass = false;
        if (kstd::optional<i64> result = after_scan(wait, deadline, ready)) return *result;
    }
}

i64 do_poll(UserPtr<pollfd> user_entries, u32 count, const WaitDeadline& deadline) {
    if (count > descriptor_limit()) return -EINVAL;
    PollEntry* entries = nullptr;
    if (count) {
        entries = static_cast<PollEntry*>(kmalloc(count * sizeof(PollEntry)));
        if (!entries) return -ENOMEM;
        if (mm::copy_from_user(entries, user_entries.cast<const void>(), count * sizeof(PollEntry))
                .is_error()) {
            kfree(entries);
            return -EFAULT;
        }
    }
    i64 result = poll_entries(entries, count, deadline);
    if (result >= 0) {
        // Only revents goes back: another thread may be editing fd and events.
        for (u32 i = 0; i < count && result >= 0; i++) {
            UserPtr<void> revents(user_entries.address() + i * sizeof(PollEntry) +
                                  offsetof(PollEntry, revents));
            if (mm::copy_to_user(revents, &entries[i].revents, sizeof(i16)).is_error()) result = -EFAULT;
        }
    }
    kfree(entries);
    return result;
}

// select's three sets in kernel memory: in[3] the requests, out[3] the results.
constexpr u32 SELECT_READ = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR;
constexpr u32 SELECT_WRITE = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR;
constexpr u32 SELECT_EXCEPT = POLLPRI;
constexpr u32 SELECT_MASKS[3] = {SELECT_READ, SELECT_WRITE, SELECT_EXCEPT};

struct SelectSets {
    u64* words = nullptr;  // 6 arrays of `length` words: in[0..2], out[0..2]
    usize length = 0;
    u64* in(int which) { return words + which * length; }
    u64* out(int which) { return words + (3 + which) * length; }
    ~SelectSets() { kfree(words); }
};

// Linux's do_select: EBADF when any requested descriptor is not open.
i64 select_sets(SelectSets& sets, int count, const WaitDeadline& deadline) {
    for (int fd = 0; fd < count; fd++) {
        u64 bit = u64(1) << (fd % 64);
        bool wanted = (sets.in(0)[fd / 64] | sets.in(1)[fd / 64] | sets.in(2)[fd / 64]) & bit;
        if (wanted && file_for(fd).is_error()) return -EBADF;
    }
    PollWait wait;
    bool first_pass = true;
    for (;;) {
        i64 ready = 0;
        for (usize w = 0; w < 3 * sets.length; w++) sets.out(0)[w] = 0;
        for (int fd = 0; fd < count; fd++) {
            usize word = static_cast<usize>(fd) / 64;
            u64 bit = u64(1) << (fd % 64);
            u32 interest = 0;
            for (int which = 0; which < 3; which++) {
                if (sets.in(which)[word] & bit) interest |= SELECT_MASKS[which];
            }
            if (!interest) continue;
            auto file = file_for(fd);
            if (file.is_error()) return -EBADF;  // closed by another thread meanwhile
            wait.set_interest(interest);
            u32 events = file.value()->poll(first_pass && !ready ? &wait : nullptr);
            for (int which = 0; which < 3; which++) {
                if ((sets.in(which)[word] & bit) && (events & SELECT_MASKS[which])) {
                    sets.out(which)[word] |= bit;
                    ready++;
                }
            }
        }
        first_pass = false;
        if (kstd::optional<i64> result = after_scan(wait, deadline, ready)) return *result;
    }
}

i64 do_select(int count, UserPtr<u64> user_sets[3], const WaitDeadline& deadline) {
    if (count < 0) return -EINVAL;
    // Linux clamps the count to the descriptor table's size (a multiple of 64).
    int table_size =
        kstd::max(64, static_cast<int>(kstd::align_up(current_process()->files->highest_open() + 1, 64)));
    count = kstd::min(count, table_size);
    SelectSets sets;
    sets.length = static_cast<usize>(count + 63) / 64;
    usize bytes = sets.length * sizeof(u64);  // whole longs, as Linux's FDS_BYTES
    if (count) {
        sets.words = static_cast<u64*>(kzalloc(6 * sets.length * sizeof(u64)));
        if (!sets.words) return -ENOMEM;
    }
    for (int which = 0; which < 3; which++) {
        if (user_sets[which].is_null() || !count) continue;
        if (mm::copy_from_user(sets.in(which), user_sets[which].cast<const void>(), bytes).is_error())
            return -EFAULT;
        // Bits past `count` in the last byte are not ours to look at.
        if (count % 64) sets.in(which)[sets.length - 1] &= (u64(1) << (count % 64)) - 1;
    }
    i64 result = select_sets(sets, count, deadline);
    if (result < 0) return result;
    for (int which = 0; which < 3; which++) {
        if (user_sets[which].is_null() || !count) continue;
        if (mm::copy_to_user(user_sets[which].cast<void>(), sets.out(which), bytes).is_error())
            return -EFAULT;
    }
    return result;
}

}  // namespace

SyscallResult sys_poll(UserPtr<pollfd> entries, u32 count, int timeout_ms) {
    return from_raw_result(do_poll(entries, count, WaitDeadline::from_milliseconds(timeout_ms)));
}

SyscallResult sys_ppoll(UserPtr<pollfd> entries, u32 count, UserPtr<__kernel_timespec> timeout,
                        UserPtr<const u64> mask, usize sigset_size) {
    WaitDeadline deadline = TRY(WaitDeadline::from_user_timespec(timeout.cast<const __kernel_timespec>()));
    TemporarySignalMask temporary = TRY(TemporarySignalMask::install(mask, sigset_size));
    i64 result = temporary.finish(do_poll(entries, count, deadline));
    return from_raw_result(finish_timeout_timespec(deadline, timeout, result));
}

SyscallResult sys_select(int count, UserPtr<u64> read_set, UserPtr<u64> write_set, UserPtr<u64> except_set,
                         UserPtr<__kernel_old_timeval> timeout) {
    WaitDeadline deadline = TRY(WaitDeadline::from_user_timeval(timeout.cast<const __kernel_old_timeval>()));
    UserPtr<u64> sets[3] = {read_set, write_set, except_set};
    return from_raw_result(finish_timeout_timeval(deadline, timeout, do_select(count, sets, deadline)));
}

// pselect6's sixth argument points at { const sigset_t* set; size_t size; }.
SyscallResult sys_pselect6(int count, UserPtr<u64> read_set, UserPtr<u64> write_set, UserPtr<u64> except_set,
                           UserPtr<__kernel_timespec> timeout, UserPtr<const u64> mask_argument) {
    WaitDeadline deadline = TRY(WaitDeadline::from_user_timespec(timeout.cast<const __kernel_timespec>()));
    UserPtr<const u64> mask;
    usize sigset_size = 0;
    if (!mask_argument.is_null()) {
        u64 pair[2];
        TRY(mm::copy_from_user(pair, mask_argument.cast<const void>(), sizeof(pair)));
        mask = UserPtr<const u64>(pair[0]);
        sigset_size = pair[1];
    }
    TemporarySignalMask temporary = TRY(TemporarySignalMask::install(mask, sigset_size));
    UserPtr<u64> sets[3] = {read_set, write_set, except_set};
    i64 result = temporary.finish(do_select(count, sets, deadline));
    return from_raw_result(finish_timeout_timespec(deadline, timeout, result));
}

// epoll: the instance and its interest list live in fs/epoll.cpp.

SyscallResult sys_epoll_create1(int flags) {
    if (flags & ~EPOLL_CLOEXEC) return err(EINVAL);
    RefPtr<File> file = TRY(epoll::create(static_cast<u32>(flags)));
    return TRY(
        current_process()->files->allocate(kstd::move(file), flags & EPOLL_CLOEXEC, 0, descriptor_limit()));
}

SyscallResult sys_epoll_create(int size) {
    if (size <= 0) return err(EINVAL);  // ignored since 2.6.8, but must be positive
    return sys_epoll_create1(0);
}

SyscallResult sys_epoll_ctl(int epoll_fd, int operation, int fd, UserPtr<epoll_event> user_event) {
    RefPtr<File> epoll_file = TRY(file_for(epoll_fd));
    RefPtr<File> target = TRY(file_for(fd));
    if ((epoll_file->flags() & O_PATH) || (target->flags() & O_PATH)) return err(EBADF);
    epoll_event event{};
    if (operation != EPOLL_CTL_DEL) TRY(mm::copy_from_user(&event, user_event));
    TRY(epoll::control(*epoll_file, operation, fd, *target, event));
    return 0;
}

namespace {
i64 epoll_wait_until(int epoll_fd, UserPtr<epoll_event> events, int max_events,
                     const WaitDeadline& deadline) {
    auto file = file_for(epoll_fd);
    if (file.is_error()) return -EBADF;
    return raw_result(epoll::wait(*file.value(), events, max_events, deadline.sleep_deadline(),
                                  deadline.kind == WaitDeadline::Kind::Immediate));
}
}  // namespace

SyscallResult sys_epoll_wait(int epoll_fd, UserPtr<epoll_event> events, int max_events, int timeout_ms) {
    return from_raw_result(
        epoll_wait_until(epoll_fd, events, max_events, WaitDeadline::from_milliseconds(timeout_ms)));
}

// epoll_pwait is not restarted: an interrupted wait is EINTR, and the temporary mask
// stays for the handler (Linux's restore_saved_sigmask_unless(error == -EINTR)).
SyscallResult sys_epoll_pwait(int epoll_fd, UserPtr<epoll_event> events, int max_events, int timeout_ms,
                              UserPtr<const u64> mask, usize sigset_size) {
    TemporarySignalMask temporary = TRY(TemporarySignalMask::install(mask, sigset_size));
    i64 result = epoll_wait_until(epoll_fd, events, max_events, WaitDeadline::from_milliseconds(timeout_ms));
    return from_raw_result(temporary.finish(result, -EINTR));
}

SyscallResult sys_epoll_pwait2(int epoll_fd, UserPtr<epoll_event> events, int max_events,
                               UserPtr<const __kernel_timespec> timeout, UserPtr<const u64> mask,
                               usize sigset_size) {
    WaitDeadline deadline = TRY(WaitDeadline::from_user_timespec(timeout.cast<const __kernel_timespec>()));
    TemporarySignalMask temporary = TRY(TemporarySignalMask::install(mask, sigset_size));
    return from_raw_result(
        temporary.finish(epoll_wait_until(epoll_fd, events, max_events, deadline), -EINTR));
}

// Event files (fs/event_files.h).

namespace {
Result<i64> install(RefPtr<File> file, bool close_on_exec) {
    return TRY(current_process()->files->allocate(kstd::move(file), close_on_exec, 0, descriptor_limit()));
}
}  // namespace

SyscallResult sys_eventfd2(u32 initial, int flags) {
    if (flags & ~int(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK)) return err(EINVAL);
    RefPtr<File> file = TRY(event_files::create_eventfd(initial, static_cast<u32>(flags)));
    return install(kstd::move(file), flags & EFD_CLOEXEC);
}

SyscallResult sys_eventfd(u32 initial) { return sys_eventfd2(initial, 0); }

SyscallResult sys_signalfd4(int fd, UserPtr<const u64> user_mask, usize sigset_size, int flags) {
    if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK)) return err(EINVAL);
    if (sigset_size != sizeof(u64)) return err(EINVAL);
    u64 bits;
    TRY(mm::copy_from_user(&bits, user_mask));
    SignalSet mask(bits);
    if (fd != -1) {
        RefPtr<File> file = TRY(file_for(fd));
        TRY(event_files::update_signalfd(*file, mask));
        return fd;
    }
    RefPtr<File> file = TRY(event_files::create_signalfd(mask, static_cast<u32>(flags)));
    return install(kstd::move(file), flags & SFD_CLOEXEC);
}

SyscallResult sys_signalfd(int fd, UserPtr<const u64> mask, usize sigset_size) {
    return sys_signalfd4(fd, mask, sigset_size, 0);
}

SyscallResult sys_timerfd_create(int clock_id, int flags) {
    if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK)) return err(EINVAL);
    RefPtr<File> file = TRY(event_files::create_timerfd(clock_id, static_cast<u32>(flags)));
    return install(kstd::move(file), flags & TFD_CLOEXEC);
}

SyscallResult sys_timerfd_settime(int fd, int flags, UserPtr<const __kernel_itimerspec> in,
                                  UserPtr<__kernel_itimerspec> out) {
    __kernel_itimerspec value;
    TRY(mm::copy_from_user(&value, in));
    RefPtr<File> file = TRY(file_for(fd));
    __kernel_itimerspec old;
    TRY(event_files::timerfd_settime(*file, flags, value, out.is_null() ? nullptr : &old));
    if (!out.is_null()) TRY(mm::copy_to_user(out, &old));
    return 0;
}

SyscallResult sys_timerfd_gettime(int fd, UserPtr<__kernel_itimerspec> out) {
    RefPtr<File> file = TRY(file_for(fd));
    __kernel_itimerspec value;
    TRY(event_files::timerfd_gettime(*file, value));
    TRY(mm::copy_to_user(out, &value));
    return 0;
}
