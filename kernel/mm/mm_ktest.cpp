// In-kernel tests: physical memory, the heap and the kernel address space on the real
// machine (the allocators' logic itself is covered by the host tests).
#include "arch/memory_layout.h"
#include "arch/paging.h"
#include "arch/probe.h"
#include "ktest/ktest.h"
#include "lib/string.h"
#include "mm/kernel_vm.h"
#include "mm/kmalloc.h"
#include "mm/pmm.h"

extern "C" const char __text_start[], __rodata_start[], __data_start[], __bss_end[];
extern "C" void kernel_boot_main(u32, u32);

namespace {
u64 g_data_word = 1;
const u64 g_rodata_word = 2;
}  // namespace

KTEST(pmm, allocations_are_accounted_and_returned) {
    u64 free_before = mm::memory_stats().free_pages;
    Page* pages = mm::alloc_pages(3);
    KASSERT_TRUE(pages != nullptr);
    KEXPECT_EQ(mm::memory_stats().free_pages, free_before - 8);
    auto* bytes = static_cast<u8*>(mm::page_address(pages));
    memset(bytes, 0xa5, 8 * PAGE_SIZE);
    KEXPECT_EQ(bytes[8 * PAGE_SIZE - 1], 0xa5);
    KEXPECT_EQ(mm::page_to_phys(pages) % (8 * PAGE_SIZE), 0u);
    mm::free_pages(pages, 3);
    KEXPECT_EQ(mm::memory_stats().free_pages, free_before);
}

KTEST(pmm, zeroed_page_is_zero) {
    Page* page = mm::alloc_zeroed_page();
    KASSERT_TRUE(page != nullptr);
    auto* words = static_cast<u64*>(mm::page_address(page));
    u64 any = 0;
    for (usize i = 0; i < PAGE_SIZE / 8; i++) any |= words[i];
    KEXPECT_EQ(any, 0u);
    mm::free_pages(page, 0);
}

KTEST(pmm, exhaustion_is_an_error_not_a_crash) {
    // Ask for more than any -m we boot with can give in one block: the largest order
    // is 4 MiB, so take them all and see the allocator say no, then give them back.
    constexpr usize MAX_BLOCKS = 4096;
    auto** blocks = static_cast<Page**>(kmalloc(MAX_BLOCKS * sizeof(Page*)));
    KASSERT_TRUE(blocks != nullptr);
    usize count = 0;
    while (count < MAX_BLOCKS) {
        Page* block = mm::alloc_pages(BuddyAllocator::MAX_ORDER - 1);
        if (!block) break;
        blocks[count++] = block;
    }
    KEXPECT(count < MAX_BLOCKS);
    KEXPECT(mm::alloc_pages(BuddyAllocator::MAX_ORDER) == nullptr);
    for (usize i = 0; i < count; i++) mm::free_pages(blocks[i], BuddyAllocator::MAX_ORDER - 1);
    kfree(blocks);
}

KTEST(heap, small_and_large_allocations) {
    void* small[64];
    for (usize i = 0; i < 64; i++) {
        small[i] = kmalloc(8 + i * 40);
        KASSERT_TRUE(small[i] != nullptr);
        memset(small[i], static_cast<int>(i), 8 + i * 40);
    }
    void* large = kmalloc(100 * KiB);
    KASSERT_TRUE(large != nullptr);
    memset(large, 0x5a, 100 * KiB);
    for (usize i = 0; i < 64; i++) {
        KEXPECT_EQ(static_cast<u8*>(small[i])[7 + i * 40], i);
        kfree(small[i]);
    }
    KEXPECT_EQ(static_cast<u8*>(large)[100 * KiB - 1], 0x5a);
    kfree(large);
    KEXPECT(kmalloc(usize(1) << 40) == nullptr);
}

