// Kernel library: the subset of the C++ standard library the kernel may use.
//
// Only header-only facilities that need no hosted runtime, no exceptions and no RTTI are
// re-exported here (as Zircon's ktl does), so that one file shows what is allowed.
// <atomic> and <algorithm> are left out: they pull the hosted C library's headers (whose
// types clash with the Linux UAPI's); lib/atomic.h and the helpers below replace them.
#pragma once

#include <array>
#include <bit>
#include <initializer_list>
#include <concepts>
#include <limits>
#include <new>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include "lib/atomic.h"
#include "lib/types.h"

namespace kstd {
using std::array;
using std::bit_cast;
using std::bit_ceil;
using std::bit_floor;
using std::countl_zero;
using std::countr_zero;
using std::exchange;
using std::forward;
using std::has_single_bit;
using std::move;
using std::nothrow;
using std::nullopt;
using std::numeric_limits;
using std::optional;
using std::span;
using std::string_view;
using std::swap;

template <typename T>
constexpr const T& min(const T& a, const T& b) {
    return b < a ? b : a;
}
template <typename T>
constexpr const T& max(const T& a, const T& b) {
    return a < b ? b : a;
}
template <typename T>
constexpr T min(std::initializer_list<T> values) {
    const T* best = values.begin();
    for (const T* v = values.begin(); v != values.end(); v++)
        if (*v < *best) best = v;
    return *best;
}
template <typename T>
constexpr T max(std::initializer_list<T> values) {
    const T* best = values.begin();
    for (const T* v = values.begin(); v != values.end(); v++)
        if (*best < *v) best = v;
    return *best;
}
// Insertion sort: for the short arrays the kernel sorts (memory maps, tables).
template <typename T, typename Less>
constexpr void sort(T* first, T* last, Less less) {
    for (T* i = first + (first != last); i < last; i++) {
        T value = std::move(*i);
        T* j = i;
        for (; j > first && less(value, *(j - 1)); j--) *j = std::move(*(j - 1));
        *j = std::move(value);
    }
}

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
