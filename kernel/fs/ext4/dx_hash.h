// ext4: directory-index name hashes (legacy, half-MD4 and TEA, signed and unsigned).
#pragma once

#include "lib/types.h"

namespace ext4 {

// Linux: ext4fs_dirhash. seed is s_hash_seed (all zero selects the default seed).
// Returns the major hash (low bit clear); *minor_hash receives the minor hash.
u32 dx_hash(const char* name, usize length, u8 version, const u32 seed[4], u32* minor_hash);

}  // namespace ext4
