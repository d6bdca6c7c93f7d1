// Kernel init: kernel_main, the boot-time initialisation order.
//
//   command line, console, log  ->  CPU tables  ->  physical memory, kernel page tables,
//   heap  ->  ACPI  ->  interrupt controllers, clocks, timers  ->  "ready"
// then the in-kernel tests (with `ktest`) or, for now, a console that waits.
#include "acpi/acpi.h"
#include "arch/cpu.h"
#include "arch/interrupts.h"
#include "arch/platform.h"
#include "debug/ksyms.h"
#include "debug/panic.h"
#include "drivers/serial/uart16550.h"
#include "init/boot_info.h"
#include "init/params.h"
#include "init/version.h"
#include "ktest/ktest.h"
#include "lib/string.h"
#include "log/klog.h"
#include "mm/kernel_vm.h"
#include "mm/kmalloc.h"
#include "mm/pmm.h"
#include "power/power.h"
#include "time/clock.h"

extern "C" const char __kernel_start[], __kernel_end[];

namespace {

void print_memory_map(const BootInfo& boot) {
    for (const MemoryRegion& region : boot.memory_map()) {
        pr_info("mem: [mem %#018lx-%#018lx] %s", region.base, region.base + region.size - 1,
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

void echo_input(void*, u8 byte) {
    // Until the tty layer exists, typed characters are echoed so the console shows life.
    char c = static_cast<char>(byte == '\r' ? '\n' : byte);
    console_write(&c, 1);
}

void wait_for_interrupts_forever() {
    for (;;) arch::wait_for_interrupt();
}

}  // namespace

[[noreturn]] void kernel_main() {
    init::g_cmdline.parse(g_boot_info.cmdline);
    init::apply_early_params();
    init::ConsoleChoice console = init::console_choice();
    Uart16550* serial = Uart16550::port(console.port);
    if (serial && serial->probe_and_init(console.baud)) register_console(*serial);

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

    if (acpi::init(g_boot_info) && init::g_cmdline.has("acpi.dump")) acpi::dump_tables();
    arch::platform_init();

    pr_info("ksyms: %zu symbols", ksym_count());
    print_memory_use();
    pr_notice("strix: ready in %lu ms", ktime::monotonic_ns() / ktime::NSEC_PER_MSEC);

    if (init::g_cmdline.has("ktest")) {
        auto filter = init::g_cmdline.value_of("ktest");
        char suites[256] = {};
        if (filter) memcpy(suites, filter->data(), kstd::min(filter->size(), sizeof(suites) - 1));
        usize failures = ktest::run_all(suites);
        if (failures) pr_err("ktest: %zu failure(s)", failures);
        machine_power_off();
    }

    if (serial) {
        serial->set_receiver(echo_input, nullptr);
        if (arch::request_isa_irq(serial->legacy_irq(), [](void* s) { static_cast<Uart16550*>(s)->handle_interrupt(); },
                                  serial, serial->name())
                .is_error())
            pr_warn("serial: no interrupt for %s input", serial->name());
        else
            serial->enable_receive_interrupts();
    }
    pr_notice("strix: no init to run yet; the console echoes what you type");
    arch::enable_interrupts();
    wait_for_interrupts_forever();
    __builtin_unreachable();
}
