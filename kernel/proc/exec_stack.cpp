// Processes: the initial user stack (see exec_stack.h).
#include "proc/exec_stack.h"

#include <asm/auxvec.h>
#include <linux/auxvec.h>

#include "arch/cpu_features.h"
#include "lib/string.h"
#include "mm/address_space.h"
#include "mm/kmalloc.h"
#include "mm/user_copy.h"
#include "random/random.h"

namespace {

// Pushes bytes downwards from `sp` into user memory; returns their address.
Result<uptr> push_bytes(uptr& sp, const void* data, usize length) {
    sp -= length;
    TRY(mm::copy_to_user(UserPtr<void>(sp), data, length));
    return sp;
}

}  // namespace

Result<uptr> build_initial_stack(uptr stack_top, const StackLayoutInput& input) {
    const ExecArguments& args = *input.arguments;
    uptr sp = stack_top - 8;  // Linux leaves the top word as a terminator

    static const char terminator = '\0';
    TRY(push_bytes(sp, &terminator, 1));
    uptr execfn_address = TRY(push_bytes(sp, input.execfn.data(), input.execfn.size()));
    uptr envp_strings = TRY(push_bytes(sp, args.envp_strings ? args.envp_strings : "", args.envp_bytes));
    uptr argv_strings = TRY(push_bytes(sp, args.argv_strings ? args.argv_strings : "", args.argv_bytes));
    static const char platform[] = "x86_64";
    uptr platform_address = TRY(push_bytes(sp, platform, sizeof(platform)));
    u8 random_bytes[16];
    krandom::fill(random_bytes, sizeof(random_bytes));
    uptr random_address = TRY(push_bytes(sp, random_bytes, sizeof(random_bytes)));
    sp &= ~uptr(15);

    const u64 auxv[][2] = {
        {AT_SYSINFO_EHDR, input.vdso_base},
        {AT_MINSIGSTKSZ, arch::minimum_signal_stack_size()},
        {AT_HWCAP, arch::hwcap()},
        {AT_PAGESZ, 4096},
        {AT_CLKTCK, 100},  // USER_HZ
        {AT_PHDR, input.phdr},
        {AT_PHENT, 56},  // sizeof(Elf64_Phdr)
        {AT_PHNUM, input.phnum},
        {AT_BASE, input.interpreter_base},
        {AT_FLAGS, 0},
        {AT_ENTRY, input.entry},
        {AT_UID, input.credentials->uid},
        {AT_EUID, input.credentials->euid},
        {AT_GID, input.credentials->gid},
        {AT_EGID, input.credentials->egid},
        {AT_SECURE, input.secure ? 1u : 0u},
        {AT_RANDOM, random_address},
        {AT_HWCAP2, arch::hwcap2()},
        {AT_EXECFN, execfn_address},
        {AT_PLATFORM, platform_address},
        {AT_NULL, 0},
    };
    // Without a vDSO, leave AT_SYSINFO_EHDR out rather than point at nothing.
    usize auxv_skip = input.vdso_base ? 0 : 1;
    usize auxv_words = (sizeof(auxv) / sizeof(auxv[0]) - auxv_skip) * 2;
    usize words = 1 + (args.argc + 1) + (args.envc + 1) + auxv_words;
    if (words % 2) sp -= 8;  // so that the final sp is 16-byte aligned
    sp -= words * 8;
    if (sp < stack_top - 256 * 1024 * 1024) return err(E2BIG);

    u64* vector = static_cast<u64*>(kmalloc(words * 8));
    if (!vector) return err(ENOMEM);
    usize at = 0;
    vector[at++] = args.argc;
    uptr string = argv_strings;
    for (usize i = 0; i < args.argc; i++) {
        vector[at++] = string;
        string += klib::strnlen(args.argv_strings + (string - argv_strings), args.argv_bytes) + 1;
    }
    vector[at++] = 0;
    string = envp_strings;
    for (usize i = 0; i < args.envc; i++) {
        vector[at++] = string;
        string += klib::strnlen(args.envp_strings + (string - envp_strings), args.envp_bytes) + 1;
    }
    vector[at++] = 0;
    for (usize i = auxv_skip; i < sizeof(auxv) / sizeof(auxv[0]); i++) {
        vector[at++] = auxv[i][0];
        vector[at++] = auxv[i][1];
    }
    auto copied = mm::copy_to_user(UserPtr<void>(sp), vector, words * 8);
    kfree(vector);
    TRY(copied);
    if (AddressSpace* space = input.space) {
        space->arg_start = argv_strings;
        space->arg_end = argv_strings + args.argv_bytes;
        space->env_start = envp_strings;
        space->env_end = envp_strings + args.envp_bytes;
        space->auxv_start = sp + (1 + (args.argc + 1) + (args.envc + 1)) * 8;
        space->auxv_end = space->auxv_start + auxv_words * 8;
        space->start_stack = sp;
    }
    return sp;
}
