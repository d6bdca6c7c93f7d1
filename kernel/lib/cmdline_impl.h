// Kernel library: template part of cmdline.h (building init's argv/envp).
#pragma once

namespace klib {

template <typename Predicate>
InitArguments build_init_arguments(const CommandLine& cmdline, Predicate is_kernel_param) {
    InitArguments out;
    out.argv[out.argc++] = {};  // init's path, filled by the caller
    out.envp[out.envc++] = "HOME=/";
    out.envp[out.envc++] = "TERM=linux";
    for (const KernelParam& param : cmdline.params()) {
        if (is_kernel_param(param.name)) continue;
        if (param.name.find('.') != kstd::string_view::npos) continue;  // module parameter
        if (param.value) {
            // The environment entry is "name=value": the two views are adjacent in the
            // split buffer, separated by the '=' the splitter left in place.
            kstd::string_view entry(param.name.data(), param.name.size() + 1 + param.value->size());
            usize i = 0;
            for (; i < out.envc; i++) {
                kstd::string_view existing = out.envp[i];
                if (existing.size() > param.name.size() &&
                    existing.substr(0, param.name.size()) == param.name &&
                    existing[param.name.size()] == '=')
                    break;
            }
            if (i == out.envc) {
                if (out.envc == MAX_INIT_ENVS) {
                    out.overflowed = true;
                    continue;
                }
                out.envc++;
            }
            out.envp[i] = entry;
        } else {
            if (out.argc == MAX_INIT_ARGS) {
                out.overflowed = true;
                continue;
            }
            out.argv[out.argc++] = param.name;
        }
    }
    for (kstd::string_view word : cmdline.after_dashes()) {
        if (out.argc == MAX_INIT_ARGS) {
            out.overflowed = true;
            break;
        }
        out.argv[out.argc++] = word;
    }
    return out;
}

}  // namespace klib
