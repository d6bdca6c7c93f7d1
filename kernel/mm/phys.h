// Memory: translating between physical addresses, the direct map and Page descriptors.
#pragma once

#include "arch/memory_layout.h"
#include "lib/types.h"

namespace mm {

template <typename T = void>
inline T* phys_to_virt(PhysAddr phys) {
    return reinterpret_cast<T*>(arch::DIRECT_MAP + phys);
}

// For direct-map and kernel-image addresses only.
inline PhysAddr virt_to_phys(const void* virt) {
    auto address = reinterpret_cast<uptr>(virt);
    if (address >= arch::KERNEL_IMAGE_BASE) return address - arch::KERNEL_IMAGE_BASE;
    return address - arch::DIRECT_MAP;
}

}  // namespace mm
