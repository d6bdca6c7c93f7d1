/*
 * Strix conformance suite — memory: brk, anonymous and file mappings, protections and
 * the faults they raise (signal, si_code, si_addr), fork sharing/copy-on-write, madvise,
 * mremap, msync/mincore, and the argument checks of each call.
 */
#include <setjmp.h>

#include "common.h"

#define PAGE 4096UL

enum access_kind { ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC };

static sigjmp_buf g_fault_jump;
static volatile int g_fault_signal, g_fault_code;
static void* volatile g_fault_address;

static void on_fault(int signal_number, siginfo_t* info, void* context) {
    (void)context;
    g_fault_signal = signal_number;
    g_fault_code = info->si_code;
    g_fault_address = info->si_addr;
    siglongjmp(g_fault_jump, 1);
}

/* Touches `address`; returns true if that raised SIGSEGV/SIGBUS (details in g_fault_*). */
static bool access_faults(void* address, enum access_kind kind) {
    struct sigaction action = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO};
    sigaction(SIGSEGV, &action, NULL);
    sigaction(SIGBUS, &action, NULL);
    g_fault_signal = 0;
    g_fault_code = 0;
    g_fault_address = NULL;
    if (sigsetjmp(g_fault_jump, 1) == 0) {
        if (kind == ACCESS_READ)
            (void)*(volatile char*)address;
        else if (kind == ACCESS_WRITE)
            *(volatile char*)address = 1;
        else
            ((void (*)(void))address)();
        signal(SIGSEGV, SIG_DFL);
        signal(SIGBUS, SIG_DFL);
        return false;
    }
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    return true;
}

static const char* segv_code_name(int code) {
    switch (code) {
        case SEGV_MAPERR: return "SEGV_MAPERR";
        case SEGV_ACCERR: return "SEGV_ACCERR";
        case SI_KERNEL: return "SI_KERNEL";
        default: return "other";
    }
}

