// Debugging: symbol lookup in the linked-in table (see ksyms.h and tools/gen_ksyms.py).
#include "debug/ksyms.h"

// Layout written by tools/gen_ksyms.py: entries sorted by address.
struct KsymEntry {
    u32 text_offset;  // from __text_start
    u32 name_offset;  // into ksyms_names
};
extern "C" const u64 ksyms_count;
extern "C" const KsymEntry ksyms_entries[];
extern "C" const char ksyms_names[];
extern "C" const char __text_start[], __text_end[];

usize ksym_count() { return ksyms_count; }

bool ksym_lookup(uptr address, KernelSymbol& out) {
    auto text_start = reinterpret_cast<uptr>(__text_start);
    auto text_end = reinterpret_cast<uptr>(__text_end);
    if (address < text_start || address >= text_end || ksyms_count == 0) return false;
    u64 offset = address - text_start;
    // Last entry whose start is <= offset.
    usize lo = 0, hi = ksyms_count;
    while (hi - lo > 1) {
        usize mid = (lo + hi) / 2;
        if (ksyms_entries[mid].text_offset <= offset) lo = mid;
        else hi = mid;
    }
    if (ksyms_entries[lo].text_offset > offset) return false;
    out.name = ksyms_names + ksyms_entries[lo].name_offset;
    out.address = text_start + ksyms_entries[lo].text_offset;
    out.offset = address - out.address;
    return true;
}
