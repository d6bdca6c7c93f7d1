// Randomness for the kernel: address-space randomisation, AT_RANDOM, stack canaries,
// getrandom(2) and /dev/urandom (which build on this interface).
#pragma once

#include "lib/types.h"

namespace krandom {
// Seeds the generator (hardware randomness where the CPU has it, plus timing jitter).
void init();
u64 next_u64();
void fill(void* buffer, usize length);
// A value in [0, bound).
u64 below(u64 bound);
// Stirs caller-supplied bytes into the key (writes to /dev/random and /dev/urandom). They
// can only add uncertainty: whoever knows them still cannot predict the output.
void mix(const void* data, usize length);
}  // namespace krandom
