// x86_64 CPU: access probes for in-kernel tests (see arch/probe.h and entry/probe.S).
#include "arch/probe.h"

extern "C" int x86_probe_read(uptr address);
extern "C" int x86_probe_write(uptr address);
extern "C" int x86_probe_execute(uptr address);

namespace arch {
ProbeResult probe_read(uptr address) { return x86_probe_read(address) ? ProbeResult::Faulted : ProbeResult::Ok; }
ProbeResult probe_write(uptr address) { return x86_probe_write(address) ? ProbeResult::Faulted : ProbeResult::Ok; }
ProbeResult probe_execute(uptr address) {
    return x86_probe_execute(address) ? ProbeResult::Faulted : ProbeResult::Ok;
}
}  // namespace arch
