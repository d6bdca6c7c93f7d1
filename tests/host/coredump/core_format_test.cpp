// Host tests: the ELF core file (proc/core_format.cpp). A synthetic two-thread process is
// written to a file, then parsed back byte for byte, and read by binutils' readelf and by
// gdb, which must find the notes, the segments, the registers and the memory. The note
// structures are checked field by field against glibc's <sys/procfs.h>.
#include "proc/core_format.h"

#include <gtest/gtest.h>
#include <linux/auxvec.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/procfs.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

using namespace coredump;

namespace {

// The layouts are Linux's: every offset as glibc's <sys/procfs.h> has it.
#define SAME_FIELD(ours, theirs, field) \
    static_assert(offsetof(ours, field) == offsetof(theirs, field), #field " differs from <sys/procfs.h>")
static_assert(sizeof(ElfPrstatus) == sizeof(struct elf_prstatus));
SAME_FIELD(ElfPrstatus, struct elf_prstatus, pr_info);
SAME_FIELD(ElfPrstatus, struct elf_prstatus, pr_cursig);
SAME_FIELD(ElfPrstatus, struct elf_prstatus, pr_sigpend);
SAME_FIELD(ElfPrstatus, struct elf_prstatus, pr_sighold);
SAME_FIELD(ElfPrstatus, struct elf_prstatus, pr_pid);
SAME_FIELD(ElfPrstatus, struct elf_prstatus, pr_ppid);
SAME_FIELD(ElfPrstatus, struct elf_prstatus, pr_pgrp);
SAME_FIELD(ElfPrstatus, struct elf_prstatus, pr_sid);
SAME_FIELD(ElfPrstatus, struct elf_prstatus, pr_utime);
SAME_FIELD(ElfPrstatus, struct elf_prstatus, pr_cstime);
SAME_FIELD(ElfPrstatus, struct elf_prstatus, pr_reg);
SAME_FIELD(ElfPrstatus, struct elf_prstatus, pr_fpvalid);
static_assert(sizeof(ElfPrpsinfo) == sizeof(struct elf_prpsinfo));
SAME_FIELD(ElfPrpsinfo, struct elf_prpsinfo, pr_state);
SAME_FIELD(ElfPrpsinfo, struct elf_prpsinfo, pr_nice);
SAME_FIELD(ElfPrpsinfo, struct elf_prpsinfo, pr_flag);
SAME_FIELD(ElfPrpsinfo, struct elf_prpsinfo, pr_uid);
SAME_FIELD(ElfPrpsinfo, struct elf_prpsinfo, pr_gid);
SAME_FIELD(ElfPrpsinfo, struct elf_prpsinfo, pr_pid);
SAME_FIELD(ElfPrpsinfo, struct elf_prpsinfo, pr_sid);
SAME_FIELD(ElfPrpsinfo, struct elf_prpsinfo, pr_fname);
SAME_FIELD(ElfPrpsinfo, struct elf_prpsinfo, pr_psargs);
static_assert(REGISTER_COUNT == ELF_NGREG);
static_assert(sizeof(struct user_fpregs_struct) == FPREGS_SIZE);
// The register order is <sys/user.h>'s struct user_regs_struct.
static_assert(offsetof(struct user_regs_struct, rip) == REGISTER_RIP * 8);
static_assert(offsetof(struct user_regs_struct, rsp) == REGISTER_RSP * 8);
static_assert(offsetof(struct user_regs_struct, orig_rax) == REGISTER_ORIG_RAX * 8);
static_assert(offsetof(struct user_regs_struct, fs_base) == REGISTER_FS_BASE * 8);
static_assert(offsetof(struct user_regs_struct, gs) == REGISTER_GS * 8);

class VectorSink final : public CoreSink {
public:
    ErrorOr emit(const void* data, usize length) override {
        if (m_bytes.size() < m_position) m_bytes.resize(m_position);
        const u8* bytes = static_cast<const u8*>(data);
        m_bytes.insert(m_bytes.end(), bytes, bytes + length);
        m_position += length;
        return {};
    }
    ErrorOr skip(usize length) override {
        m_position += length;
        return {};
    }
    // Holes at the end still count, as Linux's final one-byte write makes them count.
    std::vector<u8> finish() {
        m_bytes.resize(m_position);
        return m_bytes;
    }

private:
    std::vector<u8> m_bytes;
    usize m_position = 0;
};

constexpr u64 CODE = 0x400000, STACK = 0x7ffff0000000;

// Memory: each page filled with a byte derived from its address; the second stack page absent.
class PatternSource final : public CoreSource {
public:
    Result<bool> read_page(u64 address, u8* page) override {
        if (address == STACK + CORE_PAGE_SIZE) return false;
        memset(page, static_cast<int>((address >> 12) & 0xff), CORE_PAGE_SIZE);
        if (address == CODE) memcpy(page, ELFMAG, SELFMAG);
        if (address == STACK) memcpy(page, "stack-top", 10);
        reads++;
        return true;
    }
    int reads = 0;
};

struct Synthetic {
    CoreThread threads[2] = {};
    CoreRegion regions[3] = {};
    CoreMappedFile files[1] = {};
    u8 siginfo[SIGINFO_SIZE] = {};
    u64 auxv[4] = {AT_PAGESZ, 4096, AT_NULL, 0};
    CoreDescription description;

    Synthetic() {
        for (int i = 0; i < 2; i++) {
            ElfPrstatus& status = threads[i].status;
            status.pr_info.si_signo = 11;
            status.pr_cursig = 11;  // every thread carries the fatal signal, as on Linux
            status.pr_pid = 1234 + i;
            status.pr_ppid = 1;
            status.pr_pgrp = 1234;
            status.pr_sid = 1000;
            status.pr_sighold = 0x4;
            for (usize r = 0; r < REGISTER_COUNT; r++) status.pr_reg[r] = 0x1000 * (i + 1) + r;
            status.pr_reg[REGISTER_RIP] = CODE + 0x10 + static_cast<u64>(i);
            status.pr_reg[REGISTER_RSP] = STACK + 0x100;
            status.pr_reg[REGISTER_CS] = 0x33;
            status.pr_reg[REGISTER_SS] = 0x2b;
            status.pr_reg[REGISTER_EFLAGS] = 0x246;
            status.pr_fpvalid = 1;
            threads[i].has_fpregs = true;
            u16 fcw = 0x37f;
            u32 mxcsr = 0x1f80;
            memcpy(threads[i].fpregs, &fcw, 2);
            memcpy(threads[i].fpregs + 24, &mxcsr, 4);
        }
        regions[0] = {CODE, CODE + 2 * CORE_PAGE_SIZE, PF_R | PF_X, CORE_PAGE_SIZE};
        regions[1] = {0x600000, 0x601000, PF_R | PF_W, 0};
        regions[2] = {STACK, STACK + 2 * CORE_PAGE_SIZE, PF_R | PF_W, 2 * CORE_PAGE_SIZE};
        files[0] = {CODE, CODE + 2 * CORE_PAGE_SIZE, 0, "/usr/bin/crasher"};
        siginfo[0] = 11;
        siginfo[8] = 1;  // si_code SEGV_MAPERR

        ElfPrpsinfo& psinfo = description.psinfo;
        psinfo.pr_sname = 'R';
        psinfo.pr_uid = 1000;
        psinfo.pr_gid = 100;
        psinfo.pr_pid = 1234;
        psinfo.pr_ppid = 1;
        strcpy(psinfo.pr_fname, "crasher");
        strcpy(psinfo.pr_psargs, "crasher --now");
        description.threads = threads;
        description.regions = regions;
        description.files = files;
        description.siginfo = siginfo;
        description.auxv = kstd::span<const u8>(reinterpret_cast<const u8*>(auxv), sizeof(auxv));
    }
};

std::vector<u8> write_synthetic(Synthetic& synthetic) {
    VectorSink sink;
    PatternSource source;
    std::vector<u8> page(CORE_PAGE_SIZE);
    EXPECT_FALSE(write_core(synthetic.description, source, sink, page.data()).is_error());
    EXPECT_EQ(source.reads, 2);  // the code page and the stack's first page
    return sink.finish();
}

std::string save(const std::vector<u8>& bytes) {
    char path[] = "/tmp/strix-core-XXXXXX";
    int fd = mkstemp(path);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    close(fd);
    return path;
}

std::string run(const std::string& command) {
    std::string output;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (!pipe) return output;
    char buffer[4096];
    for (usize n; (n = fread(buffer, 1, sizeof(buffer), pipe)) > 0;) output.append(buffer, n);
    pclose(pipe);
    return output;
}

TEST(CoreFormat, HeadersParseBack) {
    Synthetic synthetic;
    std::vector<u8> core = write_synthetic(synthetic);
    CoreLayout layout = core_layout(synthetic.description).value();
    ASSERT_EQ(core.size(), layout.file_size);
    ASSERT_EQ(layout.data_offset % CORE_PAGE_SIZE, 0u);
    ASSERT_EQ(layout.file_size, layout.data_offset + 3 * CORE_PAGE_SIZE);

    Elf64_Ehdr header;
    memcpy(&header, core.data(), sizeof(header));
    EXPECT_EQ(memcmp(header.e_ident, ELFMAG, SELFMAG), 0);
    EXPECT_EQ(header.e_ident[EI_CLASS], ELFCLASS64);
    EXPECT_EQ(header.e_type, ET_CORE);
    EXPECT_EQ(header.e_machine, EM_X86_64);
    EXPECT_EQ(header.e_phnum, 4);
    EXPECT_EQ(header.e_shnum, 0);

    Elf64_Phdr phdrs[4];
    memcpy(phdrs, core.data() + header.e_phoff, sizeof(phdrs));
    EXPECT_EQ(phdrs[0].p_type, PT_NOTE);
    EXPECT_EQ(phdrs[0].p_offset, layout.notes_offset);
    EXPECT_EQ(phdrs[1].p_type, PT_LOAD);
    EXPECT_EQ(phdrs[1].p_offset, layout.data_offset);
    EXPECT_EQ(phdrs[1].p_vaddr, CODE);
    EXPECT_EQ(phdrs[1].p_filesz, CORE_PAGE_SIZE);
    EXPECT_EQ(phdrs[1].p_memsz, 2 * CORE_PAGE_SIZE);
    EXPECT_EQ(phdrs[2].p_filesz, 0u);
    EXPECT_EQ(phdrs[3].p_offset, layout.data_offset + CORE_PAGE_SIZE);

    // Contents: the code page's ELF magic, the stack's text, then a hole of zeros.
    EXPECT_EQ(memcmp(core.data() + phdrs[1].p_offset, ELFMAG, SELFMAG), 0);
    EXPECT_STREQ(reinterpret_cast<const char*>(core.data() + phdrs[3].p_offset), "stack-top");
    for (u64 i = 0; i < CORE_PAGE_SIZE; i++) ASSERT_EQ(core[phdrs[3].p_offset + CORE_PAGE_SIZE + i], 0);

    // The notes in Linux's order, each "CORE", with the first thread's prstatus first.
    const u32 expected[] = {NT_PRSTATUS, NT_PRPSINFO, NT_SIGINFO,  NT_AUXV,
                            NT_FILE,     NT_PRFPREG,  NT_PRSTATUS, NT_PRFPREG};
    u64 at = layout.notes_offset;
    for (u32 type : expected) {
        Elf64_Nhdr note;
        memcpy(&note, core.data() + at, sizeof(note));
        EXPECT_EQ(note.n_type, type);
        EXPECT_EQ(note.n_namesz, 5u);
        EXPECT_STREQ(reinterpret_cast<const char*>(core.data() + at + sizeof(note)), "CORE");
        if (type == NT_PRSTATUS) {
            struct elf_prstatus status;
            ASSERT_EQ(note.n_descsz, sizeof(status));
            memcpy(&status, core.data() + at + sizeof(note) + 8, sizeof(status));
            EXPECT_TRUE(status.pr_pid == 1234 || status.pr_pid == 1235);
            EXPECT_EQ(status.pr_reg[REGISTER_RSP], STACK + 0x100);
        }
        at += sizeof(note) + 8 + ((note.n_descsz + 3) & ~3u);
    }
    EXPECT_EQ(at, layout.notes_offset + layout.notes_size);
}

TEST(CoreFormat, RejectsBadDescriptions) {
    Synthetic synthetic;
    CoreRegion overlapping[2] = {{0x1000, 0x3000, PF_R, 0}, {0x2000, 0x4000, PF_R, 0}};
    synthetic.description.regions = overlapping;
    EXPECT_TRUE(core_layout(synthetic.description).is_error());
    CoreRegion unaligned[1] = {{0x1000, 0x1800, PF_R, 0}};
    synthetic.description.regions = unaligned;
    EXPECT_TRUE(core_layout(synthetic.description).is_error());
    CoreRegion too_much[1] = {{0x1000, 0x2000, PF_R, 0x2000}};
    synthetic.description.regions = too_much;
    EXPECT_TRUE(core_layout(synthetic.description).is_error());
    synthetic.description.threads = {};
    EXPECT_TRUE(core_layout(synthetic.description).is_error());
}

TEST(CoreFormat, ReadelfReadsNotesAndSegments) {
    Synthetic synthetic;
    std::string path = save(write_synthetic(synthetic));
    std::string notes = run("readelf -n " + path);
    EXPECT_NE(notes.find("NT_PRSTATUS"), std::string::npos) << notes;
    EXPECT_NE(notes.find("NT_PRPSINFO"), std::string::npos) << notes;
    EXPECT_NE(notes.find("NT_SIGINFO"), std::string::npos) << notes;
    EXPECT_NE(notes.find("NT_AUXV"), std::string::npos) << notes;
    EXPECT_NE(notes.find("NT_FPREGSET"), std::string::npos) << notes;
    EXPECT_NE(notes.find("NT_FILE"), std::string::npos) << notes;
    std::string segments = run("readelf -lW " + path);
    EXPECT_NE(segments.find("CORE (Core file)"), std::string::npos) << segments;
    EXPECT_NE(
        segments.find(
            "LOAD           0x001000 0x0000000000400000 0x0000000000000000 0x001000 0x002000 R E 0x1000"),
        std::string::npos)
        << segments;
    if (getenv("STRIX_KEEP_CORE"))
        printf("core kept at %s\n", path.c_str());
    else
        unlink(path.c_str());
}

TEST(CoreFormat, GdbReadsThreadsRegistersAndMemory) {
    Synthetic synthetic;
    std::string path = save(write_synthetic(synthetic));
    std::string output = run("gdb -nx -batch -c " + path +
                             " -ex 'info threads' -ex 'p/x $rip' -ex 'p/x $r15' -ex 'x/s 0x7ffff0000000'"
                             " -ex 'p/x $mxcsr'");
    EXPECT_NE(output.find("Program terminated with signal SIGSEGV"), std::string::npos) << output;
    EXPECT_NE(output.find("LWP 1234"), std::string::npos) << output;
    EXPECT_NE(output.find("LWP 1235"), std::string::npos) << output;
    EXPECT_NE(output.find("= 0x400010"), std::string::npos) << output;
    EXPECT_NE(output.find("= 0x1000"), std::string::npos) << output;  // r15 of thread 1 is register 0
    EXPECT_NE(output.find("\"stack-top\""), std::string::npos) << output;
    EXPECT_NE(output.find("= 0x1f80"), std::string::npos) << output;
    unlink(path.c_str());
}

TEST(CoreFormat, DumpSizeFollowsTheDefaultFilter) {
    const u64 start = 0x10000, end = 0x14000;
    MappingTraits anonymous{.readable = true, .shared = false, .anonymous = true};
    EXPECT_EQ(dump_size_for(anonymous, start, end), end - start);
    MappingTraits none = anonymous;
    none.readable = false;
    EXPECT_EQ(dump_size_for(none, start, end), 0u);
    MappingTraits shared_anonymous{.readable = true, .shared = true, .anonymous = true};
    EXPECT_EQ(dump_size_for(shared_anonymous, start, end), end - start);
    MappingTraits shared_file{.readable = true, .shared = true, .anonymous = false};
    EXPECT_EQ(dump_size_for(shared_file, start, end), 0u);
    MappingTraits elf_text{.readable = true, .offset_zero = true, .elf_header = true};
    EXPECT_EQ(dump_size_for(elf_text, start, end), CORE_PAGE_SIZE);
    MappingTraits data_file{.readable = true, .offset_zero = true, .elf_header = false};
    EXPECT_EQ(dump_size_for(data_file, start, end), 0u);
    MappingTraits written{.readable = true, .private_copies = true};
    EXPECT_EQ(dump_size_for(written, start, end), end - start);
}

}  // namespace
