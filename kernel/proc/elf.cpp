// Processes: ELF parsing and validation (see elf.h).
#include "proc/elf.h"

#include <asm/mman.h>

#include "lib/string.h"

namespace elf {
namespace {
constexpr u64 PAGE = 4096;
}

ErrorOr parse_header(kstd::span<const u8> bytes, u64 file_size, Image& out) {
    out = Image{};
    if (bytes.size() < sizeof(Elf64_Ehdr) || file_size < sizeof(Elf64_Ehdr)) return err(ENOEXEC);
    Elf64_Ehdr header;
    memcpy(&header, bytes.data(), sizeof(header));
    if (memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) return err(ENOEXEC);
    if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_ident[EI_DATA] != ELFDATA2LSB ||
        header.e_ident[EI_VERSION] != EV_CURRENT)
        return err(ENOEXEC);
    if (header.e_machine != EM_X86_64) return err(ENOEXEC);
    if (header.e_type != ET_EXEC && header.e_type != ET_DYN) return err(ENOEXEC);
    if (header.e_phentsize != sizeof(Elf64_Phdr)) return err(ENOEXEC);
    if (header.e_phnum == 0 || header.e_phnum > MAX_PROGRAM_HEADERS) return err(ENOEXEC);
    u64 table_end;
    if (__builtin_add_overflow(header.e_phoff, u64(header.e_phnum) * sizeof(Elf64_Phdr), &table_end) ||
        table_end > file_size)
        return err(ENOEXEC);
    out.position_independent = header.e_type == ET_DYN;
    out.entry = header.e_entry;
    out.phnum = header.e_phnum;
    out.phentsize = header.e_phentsize;
    out.phoff = header.e_phoff;
    return {};
}

ErrorOr parse_program_headers(kstd::span<const u8> bytes, u64 file_size, u64 user_end, Image& out) {
    if (bytes.size() < usize(out.phnum) * sizeof(Elf64_Phdr)) return err(ENOEXEC);
    out.segment_count = 0;
    out.has_interpreter = false;
    out.executable_stack = false;
    u64 previous_end = 0;
    u64 explicit_phdr = 0;
    for (u16 i = 0; i < out.phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, bytes.data() + i * sizeof(Elf64_Phdr), sizeof(ph));
        switch (ph.p_type) {
        case PT_LOAD: {
            if (ph.p_memsz == 0) continue;
            if (out.segment_count == MAX_SEGMENTS) return err(ENOEXEC);
            if (ph.p_filesz > ph.p_memsz) return err(ENOEXEC);
            u64 file_end, memory_end;
            if (__builtin_add_overflow(ph.p_offset, ph.p_filesz, &file_end) || file_end > file_size)
                return err(ENOEXEC);
            if (__builtin_add_overflow(ph.p_vaddr, ph.p_memsz, &memory_end) || memory_end > user_end)
                return err(ENOEXEC);
            // The file offset and the address must agree within a page, so the page that
            // holds the segment's first byte can be mapped straight from the file.
            if ((ph.p_vaddr % PAGE) != (ph.p_offset % PAGE)) return err(ENOEXEC);
            if (ph.p_vaddr < previous_end) return err(ENOEXEC);  // out of order or overlapping
            int prot = ((ph.p_flags & PF_R) ? PROT_READ : 0) | ((ph.p_flags & PF_W) ? PROT_WRITE : 0) |
                       ((ph.p_flags & PF_X) ? PROT_EXEC : 0);
            if ((prot & PROT_WRITE) && (prot & PROT_EXEC)) return err(EACCES);
            out.segments[out.segment_count++] = {ph.p_vaddr, ph.p_memsz, ph.p_offset, ph.p_filesz, prot};
            previous_end = memory_end;
            break;
        }
        case PT_INTERP:
            if (out.has_interpreter) return err(ENOEXEC);
            if (ph.p_filesz < 2 || ph.p_filesz > 4096 || ph.p_offset + ph.p_filesz > file_size ||
                ph.p_offset + ph.p_filesz < ph.p_offset)
                return err(ENOEXEC);
            out.has_interpreter = true;
            out.interpreter_offset = ph.p_offset;
            out.interpreter_length = ph.p_filesz;
            break;
        case PT_GNU_STACK:
            out.executable_stack = ph.p_flags & PF_X;
            break;
        case PT_PHDR:
            explicit_phdr = ph.p_vaddr;
            break;
        default:
            break;
        }
    }
    if (out.segment_count == 0) return err(ENOEXEC);
    out.lowest_vaddr = out.segments[0].vaddr & ~(PAGE - 1);
    out.highest_vaddr = previous_end;
    // AT_PHDR: PT_PHDR when given, else the headers inside the segment that maps them.
    out.phdr_vaddr = explicit_phdr;
    if (!out.phdr_vaddr) {
        for (usize i = 0; i < out.segment_count; i++) {
            const Segment& s = out.segments[i];
            if (out.phoff >= s.file_offset && out.phoff + usize(out.phnum) * sizeof(Elf64_Phdr) <= s.file_offset + s.file_size)
                out.phdr_vaddr = s.vaddr + (out.phoff - s.file_offset);
        }
    }
    // An entry point outside every segment is not refused: like Linux, the program starts
    // and takes SIGSEGV at its first instruction.
    return {};
}

}  // namespace elf
