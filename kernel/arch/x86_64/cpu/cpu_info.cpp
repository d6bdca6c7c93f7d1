// x86_64 CPU: the /proc/cpuinfo stanza (see arch/cpu_info.h), as Linux's
// arch/x86/kernel/cpu/proc.c show_cpuinfo prints it, from CPUID.
//
// Feature names and their order are Linux's (arch/x86/include/asm/cpufeatures.h): words
// in their order, bits within a word in order; bits Linux hides ("") or that repeat another
// word's bit are left out. Strix runs on one processor.
#include "arch/cpu_info.h"

#include "arch/x86_64/cpu/features.h"
#include "arch/x86_64/cpu/x86.h"
#include "arch/x86_64/time/clocks.h"

namespace arch {
namespace {

enum Register : u8 { EAX, EBX, ECX, EDX };

struct FlagWord {
    u32 leaf;
    u32 subleaf;
    Register reg;
    const char* names[32];  // by bit; null where Linux prints nothing
};

// Word 0: CPUID 1 EDX.
constexpr FlagWord WORD_0 = {
    1, 0, EDX, {"fpu",  "vme",  "de",   "pse", "tsc",  "msr", "pae",   "mce", "cx8",     "apic",  nullptr,
                "sep",  "mtrr", "pge",  "mca", "cmov", "pat", "pse36", "pn",  "clflush", nullptr, "dts",
                "acpi", "mmx",  "fxsr", "sse", "sse2", "ss",  "ht",    "tm",  "ia64",    "pbe"}};
// Word 1: CPUID 0x80000001 EDX (the bits that repeat word 0 are not named again).
constexpr FlagWord WORD_1 = {
    0x80000001, 0, EDX, {nullptr, nullptr,    nullptr,   nullptr,   nullptr, nullptr, nullptr,    nullptr,
                         nullptr, nullptr,    nullptr,   "syscall", nullptr, nullptr, nullptr,    nullptr,
                         nullptr, nullptr,    nullptr,   "mp",      "nx",    nullptr, "mmxext",   nullptr,
                         nullptr, "fxsr_opt", "pdpe1gb", "rdtscp",  nullptr, "lm",    "3dnowext", "3dnow"}};
// Word 4: CPUID 1 ECX (osxsave is hidden).
constexpr FlagWord WORD_4 = {1, 0, ECX, {"pni",    "pclmulqdq", "dtes64", "monitor", "ds_cpl",
                                         "vmx",    "smx",       "est",    "tm2",     "ssse3",
                                         "cid",    "sdbg",      "fma",    "cx16",    "xtpr",
                                         "pdcm",   nullptr,     "pcid",   "dca",     "sse4_1",
                                         "sse4_2", "x2apic",    "movbe",  "popcnt",  "tsc_deadline_timer",
                                         "aes",    "xsave",     nullptr,  "avx",     "f16c",
                                         "rdrand", "hypervisor"}};
// Word 6: CPUID 0x80000001 ECX.
constexpr FlagWord WORD_6 = {
    0x80000001,
    0,
    ECX,
    {"lahf_lm",       "cmp_legacy", "svm",   "extapic",    "cr8_legacy",  "abm",    "sse4a",   "misalignsse",
     "3dnowprefetch", "osvw",       "ibs",   "xop",        "skinit",      "wdt",    nullptr,   "lwp",
     "fma4",          "tce",        nullptr, "nodeid_msr", nullptr,       "tbm",    "topoext", "perfctr_core",
     "perfctr_nb",    nullptr,      "bpext", "ptsc",       "perfctr_llc", "mwaitx", nullptr,   nullptr}};
// Word 9: CPUID 7.0 EBX.
constexpr FlagWord WORD_9 = {
    7, 0, EBX, {"fsgsbase",   "tsc_adjust", "sgx",        "bmi1",     "hle",      "avx2",     nullptr,
                "smep",       "bmi2",       "erms",       "invpcid",  "rtm",      "cqm",      nullptr,
                "mpx",        "rdt_a",      "avx512f",    "avx512dq", "rdseed",   "adx",      "smap",
                "avx512ifma", nullptr,      "clflushopt", "clwb",     "intel_pt", "avx512pf", "avx512er",
                "avx512cd",   "sha_ni",     "avx512bw",   "avx512vl"}};
// Word 10: CPUID 0xd.1 EAX.
constexpr FlagWord WORD_10 = {0xd, 1, EAX, {"xsaveopt", "xsavec", "xgetbv1", "xsaves", "xfd"}};
// Word 12: CPUID 7.1 EAX.
constexpr FlagWord WORD_12 = {7, 1, EAX, {nullptr, nullptr, nullptr, nullptr, "avx_vnni", "avx512_bf16"}};
// Word 13: CPUID 0x80000008 EBX.
constexpr FlagWord WORD_13 = {
    0x80000008,
    0,
    EBX,
    {"clzero", "irperf", "xsaveerptr", nullptr, "rdpru", nullptr, nullptr, nullptr, nullptr, "wbnoinvd"}};
// Word 14: CPUID 6 EAX.
constexpr FlagWord WORD_14 = {6,
                              0,
                              EAX,
                              {"dtherm", "ida", "arat", nullptr, "pln", nullptr, "pts", "hwp", "hwp_notify",
                               "hwp_act_window", "hwp_epp", "hwp_pkg_req"}};
// Word 16: CPUID 7.0 ECX.
constexpr FlagWord WORD_16 = {
    7, 0, ECX, {nullptr,      "avx512vbmi",   "umip",          "pku",       "ospke",
                "waitpkg",    "avx512_vbmi2", nullptr,         "gfni",      "vaes",
                "vpclmulqdq", "avx512_vnni",  "avx512_bitalg", "tme",       "avx512_vpopcntdq",
                nullptr,      "la57",         nullptr,         nullptr,     nullptr,
                nullptr,      nullptr,        "rdpid",         nullptr,     "bus_lock_detect",
                "cldemote",   nullptr,        "movdiri",       "movdir64b", "enqcmd",
                "sgx_lc"}};
// Word 18: CPUID 7.0 EDX.
constexpr FlagWord WORD_18 = {7, 0, EDX, {nullptr,         nullptr,     "avx512_4vnniw",
                                          "avx512_4fmaps", "fsrm",      nullptr,
                                          nullptr,         nullptr,     "avx512_vp2intersect",
                                          nullptr,         "md_clear",  nullptr,
                                          nullptr,         nullptr,     "serialize",
                                          nullptr,         "tsxldtrk",  nullptr,
                                          "pconfig",       "arch_lbr",  "ibt",
                                          nullptr,         "amx_bf16",  "avx512_fp16",
                                          "amx_tile",      "amx_int8",  nullptr,
                                          nullptr,         "flush_l1d", "arch_capabilities"}};

u32 register_of(const x86::CpuidResult& r, Register reg) {
    switch (reg) {
        case EAX: return r.eax;
        case EBX: return r.ebx;
        case ECX: return r.ecx;
        case EDX: return r.edx;
    }
    return 0;
}

bool leaf_exists(u32 leaf) {
    u32 base = leaf & 0x80000000;
    return x86::cpuid(base).eax >= leaf;
}

void print_word(klib::FormatSink& out, const FlagWord& word) {
    if (!leaf_exists(word.leaf)) return;
    u32 bits = register_of(x86::cpuid(word.leaf, word.subleaf), word.reg);
    for (u32 bit = 0; bit < 32; bit++) {
        if ((bits >> bit & 1) && word.names[bit]) klib::format(out, " %s", word.names[bit]);
    }
}

// The size Linux reports as "cache size": the last-level cache, from CPUID 4 (Intel's
// deterministic cache parameters) or 0x80000006 (AMD's L2/L3 descriptors).
u32 cache_size_kb() {
    u32 best = 0;
    if (leaf_exists(4)) {
        for (u32 index = 0; index < 16; index++) {
            x86::CpuidResult r = x86::cpuid(4, index);
            if ((r.eax & 0x1f) == 0) break;
            u64 bytes = u64((r.ebx >> 22) + 1) * (((r.ebx >> 12) & 0x3ff) + 1) * ((r.ebx & 0xfff) + 1) *
                        (u64(r.ecx) + 1);
            best = static_cast<u32>(bytes / 1024);
        }
    }
    if (!best && leaf_exists(0x80000006)) {
        x86::CpuidResult r = x86::cpuid(0x80000006);
        best = (r.edx >> 18) ? (r.edx >> 18) * 512 : r.ecx >> 16;
    }
    return best;
}

}  // namespace

usize online_cpu_count() { return 1; }

void describe_cpu(usize cpu, klib::FormatSink& out) {
    const x86::CpuFeatures& c = x86::g_cpu;
    x86::CpuidResult leaf0 = x86::cpuid(0);
    x86::CpuidResult leaf1 = x86::cpuid(1);
    klib::format(
        out, "processor\t: %zu\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\nmodel name\t: %s\n", cpu,
        c.vendor[0] ? c.vendor : "unknown", c.family, c.model, c.model_name[0] ? c.model_name : "unknown");
    klib::format(out, "stepping\t: %u\n", c.stepping);
    u64 khz = x86::tsc_frequency_hz() / 1000;
    if (leaf1.edx & (1u << 4)) klib::format(out, "cpu MHz\t\t: %lu.%03lu\n", khz / 1000, khz % 1000);
    if (u32 cache = cache_size_kb()) klib::format(out, "cache size\t: %u KB\n", cache);
    u32 apic_id = leaf1.ebx >> 24;
    klib::format(out,
                 "physical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\ncpu cores\t: 1\napicid\t\t: %u\n"
                 "initial apicid\t: %u\n",
                 apic_id, apic_id);
    const char* fpu = (leaf1.edx & 1) ? "yes" : "no";
    klib::format(out, "fpu\t\t: %s\nfpu_exception\t: %s\ncpuid level\t: %u\nwp\t\t: yes\n", fpu, fpu,
                 leaf0.eax);
    klib::format(out, "flags\t\t:");
    print_word(out, WORD_0);
    print_word(out, WORD_1);
    // Word 3: flags Linux defines itself.
    if (c.invariant_tsc) klib::format(out, " constant_tsc");
    if (c.invariant_tsc) klib::format(out, " nonstop_tsc");
    klib::format(out, " cpuid");
    print_word(out, WORD_4);
    print_word(out, WORD_6);
    print_word(out, WORD_9);
    print_word(out, WORD_10);
    print_word(out, WORD_12);
    print_word(out, WORD_13);
    print_word(out, WORD_14);
    print_word(out, WORD_16);
    print_word(out, WORD_18);
    // bogomips: Linux calibrates its delay loop against the TSC, which gives twice the MHz.
    u64 bogo_hundredths = khz * 2 / 10;
    klib::format(out, "\nbugs\t\t:\nbogomips\t: %lu.%02lu\n", bogo_hundredths / 100, bogo_hundredths % 100);
    u32 clflush = ((leaf1.ebx >> 8) & 0xff) * 8;
    klib::format(out, "clflush size\t: %u\ncache_alignment\t: %u\n", clflush, clflush);
    if (leaf_exists(0x80000008)) {
        u32 sizes = x86::cpuid(0x80000008).eax;
        klib::format(out, "address sizes\t: %u bits physical, %u bits virtual\n", sizes & 0xff,
                     (sizes >> 8) & 0xff);
    }
    klib::format(out, "power management:\n\n");
}

}  // namespace arch
