// Kernel init: the first user process (see init_process.h).
#include "init/init_process.h"

#include "lib/uapi/stat.h"

#include "arch/entry.h"
#include "debug/panic.h"
#include "fs/device.h"
#include "fs/file_table.h"
#include "fs/fs_context.h"
#include "fs/vfs.h"
#include "init/params.h"
#include "init/root_mount.h"
#include "lib/string.h"
#include "log/klog.h"
#include "mm/address_space.h"
#include "mm/kmalloc.h"
#include "proc/exec.h"
#include "proc/process.h"
#include "proc/scheduler.h"
#include "proc/signal.h"
#include "proc/thread_table.h"

namespace init {
namespace {

Credentials g_root;

LookupContext root_lookup() { return LookupContext{vfs::root_path(), vfs::root_path(), &g_root}; }

// stdin, stdout and stderr of init: /dev/console, created if the initramfs lacks it.
void open_console(Process& process) {
    auto console = vfs::open(root_lookup(), "/dev/console", O_RDWR, 0);
    if (console.is_error()) {
        (void)vfs::mkdir(root_lookup(), "/dev", 0755);
        (void)vfs::mknod(root_lookup(), "/dev/console", S_IFCHR | 0600, make_dev(5, 1));
        console = vfs::open(root_lookup(), "/dev/console", O_RDWR, 0);
    }
    if (console.is_error()) {
        pr_warn("Warning: unable to open an initial console.");
        return;
    }
    for (int fd = 0; fd < 3; fd++) (void)process.files->install_at(fd, console.value(), false, 3);
}

// Packs "a\0b\0..." for ExecArguments from string views.
char* pack(kstd::span<const kstd::string_view> items, usize* bytes) {
    usize total = 0;
    for (kstd::string_view s : items) total += s.size() + 1;
    char* buffer = static_cast<char*>(kmalloc(total ? total : 1));
    if (!buffer) return nullptr;
    usize at = 0;
    for (kstd::string_view s : items) {
        memcpy(buffer + at, s.data(), s.size());
        at += s.size();
        buffer[at++] = '\0';
    }
    *bytes = total;
    return buffer;
}

bool try_exec(kstd::string_view path, klib::InitArguments& arguments, InterruptFrame& frame) {
    arguments.argv[0] = path;
    ExecArguments exec;
    char* argv = pack({arguments.argv, arguments.argc}, &exec.argv_bytes);
    char* envp = pack({arguments.envp, arguments.envc}, &exec.envp_bytes);
    exec.argv_strings = argv;
    exec.argc = arguments.argc;
    exec.envp_strings = envp;
    exec.envc = arguments.envc;
    pr_info("Run %.*s as init process", static_cast<int>(path.size()), path.data());
    auto result = argv && envp ? do_execve(root_lookup(), path, exec, frame) : ErrorOr(err(ENOMEM));
    kfree(argv);
    kfree(envp);
    if (result.is_error()) {
        pr_err("Failed to execute %.*s (error %d)", static_cast<int>(path.size()), path.data(), -result.error().code());
        return false;
    }
    return true;
}

void init_thread_main(void*) {
    Process& process = *current_process();
    // root= without an initramfs init: mount the disk (in this thread, which may sleep).
    bool disk_root = prepare_root();
    process.fs = FsContext::create(vfs::root_path());
    process.files = FileTable::create();
    process.signal_handlers = SignalHandlers::create();
    auto space = AddressSpace::create();
    if (!process.fs || !process.files || !process.signal_handlers || space.is_error())
        panic("init: out of memory setting up pid 1");
    process.address_space = space.release_value();
    open_console(process);

    klib::InitArguments arguments = klib::build_init_arguments(g_cmdline, is_kernel_param);
    if (arguments.overflowed) pr_warn("init: too many arguments or environment variables; extra ones dropped");
    InterruptFrame frame;
    kstd::string_view rdinit = g_cmdline.value_of("rdinit").value_or("/init");
    auto init = g_cmdline.value_of("init");
    // From a disk root, Linux runs init= or the usual places, never rdinit.
    if (disk_root || vfs::open(root_lookup(), rdinit, O_PATH, 0).is_error() || !try_exec(rdinit, arguments, frame)) {
        bool started = init && try_exec(*init, arguments, frame);
        if (init && !started) panic("Requested init %.*s failed.", static_cast<int>(init->size()), init->data());
        for (kstd::string_view fallback : {"/sbin/init", "/etc/init", "/bin/init", "/bin/sh"}) {
            if (started) break;
            started = try_exec(fallback, arguments, frame);
        }
        if (!started) panic("No working init found.  Try passing init= option to kernel.");
    }
    arch::enter_user_mode(frame);
}

}  // namespace

void start_init_process() {
    auto thread = Thread::create_kernel_thread("init", init_thread_main, nullptr);
    if (thread.is_error()) panic("init: cannot create the init thread");
    if (thread.value()->tid() != 1) panic("init: pid 1 was already taken");
    auto process = Process::create(nullptr, 1);
    if (process.is_error()) panic("init: cannot create process 1");
    Process& init = *process.value();
    init.set_comm("init");
    thread.value()->attach_to_process(init);
    init.add_thread(*thread.value());
    process_table::set_init_process(init);
    init.ref();  // init lives for the kernel's lifetime
    sched::wake_up(*thread.value());
}

}  // namespace init
