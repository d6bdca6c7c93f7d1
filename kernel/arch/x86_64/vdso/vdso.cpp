// x86_64 vDSO: the kernel's side (see arch/vdso.h). At boot the image linked into the
// kernel (vdso_image.S) is copied into pages of its own beside one zeroed data page; every
// exec maps them, data page first, as one memory object:
//
//   [vvar]  1 page   read-only, never writable (mprotect refuses)   struct vdso_data
//   [vdso]  N pages  read + execute, private (a debugger's breakpoint copies the page)
//
// The kernel writes the data page through the direct map under a sequence count
// (vdso_data.h); processes see the same frame, so an update reaches all of them at once.
#include "arch/vdso.h"

#include <asm/mman.h>
#include <linux/elf.h>

#include "arch/x86_64/cpu/features.h"
#include "arch/x86_64/cpu/x86.h"
#include "arch/x86_64/time/clocks.h"
#include "arch/x86_64/vdso/vdso_data.h"
#include "debug/panic.h"
#include "init/params.h"
#include "lib/string.h"
#include "log/klog.h"
#include "mm/address_space.h"
#include "mm/kmalloc.h"
#include "mm/pmm.h"
#include "time/clock.h"

extern "C" const u8 vdso_image_start[];
extern "C" const u8 vdso_image_end[];

namespace x86 {
namespace {

constexpr usize MAX_IMAGE_PAGES = 4;

// The data page and the image pages, in mapping order. The object holds a reference on
// each for ever; the pages are marked as owned so that a private write always copies.
class VdsoObject final : public MemoryObject {
public:
    Page* pages[1 + MAX_IMAGE_PAGES] = {};
    usize page_count = 0;

    Result<Page*> get_page(u64 index) override {
        if (index >= page_count) return err(ENXIO);
        mm::get_page(pages[index]);
        return pages[index];
    }
    const char* describe() const override { return "[vdso]"; }
};

VdsoObject* g_object = nullptr;
volatile vdso_data* g_data = nullptr;

Page* take_page(VdsoObject& object) {
    Page* page = mm::alloc_zeroed_page();
    if (!page) panic("vdso: out of memory at boot");
    page->owner = &object;
    object.pages[object.page_count++] = page;
    return page;
}

}  // namespace
}  // namespace x86

namespace arch {

void vdso_init() {
    using namespace x86;
    // Linux's vdso=0: processes get no vDSO (and no AT_SYSINFO_EHDR); every clock read is a
    // system call. For measuring what the vDSO saves.
    if (init::g_cmdline.value_of("vdso") == kstd::string_view("0")) {
        pr_info("vdso: disabled (vdso=0)");
        return;
    }
    usize size = static_cast<usize>(vdso_image_end - vdso_image_start);
    usize image_pages = kstd::align_up<usize>(size, PAGE_SIZE) / PAGE_SIZE;
    // The build checked the image (tools/check_vdso.py); these are the facts mapping relies on.
    if (size < sizeof(Elf64_Ehdr) || memcmp(vdso_image_start, ELFMAG, SELFMAG) != 0 || image_pages > MAX_IMAGE_PAGES)
        panic("vdso: the image linked into the kernel is not a small ELF object (%lu bytes)", size);
    // Its first reference is never dropped: the object and its pages live for ever.
    g_object = new (kstd::nothrow) VdsoObject;
    if (!g_object) panic("vdso: out of memory at boot");
    g_data = static_cast<vdso_data*>(mm::page_address(take_page(*g_object)));
    for (usize i = 0; i < image_pages; i++) {
        void* page = mm::page_address(take_page(*g_object));
        usize offset = i * PAGE_SIZE;
        memcpy(page, vdso_image_start + offset, kstd::min<usize>(PAGE_SIZE, size - offset));
    }
    // getcpu reads IA32_TSC_AUX, which holds node << 12 | cpu (Linux's encoding): CPU 0.
    if (g_cpu.rdpid || g_cpu.rdtscp) wrmsr(MSR_TSC_AUX, 0);
    g_data->cpu_mode = g_cpu.rdpid ? VDSO_CPU_MODE_RDPID : g_cpu.rdtscp ? VDSO_CPU_MODE_RDTSCP : VDSO_CPU_MODE_SYSCALL;
    vdso_update_clock();
    pr_info("vdso: %lu bytes, getcpu via %s", size,
            g_cpu.rdpid ? "RDPID" : g_cpu.rdtscp ? "RDTSCP" : "the system call");
}

void vdso_update_clock() {
    using namespace x86;
    if (!g_data) return;
    vdso_write_begin(g_data);
    g_data->tsc_base = tsc_base();
    g_data->tsc_mult = tsc_mult();
    g_data->realtime_offset_ns = ktime::realtime_offset_ns();
    g_data->clock_mode = tsc_mult() ? VDSO_CLOCK_MODE_TSC : VDSO_CLOCK_MODE_NONE;
    vdso_write_end(g_data);
}

Result<uptr> vdso_map(AddressSpace& space) {
    using namespace x86;
    if (!g_object) return 0;  // vdso=0
    usize length = g_object->page_count * PAGE_SIZE;
    // Room for both, found like any mmap without a hint; then the code over all but the
    // first page.
    AddressSpace::MapRequest data;
    data.length = length;
    data.prot = PROT_READ;
    data.flags = MAP_PRIVATE;
    data.object = RefPtr<MemoryObject>(g_object);
    data.kind = VmaKind::Vvar;
    uptr base = TRY(space.map(kstd::move(data)));
    AddressSpace::MapRequest code;
    code.address = base + PAGE_SIZE;
    code.length = length - PAGE_SIZE;
    code.prot = PROT_READ | PROT_EXEC;
    code.flags = MAP_PRIVATE | MAP_FIXED;
    code.object = RefPtr<MemoryObject>(g_object);
    code.offset = PAGE_SIZE;
    code.kind = VmaKind::Vdso;
    uptr vdso = TRY(space.map(kstd::move(code)));
    TRY(space.set_flags(base, PAGE_SIZE, VMA_NEVER_WRITABLE, 0));
    return vdso;
}

}  // namespace arch
