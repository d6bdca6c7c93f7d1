// Memory: resolving page faults on user addresses (see page_fault.h).
#include "mm/page_fault.h"

#include "arch/memory_layout.h"
#include "proc/process.h"

namespace mm {
FaultResult handle_user_fault(uptr address, Access access) {
    if (address >= arch::USER_END) return FaultResult::NoMapping;
    Thread* thread = current_thread();
    Process* process = thread ? thread->process() : nullptr;
    if (!process || !process->address_space) return FaultResult::NoMapping;
    FaultResult result =
        process->address_space->handle_fault(address, access, process->limits[RLIMIT_STACK].current);
    if (result == FaultResult::Handled) process->minor_faults++;
    return result;
}
}  // namespace mm
