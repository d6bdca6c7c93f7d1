// Processes: the snapshot of a dying process for its core file (see core_snapshot.h),
// filled as Linux's fill_note_info and vma_dump_size fill theirs: every thread's
// NT_PRSTATUS carries the fatal signal; the regions follow the default coredump_filter.
#include "proc/core_snapshot.h"

#include "arch/core_dump.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/pmm.h"
#include "mm/user_copy.h"
#include "proc/process.h"
#include "proc/signal.h"

namespace coredump {
namespace {

// Linux caps the saved auxiliary vector (AT_VECTOR_SIZE); so does Strix's exec.
constexpr usize MAX_AUXV_BYTES = 4096;

ElfTimeval to_timeval(u64 ns) {
    return {static_cast<i64>(ns / 1'000'000'000), static_cast<i64>(ns % 1'000'000'000 / 1000)};
}

u32 segment_flags(int prot) {
    return ((prot & PROT_READ) ? PF_R : 0) | ((prot & PROT_WRITE) ? PF_W : 0) |
           ((prot & PROT_EXEC) ? PF_X : 0);
}

// Whether a private file mapping has pages of its own: writable mappings are written
// by the time they matter (.data, .bss), read-only ones keep dirty copies (RELRO).
bool has_private_copies(AddressSpace& space, const Vma& vma) {
    if (vma.prot & PROT_WRITE) return true;
    bool dirty = false;
    arch::for_each_mapping(space.page_table(), vma.start, vma.end,
                           [&](uptr, const arch::Translation& translation) { dirty |= translation.dirty; });
    return dirty;
}

// Whether the file behind a mapping starts with the ELF magic.
bool maps_elf_header(const Vma& vma) {
    if (!vma.object || vma.offset != 0) return false;
    auto page = vma.object->get_page(0);
    if (page.is_error()) return false;
    bool elf = memcmp(mm::page_address(page.value()), ELFMAG, SELFMAG) == 0;
    mm::put_page(page.value());
    return elf;
}

u64 dump_size(AddressSpace& space, const Vma& vma) {
    if (vma.kind == VmaKind::Vvar) return 0;  // the kernel's data page: nothing of the process
    MappingTraits traits{};
    traits.readable = vma.prot & PROT_READ;
    traits.shared = vma.shared();
    traits.anonymous = vma.kind != VmaKind::File;
    if (!traits.anonymous && !traits.shared && traits.readable) {
        traits.private_copies = has_private_copies(space, vma);
        traits.offset_zero = vma.offset == 0;
        traits.elf_header = traits.offset_zero && !traits.private_copies && maps_elf_header(vma);
    }
    return dump_size_for(traits, vma.start, vma.end);
}

template <typename T>
T* allocate_array(usize count) {
    return static_cast<T*>(kzalloc(kstd::max<usize>(count, 1) * sizeof(T)));
}

}  // namespace

CoreSnapshot::~CoreSnapshot() {
    kfree(m_threads);
    kfree(m_regions);
    kfree(m_files);
    kfree(m_auxv);
}

ErrorOr CoreSnapshot::take(Process& process, Thread& dumper, const SignalInfo& info) {
    if (!process.address_space) return err(EINVAL);
    m_space = process.address_space;
    static_assert(sizeof(SignalInfo) == SIGINFO_SIZE);
    memcpy(m_siginfo, &info, SIGINFO_SIZE);
    TRY(take_threads(process, dumper, info.si_signo));
    TRY(take_regions(*m_space));
    take_process_info(process, *m_space);
    return {};
}

ErrorOr CoreSnapshot::take_threads(Process& process, Thread& dumper, int signal) {
    usize count = 0;
    for (Thread& thread : process.threads()) count += thread.state() != ThreadState::Dead;
    m_threads = allocate_array<CoreThread>(count + 1);
    if (!m_threads) return err(ENOMEM);
    u32 ppid = process.parent() ? process.parent()->pid() : 0;
    SignalSet shared = process.shared_pending.pending();
    // The dumping thread first: debuggers show it as the current thread.
    auto add = [&](Thread& thread) {
        CoreThread& out = m_threads[m_thread_count++];
        ElfPrstatus& status = out.status;
        status.pr_info.si_signo = signal;
        status.pr_cursig = static_cast<i16>(signal);
        status.pr_sigpend = (thread.pending_signals().pending() | shared).bits();
        status.pr_sighold = thread.blocked_signals().bits();
        status.pr_pid = static_cast<i32>(thread.tid());
        status.pr_ppid = static_cast<i32>(ppid);
        status.pr_pgrp = static_cast<i32>(process.pgid);
        status.pr_sid = static_cast<i32>(process.sid);
        u64 cpu = thread.cpu_time();
        u64 user = kstd::min(thread.user_time_ns, cpu);
        status.pr_utime = to_timeval(user);
        status.pr_stime = to_timeval(cpu - user);
        status.pr_cutime = to_timeval(process.children_user_ns);
        status.pr_cstime = to_timeval(process.children_system_ns);
        arch::core_registers(thread.user_frame(), thread.arch_state(), status.pr_reg);
        arch::core_fpu_image(thread.arch_state(), &thread == &dumper, out.fpregs);
        out.has_fpregs = true;
        status.pr_fpvalid = 1;
    };
    add(dumper);
    for (Thread& thread : process.threads()) {
        if (&thread != &dumper && thread.state() != ThreadState::Dead && m_thread_count < count + 1)
            add(thread);
    }
    return {};
}

ErrorOr CoreSnapshot::take_regions(AddressSpace& space) {
    usize count = 0;
    for ([[maybe_unused]] Vma& vma : space.vmas()) count++;
    if (count > MAX_REGIONS) return err(E2BIG);
    m_regions = allocate_array<CoreRegion>(count);
    m_files = allocate_array<CoreMappedFile>(count);
    if (!m_regions || !m_files) return err(ENOMEM);
    for (Vma& vma : space.vmas()) {
        m_regions[m_region_count++] = {vma.start, vma.end, segment_flags(vma.prot), dump_size(space, vma)};
        if (vma.kind == VmaKind::File && vma.name)
            m_files[m_file_count++] = {vma.start, vma.end, vma.offset / CORE_PAGE_SIZE, vma.name->view()};
    }
    if (space.auxv_end > space.auxv_start) {
        usize size = kstd::min<usize>(space.auxv_end - space.auxv_start, MAX_AUXV_BYTES);
        m_auxv = static_cast<u8*>(kmalloc(size));
        if (!m_auxv) return err(ENOMEM);
        if (!mm::copy_from_user(m_auxv, UserPtr<const void>(space.auxv_start), size).is_error())
            m_auxv_size = size;
    }
    return {};
}

void CoreSnapshot::take_process_info(Process& process, AddressSpace& space) {
    ElfPrpsinfo& info = m_psinfo;
    info.pr_state = 0;  // running: it is the process writing its own core
    info.pr_sname = 'R';
    info.pr_nice = static_cast<char>(process.nice);
    info.pr_uid = process.credentials.uid;
    info.pr_gid = process.credentials.gid;
    info.pr_pid = static_cast<i32>(process.pid());
    info.pr_ppid = static_cast<i32>(process.parent() ? process.parent()->pid() : 0);
    info.pr_pgrp = static_cast<i32>(process.pgid);
    info.pr_sid = static_cast<i32>(process.sid);
    klib::strlcpy(info.pr_fname, process.comm(), sizeof(info.pr_fname));
    // The command line with its NULs as spaces, as Linux's fill_psinfo.
    usize length = kstd::min<usize>(space.arg_end - space.arg_start, PSARGS_SIZE - 1);
    if (space.arg_end <= space.arg_start ||
        mm::copy_from_user(info.pr_psargs, UserPtr<const void>(space.arg_start), length).is_error())
        length = 0;
    for (usize i = 0; i < length; i++) {
        if (info.pr_psargs[i] == '\0') info.pr_psargs[i] = ' ';
    }
    while (length && info.pr_psargs[length - 1] == ' ') length--;
    info.pr_psargs[length] = '\0';
}

CoreDescription CoreSnapshot::description() const {
    CoreDescription description{};
    description.threads = {m_threads, m_thread_count};
    description.psinfo = m_psinfo;
    description.siginfo = m_siginfo;
    description.auxv = {m_auxv, m_auxv_size};
    description.files = {m_files, m_file_count};
    description.regions = {m_regions, m_region_count};
    return description;
}

Result<bool> AddressSpaceSource::read_page(u64 address, u8* page) {
    MutexGuard guard(m_space.lock());
    Vma* vma = m_space.find_vma(address);
    if (!vma || vma->kind == VmaKind::Vvar) return false;
    if (auto translation = arch::translate(m_space.page_table(), address);
        translation && translation->attributes.user) {
        memcpy(page, mm::phys_to_virt<const u8>(translation->phys), CORE_PAGE_SIZE);
        return true;
    }
    if (!vma->object) return false;  // anonymous memory never touched: a hole, as on Linux
    auto object_page = vma->object->get_page((vma->offset + (address - vma->start)) / CORE_PAGE_SIZE);
    if (object_page.is_error()) return false;  // past the end of the file
    memcpy(page, mm::page_address(object_page.value()), CORE_PAGE_SIZE);
    mm::put_page(object_page.value());
    return true;
}

}  // namespace coredump
