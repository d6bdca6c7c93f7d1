// x86_64: bringing the PC platform up (see arch/platform.h): CPU tables and hardening,
// then the 8259s masked, the LAPIC and IOAPICs, HPET/PIT-calibrated TSC and LAPIC timer,
// and the RTC for wall-clock time.
#include "arch/platform.h"

#include "acpi/acpi.h"
#include "arch/cpu.h"
#include "arch/interrupts.h"
#include "arch/entry.h"
#include "arch/timer.h"
#include "arch/vdso.h"
#include "arch/x86_64/cpu/cpu_local.h"
#include "arch/x86_64/cpu/features.h"
#include "arch/x86_64/cpu/idt.h"
#include "arch/x86_64/cpu/x86.h"
#include "arch/x86_64/interrupts/ioapic.h"
#include "arch/x86_64/interrupts/lapic.h"
#include "arch/x86_64/time/clocks.h"
#include "debug/panic.h"
#include "log/klog.h"
#include "proc/return_to_user.h"
#include "time/clock.h"

extern "C" [[noreturn]] void x86_enter_user_mode(InterruptFrame* frame);

namespace x86 {
void syscall_init();
void install_user_fault_handlers();
}  // namespace x86

namespace arch {
namespace {

void (*g_timer_callback)() = nullptr;

void return_to_user_from_interrupt(InterruptFrame& frame) { return_to_user(frame, ReturnFrom::Interrupt); }

void timer_interrupt(InterruptFrame&, void*) {
    if (g_timer_callback) g_timer_callback();
}

struct IrqSlot {
    IrqHandler handler;
    void* context;
    const char* name;
};
IrqSlot g_irq_slots[256];

void irq_trampoline(InterruptFrame&, void* context) {
    auto* slot = static_cast<IrqSlot*>(context);
    slot->handler(slot->context);
}

Result<u8> install(IrqHandler handler, void* context, const char* name) {
    u8 vector = x86::allocate_vector();
    if (!vector) return err(ENOSPC);
    g_irq_slots[vector] = {handler, context, name};
    x86::set_interrupt_handler(vector, irq_trampoline, &g_irq_slots[vector]);
    return vector;
}

}  // namespace

void early_init() {
    x86::detect_cpu_features();
    x86::init_boot_cpu();
}

void platform_init() {
    x86::enable_cpu_protections();
    x86::pic::disable();

    const acpi::MadtInfo* madt = acpi::madt();
    if (!madt) panic("platform: no ACPI MADT: Strix needs a local APIC and an IOAPIC");
    x86::lapic::init(madt->lapic_address ? madt->lapic_address : 0xfee00000);
    x86::ioapic::init(*madt);

    if (const acpi::HpetInfo* hpet = acpi::hpet()) x86::hpet_init(*hpet);
    arch::vdso_init();  // before the clocks publish to its data page
    x86::tsc_init();
    x86::lapic::calibrate_timer(ktime::monotonic_ns, 10 * ktime::NSEC_PER_MSEC);
    x86::set_interrupt_handler(x86::lapic::TIMER_VECTOR, timer_interrupt, nullptr);

    x86::syscall_init();
    x86::install_user_fault_handlers();
    x86::set_return_to_user_hook(return_to_user_from_interrupt);

    const acpi::FadtInfo* fadt = acpi::fadt();
    if (!fadt || !fadt->no_cmos_rtc) {
        i64 now = x86::rtc_read_unix_seconds(fadt ? fadt->century_register : 0);
        if (now > 0) ktime::set_realtime_ns(static_cast<u64>(now) * ktime::NSEC_PER_SEC);
        else pr_warn("rtc: unreadable; the wall clock starts at the epoch");
    }
}

void timer_set_callback(void (*callback)()) { g_timer_callback = callback; }

void enter_user_mode(InterruptFrame& frame) {
    x86_enter_user_mode(&frame);
    __builtin_unreachable();
}

void timer_arm(u64 deadline_ns) {
    if (deadline_ns == 0) {
        x86::lapic::arm_timer_ns(0);
        return;
    }
    u64 now = ktime::monotonic_ns();
    x86::lapic::arm_timer_ns(deadline_ns > now ? deadline_ns - now : 1);
}

ErrorOr request_isa_irq(u8 irq, IrqHandler handler, void* context, const char* name) {
    u32 gsi;
    x86::ioapic::Trigger trigger;
    x86::ioapic::Polarity polarity;
    x86::ioapic::isa_irq_routing(irq, &gsi, &trigger, &polarity);
    u8 vector = TRY(install(handler, context, name));
    if (!x86::ioapic::route(gsi, vector, trigger, polarity)) return err(ENODEV);
    pr_info("irq: %s on IRQ %u (GSI %u) -> vector %u", name, irq, gsi, vector);
    return {};
}

ErrorOr request_gsi(u32 gsi, IrqHandler handler, void* context, const char* name) {
    u8 vector = TRY(install(handler, context, name));
    if (!x86::ioapic::route(gsi, vector, x86::ioapic::Trigger::Level, x86::ioapic::Polarity::Low))
        return err(ENODEV);
    pr_info("irq: %s on GSI %u -> vector %u", name, gsi, vector);
    return {};
}

Result<MsiMessage> request_msi(IrqHandler handler, void* context, const char* name) {
    u8 vector = TRY(install(handler, context, name));
    // Intel SDM vol. 3, 11.11: address 0xfee00000 | destination APIC id << 12; data = vector.
    return MsiMessage{0xfee00000ull | (u64(x86::lapic::id()) << 12), vector};
}

void reset_fallback() {
    // The PCI reset control register (0xcf9) resets PIIX and ICH chipsets; then the
    // keyboard controller's reset line; then a triple fault.
    x86::outb(0xcf9, 0x02);
    x86::io_delay();
    x86::outb(0xcf9, 0x06);
    ktime::busy_wait_ns(50 * ktime::NSEC_PER_MSEC);
    for (int i = 0; i < 1000 && (x86::inb(0x64) & 0x02); i++) x86::io_delay();
    x86::outb(0x64, 0xfe);
    ktime::busy_wait_ns(50 * ktime::NSEC_PER_MSEC);
    struct [[gnu::packed]] {
        u16 limit;
        u64 base;
    } empty_idt{0, 0};
    asm volatile("lidt %0; int3" : : "m"(empty_idt));
    arch::halt_forever();
}

const char* cpu_model_name() { return x86::g_cpu.model_name; }

}  // namespace arch
