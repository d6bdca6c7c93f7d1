// Randomness: a ChaCha20-based generator (RFC 8439's block function), keyed from RDRAND
// and timing jitter and rekeyed from its own output after every request (fast key
// erasure), so earlier outputs cannot be recovered from the state.
#include "random/random.h"

#include "arch/cpu.h"
#include "lib/string.h"
#include "sync/spinlock.h"

namespace krandom {
namespace {

SpinLock g_lock;
u32 g_key[8];
u64 g_counter = 0;
bool g_seeded = false;

constexpr u32 rotl(u32 v, int n) { return (v << n) | (v >> (32 - n)); }

void quarter_round(u32& a, u32& b, u32& c, u32& d) {
    a += b; d ^= a; d = rotl(d, 16);
    c += d; b ^= c; b = rotl(b, 12);
    a += b; d ^= a; d = rotl(d, 8);
    c += d; b ^= c; b = rotl(b, 7);
}

// One 64-byte ChaCha20 block for the current key and counter.
void chacha_block(u32 out[16]) {
    u32 state[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
    memcpy(state + 4, g_key, sizeof(g_key));
    state[12] = static_cast<u32>(g_counter);
    state[13] = static_cast<u32>(g_counter >> 32);
    state[14] = state[15] = 0;
    g_counter++;
    u32 x[16];
    memcpy(x, state, sizeof(x));
    for (int i = 0; i < 10; i++) {
        quarter_round(x[0], x[4], x[8], x[12]);
        quarter_round(x[1], x[5], x[9], x[13]);
        quarter_round(x[2], x[6], x[10], x[14]);
        quarter_round(x[3], x[7], x[11], x[15]);
        quarter_round(x[0], x[5], x[10], x[15]);
        quarter_round(x[1], x[6], x[11], x[12]);
        quarter_round(x[2], x[7], x[8], x[13]);
        quarter_round(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++) out[i] = x[i] + state[i];
}

void mix_in(u64 value) {
    for (int i = 0; i < 8; i++) g_key[i] ^= static_cast<u32>(value >> ((i % 2) * 32)) * (i + 1);
    u32 block[16];
    chacha_block(block);
    memcpy(g_key, block, sizeof(g_key));
}

void seed_locked() {
    for (int i = 0; i < 16; i++) {
        u64 value;
        if (arch::hardware_random(&value)) mix_in(value);
        mix_in(arch::read_cycle_counter());
    }
    g_seeded = true;
}

}  // namespace

void init() {
    SpinLockGuard guard(g_lock);
    seed_locked();
}

void fill(void* buffer, usize length) {
    SpinLockGuard guard(g_lock);
    if (!g_seeded) seed_locked();
    auto* out = static_cast<u8*>(buffer);
    u32 block[16];
    while (length) {
        chacha_block(block);
        usize n = kstd::min<usize>(length, 32);
        // The first half is output, the second half never leaves: it becomes the next key.
        memcpy(out, block, n);
        out += n;
        length -= n;
        memcpy(g_key, block + 8, sizeof(g_key));
    }
    memset(block, 0, sizeof(block));
}

u64 next_u64() {
    u64 value;
    fill(&value, sizeof(value));
    return value;
}

void mix(const void* data, usize length) {
    SpinLockGuard guard(g_lock);
    auto* bytes = static_cast<const u8*>(data);
    while (length) {
        u32 words[8] = {};
        usize n = kstd::min<usize>(length, sizeof(words));
        memcpy(words, bytes, n);
        for (int i = 0; i < 8; i++) g_key[i] ^= words[i];
        u32 block[16];
        chacha_block(block);  // the new key depends on every bit of the old one and the input
        memcpy(g_key, block, sizeof(g_key));
        memset(block, 0, sizeof(block));
        bytes += n;
        length -= n;
    }
}

u64 below(u64 bound) {
    if (bound <= 1) return 0;
    // Rejection sampling: no modulo bias.
    u64 limit = ~u64(0) - (~u64(0) % bound);
    for (;;) {
        u64 value = next_u64();
        if (value < limit) return value % bound;
    }
}

}  // namespace krandom
