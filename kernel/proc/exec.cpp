// Processes: execve (see exec.h). Follows Linux's fs/exec.c and fs/binfmt_elf.c:
// everything that can fail is checked before the point of no return; after it, the old
// program is gone (its other threads, its memory, its caught signal handlers, its
// close-on-exec descriptors) and the new one starts with the System V initial stack.
#include "proc/exec.h"

#include <asm/auxvec.h>
#include <asm/mman.h>
#include <linux/auxvec.h>
#include <linux/binfmts.h>

#include "arch/memory_layout.h"
#include "arch/vdso.h"
#include "arch/x86_64/cpu/features.h"
#include "fs/file_table.h"
#include "fs/fs_context.h"
#include "fs/permission.h"
#include "fs/vfs.h"
#include "lib/string.h"
#include "log/klog.h"
#include "mm/address_space.h"
#include "mm/heap_buffer.h"
#include "mm/kmalloc.h"
#include "mm/user_copy.h"
#include "proc/elf.h"
#include "proc/exec_stack.h"
#include "proc/exit.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "random/random.h"

namespace {

constexpr u64 PAGE = PAGE_SIZE;

struct Executable {
    Path path;
    RefPtr<Inode> inode;
    elf::Image image;
};

Result<Executable> open_executable(const LookupContext& lookup, kstd::string_view path, u32 lookup_flags) {
    Path resolved = TRY(resolve_path(lookup, path, lookup_flags));
    Inode& inode = resolved.inode();
    if (!inode.is_regular()) return err(EACCES);
    if (resolved.mount->flags & MS_NOEXEC) return err(EACCES);
    TRY(check_permission(inode, *lookup.credentials, MAY_EXEC));
    return Executable{resolved, resolved.dentry->inode_ref(), {}};
}

ErrorOr read_exact(Inode& inode, u64 offset, void* buffer, usize length) {
    usize got = TRY(inode.read(offset, IoBuffer::kernel(buffer), length));
    if (got != length) return err(ENOEXEC);
    return {};
}

ErrorOr load_elf_headers(Executable& executable, u8* first_page, usize first_length) {
    u64 size = executable.inode->size();
    TRY(elf::parse_header({first_page, first_length}, size, executable.image));
    usize table = usize(executable.image.phnum) * sizeof(Elf64_Phdr);
    auto* headers = static_cast<u8*>(kmalloc(table));
    if (!headers) return err(ENOMEM);
    ErrorOr result = read_exact(*executable.inode, executable.image.phoff, headers, table);
    if (!result.is_error())
        result = elf::parse_program_headers({headers, table}, size, arch::USER_END, executable.image);
    kfree(headers);
    return result;
}

// Maps every PT_LOAD segment at `bias`; remembers where a segment's last file page must
// be zeroed past its file data (done once the new address space is live).
struct ZeroRange {
    uptr start, end;
};

ErrorOr map_image(AddressSpace& space, const Executable& executable, u64 bias, ZeroRange* zero, usize* zero_count,
                  u64* brk_start) {
    auto object = executable.inode->mappable();
    // The regions are named by the file's path, as /proc/<pid>/maps shows them.
    RefPtr<KString> name;
    if (HeapBuffer path(PATH_MAX_BYTES); path) {
        if (auto length = vfs::path_to_string(executable.path, vfs::root_path(), path.data(), path.size());
            !length.is_error())
            name = KString::create({path.data(), length.value()});
    }
    for (usize i = 0; i < executable.image.segment_count; i++) {
        const elf::Segment& s = executable.image.segments[i];
        uptr start = kstd::align_down<uptr>(bias + s.vaddr, PAGE);
        uptr file_end = bias + s.vaddr + s.file_size;
        uptr memory_end = bias + s.vaddr + s.memory_size;
        u64 offset = kstd::align_down<u64>(s.file_offset, PAGE);
        uptr mapped_file_end = kstd::align_up<uptr>(file_end, PAGE);
        if (s.file_size > 0) {
            if (object.is_error()) return object.error();
            AddressSpace::MapRequest request;
            request.address = start;
            request.length = mapped_file_end - start;
            request.prot = s.prot;
            request.flags = MAP_PRIVATE | MAP_FIXED;
            request.object = object.value();
            request.offset = offset;
            request.kind = VmaKind::File;
            request.name = name;
            request.device = executable.inode->super_block().device();
            request.inode = executable.inode->ino();
            TRY(space.map(kstd::move(request)));
            if (memory_end > file_end && file_end % PAGE && *zero_count < elf::MAX_SEGMENTS)
                zero[(*zero_count)++] = {file_end, kstd::min(mapped_file_end, memory_end)};
        } else {
            mapped_file_end = start;
        }
        if (memory_end > mapped_file_end) {
            AddressSpace::MapRequest request;  // the rest of .bss: anonymous zero pages
            request.address = mapped_file_end;
            request.length = kstd::align_up<uptr>(memory_end, PAGE) - mapped_file_end;
            request.prot = s.prot;
            request.flags = MAP_PRIVATE | MAP_FIXED;
            TRY(space.map(kstd::move(request)));
        }
        *brk_start = kstd::max<u64>(*brk_start, kstd::align_up<uptr>(memory_end, PAGE));
    }
    return {};
}

// Parses "#!interpreter [argument]" (Linux: the first line, at most 256 bytes).
struct Shebang {
    char interpreter[BINPRM_BUF_SIZE];
    char argument[BINPRM_BUF_SIZE];
    bool has_argument;
};
ErrorOr parse_shebang(const u8* data, usize length, Shebang& out) {
    usize end = 2;
    while (end < length && end < BINPRM_BUF_SIZE && data[end] != '\n') end++;
    auto is_blank = [](char c) { return c == ' ' || c == '\t'; };
    usize at = 2;
    while (at < end && is_blank(data[at])) at++;
    usize start = at;
    while (at < end && !is_blank(data[at]) && data[at] != '\r') at++;
    if (at == start) return err(ENOEXEC);
    memcpy(out.interpreter, data + start, at - start);
    out.interpreter[at - start] = '\0';
    while (at < end && is_blank(data[at])) at++;
    usize arg_end = end;
    while (arg_end > at && (is_blank(data[arg_end - 1]) || data[arg_end - 1] == '\r')) arg_end--;
    out.has_argument = arg_end > at;
    memcpy(out.argument, data + at, arg_end - at);
    out.argument[arg_end - at] = '\0';
    return {};
}

// A new argv: interpreter [argument] script-path original-argv[1..].
ErrorOr build_script_arguments(const Shebang& shebang, kstd::string_view script, const ExecArguments& old,
                               ExecArguments& out, char** storage) {
    usize skip = old.argc ? klib::strnlen(old.argv_strings, old.argv_bytes) + 1 : 0;
    usize rest = old.argv_bytes - skip;
    usize interpreter = klib::strnlen(shebang.interpreter, sizeof(shebang.interpreter)) + 1;
    usize argument = shebang.has_argument ? klib::strnlen(shebang.argument, sizeof(shebang.argument)) + 1 : 0;
    usize total = interpreter + argument + script.size() + 1 + rest;
    if (total > MAX_ARG_BYTES) return err(E2BIG);
    char* buffer = static_cast<char*>(kmalloc(total));
    if (!buffer) return err(ENOMEM);
    usize at = 0;
    memcpy(buffer + at, shebang.interpreter, interpreter);
    at += interpreter;
    if (argument) {
        memcpy(buffer + at, shebang.argument, argument);
        at += argument;
    }
    memcpy(buffer + at, script.data(), script.size());
    at += script.size();
    buffer[at++] = '\0';
    memcpy(buffer + at, old.argv_strings + skip, rest);
    out = old;
    out.argv_strings = buffer;
    out.argv_bytes = total;
    out.argc = (old.argc ? old.argc - 1 : 0) + 2 + (argument ? 1 : 0);
    *storage = buffer;
    return {};
}

// Set-user-ID and set-group-ID programs (Linux's bprm_fill_uid and commit_creds): the
// effective ids become the file's owner and group, unless the mount is nosuid or the
// process asked for no new privileges; set-group-ID without group execute is not a
// set-id program (it marks mandatory locking). The saved and filesystem ids follow the
// effective ones on every exec. Returns AT_SECURE: whether the program runs with ids its
// caller did not have, in which case it is not dumpable either.
bool apply_set_id_bits(Process& process, const Executable& executable) {
    Credentials& credentials = process.credentials;
    const InodeAttributes& file = executable.inode->attributes();
    if (!(executable.path.mount->flags & MS_NOSUID) && !process.no_new_privs) {
        if (file.mode & S_ISUID) credentials.euid = file.uid;
        if ((file.mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) credentials.egid = file.gid;
    }
    credentials.suid = credentials.fsuid = credentials.euid;
    credentials.sgid = credentials.fsgid = credentials.egid;
    bool secure = credentials.euid != credentials.uid || credentials.egid != credentials.gid;
    process.dumpable = !secure;
    return secure;
}

// Address-space layout randomisation: how far to shift the stack, mmap area and PIE base.
u64 random_pages(u64 max_pages) { return krandom::below(max_pages) * PAGE; }

ErrorOr exec_elf(Executable& executable, kstd::string_view path, const ExecArguments& arguments,
                 InterruptFrame& frame) {
    Process* process = current_process();
    Thread* thread = current_thread();

    // The interpreter, when the program names one (dynamically linked programs).
    Executable interpreter;
    bool has_interpreter = executable.image.has_interpreter;
    if (has_interpreter) {
        HeapBuffer name(PATH_MAX_BYTES);
        if (!name) return err(ENOMEM);
        usize length = executable.image.interpreter_length;
        TRY(read_exact(*executable.inode, executable.image.interpreter_offset, name.data(), length));
        // Linux: the segment must end in a NUL; the name is the C string it holds.
        if (name.data()[length - 1] != '\0') return err(ENOEXEC);
        LookupContext lookup{process->fs->root(), process->fs->cwd(), &process->credentials};
        interpreter = TRY(open_executable(lookup, {name.data(), klib::strnlen(name.data(), length)}, LOOKUP_FOLLOW));
        u8 header[sizeof(Elf64_Ehdr)];
        usize got = TRY(interpreter.inode->read(0, IoBuffer::kernel(header), sizeof(header)));
        TRY(load_elf_headers(interpreter, header, got));
        if (interpreter.image.has_interpreter) return err(ELIBBAD);
    }

    // Build the new address space beside the old one.
    RefPtr<AddressSpace> space = TRY(AddressSpace::create());
    const ResourceLimit& stack_limit = process->limits[RLIMIT_STACK];
    u64 stack_size = kstd::min<u64>(kstd::max<u64>(stack_limit.current, 128 * KiB), 1 * GiB);
    space->stack_top = arch::USER_END - random_pages(4096);  // up to 16 MiB of shift
    u64 gap = kstd::max<u64>(stack_size, 128 * MiB) + random_pages(1 << 16);
    space->mmap_base = kstd::align_down<u64>(space->stack_top - gap, PAGE);

    ZeroRange zero[elf::MAX_SEGMENTS * 2];
    usize zero_count = 0;
    u64 bias = 0;
    if (executable.image.position_independent) {
        // Linux's ELF_ET_DYN_BASE (two thirds of the user range) plus randomisation.
        bias = 0x555555554000ull - executable.image.lowest_vaddr + random_pages(1 << 14);
    }
    u64 brk_start = 0;
    {
        MutexGuard guard(space->lock());
        TRY(map_image(*space, executable, bias, zero, &zero_count, &brk_start));
    }
    u64 interpreter_bias = 0;
    if (has_interpreter) {
        u64 span = kstd::align_up<u64>(interpreter.image.highest_vaddr, PAGE) - interpreter.image.lowest_vaddr;
        MutexGuard guard(space->lock());
        AddressSpace::MapRequest probe;  // find room, then map the real segments over it
        probe.length = span;
        probe.prot = PROT_NONE;
        probe.flags = MAP_PRIVATE;
        uptr base = TRY(space->map(kstd::move(probe)));
        interpreter_bias = interpreter.image.position_independent ? base - interpreter.image.lowest_vaddr : 0;
        u64 unused_brk = 0;
        TRY(map_image(*space, interpreter, interpreter_bias, zero, &zero_count, &unused_brk));
    }
    space->brk_start = space->brk_end = brk_start + random_pages(8192);
    {
        MutexGuard guard(space->lock());
        AddressSpace::MapRequest stack;
        stack.address = space->stack_top - stack_size;
        stack.length = stack_size;
        stack.prot = PROT_READ | PROT_WRITE;  // an executable stack is refused by W^X
        stack.flags = MAP_PRIVATE | MAP_FIXED | MAP_GROWSDOWN;
        stack.kind = VmaKind::Stack;
        TRY(space->map(kstd::move(stack)));
    }
    {
        // Linux places the vDSO like an mmap without a hint; so does Strix.
        MutexGuard guard(space->lock());
        space->vdso_base = TRY(arch::vdso_map(*space));
    }
    if (executable.image.executable_stack)
        pr_info("exec: %.*s asks for an executable stack; W^X keeps it non-executable",
                static_cast<int>(path.size()), path.data());

    // ---- The point of no return: from here a failure kills the process. ----
    exec_kill_other_threads(*process, *thread);
    bool secure = apply_set_id_bits(*process, executable);
    RefPtr<AddressSpace> old_space = process->address_space;
    process->address_space = space;
    space->activate();
    old_space.clear();

    for (usize i = 0; i < zero_count; i++) {
        if (mm::clear_user(UserPtr<void>(zero[i].start), zero[i].end - zero[i].start).is_error())
            exit_group_from_signal(SIGSEGV, false);
    }

    StackLayoutInput layout;
    layout.arguments = &arguments;
    layout.execfn = path;
    layout.phdr = bias + executable.image.phdr_vaddr;
    layout.phnum = executable.image.phnum;
    layout.entry = bias + executable.image.entry;
    layout.interpreter_base = has_interpreter ? interpreter_bias + interpreter.image.lowest_vaddr : 0;
    layout.credentials = &process->credentials;
    layout.secure = secure;
    layout.space = space.get();
    layout.vdso_base = space->vdso_base;
    auto sp_result = build_initial_stack(space->stack_top, layout);
    if (sp_result.is_error()) exit_group_from_signal(SIGSEGV, false);
    uptr sp = sp_result.value();

    uptr entry = has_interpreter ? interpreter_bias + interpreter.image.entry : bias + executable.image.entry;
    arch::init_user_frame(frame, entry, sp);
    arch::reset_fpu(thread->arch_state());
    thread->arch_state().fs_base = 0;
    thread->full_register_restore = true;
    return {};
}

}  // namespace

ErrorOr copy_strings_from_user(uptr array, char** out, usize* count, usize* bytes) {
    *out = nullptr;
    *count = 0;
    *bytes = 0;
    if (!array) return {};
    // First pass: lengths; second: copies. The total obeys Linux's ARG_MAX.
    usize n = 0, total = 0;
    for (;; n++) {
        uptr pointer = TRY(mm::load_user_u64(UserPtr<const u64>(array + n * 8)));
        if (!pointer) break;
        if (n >= MAX_ARG_STRINGS) return err(E2BIG);
        usize length = TRY(mm::user_string_length(UserPtr<const char>(pointer), MAX_ARG_STRLEN));
        total += length + 1;
        if (total > MAX_ARG_BYTES) return err(E2BIG);
    }
    char* buffer = static_cast<char*>(kmalloc(total ? total : 1));
    if (!buffer) return err(ENOMEM);
    usize at = 0;
    for (usize i = 0; i < n; i++) {
        auto pointer = mm::load_user_u64(UserPtr<const u64>(array + i * 8));
        auto copied = pointer.is_error() ? Result<usize>(pointer.error())
                                         : mm::copy_string_from_user(buffer + at, UserPtr<const char>(pointer.value()),
                                                                     total - at);
        if (copied.is_error()) {
            kfree(buffer);
            return copied.error();
        }
        at += copied.value() + 1;
    }
    *out = buffer;
    *count = n;
    *bytes = at;
    return {};
}

ErrorOr do_execve(const LookupContext& lookup, kstd::string_view path, const ExecArguments& arguments,
                  InterruptFrame& frame, u32 lookup_flags) {
    ExecArguments current = arguments;
    // Linux (since 5.18): a program started with no arguments gets "" as argv[0].
    if (current.argc == 0) {
        current.argv_strings = "";
        current.argv_bytes = 1;
        current.argc = 1;
    }
    char* script_storage[MAX_INTERPRETER_DEPTH] = {};
    ErrorOr result = err(ENOEXEC);
    char* target_path = static_cast<char*>(kmalloc(PATH_MAX_BYTES));
    if (!target_path) return err(ENOMEM);
    usize path_length = kstd::min(path.size(), PATH_MAX_BYTES - 1);
    memcpy(target_path, path.data(), path_length);
    target_path[path_length] = '\0';
    u8* first_page = static_cast<u8*>(kmalloc(PAGE));
    if (!first_page) {
        kfree(target_path);
        return err(ENOMEM);
    }
    for (int depth = 0;; depth++) {
        auto opened = open_executable(lookup, {target_path, path_length}, depth ? LOOKUP_FOLLOW : lookup_flags);
        if (opened.is_error()) {
            result = opened.error();
            break;
        }
        Executable executable = opened.release_value();
        // Nobody may write the file while it is being loaded, and it must not be open for writing.
        if (!executable.inode->deny_write_access()) {
            result = err(ETXTBSY);
            break;
        }
        struct WriteAccess {
            Inode& inode;
            ~WriteAccess() { inode.allow_write_access(); }
        } allow_again{*executable.inode};
        auto got = executable.inode->read(0, IoBuffer::kernel(first_page), PAGE);
        if (got.is_error()) {
            result = got.error();
            break;
        }
        usize length = got.value();
        if (length >= 2 && first_page[0] == '#' && first_page[1] == '!') {
            if (depth + 1 >= MAX_INTERPRETER_DEPTH) {
                result = err(ELOOP);
                break;
            }
            Shebang shebang;
            if ((result = parse_shebang(first_page, length, shebang)).is_error()) break;
            ExecArguments next;
            if ((result = build_script_arguments(shebang, {target_path, path_length}, current, next,
                                                 &script_storage[depth])).is_error())
                break;
            current = next;
            path_length = klib::strlcpy(target_path, shebang.interpreter, PATH_MAX_BYTES);
            continue;
        }
        result = load_elf_headers(executable, first_page, length);
        if (result.is_error()) break;
        result = exec_elf(executable, {target_path, path_length}, current, frame);
        if (!result.is_error()) exec_finish(*current_process(), executable.path, path, current);
        break;
    }
    for (char* storage : script_storage) kfree(storage);
    kfree(first_page);
    kfree(target_path);
    return result;
}
