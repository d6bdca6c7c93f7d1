// Processes: the core file's name (see core_name.h), after Linux's format_corename:
// values that come from the process (%e, %E, %h) have '/' replaced by '!' so they cannot
// leave the directory, and a value that would be "." or ".." gets its first dot replaced.
#include "proc/core_name.h"

#include "lib/format.h"
#include "lib/string.h"

namespace coredump {
namespace {

class NameBuilder {
public:
    explicit NameBuilder(CoreName& out) : m_out(out) {}
    bool overflowed() const { return m_overflow; }
    usize used() const { return m_out.length; }

    void append(char c) {
        if (m_out.length + 1 >= CORE_NAME_MAX) {
            m_overflow = true;
            return;
        }
        m_out.name[m_out.length++] = c;
        m_out.name[m_out.length] = '\0';
    }
    void append(kstd::string_view text) {
        for (char c : text) append(c);
    }
    void append_number(u64 value) {
        char digits[24];
        usize length = klib::snprintf(digits, sizeof(digits), "%lu", value);
        append(kstd::string_view(digits, length));
    }
    // Linux's cn_esc_printf.
    void append_escaped(kstd::string_view text) {
        usize start = m_out.length;
        for (char c : text) append(c == '/' ? '!' : c);
        usize added = m_out.length - start;
        if (m_overflow) return;
        if ((added == 1 && m_out.name[start] == '.') ||
            (added == 2 && m_out.name[start] == '.' && m_out.name[start + 1] == '.'))
            m_out.name[start] = '!';
    }

private:
    CoreName& m_out;
    bool m_overflow = false;
};

kstd::string_view last_component(kstd::string_view path) {
    usize slash = path.rfind('/');
    return slash == kstd::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

ErrorOr format_core_name(kstd::string_view pattern, const CoreNameValues& values, bool uses_pid,
                         CoreName& out) {
    out = CoreName{};
    NameBuilder name(out);
    usize at = 0;
    if (!pattern.empty() && pattern[0] == '|') {
        out.target = CoreTarget::Pipe;
        at = 1;
    }
    bool pid_in_pattern = false;
    for (; at < pattern.size(); at++) {
        char c = pattern[at];
        if (c != '%') {
            name.append(c);
            continue;
        }
        if (++at == pattern.size()) break;  // a lone '%' at the end is dropped
        switch (pattern[at]) {
            case '%': name.append('%'); break;
            case 'p':
                pid_in_pattern = true;
                name.append_number(values.pid);
                break;
            case 'P': name.append_number(values.pid); break;
            case 'i':
            case 'I': name.append_number(values.tid); break;
            case 'u': name.append_number(values.uid); break;
            case 'g': name.append_number(values.gid); break;
            case 'd': name.append_number(static_cast<u64>(values.dumpable)); break;
            case 's': name.append_number(static_cast<u64>(values.signal)); break;
            case 't': name.append_number(values.time_seconds); break;
            case 'c': name.append_number(values.core_limit); break;
            case 'h': name.append_escaped(values.hostname); break;
            case 'e': name.append_escaped(values.comm); break;
            case 'f': name.append_escaped(last_component(values.exe_path)); break;
            case 'E': name.append_escaped(values.exe_path); break;
            default: break;  // unknown specifiers vanish
        }
    }
    // core_uses_pid: ".PID" unless the pattern names the pid itself (files only).
    if (out.target == CoreTarget::File && uses_pid && !pid_in_pattern) {
        name.append('.');
        name.append_number(values.pid);
    }
    if (name.overflowed()) return err(ENAMETOOLONG);
    return {};
}

}  // namespace coredump
