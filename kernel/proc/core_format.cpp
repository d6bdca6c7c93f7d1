// Processes: the ELF core file format (see core_format.h). The notes follow Linux's order
// (fs/binfmt_elf.c write_note_info): the first thread's NT_PRSTATUS, then the process's
// NT_PRPSINFO, NT_SIGINFO, NT_AUXV and NT_FILE, then that thread's NT_PRFPREG; every
// other thread adds its NT_PRSTATUS and NT_PRFPREG. Each note is named "CORE".
#include "proc/core_format.h"

#include "lib/string.h"

namespace coredump {
namespace {

constexpr char NOTE_NAME[] = "CORE";  // with its NUL: namesz 5
constexpr u32 NOTE_NAME_SIZE = sizeof(NOTE_NAME);

constexpr u64 align4(u64 value) { return (value + 3) & ~u64(3); }
constexpr u64 align_page(u64 value) { return (value + CORE_PAGE_SIZE - 1) & ~(CORE_PAGE_SIZE - 1); }

constexpr u64 note_size(u64 descsz) { return sizeof(Elf64_Nhdr) + align4(NOTE_NAME_SIZE) + align4(descsz); }

u64 file_note_size(const CoreDescription& description) {
    u64 size = 2 * sizeof(u64) + description.files.size() * 3 * sizeof(u64);
    for (const CoreMappedFile& file : description.files) size += file.name.size() + 1;
    return size;
}

u64 notes_size(const CoreDescription& description) {
    u64 size = note_size(sizeof(ElfPrpsinfo)) + note_size(SIGINFO_SIZE) + note_size(description.auxv.size()) +
               note_size(file_note_size(description));
    for (const CoreThread& thread : description.threads) {
        size += note_size(sizeof(ElfPrstatus));
        if (thread.has_fpregs) size += note_size(FPREGS_SIZE);
    }
    return size;
}

const u8 g_zeros[8] = {};

ErrorOr emit_padding(CoreSink& sink, u64 length) { return length ? sink.emit(g_zeros, length) : ErrorOr(); }

ErrorOr emit_note_header(CoreSink& sink, u32 type, u64 descsz) {
    Elf64_Nhdr header{
        .n_namesz = NOTE_NAME_SIZE, .n_descsz = static_cast<Elf64_Word>(descsz), .n_type = type};
    TRY(sink.emit(&header, sizeof(header)));
    TRY(sink.emit(NOTE_NAME, NOTE_NAME_SIZE));
    return emit_padding(sink, align4(NOTE_NAME_SIZE) - NOTE_NAME_SIZE);
}

ErrorOr emit_note(CoreSink& sink, u32 type, const void* desc, u64 descsz) {
    TRY(emit_note_header(sink, type, descsz));
    if (descsz) TRY(sink.emit(desc, descsz));
    return emit_padding(sink, align4(descsz) - descsz);
}

// NT_FILE: count, page size, (start, end, offset in pages) per file, then the names.
ErrorOr emit_file_note(CoreSink& sink, const CoreDescription& description) {
    u64 descsz = file_note_size(description);
    TRY(emit_note_header(sink, NT_FILE, descsz));
    u64 head[2] = {description.files.size(), CORE_PAGE_SIZE};
    TRY(sink.emit(head, sizeof(head)));
    for (const CoreMappedFile& file : description.files) {
        u64 entry[3] = {file.start, file.end, file.page_offset};
        TRY(sink.emit(entry, sizeof(entry)));
    }
    for (const CoreMappedFile& file : description.files) {
        if (!file.name.empty()) TRY(sink.emit(file.name.data(), file.name.size()));
        TRY(sink.emit(g_zeros, 1));
    }
    return emit_padding(sink, align4(descsz) - descsz);
}

ErrorOr emit_notes(CoreSink& sink, const CoreDescription& description) {
    bool first = true;
    for (const CoreThread& thread : description.threads) {
        TRY(emit_note(sink, NT_PRSTATUS, &thread.status, sizeof(thread.status)));
        if (first) {
            TRY(emit_note(sink, NT_PRPSINFO, &description.psinfo, sizeof(description.psinfo)));
            TRY(emit_note(sink, NT_SIGINFO, description.siginfo.data(), SIGINFO_SIZE));
            TRY(emit_note(sink, NT_AUXV, description.auxv.data(), description.auxv.size()));
            TRY(emit_file_note(sink, description));
            first = false;
        }
        if (thread.has_fpregs) TRY(emit_note(sink, NT_PRFPREG, thread.fpregs, FPREGS_SIZE));
    }
    return {};
}

Elf64_Ehdr make_elf_header(u16 program_header_count) {
    Elf64_Ehdr header{};
    memcpy(header.e_ident, ELFMAG, SELFMAG);
    header.e_ident[EI_CLASS] = ELFCLASS64;
    header.e_ident[EI_DATA] = ELFDATA2LSB;
    header.e_ident[EI_VERSION] = EV_CURRENT;
    header.e_ident[EI_OSABI] = ELFOSABI_NONE;
    header.e_type = ET_CORE;
    header.e_machine = EM_X86_64;
    header.e_version = EV_CURRENT;
    header.e_phoff = sizeof(Elf64_Ehdr);
    header.e_ehsize = sizeof(Elf64_Ehdr);
    header.e_phentsize = sizeof(Elf64_Phdr);
    header.e_phnum = program_header_count;
    return header;
}

// The region's contents, a page at a time; absent pages become holes.
ErrorOr emit_region(const CoreRegion& region, CoreSource& source, CoreSink& sink, u8* page) {
    for (u64 address = region.start; address < region.start + region.dump_size; address += CORE_PAGE_SIZE) {
        if (TRY(source.read_page(address, page)))
            TRY(sink.emit(page, CORE_PAGE_SIZE));
        else
            TRY(sink.skip(CORE_PAGE_SIZE));
    }
    return {};
}

}  // namespace

Result<CoreLayout> core_layout(const CoreDescription& description) {
    if (description.threads.empty() || description.regions.size() > MAX_REGIONS) return err(EINVAL);
    if (description.siginfo.size() != SIGINFO_SIZE || description.auxv.size() > 0xffffffffu)
        return err(EINVAL);
    u64 previous_end = 0;
    for (const CoreRegion& region : description.regions) {
        bool aligned = region.start % CORE_PAGE_SIZE == 0 && region.end % CORE_PAGE_SIZE == 0 &&
                       region.dump_size % CORE_PAGE_SIZE == 0;
        if (!aligned || region.end <= region.start || region.start < previous_end ||
            region.dump_size > region.end - region.start)
            return err(EINVAL);
        previous_end = region.end;
    }
    CoreLayout layout{};
    layout.program_header_count = static_cast<u16>(description.regions.size() + 1);
    layout.notes_offset = sizeof(Elf64_Ehdr) + layout.program_header_count * sizeof(Elf64_Phdr);
    layout.notes_size = notes_size(description);
    layout.data_offset = align_page(layout.notes_offset + layout.notes_size);
    layout.file_size = layout.data_offset;
    for (const CoreRegion& region : description.regions) layout.file_size += region.dump_size;
    return layout;
}

ErrorOr write_core(const CoreDescription& description, CoreSource& source, CoreSink& sink, u8* page) {
    CoreLayout layout = TRY(core_layout(description));
    Elf64_Ehdr header = make_elf_header(layout.program_header_count);
    TRY(sink.emit(&header, sizeof(header)));

    Elf64_Phdr note{};
    note.p_type = PT_NOTE;
    note.p_offset = layout.notes_offset;
    note.p_filesz = layout.notes_size;
    note.p_align = 4;
    TRY(sink.emit(&note, sizeof(note)));
    u64 offset = layout.data_offset;
    for (const CoreRegion& region : description.regions) {
        Elf64_Phdr load{};
        load.p_type = PT_LOAD;
        load.p_flags = region.flags;
        load.p_offset = offset;
        load.p_vaddr = region.start;
        load.p_filesz = region.dump_size;
        load.p_memsz = region.end - region.start;
        load.p_align = CORE_PAGE_SIZE;
        TRY(sink.emit(&load, sizeof(load)));
        offset += region.dump_size;
    }

    TRY(emit_notes(sink, description));
    TRY(sink.skip(layout.data_offset - (layout.notes_offset + layout.notes_size)));
    for (const CoreRegion& region : description.regions) TRY(emit_region(region, source, sink, page));
    return {};
}

u64 dump_size_for(const MappingTraits& traits, u64 start, u64 end) {
    if (!traits.readable) return 0;
    u64 whole = end - start;
    // coredump_filter bits 0 and 1 (anonymous private and shared): the whole mapping.
    if (traits.anonymous) return whole;
    // File-backed shared (bit 3) and private (bit 2) mappings are left out...
    if (traits.shared) return 0;
    // ...except pages a private mapping copied (Linux's anon_vma test, under bit 0)...
    if (traits.private_copies) return whole;
    // ...and the first page of an ELF file (bit 4), so a debugger can tell what was mapped.
    if (traits.offset_zero && traits.elf_header) return kstd::min(whole, CORE_PAGE_SIZE);
    return 0;
}

}  // namespace coredump
