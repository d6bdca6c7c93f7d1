// Kernel init: kernel_main, the boot-time initialisation order.
//
//   command line, console, log  ->  CPU tables  ->  physical memory, kernel page tables,
//   heap  ->  ACPI  ->  interrupt controllers, clocks, timers  ->  PCI devices, disks
//   ->  the initramfs  ->  "ready"
// then the in-kernel tests (with `ktest`) or, for now, a console that waits.
#include "acpi/acpi.h"
#include "arch/cpu.h"
#include "arch/interrupts.h"
#include "arch/platform.h"
#include "debug/ksyms.h"
#include "debug/lkdtm.h"
#include "debug/panic.h"
#include "drivers/char/char_devices.h"
#include "drivers/serial/uart16550.h"
#include "drivers/tty/tty_init.h"
#include "init/boot_info.h"
#include "init/devices.h"
#include "init/init_process.h"
#include "init/params.h"
#include "init/rootfs.h"
#include "init/version.h"
#include "ktest/ktest.h"
#include "lib/format.h"
#include "lib/string.h"
#include "log/klog.h"
#include "mm/kernel_vm.h"
#include "mm/kmalloc.h"
#include "mm/pmm.h"
#include "power/power.h"
#include "proc/load_average.h"
#include "proc/scheduler.h"
#include "random/random.h"
#include "syscalls/dispatch.h"
#include "time/clock.h"
#include "time/timer.h"

extern "C" const char __kernel_start[], __kernel_end[];

namespace {

void print_memory_map(const BootInfo& boot) {
    for (const MemoryRegion& region : boot.memory_map()) {
        pr_info("mem: [mem 0x%016lx-0x%016lx] %s", region.base, region.base + region.size - 1,
                memory_type_name(region.type));
    }
}

void print_memory_use() {
    mm::MemoryStats mem = mm::memory_stats();
    mm::HeapStats heap = mm::heap_stats();
    u64 total_kib = mem.total_pages * 4;
    u64 free_kib = mem.free_pages * 4;
    pr_info("mm: %luK/%luK available (%luK kernel image, %luK page array, %luK heap, %luK in use)",
            free_kib, total_kib + mem.kernel_image_bytes / KiB, mem.kernel_image_bytes / KiB,
            mem.page_array_bytes / KiB, (heap.slab_pages + heap.large_pages) * 4,
            total_kib - free_kib + mem.kernel_image_bytes / KiB);
}

// Linux builds init's argv and envp from the parameters the kernel does not know.
void print_init_arguments() {
    klib::InitArguments init_args = klib::build_init_arguments(init::g_cmdline, init::is_kernel_param);
    init_args.argv[0] = init::g_cmdline.value_of("rdinit").value_or("/init");
    char line[512];
    usize n = klib::snprintf(line, sizeof(line), "init: argv:");
    for (usize i = 0; i < init_args.argc; i++)
        n += klib::snprintf(line + n, n < sizeof(line) ? sizeof(line) - n : 0, " \"%.*s\"",
                            static_cast<int>(init_args.argv[i].size()), init_args.argv[i].data());
    pr_info("%s", line);
    n = klib::snprintf(line, sizeof(line), "init: envp:");
    for (usize i = 0; i < init_args.envc; i++)
        n += klib::snprintf(line + n, n < sizeof(line) ? sizeof(line) - n : 0, " \"%.*s\"",
                            static_cast<int>(init_args.envp[i].size()), init_args.envp[i].data());
    pr_info("%s", line);
    if (init_args.overflowed) pr_warn("init: too many arguments or environment variables; extra ones dropped");
}

Uart16550* g_serial = nullptr;
mm::KernelStack g_boot_stack;

}  // namespace

// Stack-protector canary: fixed at link time, replaced with a random value before any
// function that will return is entered. This function never returns, so it may change it.
extern "C" uptr __stack_chk_guard;
[[gnu::no_stack_protector]] void randomize_stack_canary() {
    u64 value;
    if (!arch::hardware_random(&value)) value = arch::read_cycle_counter() * 0x9e3779b97f4a7c15;
    __stack_chk_guard = value;
}

[[noreturn]] void kernel_main_on_kernel_stack();

[[noreturn]] void kernel_main() {
    init::g_cmdline.parse(g_boot_info.cmdline);
    init::apply_early_params();
    init::ConsoleChoice console = init::console_choice();
    Uart16550* serial = Uart16550::port(console.port);
    if (serial && serial->probe_and_init(console.baud)) {
        register_console(*serial);
        g_serial = serial;
    }

    pr_notice("%s version %s (g++ %d.%d.%d) %s", STRIX_NAME, STRIX_RELEASE, __GNUC__, __GNUC_MINOR__,
              __GNUC_PATCHLEVEL__, STRIX_VERSION_STRING);
    pr_info("Command line: %s", g_boot_info.cmdline);
    pr_info("boot: %s via %s; initrd %#lx+%#lx", g_boot_info.protocol,
            g_boot_info.bootloader[0] ? g_boot_info.bootloader : "unknown loader", g_boot_info.initrd_base,
            g_boot_info.initrd_size);
    print_memory_map(g_boot_info);

    arch::early_init();
    mm::pmm_init(g_boot_info);
    mm::kernel_vm_init(g_boot_info);
    mm::pmm_add_high_memory(g_boot_info);
    mm::heap_init();

    // Leave the boot stack (in .bss, unguarded) for a kernel stack with a guard page.
    auto stack = mm::allocate_kernel_stack();
    if (stack.is_error()) panic("init: no memory for the boot thread's stack");
    g_boot_stack = stack.value();
    arch::run_on_stack(g_boot_stack.top, kernel_main_on_kernel_stack);
}

[[noreturn]] void kernel_main_on_kernel_stack() {
    randomize_stack_canary();
    if (acpi::init(g_boot_info) && init::g_cmdline.has("acpi.dump")) acpi::dump_tables();
    arch::platform_init();

    pr_info("ksyms: %zu symbols", ksym_count());
    print_init_arguments();
    print_memory_use();
    ktime::timers_init();
    krandom::init();
    sched::init(g_boot_stack);
    load_average::start();
    init::probe_devices();
    init::mount_root(g_boot_info);
    tty::init(g_serial);
    char_devices_init();
    klog_always(LogLevel::Notice, "strix: ready in %lu ms", ktime::monotonic_ns() / ktime::NSEC_PER_MSEC);

    if (auto crash = init::g_cmdline.value_of("lkdtm")) lkdtm::trigger(*crash);

    if (init::g_cmdline.has("ktest")) {
        auto filter = init::g_cmdline.value_of("ktest");
        char suites[256] = {};
        if (filter) memcpy(suites, filter->data(), kstd::min(filter->size(), sizeof(suites) - 1));
        init::start_device_threads();
        arch::enable_interrupts();
        usize failures = ktest::run_all(suites);
        if (failures) pr_err("ktest: %zu failure(s)", failures);
        machine_power_off();
    }

    set_syscall_tracing(init::g_cmdline.has("syscall.trace"));
    init::start_init_process();
    init::start_device_threads();
    arch::enable_interrupts();
    sched::idle_loop();
    __builtin_unreachable();
}
