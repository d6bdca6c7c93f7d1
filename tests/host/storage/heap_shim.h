// Host tests, storage: controls for the kmalloc shim (heap_shim.cpp).
#pragma once

// After `allocations` more successful kmalloc/kzalloc calls, they return null; -1 restores.
void heap_shim_fail_after(long allocations);
