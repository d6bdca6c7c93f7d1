// Kernel library: splitting the kernel command line (see cmdline.h).
#include "lib/cmdline.h"

#include "lib/string.h"

namespace klib {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
}  // namespace

void CommandLine::parse(kstd::string_view line) {
    m_raw_len = kstd::min(line.size(), COMMAND_LINE_SIZE - 1);
    memcpy(m_raw, line.data(), m_raw_len);
    m_raw[m_raw_len] = '\0';
    m_param_count = 0;
    m_after_dashes_count = 0;

    // Each parameter is copied into m_split with its quotes removed, then NUL-terminated;
    // `name=value` keeps its '=' so that init's environment entry is one contiguous string.
    usize in = 0;
    usize out = 0;
    bool dashes_seen = false;
    while (in < m_raw_len) {
        while (in < m_raw_len && is_space(m_raw[in])) in++;
        if (in >= m_raw_len) break;

        usize start = out;
        usize equals = SIZE_MAX;
        bool quoted = false;
        for (; in < m_raw_len; in++) {
            char c = m_raw[in];
            if (c == '"') {
                quoted = !quoted;
                continue;
            }
            if (!quoted && is_space(c)) break;
            if (c == '=' && equals == SIZE_MAX) equals = out;
            m_split[out++] = c;
        }
        m_split[out++] = '\0';
        kstd::string_view word(m_split + start, out - 1 - start);

        if (dashes_seen) {
            if (m_after_dashes_count < MAX_INIT_ARGS) m_after_dashes[m_after_dashes_count++] = word;
            continue;
        }
        if (word == "--") {
            dashes_seen = true;
            continue;
        }
        if (m_param_count == MAX_PARAMS) continue;
        KernelParam& param = m_params[m_param_count++];
        if (equals == SIZE_MAX) {
            param.name = word;
            param.value = kstd::nullopt;
        } else {
            param.name = kstd::string_view(m_split + start, equals - start);
            param.value = kstd::string_view(m_split + equals + 1, out - 1 - (equals + 1));
        }
    }
}

kstd::optional<kstd::string_view> CommandLine::value_of(kstd::string_view name) const {
    kstd::optional<kstd::string_view> found;
    for (const KernelParam& param : params()) {
        if (param.name == name && param.value) found = param.value;
    }
    return found;
}

bool CommandLine::has_flag(kstd::string_view name) const {
    for (const KernelParam& param : params()) {
        if (param.name == name && !param.value) return true;
    }
    return false;
}

bool CommandLine::has(kstd::string_view name) const {
    for (const KernelParam& param : params()) {
        if (param.name == name) return true;
    }
    return false;
}

}  // namespace klib
