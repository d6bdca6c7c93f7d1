// Processes: what a core file says about a dying process (proc/coredump.h) — its threads'
// registers and signal state, its identity and arguments, its auxiliary vector, and the
// regions of its address space with how much of each the file holds — taken once the
// other threads have stopped, and the memory source the format writer reads pages from.
#pragma once

#include "mm/address_space.h"
#include "proc/core_format.h"
#include "proc/signal_types.h"

class Process;
class Thread;

namespace coredump {

class CoreSnapshot {
public:
    CoreSnapshot() = default;
    CoreSnapshot(const CoreSnapshot&) = delete;
    CoreSnapshot& operator=(const CoreSnapshot&) = delete;
    ~CoreSnapshot();

    // Describes `process`, whose thread `dumper` took `info`; every other thread is
    // stopped in the kernel. ENOMEM when memory runs out.
    ErrorOr take(Process& process, Thread& dumper, const SignalInfo& info);
    CoreDescription description() const;

private:
    ErrorOr take_threads(Process& process, Thread& dumper, int signal);
    ErrorOr take_regions(AddressSpace& space);
    void take_process_info(Process& process, AddressSpace& space);

    CoreThread* m_threads = nullptr;
    usize m_thread_count = 0;
    CoreRegion* m_regions = nullptr;
    usize m_region_count = 0;
    CoreMappedFile* m_files = nullptr;
    usize m_file_count = 0;
    u8* m_auxv = nullptr;
    usize m_auxv_size = 0;
    u8 m_siginfo[SIGINFO_SIZE] = {};
    ElfPrpsinfo m_psinfo = {};
    RefPtr<AddressSpace> m_space;  // keeps the file names (Vma::name) alive
};

// Pages of the dying process's own address space: present pages as they are, file pages
// from their object, untouched anonymous memory as holes (Linux's get_dump_page).
class AddressSpaceSource final : public CoreSource {
public:
    explicit AddressSpaceSource(AddressSpace& space) : m_space(space) {}
    Result<bool> read_page(u64 address, u8* page) override;

private:
    AddressSpace& m_space;
};

}  // namespace coredump
