// Processes: reading ELF executables (ELF-64, x86_64, ET_EXEC and ET_DYN) — the checks
// that turn a malformed or hostile file into ENOEXEC before anything is mapped.
//
// Pure logic over bytes already read from the file, so the host tests feed it every
// kind of broken header. Rules: Linux's fs/binfmt_elf.c plus stricter ones of our own:
// PT_LOAD segments must be in ascending order and must not overlap; a segment both
// writable and executable is refused (EACCES: Strix keeps W^X for user memory too).
#pragma once

#include <linux/elf.h>

#include "lib/kstd.h"
#include "lib/result.h"

namespace elf {

constexpr usize MAX_PROGRAM_HEADERS = 128;
constexpr usize MAX_SEGMENTS = 32;

struct Segment {
    u64 vaddr;
    u64 memory_size;
    u64 file_offset;
    u64 file_size;
    int prot;  // PROT_READ | PROT_WRITE | PROT_EXEC
};

struct Image {
    bool position_independent;  // ET_DYN: loaded at a chosen base
    u64 entry;
    u64 phdr_vaddr;             // where the program headers are in memory (for AT_PHDR), 0 if not loaded
    u16 phnum;
    u16 phentsize;
    u64 phoff;
    Segment segments[MAX_SEGMENTS];
    usize segment_count;
    u64 lowest_vaddr;           // page-aligned start of the first segment
    u64 highest_vaddr;          // end of the last segment
    bool has_interpreter;
    u64 interpreter_offset;
    u64 interpreter_length;     // including the NUL
    bool executable_stack;
};

// Reads the ELF header: ENOEXEC unless it is an ELF-64 x86_64 executable or shared object.
// `header` holds at least the first min(file_size, 64) bytes of the file.
ErrorOr parse_header(kstd::span<const u8> header, u64 file_size, Image& out);
// Reads the program headers (e_phnum entries of e_phentsize bytes from e_phoff).
ErrorOr parse_program_headers(kstd::span<const u8> program_headers, u64 file_size, u64 user_end, Image& out);

}  // namespace elf
