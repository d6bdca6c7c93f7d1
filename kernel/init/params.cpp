// Kernel init: the kernel's own command-line parameters (see params.h).
#include "init/params.h"

#include "debug/panic.h"
#include "lib/format.h"
#include "log/klog.h"

namespace init {

klib::CommandLine g_cmdline;

namespace {
// Linux's: parameters handled by the kernel (early_param/__setup), never passed to init.
constexpr kstd::string_view KERNEL_PARAMS[] = {
    "console", "loglevel", "quiet", "debug", "init", "rdinit", "panic", "ktest", "root",
    "rootfstype", "rootflags", "rootwait", "rootdelay", "ro", "rw", "earlyprintk", "nokaslr",
    "acpi", "noapic", "nosmp", "maxcpus", "mem", "initrd", "hostname", "lkdtm", "pci",
    "vdso",
};
constexpr int CONSOLE_LOGLEVEL_QUIET = 4;
constexpr int CONSOLE_LOGLEVEL_DEBUG = 10;
}  // namespace

bool is_kernel_param(kstd::string_view name) {
    for (kstd::string_view known : KERNEL_PARAMS) {
        if (name == known) return true;
    }
    return false;
}

ConsoleChoice console_choice() {
    ConsoleChoice choice;
    for (const klib::KernelParam& param : g_cmdline.params()) {
        if (param.name != "console" || !param.value) continue;
        kstd::string_view value = *param.value;
        if (value.substr(0, 4) != "ttyS" || value.size() < 5) continue;
        choice.port = static_cast<unsigned>(value[4] - '0');
        usize comma = value.find(',');
        if (comma != kstd::string_view::npos) {
            // "115200n8": the digits before the parity letter.
            kstd::string_view speed = value.substr(comma + 1);
            usize digits = 0;
            while (digits < speed.size() && speed[digits] >= '0' && speed[digits] <= '9') digits++;
            u64 baud;
            if (klib::parse_u64(speed.data(), digits, &baud, 10) && baud > 0) choice.baud = static_cast<u32>(baud);
        }
    }
    return choice;
}

void apply_early_params() {
    for (const klib::KernelParam& param : g_cmdline.params()) {
        if (param.name == "quiet" && !param.value) klog_set_console_level(CONSOLE_LOGLEVEL_QUIET);
        if (param.name == "debug" && !param.value) klog_set_console_level(CONSOLE_LOGLEVEL_DEBUG);
        if (param.name == "loglevel" && param.value) {
            // Linux: loglevel=N prints messages with a level below N.
            i64 level;
            if (klib::parse_i64(param.value->data(), param.value->size(), &level, 10) && level >= 0 && level <= 15)
                klog_set_console_level(static_cast<int>(level));
        }
        if (param.name == "panic" && param.value) {
            i64 seconds;
            if (klib::parse_i64(param.value->data(), param.value->size(), &seconds, 10))
                set_panic_timeout(static_cast<int>(seconds));
        }
    }
}

}  // namespace init
