// Memory: typed user-space pointers.
//
// A UserPtr<T> holds a user address and cannot be dereferenced: the only way to reach
// the memory behind it is through mm/user_copy.h, which checks the range and survives
// faults. Syscall handlers take their pointer arguments as UserPtr.
#pragma once

#include "lib/types.h"

template <typename T>
class UserPtr {
public:
    constexpr UserPtr() = default;
    constexpr explicit UserPtr(uptr address) : m_address(address) {}

    constexpr uptr address() const { return m_address; }
    constexpr bool is_null() const { return m_address == 0; }
    // Pointer arithmetic in elements of T, wrapping as integers do; ranges are checked
    // when the memory is touched.
    constexpr UserPtr offset(usize elements) const { return UserPtr(m_address + elements * sizeof(T)); }
    template <typename U>
    constexpr UserPtr<U> cast() const {
        return UserPtr<U>(m_address);
    }

private:
    uptr m_address = 0;
};

template <>
constexpr UserPtr<void> UserPtr<void>::offset(usize bytes) const {
    return UserPtr<void>(m_address + bytes);
}
template <>
constexpr UserPtr<const void> UserPtr<const void>::offset(usize bytes) const {
    return UserPtr<const void>(m_address + bytes);
}
