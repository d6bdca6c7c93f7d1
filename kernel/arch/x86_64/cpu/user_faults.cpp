// x86_64 CPU: what CPU exceptions mean for user space — page faults resolved by the
// memory manager, and every other exception turned into the signal Linux sends
// (arch/x86/kernel/traps.c): #DE -> SIGFPE, #UD -> SIGILL, #GP -> SIGSEGV, #BP -> SIGTRAP…
#include <asm/siginfo.h>

#include "arch/x86_64/cpu/extable.h"
#include "arch/x86_64/cpu/idt.h"
#include "mm/page_fault.h"
#include "proc/signal.h"

namespace x86 {
namespace {

constexpr u64 PF_PRESENT = 1 << 0, PF_WRITE = 1 << 1, PF_RESERVED = 1 << 3, PF_FETCH = 1 << 4;

bool page_fault(InterruptFrame& frame, uptr address) {
    // A kernel-mode fault on a user address is legitimate only inside the user-copy
    // routines; anywhere else it is a bug (or SMAP catching one) and must not be "fixed".
    if (!frame.from_user() && !has_exception_fixup(frame.rip)) return false;
    if (frame.error_code & PF_RESERVED) return false;
    Access access = (frame.error_code & PF_FETCH) ? Access::Execute : (frame.error_code & PF_WRITE) ? Access::Write : Access::Read;
    FaultResult result = mm::handle_user_fault(address, access);
    if (result == FaultResult::Handled) return true;
    if (!frame.from_user()) return false;  // the copy routine's fixup returns EFAULT
    switch (result) {
    case FaultResult::NoPermission: force_fault_signal(SIGSEGV, SEGV_ACCERR, address); break;
    case FaultResult::BeyondObject: force_fault_signal(SIGBUS, BUS_ADRERR, address); break;
    case FaultResult::OutOfMemory:  // Linux would invoke the OOM killer; this process is its pick
        force_fault_signal(SIGKILL, SI_KERNEL, address);
        break;
    default:
        force_fault_signal(SIGSEGV, (frame.error_code & PF_PRESENT) ? SEGV_ACCERR : SEGV_MAPERR, address);
        break;
    }
    return true;
}

void user_exception(InterruptFrame& frame) {
    switch (frame.vector) {
    case 0: force_fault_signal(SIGFPE, FPE_INTDIV, frame.rip); break;
    case 1: force_fault_signal(SIGTRAP, TRAP_TRACE, frame.rip); break;
    case 3: force_fault_signal(SIGTRAP, SI_KERNEL, 0); break;
    case 4: force_fault_signal(SIGSEGV, SI_KERNEL, 0); break;
    case 5: force_fault_signal(SIGSEGV, SI_KERNEL, 0); break;
    case 6: force_fault_signal(SIGILL, ILL_ILLOPN, frame.rip); break;
    case 16: force_fault_signal(SIGFPE, FPE_FLTINV, frame.rip); break;
    case 17: force_fault_signal(SIGBUS, BUS_ADRALN, 0); break;
    case 19: force_fault_signal(SIGFPE, FPE_FLTINV, frame.rip); break;
    case 11: case 12: force_fault_signal(SIGBUS, SI_KERNEL, 0); break;
    default: force_fault_signal(SIGSEGV, SI_KERNEL, 0); break;  // #GP and the rest
    }
}

}  // namespace

void install_user_fault_handlers() {
    set_page_fault_handler(page_fault);
    set_user_exception_handler(user_exception);
}

}  // namespace x86
