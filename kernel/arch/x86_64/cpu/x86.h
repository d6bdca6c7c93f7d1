// x86_64 CPU: thin wrappers over the instructions the kernel needs (port I/O, MSRs,
// control registers, CPUID, TLB). Only arch/x86_64 code includes this header.
#pragma once

#include "lib/types.h"

namespace x86 {

inline void outb(u16 port, u8 value) { asm volatile("outb %0, %1" : : "a"(value), "Nd"(port)); }
inline void outw(u16 port, u16 value) { asm volatile("outw %0, %1" : : "a"(value), "Nd"(port)); }
inline void outl(u16 port, u32 value) { asm volatile("outl %0, %1" : : "a"(value), "Nd"(port)); }
inline u8 inb(u16 port) {
    u8 value;
    asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
inline u16 inw(u16 port) {
    u16 value;
    asm volatile("inw %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
inline u32 inl(u16 port) {
    u32 value;
    asm volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
// A write to an unused port: ~1 µs delay for slow legacy devices (the PIC, CMOS).
inline void io_delay() { outb(0x80, 0); }

inline u64 rdmsr(u32 msr) {
    u32 lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (u64(hi) << 32) | lo;
}
inline void wrmsr(u32 msr, u64 value) {
    asm volatile("wrmsr" : : "c"(msr), "a"(u32(value)), "d"(u32(value >> 32)));
}

inline u64 read_cr0() {
    u64 v;
    asm volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
inline void write_cr0(u64 v) { asm volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
inline u64 read_cr2() {
    u64 v;
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
inline u64 read_cr3() {
    u64 v;
    asm volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
inline void write_cr3(u64 v) { asm volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
inline u64 read_cr4() {
    u64 v;
    asm volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
inline void write_cr4(u64 v) { asm volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
inline void write_xcr0(u64 v) {
    asm volatile("xsetbv" : : "c"(0), "a"(u32(v)), "d"(u32(v >> 32)));
}

struct CpuidResult {
    u32 eax, ebx, ecx, edx;
};
inline CpuidResult cpuid(u32 leaf, u32 subleaf = 0) {
    CpuidResult r;
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

inline u64 rdtsc() {
    u32 lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (u64(hi) << 32) | lo;
}

inline void invlpg(uptr addr) { asm volatile("invlpg (%0)" : : "r"(addr) : "memory"); }
inline void pause() { asm volatile("pause"); }
inline u64 read_rflags() {
    u64 flags;
    asm volatile("pushfq; popq %0" : "=r"(flags));
    return flags;
}

// MSR numbers (Intel SDM vol. 4).
constexpr u32 MSR_EFER = 0xc0000080;
constexpr u32 MSR_STAR = 0xc0000081;
constexpr u32 MSR_LSTAR = 0xc0000082;
constexpr u32 MSR_CSTAR = 0xc0000083;
constexpr u32 MSR_SFMASK = 0xc0000084;
constexpr u32 MSR_FS_BASE = 0xc0000100;
constexpr u32 MSR_GS_BASE = 0xc0000101;
constexpr u32 MSR_KERNEL_GS_BASE = 0xc0000102;
constexpr u32 MSR_TSC_AUX = 0xc0000103;
constexpr u32 MSR_APIC_BASE = 0x1b;
constexpr u32 MSR_PAT = 0x277;
constexpr u32 MSR_TSC_DEADLINE = 0x6e0;

constexpr u64 EFER_SCE = 1 << 0;
constexpr u64 EFER_LME = 1 << 8;
constexpr u64 EFER_NXE = 1 << 11;

constexpr u64 CR0_MP = 1 << 1;
constexpr u64 CR0_EM = 1 << 2;
constexpr u64 CR0_TS = 1 << 3;
constexpr u64 CR0_NE = 1 << 5;
constexpr u64 CR0_WP = 1 << 16;
constexpr u64 CR4_PGE = 1 << 7;
constexpr u64 CR4_OSFXSR = 1 << 9;
constexpr u64 CR4_OSXMMEXCPT = 1 << 10;
constexpr u64 CR4_UMIP = 1 << 11;
constexpr u64 CR4_FSGSBASE = 1 << 16;
constexpr u64 CR4_OSXSAVE = 1 << 18;
constexpr u64 CR4_SMEP = 1 << 20;
constexpr u64 CR4_SMAP = 1 << 21;

constexpr u64 RFLAGS_IF = 1 << 9;
constexpr u64 RFLAGS_AC = 1 << 18;

}  // namespace x86
