// Kernel library: the subset of the C++ standard library the kernel may use.
//
// Only header-only facilities that need no hosted runtime, no exceptions and no RTTI are
// re-exported here (as Zircon's ktl does), so that one file shows what is allowed.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <concepts>
#include <limits>
#include <new>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include "lib/types.h"

namespace kstd {
using std::array;
using std::atomic;
using std::bit_cast;
using std::bit_floor;
using std::countl_zero;
using std::countr_zero;
using std::exchange;
using std::forward;
using std::has_single_bit;
using std::max;
using std::memory_order_acq_rel;
using std::memory_order_acquire;
using std::memory_order_relaxed;
using std::memory_order_release;
using std::memory_order_seq_cst;
using std::min;
using std::move;
using std::nothrow;
using std::nullopt;
using std::numeric_limits;
using std::optional;
using std::span;
using std::string_view;
using std::swap;

template <typename T>
constexpr T align_up(T value, T alignment) {
    return (value + alignment - 1) & ~(alignment - 1);
}
template <typename T>
constexpr T align_down(T value, T alignment) {
    return value & ~(alignment - 1);
}
template <typename T>
constexpr bool is_aligned(T value, T alignment) {
    return (value & (alignment - 1)) == 0;
}
// a + b without wrapping; false when it would overflow.
template <typename T>
constexpr bool checked_add(T a, T b, T* out) {
    return !__builtin_add_overflow(a, b, out);
}
template <typename T>
constexpr bool checked_mul(T a, T b, T* out) {
    return !__builtin_mul_overflow(a, b, out);
}
template <typename T, usize N>
constexpr usize size(const T (&)[N]) {
    return N;
}
}  // namespace kstd