/* FAIL unless touching address raises SIGSEGV with `code` and si_addr == address. */
#define CHECK_SEGV(address, kind, code)                                                                  \
    do {                                                                                                 \
        void* expected_address = (void*)(address);                                                       \
        CHECK(access_faults(expected_address, kind), "%s of %p did not fault", #kind, expected_address); \
        CHECK(g_fault_signal == SIGSEGV, "%s of %p raised %s", #kind, expected_address,                  \
              signal_name(g_fault_signal));                                                              \
        CHECK(g_fault_code == (code), "%s of %p: si_code %s, expected %s", #kind, expected_address,      \
              segv_code_name(g_fault_code), segv_code_name(code));                                       \
        CHECK(g_fault_address == expected_address, "%s of %p: si_addr %p", #kind, expected_address,      \
              g_fault_address);                                                                          \
    } while (0)

static char* map_anonymous(size_t length, int prot, int flags) {
    void* address = mmap(NULL, length, prot, flags | MAP_ANONYMOUS, -1, 0);
    return address == MAP_FAILED ? NULL : address;
}

#define CHECK_MAP(variable, expr)                                                                     \
    do {                                                                                              \
        variable = (expr);                                                                            \
        CHECK(variable != NULL && (void*)variable != MAP_FAILED, "%s: %s", #expr, errno_name(errno)); \
    } while (0)

CASE(brk_grow_shrink) {
    char* start = (char*)syscall(SYS_brk, 0);
    CHECK(start != NULL && ((unsigned long)start & 0) == 0, "brk(0) returned NULL");
    char* grown = (char*)syscall(SYS_brk, start + 64 * 1024);
    CHECK(grown == start + 64 * 1024, "brk(+64K) returned %p, expected %p", grown, start + 65536);
    for (char* p = start; p < grown; p += 512) CHECK(*p == 0, "new brk memory not zero at %p", p);
    memset(start, 0x5a, 64 * 1024);
    /* Linux answers an impossible request with the unchanged break. */
    char* refused = (char*)syscall(SYS_brk, 0xffff800000000000UL);
    CHECK(refused == grown, "brk(kernel address) returned %p, expected unchanged %p", refused, grown);
    char* shrunk = (char*)syscall(SYS_brk, start);
    CHECK(shrunk == start, "brk shrink returned %p", shrunk);
    char* page_after = (char*)(((unsigned long)start + PAGE - 1) & ~(PAGE - 1)) + PAGE;
    CHECK_SEGV(page_after, ACCESS_READ, SEGV_MAPERR);
    char* regrown = (char*)syscall(SYS_brk, start + 64 * 1024);
    CHECK(regrown == start + 64 * 1024, "brk regrow failed");
    CHECK(page_after[100] == 0, "memory returned by brk shrink+grow is not zeroed");
    syscall(SYS_brk, start);
}

CASE(mmap_private_anonymous) {
    char* memory;
    CHECK_MAP(memory, map_anonymous(5000, PROT_READ | PROT_WRITE, MAP_PRIVATE));
    CHECK(((unsigned long)memory & (PAGE - 1)) == 0, "mmap returned unaligned %p", memory);
    for (size_t i = 0; i < 2 * PAGE; i += 64)
        CHECK(memory[i] == 0, "fresh anonymous memory not zero at +%zu", i);
    memory[0] = 1;
    memory[2 * PAGE - 1] = 2; /* a 5000-byte request maps two whole pages */
    CHECK(memory[0] == 1 && memory[2 * PAGE - 1] == 2, "writes did not stick");
    CHECK_OK(munmap(memory, 5000));
    CHECK_SEGV(memory, ACCESS_READ, SEGV_MAPERR);
    CHECK_SEGV(memory + PAGE + 7, ACCESS_READ, SEGV_MAPERR);
}

CASE(mmap_argument_errors) {
    int anonymous_private = MAP_PRIVATE | MAP_ANONYMOUS;
    CHECK_ERRNO(syscall(SYS_mmap, NULL, 0, PROT_READ, anonymous_private, -1, 0), EINVAL);
    CHECK_ERRNO(
        syscall(SYS_mmap, (void*)0x10001000UL + 1, PAGE, PROT_READ, anonymous_private | MAP_FIXED, -1, 0),
        EINVAL);
    CHECK_ERRNO(syscall(SYS_mmap, NULL, PAGE, PROT_READ, anonymous_private, -1, 1), EINVAL);
    CHECK_ERRNO(syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
    CHECK_ERRNO(syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);
    CHECK_ERRNO(syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_PRIVATE, 12345, 0), EBADF);
    CHECK_ERRNO(syscall(SYS_mmap, NULL, 1UL << 62, PROT_READ, anonymous_private, -1, 0), ENOMEM);
    CHECK_ERRNO(syscall(SYS_mmap, NULL, (size_t)-PAGE, PROT_READ, anonymous_private, -1, 0), ENOMEM);
    CHECK_ERRNO(
        syscall(SYS_mmap, (void*)0xffff800000000000UL, PAGE, PROT_READ, anonymous_private | MAP_FIXED, -1, 0),
        ENOMEM);
    /* A hint in the kernel half is only a hint: the mapping lands in user space. */
    char* hinted = mmap((void*)0xffff800000000000UL, PAGE, PROT_READ, anonymous_private, -1, 0);
    CHECK(hinted != MAP_FAILED, "mmap with a kernel-half hint: %s", errno_name(errno));
    CHECK((unsigned long)hinted < 0x800000000000UL, "mapping placed at %p", hinted);
    munmap(hinted, PAGE);
}

CASE(mmap_page_zero_refused) {
    char text[32] = "";
    long minimum = 65536;
    if (read_file("/proc/sys/vm/mmap_min_addr", text, sizeof text) > 0) minimum = atol(text);
    if (minimum == 0) SKIP("vm.mmap_min_addr is 0 on this host");
    pid_t child = fork();
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    if (child == 0) {
        if (running_as_root() && drop_privileges(unprivileged_uid()) != 0)
            sub_fail("drop privileges: %s", errno_name(errno));
        void* zero = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        SUB_CHECK(zero == MAP_FAILED && errno == EPERM, "MAP_FIXED at 0 unprivileged: %s",
                  zero == MAP_FAILED ? errno_name(errno) : "mapped");
        _exit(0);
    }
    CHECK_EXIT(child, 0);
}

CASE(shared_anonymous_across_fork) {
    volatile int* shared;
    CHECK_MAP(shared, (volatile int*)map_anonymous(PAGE, PROT_READ | PROT_WRITE, MAP_SHARED));
    shared[0] = 1;
    pid_t child = fork();
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    if (child == 0) {
        SUB_CHECK(shared[0] == 1, "child sees %d", shared[0]);
        shared[0] = 2;
        shared[1] = 3;
        _exit(0);
    }
    CHECK_EXIT(child, 0);
    CHECK(shared[0] == 2 && shared[1] == 3, "parent sees %d/%d after the child wrote 2/3", shared[0],
          shared[1]);
}

CASE(copy_on_write_after_fork) {
    size_t length = 16 * PAGE;
    char* private_memory;
    CHECK_MAP(private_memory, map_anonymous(length, PROT_READ | PROT_WRITE, MAP_PRIVATE));
    memset(private_memory, 'P', length);
    static volatile int global_value = 10;
    int go[2], done[2];
    CHECK_OK(pipe(go));
    CHECK_OK(pipe(done));
    pid_t child = fork();
    CHECK(child >= 0, "fork: %s", errno_name(errno));
    if (child == 0) {
        SUB_CHECK(private_memory[5 * PAGE] == 'P' && global_value == 10, "child lacks the parent's data");
        memset(private_memory, 'C', length);
        global_value = 20;
        (void)!write(done[1], "x", 1);
        char byte;
        (void)!read(go[0], &byte, 1); /* parent has written its own values by now */
        for (size_t i = 0; i < length; i += 256)
            SUB_CHECK(private_memory[i] == 'C', "child's page changed by the parent at +%zu", i);
        SUB_CHECK(global_value == 20, "child's global changed to %d", global_value);
        _exit(0);
    }
    char byte;
    CHECK(read(done[0], &byte, 1) == 1, "child did not signal");
    for (size_t i = 0; i < length; i += 256)
        CHECK(private_memory[i] == 'P', "child's write leaked into the parent at +%zu", i);
    CHECK(global_value == 10, "child's write to .data leaked: %d", global_value);
    memset(private_memory, 'Q', length);
    global_value = 30;
    CHECK(write(go[1], "x", 1) == 1, "pipe write");
    CHECK_EXIT(child, 0);
    CHECK(private_memory[length - 1] == 'Q' && global_value == 30, "parent lost its own writes");
}

CASE(map_fixed_replaces) {
    char* memory;
    CHECK_MAP(memory, map_anonymous(4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE));
    memset(memory, 'A', 4 * PAGE);
    char* middle =
        mmap(memory + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(middle == memory + PAGE, "MAP_FIXED returned %p, expected %p", middle, memory + PAGE);
    CHECK(middle[0] == 0 && middle[PAGE - 1] == 0, "MAP_FIXED page kept old contents");
    CHECK(memory[PAGE - 1] == 'A' && memory[2 * PAGE] == 'A', "neighbours of MAP_FIXED changed");
    munmap(memory, 4 * PAGE);
}

CASE(map_fixed_noreplace) {
    char* memory;
    CHECK_MAP(memory, map_anonymous(4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE));
    memory[PAGE] = 'K';
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
    CHECK_ERRNO(syscall(SYS_mmap, memory + PAGE, PAGE, PROT_READ, flags, -1, 0), EEXIST);
    CHECK_ERRNO(syscall(SYS_mmap, memory - PAGE, 2 * PAGE, PROT_READ, flags, -1, 0), EEXIST);
    CHECK(memory[PAGE] == 'K', "failed MAP_FIXED_NOREPLACE disturbed the mapping");
    CHECK_OK(munmap(memory + 2 * PAGE, 2 * PAGE));
    char* placed = mmap(memory + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE, flags, -1, 0);
    CHECK(placed == memory + 2 * PAGE, "MAP_FIXED_NOREPLACE into a hole: %p (%s)", placed, errno_name(errno));
    munmap(memory, 3 * PAGE);
}

CASE(map_noreserve_large) {
    size_t length = 1UL << 30;
    char* memory;
    CHECK_MAP(memory, map_anonymous(length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE));
    memory[0] = 1;
    memory[length / 2] = 2;
    memory[length - 1] = 3;
    CHECK(memory[0] + memory[length / 2] + memory[length - 1] == 6, "sparse writes lost");
    CHECK(memory[PAGE * 7] == 0, "untouched page not zero");
    CHECK_OK(munmap(memory, length));
}

CASE(map_growsdown_expands) {
    /* Reserve a 16 MiB hole, put a one-page MAP_GROWSDOWN mapping at its top, and touch
     * the page below: Linux grows the mapping instead of faulting. */
    size_t hole = 16UL << 20;
    char* reservation;
    CHECK_MAP(reservation, map_anonymous(hole, PROT_NONE, MAP_PRIVATE));
    CHECK_OK(munmap(reservation, hole));
    char* top = reservation + hole - PAGE;
    char* stack = mmap(top, PAGE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_FIXED_NOREPLACE, -1, 0);
    CHECK(stack == top, "MAP_GROWSDOWN mapping: %p (%s)", stack, errno_name(errno));
    stack[0] = 1;
    CHECK(!access_faults(stack - 100, ACCESS_WRITE), "touching below a MAP_GROWSDOWN mapping raised %s",
          signal_name(g_fault_signal));
    CHECK(!access_faults(stack - 3 * PAGE, ACCESS_WRITE), "growing by three pages raised %s",
          signal_name(g_fault_signal));
    munmap(stack - 3 * PAGE, 4 * PAGE);
}

CASE(munmap_partial) {
    char* memory;
    CHECK_MAP(memory, map_anonymous(3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE));
    memset(memory, 'M', 3 * PAGE);
    CHECK_OK(munmap(memory + PAGE, PAGE));
    CHECK(memory[0] == 'M' && memory[PAGE - 1] == 'M', "first page lost");
    CHECK(memory[2 * PAGE] == 'M' && memory[3 * PAGE - 1] == 'M', "third page lost");
    CHECK_SEGV(memory + PAGE + 17, ACCESS_READ, SEGV_MAPERR);
    CHECK_OK(munmap(memory + PAGE, PAGE)); /* unmapping a hole is not an error */
    CHECK_OK(munmap(memory, 3 * PAGE));
    CHECK_SEGV(memory + 2 * PAGE, ACCESS_WRITE, SEGV_MAPERR);
}

CASE(munmap_argument_errors) {
    char* memory;
    CHECK_MAP(memory, map_anonymous(PAGE, PROT_READ, MAP_PRIVATE));
    CHECK_ERRNO(syscall(SYS_munmap, memory + 1, PAGE), EINVAL);
    CHECK_ERRNO(syscall(SYS_munmap, memory, 0), EINVAL);
    CHECK_ERRNO(syscall(SYS_munmap, (void*)0xffff800000000000UL, PAGE), EINVAL);
    CHECK_ERRNO(syscall(SYS_munmap, memory, (size_t)-PAGE), EINVAL);
    CHECK_OK(munmap(memory, PAGE));
}

CASE(prot_none_faults_accerr) {
    char* memory;
    CHECK_MAP(memory, map_anonymous(2 * PAGE, PROT_NONE, MAP_PRIVATE));
    CHECK_SEGV(memory + 123, ACCESS_READ, SEGV_ACCERR);
    CHECK_SEGV(memory + PAGE + 5, ACCESS_WRITE, SEGV_ACCERR);
    munmap(memory, 2 * PAGE);
}

CASE(unmapped_faults_maperr) {
    char* hole = unmapped_address();
    CHECK_SEGV(hole + 77, ACCESS_READ, SEGV_MAPERR);
    CHECK_SEGV(hole + 78, ACCESS_WRITE, SEGV_MAPERR);
    CHECK_SEGV((char*)0 + 16, ACCESS_READ, SEGV_MAPERR);
}

CASE(readonly_write_faults_accerr) {
    char* memory;
    CHECK_MAP(memory, map_anonymous(PAGE, PROT_READ, MAP_PRIVATE));
    CHECK(memory[10] == 0, "read of a read-only page failed");
    CHECK_SEGV(memory + 10, ACCESS_WRITE, SEGV_ACCERR);
    static const char constant[64] = "read-only data";
    CHECK_SEGV((char*)constant + 3, ACCESS_WRITE, SEGV_ACCERR);
    CHECK_SEGV((char*)(void*)&access_faults, ACCESS_WRITE, SEGV_ACCERR);
    munmap(memory, PAGE);
}

CASE(data_not_executable) {
    char* memory;
    CHECK_MAP(memory, map_anonymous(PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE));
    memory[0] = (char)0xc3; /* ret */
    CHECK_SEGV(memory, ACCESS_EXEC, SEGV_ACCERR);
    unsigned char on_stack[16] = {0xc3};
    CHECK_SEGV(on_stack, ACCESS_EXEC, SEGV_ACCERR);
    munmap(memory, PAGE);
}

/* Linux grants writable+executable mappings; Strix refuses them with EACCES (W^X by
 * design). Either answer passes; a granted mapping must then really execute. */
CASE(write_exec_mapping_linux_or_wx) {
    static const unsigned char return_42[] = {0xb8, 0x2a, 0, 0, 0, 0xc3}; /* mov eax,42; ret */
    void* memory = mmap(NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        CHECK(errno == EACCES, "PROT_WRITE|PROT_EXEC mmap: %s, expected success or EACCES",
              errno_name(errno));
    } else {
        memcpy(memory, return_42, sizeof return_42);
        CHECK(((int (*)(void))memory)() == 42, "code in a W+X mapping did not run");
        munmap(memory, PAGE);
    }
    char* writable;
    CHECK_MAP(writable, map_anonymous(PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE));
    memcpy(writable, return_42, sizeof return_42);
    if (mprotect(writable, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC) != 0)
        CHECK(errno == EACCES, "mprotect to RWX: %s, expected success or EACCES", errno_name(errno));
    /* The W^X-friendly sequence (write, then flip to R+X) must work everywhere. */
    CHECK_OK(mprotect(writable, PAGE, PROT_READ | PROT_EXEC));
    CHECK(((int (*)(void))(void*)writable)() == 42, "code made R+X by mprotect did not run");
    munmap(writable, PAGE);
}

CASE(mprotect_changes_and_splits) {
    char* memory;
    CHECK_MAP(memory, map_anonymous(3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE));
    memset(memory, 'R', 3 * PAGE);
    CHECK_OK(mprotect(memory + PAGE, PAGE, PROT_READ));
    CHECK_SEGV(memory + PAGE + 9, ACCESS_WRITE, SEGV_ACCERR);
    memory[0] = 'x';
    memory[2 * PAGE] = 'y';
    CHECK(memory[PAGE + 9] == 'R', "read-only page lost its contents");
    CHECK_OK(mprotect(memory, 3 * PAGE, PROT_NONE));
    CHECK_SEGV(memory + 2 * PAGE, ACCESS_READ, SEGV_ACCERR);
    CHECK_OK(mprotect(memory, 3 * PAGE, PROT_READ | PROT_WRITE));
    CHECK(memory[0] == 'x' && memory[PAGE] == 'R' && memory[2 * PAGE] == 'y',
          "contents changed across PROT_NONE");
    memory[PAGE] = 'w';
    munmap(memory, 3 * PAGE);
}

CASE(mprotect_argument_errors) {
    char* memory;
    CHECK_MAP(memory, map_anonymous(2 * PAGE, PROT_READ, MAP_PRIVATE));
    CHECK_ERRNO(syscall(SYS_mprotect, memory + 1, PAGE, PROT_READ), EINVAL);
    CHECK_ERRNO(syscall(SYS_mprotect, memory, PAGE, 0x1000), EINVAL);
    CHECK_ERRNO(syscall(SYS_mprotect, memory, PAGE, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP), EINVAL);
    CHECK_OK(munmap(memory + PAGE, PAGE));
    CHECK_ERRNO(syscall(SYS_mprotect, memory, 2 * PAGE, PROT_READ), ENOMEM);
    CHECK_ERRNO(syscall(SYS_mprotect, unmapped_address(), PAGE, PROT_READ), ENOMEM);
    CHECK_OK(mprotect(memory, 0, PROT_READ)); /* empty range: nothing to do */
    munmap(memory, PAGE);
}

CASE(madvise_dontneed) {
    char *private_memory, *shared_memory;
    CHECK_MAP(private_memory, map_anonymous(2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE));
    CHECK_MAP(shared_memory, map_anonymous(2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED));
    memset(private_memory, 'p', 2 * PAGE);
    memset(shared_memory, 's', 2 * PAGE);
    CHECK_OK(madvise(private_memory, 2 * PAGE, MADV_DONTNEED));
    CHECK(private_memory[0] == 0 && private_memory[2 * PAGE - 1] == 0,
          "MADV_DONTNEED did not zero private anonymous pages");
    CHECK_OK(madvise(shared_memory, 2 * PAGE, MADV_DONTNEED));
    CHECK(shared_memory[0] == 's' && shared_memory[PAGE] == 's',
          "MADV_DONTNEED lost shared anonymous contents");
    CHECK_OK(madvise(private_memory, PAGE, MADV_NORMAL));
    CHECK_OK(madvise(private_memory, PAGE, MADV_WILLNEED));
    CHECK_ERRNO(syscall(SYS_madvise, private_memory, PAGE, 12345), EINVAL);
    CHECK_ERRNO(syscall(SYS_madvise, private_memory + 1, PAGE, MADV_DONTNEED), EINVAL);
    CHECK_ERRNO(syscall(SYS_madvise, unmapped_address(), PAGE, MADV_DONTNEED), ENOMEM);
    munmap(private_memory, 2 * PAGE);
    munmap(shared_memory, 2 * PAGE);
}

CASE(mremap_grow_shrink) {
    char* memory;
    CHECK_MAP(memory, map_anonymous(PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE));
    memset(memory, 'G', PAGE);
    char* grown = mremap(memory, PAGE, 8 * PAGE, MREMAP_MAYMOVE);
    CHECK(grown != MAP_FAILED, "mremap grow: %s", errno_name(errno));
    CHECK(grown[0] == 'G' && grown[PAGE - 1] == 'G', "contents lost in mremap");
    CHECK(grown[PAGE] == 0 && grown[8 * PAGE - 1] == 0, "grown part not zero");
    if (grown != memory) CHECK_SEGV(memory, ACCESS_READ, SEGV_MAPERR);
    char* shrunk = mremap(grown, 8 * PAGE, 2 * PAGE, 0);
    CHECK(shrunk == grown, "shrinking mremap moved the mapping (%p -> %p)", grown, shrunk);
    CHECK_SEGV(grown + 2 * PAGE, ACCESS_READ, SEGV_MAPERR);

    char* target;
    CHECK_MAP(target, map_anonymous(4 * PAGE, PROT_NONE, MAP_PRIVATE));
    char* moved = mremap(shrunk, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, target + PAGE);
    CHECK(moved == target + PAGE, "MREMAP_FIXED returned %p, expected %p", moved, target + PAGE);
    CHECK(moved[0] == 'G', "MREMAP_FIXED lost the contents");
    CHECK_SEGV(shrunk, ACCESS_READ, SEGV_MAPERR);
    munmap(target, 4 * PAGE);
}

CASE(mremap_argument_errors) {
    char* memory;
    CHECK_MAP(memory, map_anonymous(2 * PAGE, PROT_READ, MAP_PRIVATE));
    CHECK_ERRNO(syscall(SYS_mremap, memory + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE), EINVAL);
    CHECK_ERRNO(syscall(SYS_mremap, memory, PAGE, 0, MREMAP_MAYMOVE), EINVAL);
    CHECK_ERRNO(syscall(SYS_mremap, memory, PAGE, PAGE, MREMAP_FIXED, memory + 8 * PAGE), EINVAL);
    CHECK_ERRNO(syscall(SYS_mremap, memory, PAGE, PAGE, 0x80), EINVAL);
    CHECK_ERRNO(syscall(SYS_mremap, unmapped_address(), PAGE, 2 * PAGE, MREMAP_MAYMOVE), EFAULT);
    munmap(memory, 2 * PAGE);
}

CASE(file_mappings) {
    char contents[2 * PAGE];
    memset(contents, 'f', sizeof contents);
    CHECK_OK(write_file("mapped", contents, sizeof contents, 0644));
    int fd = CHECK_OK(open("mapped", O_RDWR));
    char* shared = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char* private_map = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK(shared != MAP_FAILED && private_map != MAP_FAILED, "file mmap: %s", errno_name(errno));
    CHECK(shared[0] == 'f' && private_map[2 * PAGE - 1] == 'f', "mapping does not show the file");
    shared[5] = 'S';
    private_map[6] = 'P';
    CHECK_OK(msync(shared, 2 * PAGE, MS_SYNC));
    char check[8];
    CHECK(pread(fd, check, 8, 0) == 8, "pread: %s", errno_name(errno));
    CHECK(check[5] == 'S', "MAP_SHARED write not visible through read()");
    CHECK(check[6] == 'f', "MAP_PRIVATE write reached the file");
    CHECK(private_map[5] == 'S', "private mapping did not see a shared change to an untouched page");
    CHECK(pwrite(fd, "W", 1, PAGE) == 1, "pwrite: %s", errno_name(errno));
    CHECK(shared[PAGE] == 'W', "write() not visible through MAP_SHARED");
    /* Offsets must be page aligned; the fd must allow the requested access. */
    CHECK_ERRNO(syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_SHARED, fd, 100), EINVAL);
    int read_only = CHECK_OK(open("mapped", O_RDONLY));
    CHECK_ERRNO(syscall(SYS_mmap, NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, read_only, 0), EACCES);
    char* private_of_readonly = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, read_only, 0);
    CHECK(private_of_readonly != MAP_FAILED, "MAP_PRIVATE writable of an O_RDONLY fd: %s", errno_name(errno));
    private_of_readonly[0] = 'z';
    close(read_only);
    close(fd);
    CHECK(shared[1] == 'f', "mapping died with its fd");
    munmap(shared, 2 * PAGE);
    munmap(private_map, 2 * PAGE);
}

CASE(file_mapping_past_eof_sigbus) {
    CHECK_OK(write_file("short", "0123456789", 10, 0644));
    int fd = CHECK_OK(open("short", O_RDONLY));
    char* memory = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(memory != MAP_FAILED, "mmap: %s", errno_name(errno));
    close(fd);
    CHECK(memory[9] == '9' && memory[10] == 0 && memory[PAGE - 1] == 0,
          "the tail of the last file page must read as zeros");
    CHECK(access_faults(memory + PAGE + 8, ACCESS_READ), "reading a page past EOF did not fault");
    CHECK(g_fault_signal == SIGBUS && g_fault_code == BUS_ADRERR,
          "page past EOF raised %s code %d, expected SIGBUS BUS_ADRERR", signal_name(g_fault_signal),
          g_fault_code);
    CHECK(g_fault_address == memory + PAGE + 8, "si_addr %p", g_fault_address);
    munmap(memory, 2 * PAGE);
}

CASE(msync_mincore) {
    char* memory;
    CHECK_MAP(memory, map_anonymous(4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE));
    memory[0] = 1;
    memory[2 * PAGE] = 1;
    CHECK_OK(msync(memory, 4 * PAGE, MS_ASYNC));
    CHECK_ERRNO(syscall(SYS_msync, memory, PAGE, MS_SYNC | MS_ASYNC), EINVAL);
    CHECK_ERRNO(syscall(SYS_msync, memory + 1, PAGE, MS_SYNC), EINVAL);
    CHECK_ERRNO(syscall(SYS_msync, unmapped_address(), PAGE, MS_SYNC), ENOMEM);
    unsigned char residency[4] = {0xff, 0xff, 0xff, 0xff};
    CHECK_OK(mincore(memory, 4 * PAGE, residency));
    CHECK((residency[0] & 1) && (residency[2] & 1), "touched pages not reported resident");
    CHECK((residency[0] & ~1) == 0, "mincore set reserved bits: 0x%x", residency[0]);
    CHECK_ERRNO(syscall(SYS_mincore, memory + 1, PAGE, residency), EINVAL);
    CHECK_ERRNO(syscall(SYS_mincore, unmapped_address(), PAGE, residency), ENOMEM);
    munmap(memory, 4 * PAGE);
}

CASE(many_small_mappings) {
    enum { COUNT = 512 };
    static char* mappings[COUNT];
    for (int i = 0; i < COUNT; i++) {
        /* Alternate protections so that neighbours cannot merge into one VMA. */
        CHECK_MAP(mappings[i], map_anonymous(PAGE, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE, MAP_PRIVATE));
        if (i % 2 == 0) mappings[i][0] = (char)i;
    }
    for (int i = 0; i < COUNT; i += 2) CHECK(mappings[i][0] == (char)i, "mapping %d lost its byte", i);
    for (int i = 0; i < COUNT; i++) CHECK_OK(munmap(mappings[i], PAGE));
}

CASE(mlock_basic) {
    char* memory;
    CHECK_MAP(memory, map_anonymous(2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE));
    CHECK_OK(mlock(memory, PAGE));
    memory[0] = 1;
    CHECK_OK(munlock(memory, PAGE));
    CHECK_ERRNO(syscall(SYS_mlock, unmapped_address(), PAGE), ENOMEM);
    munmap(memory, 2 * PAGE);
}

static const struct test_case cases[] = {
    CASE_ENTRY(brk_grow_shrink),
    CASE_ENTRY(mmap_private_anonymous),
    CASE_ENTRY(mmap_argument_errors),
    CASE_ENTRY(mmap_page_zero_refused),
    CASE_ENTRY(shared_anonymous_across_fork),
    CASE_ENTRY(copy_on_write_after_fork),
    CASE_ENTRY(map_fixed_replaces),
    CASE_ENTRY(map_fixed_noreplace),
    CASE_ENTRY(map_noreserve_large),
    CASE_ENTRY(map_growsdown_expands),
    CASE_ENTRY(munmap_partial),
    CASE_ENTRY(munmap_argument_errors),
    CASE_ENTRY(prot_none_faults_accerr),
    CASE_ENTRY(unmapped_faults_maperr),
    CASE_ENTRY(readonly_write_faults_accerr),
    CASE_ENTRY(data_not_executable),
    CASE_ENTRY(write_exec_mapping_linux_or_wx),
    CASE_ENTRY(mprotect_changes_and_splits),
    CASE_ENTRY(mprotect_argument_errors),
    CASE_ENTRY(madvise_dontneed),
    CASE_ENTRY(mremap_grow_shrink),
    CASE_ENTRY(mremap_argument_errors),
    CASE_ENTRY(file_mappings),
    CASE_ENTRY(file_mapping_past_eof_sigbus),
    CASE_ENTRY(msync_mincore),
    CASE_ENTRY(many_small_mappings),
    CASE_ENTRY(mlock_basic),
};

int main(int argc, char** argv) {
    g_use_tmpdir = true;
    return CONFORMANCE_MAIN("memory", cases, argc, argv);
}
