// ext4: directory-index name hashes (Linux fs/ext4/hash.c).
#include "fs/ext4/dx_hash.h"

#include "fs/ext4/format.h"

namespace ext4 {
namespace {

constexpr u32 rotate_left(u32 value, int shift) { return (value << shift) | (value >> (32 - shift)); }

void tea_transform(u32 buffer[4], const u32 in[4]) {
    u32 sum = 0;
    u32 b0 = buffer[0], b1 = buffer[1];
    u32 a = in[0], b = in[1], c = in[2], d = in[3];
    for (int n = 16; n > 0; n--) {
        sum += 0x9E3779B9;
        b0 += ((b1 << 4) + a) ^ (b1 + sum) ^ ((b1 >> 5) + b);
        b1 += ((b0 << 4) + c) ^ (b0 + sum) ^ ((b0 >> 5) + d);
    }
    buffer[0] += b0;
    buffer[1] += b1;
}

constexpr u32 F(u32 x, u32 y, u32 z) { return z ^ (x & (y ^ z)); }
constexpr u32 G(u32 x, u32 y, u32 z) { return (x & y) + ((x ^ y) & z); }
constexpr u32 H(u32 x, u32 y, u32 z) { return x ^ y ^ z; }

void half_md4_transform(u32 buffer[4], const u32 in[8]) {
    u32 a = buffer[0], b = buffer[1], c = buffer[2], d = buffer[3];
    constexpr u32 K2 = 013240474631u, K3 = 015666365641u;
#define ROUND(f, a, b, c, d, x, s) (a += f(b, c, d) + (x), a = rotate_left(a, s))
    ROUND(F, a, b, c, d, in[0], 3);
    ROUND(F, d, a, b, c, in[1], 7);
    ROUND(F, c, d, a, b, in[2], 11);
    ROUND(F, b, c, d, a, in[3], 19);
    ROUND(F, a, b, c, d, in[4], 3);
    ROUND(F, d, a, b, c, in[5], 7);
    ROUND(F, c, d, a, b, in[6], 11);
    ROUND(F, b, c, d, a, in[7], 19);
    ROUND(G, a, b, c, d, in[1] + K2, 3);
    ROUND(G, d, a, b, c, in[3] + K2, 5);
    ROUND(G, c, d, a, b, in[5] + K2, 9);
    ROUND(G, b, c, d, a, in[7] + K2, 13);
    ROUND(G, a, b, c, d, in[0] + K2, 3);
    ROUND(G, d, a, b, c, in[2] + K2, 5);
    ROUND(G, c, d, a, b, in[4] + K2, 9);
    ROUND(G, b, c, d, a, in[6] + K2, 13);
    ROUND(H, a, b, c, d, in[3] + K3, 3);
    ROUND(H, d, a, b, c, in[7] + K3, 9);
    ROUND(H, c, d, a, b, in[2] + K3, 11);
    ROUND(H, b, c, d, a, in[6] + K3, 15);
    ROUND(H, a, b, c, d, in[1] + K3, 3);
    ROUND(H, d, a, b, c, in[5] + K3, 9);
    ROUND(H, c, d, a, b, in[0] + K3, 11);
    ROUND(H, b, c, d, a, in[4] + K3, 15);
#undef ROUND
    buffer[0] += a;
    buffer[1] += b;
    buffer[2] += c;
    buffer[3] += d;
}

u32 legacy_hash(const char* name, usize length, bool is_unsigned) {
    u32 hash0 = 0x12A3FE2D, hash1 = 0x37ABE8F9;
    for (usize i = 0; i < length; i++) {
        int c = is_unsigned ? static_cast<int>(static_cast<unsigned char>(name[i]))
                            : static_cast<int>(static_cast<signed char>(name[i]));
        u32 hash = hash1 + (hash0 ^ static_cast<u32>(c * 7152373));
        if (hash & 0x80000000) hash -= 0x7FFFFFFF;
        hash1 = hash0;
        hash0 = hash;
    }
    return hash0 << 1;
}

// Linux: str2hashbuf_signed / str2hashbuf_unsigned.
void string_to_hash_buffer(const char* message, usize length, u32* buffer, int words, bool is_unsigned) {
    u32 pad = static_cast<u32>(length) | (static_cast<u32>(length) << 8);
    pad |= pad << 16;
    u32 value = pad;
    if (length > static_cast<usize>(words) * 4) length = static_cast<usize>(words) * 4;
    for (usize i = 0; i < length; i++) {
        int c = is_unsigned ? static_cast<int>(static_cast<unsigned char>(message[i]))
                            : static_cast<int>(static_cast<signed char>(message[i]));
        value = static_cast<u32>(c) + (value << 8);
        if (i % 4 == 3) {
            *buffer++ = value;
            value = pad;
            words--;
        }
    }
    if (--words >= 0) *buffer++ = value;
    while (--words >= 0) *buffer++ = pad;
}

}  // namespace

u32 dx_hash(const char* name, usize length, u8 version, const u32 seed[4], u32* minor_hash) {
    u32 buffer[4] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476};
    if (seed && (seed[0] | seed[1] | seed[2] | seed[3]))
        for (int i = 0; i < 4; i++) buffer[i] = seed[i];
    u32 hash = 0, minor = 0;
    u32 in[8];
    bool is_unsigned = version >= DX_HASH_LEGACY_UNSIGNED;
    switch (version) {
    case DX_HASH_LEGACY:
    case DX_HASH_LEGACY_UNSIGNED:
        hash = legacy_hash(name, length, is_unsigned);
        break;
    case DX_HASH_HALF_MD4:
    case DX_HASH_HALF_MD4_UNSIGNED: {
        const char* p = name;
        isize left = static_cast<isize>(length);
        while (left > 0) {
            string_to_hash_buffer(p, static_cast<usize>(left), in, 8, is_unsigned);
            half_md4_transform(buffer, in);
            left -= 32;
            p += 32;
        }
        minor = buffer[2];
        hash = buffer[1];
        break;
    }
    case DX_HASH_TEA:
    case DX_HASH_TEA_UNSIGNED: {
        const char* p = name;
        isize left = static_cast<isize>(length);
        while (left > 0) {
            string_to_hash_buffer(p, static_cast<usize>(left), in, 4, is_unsigned);
            tea_transform(buffer, in);
            left -= 16;
            p += 16;
        }
        hash = buffer[0];
        minor = buffer[1];
        break;
    }
    default:
        hash = 0;
        break;
    }
    hash &= ~1u;
    if (hash == (0x7FFFFFFFu << 1)) hash = (0x7FFFFFFFu - 1) << 1;
    if (minor_hash) *minor_hash = minor;
    return hash;
}

}  // namespace ext4
