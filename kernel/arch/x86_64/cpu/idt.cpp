// x86_64 CPU: the IDT, exception reports and interrupt dispatch (see idt.h).
#include "arch/x86_64/cpu/idt.h"

#include <stddef.h>

#include "arch/x86_64/cpu/gdt.h"
#include "arch/x86_64/cpu/x86.h"
#include "arch/x86_64/entry/frame_offsets.h"
#include "arch/x86_64/interrupts/lapic.h"
#include "debug/ksyms.h"
#include "debug/panic.h"
#include "log/klog.h"
#include "arch/x86_64/cpu/extable.h"

static_assert(offsetof(InterruptFrame, r11) == FRAME_R11);
static_assert(offsetof(InterruptFrame, rcx) == FRAME_RCX);
static_assert(offsetof(InterruptFrame, rax) == FRAME_RAX);
static_assert(offsetof(InterruptFrame, vector) == FRAME_VECTOR);
static_assert(offsetof(InterruptFrame, error_code) == FRAME_ERROR_CODE);
static_assert(offsetof(InterruptFrame, rip) == FRAME_RIP);
static_assert(offsetof(InterruptFrame, cs) == FRAME_CS);
static_assert(offsetof(InterruptFrame, rflags) == FRAME_RFLAGS);
static_assert(offsetof(InterruptFrame, rsp) == FRAME_RSP);
static_assert(offsetof(InterruptFrame, ss) == FRAME_SS);
static_assert(sizeof(InterruptFrame) == FRAME_SIZE);

extern "C" const u8 interrupt_stubs[];
// Set while entry/probe.S's probe_execute runs: a fault anywhere resumes there.
extern "C" u64 x86_probe_resume_rip, x86_probe_resume_rsp;

