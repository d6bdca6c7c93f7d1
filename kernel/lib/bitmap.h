// Kernel library: a fixed-size bitmap over caller-provided storage.
#pragma once

#include "lib/kstd.h"
#include "lib/types.h"

class Bitmap {
public:
    Bitmap() = default;
    Bitmap(u64* words, usize bits) : m_words(words), m_bits(bits) {}

    usize size() const { return m_bits; }
    bool get(usize bit) const { return (m_words[bit / 64] >> (bit % 64)) & 1; }
    void set(usize bit) { m_words[bit / 64] |= u64(1) << (bit % 64); }
    void clear(usize bit) { m_words[bit / 64] &= ~(u64(1) << (bit % 64)); }
    void set_range(usize first, usize count, bool value) {
        for (usize i = first; i < first + count; i++) value ? set(i) : clear(i);
    }
    // First run of `count` clear bits starting at or after `from`, aligned to `align` bits.
    kstd::optional<usize> find_clear_run(usize count, usize from = 0, usize align = 1) const {
        usize start = kstd::align_up(from, align);
        while (start + count <= m_bits) {
            // Whole words of set bits are skipped at once.
            if (start % 64 == 0 && m_words[start / 64] == ~u64(0)) {
                start = kstd::align_up(start + 64, align);
                continue;
            }
            usize i = 0;
            while (i < count && !get(start + i)) i++;
            if (i == count) return start;
            start = kstd::align_up(start + i + 1, align);
        }
        return kstd::nullopt;
    }
    static constexpr usize words_for(usize bits) { return (bits + 63) / 64; }

private:
    u64* m_words = nullptr;
    usize m_bits = 0;
};
