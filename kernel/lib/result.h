// Kernel library: Result<T>, the way every fallible kernel function reports failure.
//
// The error vocabulary is Linux's errno (lib/errno.h), so a failure deep in a filesystem
// reaches user space unchanged: the syscall dispatcher turns Error into -errno in one place.
// TRY(expr) returns early with the error, as SerenityOS's TRY does.
#pragma once

#include "lib/errno.h"
#include "lib/kstd.h"
#include "lib/types.h"

class [[nodiscard]] Error {
public:
    static constexpr Error from_errno(int code) { return Error(code); }
    constexpr int code() const { return m_code; }
    constexpr bool operator==(const Error&) const = default;

private:
    constexpr explicit Error(int code) : m_code(code) {}
    int m_code;
};

template <typename T>
class [[nodiscard]] Result {
public:
    Result(const T& value) : m_has_value(true) { new (&m_storage) T(value); }
    Result(T&& value) : m_has_value(true) { new (&m_storage) T(kstd::move(value)); }
    Result(Error error) : m_error(error), m_has_value(false) {}
    Result(Result&& other) : m_error(other.m_error), m_has_value(other.m_has_value) {
        if (m_has_value) new (&m_storage) T(kstd::move(other.value()));
    }
    Result(const Result&) = delete;
    Result& operator=(const Result&) = delete;
    Result& operator=(Result&& other) {
        if (this == &other) return *this;
        if (m_has_value) value().~T();
        m_error = other.m_error;
        m_has_value = other.m_has_value;
        if (m_has_value) new (&m_storage) T(kstd::move(other.value()));
        return *this;
    }
    ~Result() {
        if (m_has_value) value().~T();
    }

    bool is_error() const { return !m_has_value; }
    Error error() const { return m_error; }
    T& value() { return *reinterpret_cast<T*>(&m_storage); }
    const T& value() const { return *reinterpret_cast<const T*>(&m_storage); }
    T release_value() { return kstd::move(value()); }

private:
    alignas(T) unsigned char m_storage[sizeof(T)];
    Error m_error = Error::from_errno(0);
    bool m_has_value;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(error), m_has_error(true) {}
    bool is_error() const { return m_has_error; }
    Error error() const { return m_error; }
    void release_value() {}

private:
    Error m_error = Error::from_errno(0);
    bool m_has_error = false;
};

using ErrorOr = Result<void>;

// Shorthand for returning an errno: `return err(ENOENT);`
constexpr Error err(int code) { return Error::from_errno(code); }

#define TRY(expr)                                        \
    ({                                                   \
        auto _try_result = (expr);                       \
        if (_try_result.is_error()) [[unlikely]]         \
            return _try_result.error();                  \
        _try_result.release_value();                     \
    })