namespace x86 {
namespace {

struct [[gnu::packed]] IdtEntry {
    u16 offset_low;
    u16 selector;
    u8 ist;
    u8 type_attributes;
    u16 offset_mid;
    u32 offset_high;
    u32 reserved;
};
static_assert(sizeof(IdtEntry) == 16);

alignas(16) IdtEntry g_idt[256];

struct Handler {
    InterruptHandler fn;
    void* context;
};
Handler g_handlers[256];
u8 g_next_vector = 48;  // 32..47 stay for the legacy IRQ range

PageFaultHandler g_page_fault_handler = nullptr;
UserExceptionHandler g_user_exception_handler = nullptr;
ReturnToUserHook g_return_to_user_hook = nullptr;

constexpr const char* EXCEPTION_NAMES[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range exceeded",
    "invalid opcode", "device not available", "double fault", "coprocessor segment overrun",
    "invalid TSS", "segment not present", "stack segment fault", "general protection fault",
    "page fault", "reserved", "x87 floating point", "alignment check", "machine check",
    "SIMD floating point", "virtualization", "control protection", "reserved", "reserved",
    "reserved", "reserved", "reserved", "reserved", "hypervisor injection", "VMM communication",
    "security", "reserved",
};

void set_gate(u8 vector, u8 ist, u8 dpl) {
    auto handler = reinterpret_cast<u64>(interrupt_stubs + vector * 16);
    g_idt[vector] = IdtEntry{
        .offset_low = static_cast<u16>(handler),
        .selector = KERNEL_CS,
        .ist = ist,
        .type_attributes = static_cast<u8>(0x80 | (dpl << 5) | 0xe),  // present, interrupt gate
        .offset_mid = static_cast<u16>(handler >> 16),
        .offset_high = static_cast<u32>(handler >> 32),
        .reserved = 0,
    };
}

void print_symbolized(const char* label, u16 selector, u64 address) {
    KernelSymbol symbol;
    if (ksym_lookup(address, symbol))
        pr_emerg("%s: %04x:%s+0x%lx [%016lx]", label, selector, symbol.name, symbol.offset, address);
    else
        pr_emerg("%s: %04x:%016lx", label, selector, address);
}

void dump_registers(const InterruptFrame& f) {
    print_symbolized("RIP", static_cast<u16>(f.cs), f.rip);
    pr_emerg("RSP: %04lx:%016lx EFLAGS: %08lx", f.ss, f.rsp, f.rflags);
    pr_emerg("RAX: %016lx RBX: %016lx RCX: %016lx", f.rax, f.rbx, f.rcx);
    pr_emerg("RDX: %016lx RSI: %016lx RDI: %016lx", f.rdx, f.rsi, f.rdi);
    pr_emerg("RBP: %016lx R08: %016lx R09: %016lx", f.rbp, f.r8, f.r9);
    pr_emerg("R10: %016lx R11: %016lx R12: %016lx", f.r10, f.r11, f.r12);
    pr_emerg("R13: %016lx R14: %016lx R15: %016lx", f.r13, f.r14, f.r15);
    pr_emerg("CR0: %016lx CR2: %016lx CR3: %016lx CR4: %016lx", read_cr0(), read_cr2(),
             read_cr3(), read_cr4());
    pr_emerg("vector: %lu error code: %#lx", f.vector, f.error_code);
}

// After a jump to a bad address RIP names nothing; the return address on top of the
// stack says who made the call (a frame-pointer walk starts one frame above it).
void print_caller_if_lost(const InterruptFrame& frame) {
    KernelSymbol symbol;
    if (ksym_lookup(frame.rip, symbol) || frame.rsp < 0xffff800000000000 || (frame.rsp & 7)) return;
    uptr return_address = *reinterpret_cast<const uptr*>(frame.rsp);
    if (ksym_lookup(return_address - 1, symbol))
        pr_emerg("Called from: [<%016lx>] %s+0x%lx", return_address, symbol.name, symbol.offset + 1);
}

void handle_exception(InterruptFrame& frame) {
    u64 vector = frame.vector;
    if (!frame.from_user() && x86_probe_resume_rip && (vector == 14 || vector == 13 || vector == 6)) {
        frame.rip = x86_probe_resume_rip;
        frame.rsp = x86_probe_resume_rsp;
        return;
    }
    if (vector == 14) {
        uptr address = read_cr2();
        if (g_page_fault_handler && g_page_fault_handler(frame, address)) return;
        if (!frame.from_user() && apply_exception_fixup(frame)) return;
        if (!frame.from_user()) {
            panic_begin();
            const char* what = (frame.error_code & 1) ? "protection violation" : "not-present page";
            pr_emerg("Kernel panic - not syncing: BUG: unable to handle page fault for address: %016lx", address);
            pr_emerg("#PF: %s %s access in %s mode (%s)", what,
                     (frame.error_code & 16) ? "instruction fetch" : (frame.error_code & 2) ? "write" : "read",
                     "kernel", (frame.error_code & 8) ? "reserved bit set" : "page tables ok");
            dump_registers(frame);
            print_caller_if_lost(frame);
            print_backtrace(frame.rbp);
            panic_after_report();
        }
    } else if (!frame.from_user() && vector == 13 && apply_exception_fixup(frame)) {
        // A general protection fault on a user copy: a non-canonical user pointer.
        return;
    }
    if (frame.from_user() && g_user_exception_handler) {
        g_user_exception_handler(frame);
        return;
    }
    if (vector == 8) {
        panic_begin();
        pr_emerg("Kernel panic - not syncing: double fault, probably a kernel stack overflow (RSP %016lx)",
                 frame.rsp);
        dump_registers(frame);
        panic_after_report();
    }
    panic_with_frame(frame, vector < 32 ? EXCEPTION_NAMES[vector] : "unexpected interrupt");
}

}  // namespace

void panic_with_frame(const InterruptFrame& frame, const char* what) {
    panic_begin();
    pr_emerg("Kernel panic - not syncing: %s in %s mode", what, frame.from_user() ? "user" : "kernel");
    dump_registers(frame);
    if (!frame.from_user()) {
        print_caller_if_lost(frame);
        print_backtrace(frame.rbp);
    }
    panic_after_report();
}

void load_idt() {
    for (int vector = 0; vector < 256; vector++) set_gate(static_cast<u8>(vector), 0, 0);
    set_gate(2, IST_NMI, 0);
    set_gate(3, 0, 3);  // int3 from user mode raises SIGTRAP, as on Linux
    set_gate(4, 0, 3);  // into
    set_gate(8, IST_DOUBLE_FAULT, 0);
    set_gate(18, IST_MACHINE_CHECK, 0);
    struct [[gnu::packed]] {
        u16 limit;
        u64 base;
    } pointer{sizeof(g_idt) - 1, reinterpret_cast<u64>(g_idt)};
    asm volatile("lidt %0" : : "m"(pointer));
}

void set_interrupt_handler(u8 vector, InterruptHandler handler, void* context) {
    g_handlers[vector] = {handler, context};
}

u8 allocate_vector() {
    if (g_next_vector >= SPURIOUS_VECTOR - 1) return 0;
    return g_next_vector++;
}

void set_page_fault_handler(PageFaultHandler handler) { g_page_fault_handler = handler; }
void set_user_exception_handler(UserExceptionHandler handler) { g_user_exception_handler = handler; }
void set_return_to_user_hook(ReturnToUserHook hook) { g_return_to_user_hook = hook; }

}  // namespace x86

extern "C" void x86_interrupt_dispatch(InterruptFrame* frame) {
    using namespace x86;
    u64 vector = frame->vector;
    if (vector < FIRST_EXTERNAL_VECTOR) {
        // Exceptions from user mode may sleep (page faults read files): run them with
        // interrupts on, as the interrupted code had them.
        if (frame->from_user() && vector != 2 && vector != 8 && vector != 18) asm volatile("sti");
        handle_exception(*frame);
    } else if (vector == SPURIOUS_VECTOR) {
        // Spurious LAPIC interrupts need no EOI.
    } else {
        const Handler& handler = g_handlers[vector];
        if (handler.fn) handler.fn(*frame, handler.context);
        else pr_warn("irq: unexpected interrupt on vector %lu", vector);
        lapic::end_of_interrupt();
    }
    if (frame->from_user() && g_return_to_user_hook) g_return_to_user_hook(*frame);
}
