// Kernel library: the kernel command line, split the way Linux splits it.
//
// Linux (init/main.c, lib/cmdline.c): parameters are separated by spaces; double quotes
// group spaces into one parameter or value and are removed; `--` ends the kernel's part
// and everything after it goes to init's argv. Parameters the kernel does not know go to
// init: `name=value` into its environment (a later one replaces an earlier one of the same
// name), plain words into its argv; names with a dot are module parameters and are dropped.
#pragma once

#include "lib/kstd.h"
#include "lib/types.h"

namespace klib {

constexpr usize COMMAND_LINE_SIZE = 2048;  // Linux x86's limit
constexpr usize MAX_INIT_ARGS = 32;        // Linux's MAX_INIT_ARGS
constexpr usize MAX_INIT_ENVS = 32;        // Linux's MAX_INIT_ENVS

struct KernelParam {
    kstd::string_view name;
    kstd::optional<kstd::string_view> value;  // absent for a bare word like `quiet`
};

class CommandLine {
public:
    // Copies and splits `line` (truncated to COMMAND_LINE_SIZE-1 bytes, as Linux does).
    void parse(kstd::string_view line);

    kstd::string_view raw() const { return {m_raw, m_raw_len}; }
    kstd::span<const KernelParam> params() const { return {m_params, m_param_count}; }
    // Words after `--`: they belong to init's argv.
    kstd::span<const kstd::string_view> after_dashes() const {
        return {m_after_dashes, m_after_dashes_count};
    }

    // Last occurrence wins, as with Linux's early_param/__setup handlers.
    kstd::optional<kstd::string_view> value_of(kstd::string_view name) const;
    bool has_flag(kstd::string_view name) const;
    bool has(kstd::string_view name) const;

    static constexpr usize MAX_PARAMS = 256;

private:
    char m_raw[COMMAND_LINE_SIZE] = {};
    usize m_raw_len = 0;
    char m_split[COMMAND_LINE_SIZE] = {};
    KernelParam m_params[MAX_PARAMS];
    usize m_param_count = 0;
    kstd::string_view m_after_dashes[MAX_INIT_ARGS];
    usize m_after_dashes_count = 0;
};

// argv and envp for init, built from the parameters the kernel did not consume.
struct InitArguments {
    kstd::string_view argv[MAX_INIT_ARGS + 1];
    usize argc = 0;
    kstd::string_view envp[MAX_INIT_ENVS + 1];
    usize envc = 0;
    bool overflowed = false;  // Linux panics ("Too many boot init vars"); we report it.
};

// `is_kernel_param(name)` says whether the kernel consumes a parameter itself.
// argv[0] is left empty for the caller (the init path); envp starts with HOME=/ TERM=linux.
template <typename Predicate>
InitArguments build_init_arguments(const CommandLine& cmdline, Predicate is_kernel_param);

}  // namespace klib

#include "lib/cmdline_impl.h"
