// Syscalls: what every syscall handler is written against.
//
// Handlers are ordinary functions named sys_<linux name> with natural parameter types
// (int, usize, UserPtr<T>, ...) returning SyscallResult; syscalls/table.cpp adapts them to
// the six raw registers and the dispatcher turns an Error into -errno in one place.
#pragma once

#include "lib/result.h"
#include "lib/types.h"
#include "mm/user_ptr.h"

using SyscallResult = Result<i64>;

struct SyscallArguments {
    u64 raw[6];
};

namespace syscall_detail {

template <typename T>
struct Argument;
template <typename T>
    requires(std::is_integral_v<T> || std::is_enum_v<T>)
struct Argument<T> {
    // Linux truncates to the parameter's C type (an int fd takes the low 32 bits).
    static T from(u64 raw) { return static_cast<T>(raw); }
};
template <typename T>
struct Argument<UserPtr<T>> {
    static UserPtr<T> from(u64 raw) { return UserPtr<T>(raw); }
};

template <typename F>
struct Signature;
template <typename R, typename... Params>
struct Signature<R (*)(Params...)> {
    static constexpr usize arity = sizeof...(Params);
    template <R (*Handler)(Params...), usize... I>
    static SyscallResult call(const SyscallArguments& args, std::index_sequence<I...>) {
        return Handler(Argument<std::remove_cvref_t<Params>>::from(args.raw[I])...);
    }
};

template <auto Handler>
SyscallResult invoke(const SyscallArguments& args) {
    using S = Signature<decltype(Handler)>;
    static_assert(S::arity <= 6, "Linux syscalls take at most six arguments");
    return S::template call<Handler>(args, std::make_index_sequence<S::arity>());
}

}  // namespace syscall_detail

// Whether the syscall is complete or partial (with what is missing) for docs/syscalls.md.
enum class SyscallStatus : u8 { Done, Partial };

struct SyscallEntry {
    SyscallResult (*invoke)(const SyscallArguments& args);
    SyscallStatus status;
    const char* notes;
};
