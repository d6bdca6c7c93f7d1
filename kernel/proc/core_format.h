// Processes: the ELF core file format (Linux's fs/binfmt_elf.c elf_core_dump) — an
// ET_CORE file with one PT_NOTE (per-thread registers, process information, the fatal
// signal, the auxiliary vector, the mapped files) and one PT_LOAD per memory region, in
// address order, followed by the regions' contents.
//
// Pure: it builds the file from a description of threads and regions and writes it to a
// sink, reading memory through a source, so the host tests check the bytes against
// readelf and the C library's <sys/procfs.h> layouts. The kernel glue (coredump.cpp)
// fills the description from a dying process and writes through the VFS.
#pragma once

#include <linux/elf.h>

#include "lib/kstd.h"
#include "lib/result.h"

namespace coredump {

// ELF_EXEC_PAGESIZE: the alignment of the data after the notes, and of PT_LOAD segments.
constexpr u64 CORE_PAGE_SIZE = 4096;
// Linux's min_coredump for ELF: a limit below one page writes nothing at all.
constexpr u64 MIN_CORE_SIZE = CORE_PAGE_SIZE;
// PN_XNUM needs extended numbering (a section header); Strix stops below it.
constexpr usize MAX_REGIONS = PN_XNUM - 2;

// x86_64 elf_gregset_t: Linux's struct user_regs_struct (<sys/user.h>), register by register.
enum Register : usize {
    REGISTER_R15,
    REGISTER_R14,
    REGISTER_R13,
    REGISTER_R12,
    REGISTER_RBP,
    REGISTER_RBX,
    REGISTER_R11,
    REGISTER_R10,
    REGISTER_R9,
    REGISTER_R8,
    REGISTER_RAX,
    REGISTER_RCX,
    REGISTER_RDX,
    REGISTER_RSI,
    REGISTER_RDI,
    REGISTER_ORIG_RAX,
    REGISTER_RIP,
    REGISTER_CS,
    REGISTER_EFLAGS,
    REGISTER_RSP,
    REGISTER_SS,
    REGISTER_FS_BASE,
    REGISTER_GS_BASE,
    REGISTER_DS,
    REGISTER_ES,
    REGISTER_FS,
    REGISTER_GS,
    REGISTER_COUNT,  // ELF_NGREG
};

// Linux's <linux/elfcore.h> structures for x86_64 (the UAPI headers Debian ships omit
// them; the host tests check every offset against glibc's <sys/procfs.h>).
struct ElfSiginfo {
    i32 si_signo;
    i32 si_code;
    i32 si_errno;
};
struct ElfTimeval {
    i64 tv_sec;
    i64 tv_usec;
};
struct ElfPrstatus {
    ElfSiginfo pr_info;
    i16 pr_cursig;
    u64 pr_sigpend;
    u64 pr_sighold;
    i32 pr_pid, pr_ppid, pr_pgrp, pr_sid;
    ElfTimeval pr_utime, pr_stime, pr_cutime, pr_cstime;
    u64 pr_reg[REGISTER_COUNT];
    i32 pr_fpvalid;
};
static_assert(sizeof(ElfPrstatus) == 336);

constexpr usize PSARGS_SIZE = 80;  // ELF_PRARGSZ
struct ElfPrpsinfo {
    char pr_state;  // numeric process state
    char pr_sname;  // its letter, as /proc/<pid>/stat
    char pr_zomb;
    char pr_nice;
    u64 pr_flag;
    u32 pr_uid, pr_gid;
    i32 pr_pid, pr_ppid, pr_pgrp, pr_sid;
    char pr_fname[16];
    char pr_psargs[PSARGS_SIZE];
};
static_assert(sizeof(ElfPrpsinfo) == 136);

// NT_PRFPREG: the 512-byte FXSAVE image (struct user_fpregs_struct).
constexpr usize FPREGS_SIZE = 512;
// NT_SIGINFO: the user's siginfo_t.
constexpr usize SIGINFO_SIZE = 128;

struct CoreThread {
    ElfPrstatus status;
    u8 fpregs[FPREGS_SIZE];
    bool has_fpregs;
};

// One PT_LOAD: [start, end) with PF_R/PF_W/PF_X flags; the first dump_size bytes (a
// multiple of the page size, at most end - start) are in the file.
struct CoreRegion {
    u64 start;
    u64 end;
    u32 flags;
    u64 dump_size;
};

// One NT_FILE entry: a mapping of a named file, its offset in pages.
struct CoreMappedFile {
    u64 start;
    u64 end;
    u64 page_offset;
    kstd::string_view name;
};

struct CoreDescription {
    kstd::span<const CoreThread> threads;  // the first is the thread that took the signal
    ElfPrpsinfo psinfo;
    kstd::span<const u8> siginfo;  // SIGINFO_SIZE bytes
    kstd::span<const u8> auxv;     // the saved auxiliary vector, AT_NULL included
    kstd::span<const CoreMappedFile> files;
    kstd::span<const CoreRegion> regions;  // in address order
};

// Where the bytes go. A skip leaves a hole that reads as zeros (Linux's dump_skip).
class CoreSink {
public:
    virtual ErrorOr emit(const void* data, usize length) = 0;
    virtual ErrorOr skip(usize length) = 0;

protected:
    ~CoreSink() = default;
};

// Where memory comes from: one page at `address` into `page` (CORE_PAGE_SIZE bytes).
// False means the page has no contents worth writing (never touched, or unreadable):
// the file gets a hole there, as Linux does when get_dump_page finds nothing.
class CoreSource {
public:
    virtual Result<bool> read_page(u64 address, u8* page) = 0;

protected:
    ~CoreSource() = default;
};

struct CoreLayout {
    u16 program_header_count;  // PT_NOTE + one PT_LOAD per region
    u64 notes_offset;
    u64 notes_size;
    u64 data_offset;  // page-aligned start of the first region's contents
    u64 file_size;    // the whole file, holes included
};

// EINVAL for a description that cannot be written (no thread, too many regions,
// a region not page-aligned or out of order).
Result<CoreLayout> core_layout(const CoreDescription& description);

// Writes the whole file: ELF header, program headers, notes, then each region's
// contents page by page. `page` is CORE_PAGE_SIZE bytes of scratch space. Stops at the
// first error of the sink or the source.
ErrorOr write_core(const CoreDescription& description, CoreSource& source, CoreSink& sink, u8* page);

// Linux's vma_dump_size with the default coredump_filter (0x33): how many bytes of a
// mapping go into the file.
struct MappingTraits {
    bool readable;        // PROT_READ (Linux dumps nothing of an unreadable mapping)
    bool shared;          // MAP_SHARED
    bool anonymous;       // no file behind it (shared anonymous memory counts as anonymous)
    bool private_copies;  // a private file mapping some of whose pages were copied (anon_vma)
    bool offset_zero;     // the mapping starts at the file's first byte
    bool elf_header;      // ... and the file starts with the ELF magic
};
u64 dump_size_for(const MappingTraits& traits, u64 start, u64 end);

}  // namespace coredump