KTEST(kernel_vm, image_sections_are_write_xor_execute) {
    auto root = arch::kernel_page_table();
    auto text = arch::translate(root, reinterpret_cast<uptr>(&kernel_boot_main));
    KASSERT_TRUE(text.has_value());
    KEXPECT(text->attributes.executable);
    KEXPECT(!text->attributes.writable);
    auto rodata = arch::translate(root, reinterpret_cast<uptr>(&g_rodata_word));
    KASSERT_TRUE(rodata.has_value());
    KEXPECT(!rodata->attributes.executable);
    KEXPECT(!rodata->attributes.writable);
    auto data = arch::translate(root, reinterpret_cast<uptr>(&g_data_word));
    KASSERT_TRUE(data.has_value());
    KEXPECT(!data->attributes.executable);
    KEXPECT(data->attributes.writable);
}

KTEST(kernel_vm, protections_are_enforced_by_the_cpu) {
    KEXPECT(arch::probe_write(reinterpret_cast<uptr>(&g_rodata_word)) == arch::ProbeResult::Faulted);
    KEXPECT(arch::probe_write(reinterpret_cast<uptr>(&kernel_boot_main)) == arch::ProbeResult::Faulted);
    KEXPECT(arch::probe_write(reinterpret_cast<uptr>(&g_data_word)) == arch::ProbeResult::Ok);
    // A `ret` placed in writable data must not run.
    static u8 code_in_data[16] = {0xc3};
    KEXPECT(arch::probe_execute(reinterpret_cast<uptr>(code_in_data)) == arch::ProbeResult::Faulted);
    // Nothing is mapped at the bottom of the address space.
    KEXPECT(arch::probe_read(0) == arch::ProbeResult::Faulted);
}

KTEST(kernel_vm, direct_map_is_never_executable_and_aliases_code_read_only) {
    Page* page = mm::alloc_pages(0);
    KASSERT_TRUE(page != nullptr);
    auto* bytes = static_cast<u8*>(mm::page_address(page));
    bytes[0] = 0xc3;
    KEXPECT(arch::probe_execute(reinterpret_cast<uptr>(bytes)) == arch::ProbeResult::Faulted);
    mm::free_pages(page, 0);
    uptr text_alias = arch::DIRECT_MAP + mm::virt_to_phys(__text_start);
    KEXPECT(arch::probe_read(text_alias) == arch::ProbeResult::Ok);
    KEXPECT(arch::probe_write(text_alias) == arch::ProbeResult::Faulted);
}

KTEST(kernel_vm, kernel_stacks_have_a_guard_page) {
    auto stack = mm::allocate_kernel_stack();
    KASSERT_TRUE(!stack.is_error());
    KEXPECT_EQ(stack.value().top - stack.value().base, mm::KERNEL_STACK_SIZE);
    KEXPECT(arch::probe_write(stack.value().base) == arch::ProbeResult::Ok);
    KEXPECT(arch::probe_write(stack.value().top - 1) == arch::ProbeResult::Ok);
    KEXPECT(arch::probe_read(stack.value().base - 1) == arch::ProbeResult::Faulted);
    mm::free_kernel_stack(stack.value());
    KEXPECT(arch::probe_read(stack.value().base) == arch::ProbeResult::Faulted);
}

KTEST(kernel_vm, ioremap_maps_uncached_and_unmaps) {
    auto mapped = mm::ioremap(0xfee00000, 4096);  // the local APIC
    KASSERT_TRUE(!mapped.is_error());
    auto virt = reinterpret_cast<uptr>(mapped.value());
    auto t = arch::translate(arch::kernel_page_table(), virt);
    KASSERT_TRUE(t.has_value());
    KEXPECT(t->attributes.uncached);
    KEXPECT(!t->attributes.executable);
    KEXPECT_EQ(t->phys, 0xfee00000u);
    mm::iounmap(mapped.value(), 4096);
    KEXPECT(!arch::translate(arch::kernel_page_table(), virt).has_value());
}
