// Kernel library: printf-style formatting (see format.h).
#include "lib/format.h"

#include "lib/string.h"

namespace klib {
namespace {

struct Spec {
    bool left = false;
    bool zero = false;
    bool plus = false;
    bool space = false;
    bool alt = false;
    int width = 0;
    int precision = -1;
};

class CountingSink final : public FormatSink {
public:
    explicit CountingSink(FormatSink& inner) : m_inner(inner) {}
    void write(const char* data, usize len) override {
        m_count += len;
        m_inner.write(data, len);
    }
    void pad(char c, int n) {
        char buf[32];
        memset(buf, c, sizeof(buf));
        while (n > 0) {
            int chunk = n < 32 ? n : 32;
            write(buf, chunk);
            n -= chunk;
        }
    }
    usize count() const { return m_count; }

private:
    FormatSink& m_inner;
    usize m_count = 0;
};

void emit_number(CountingSink& out, u64 value, bool negative, unsigned base, bool upper,
                 const Spec& spec, const char* prefix) {
    char digits[24];
    int n = 0;
    const char* table = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    if (value == 0 && spec.precision != 0) digits[n++] = '0';
    while (value) {
        digits[n++] = table[value % base];
        value /= base;
    }
    // Octal's alternate form guarantees a leading zero.
    if (base == 8 && spec.alt && (n == 0 || digits[n - 1] != '0')) digits[n++] = '0';

    char sign = negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : 0;
    int prefix_len = static_cast<int>(strlen(prefix)) + (sign ? 1 : 0);
    int zeros = spec.precision > n ? spec.precision - n : 0;
    int body = prefix_len + zeros + n;
    int padding = spec.width > body ? spec.width - body : 0;
    if (spec.zero && !spec.left && spec.precision < 0) {
        zeros += padding;
        padding = 0;
    }
    if (!spec.left) out.pad(' ', padding);
    if (sign) out.write(&sign, 1);
    out.write(prefix, strlen(prefix));
    out.pad('0', zeros);
    for (int i = n - 1; i >= 0; i--) out.write(&digits[i], 1);
    if (spec.left) out.pad(' ', padding);
}

void emit_string(CountingSink& out, const char* s, const Spec& spec) {
    if (!s) s = "(null)";
    usize len = spec.precision >= 0 ? strnlen(s, spec.precision) : strlen(s);
    int padding = spec.width > static_cast<int>(len) ? spec.width - static_cast<int>(len) : 0;
    if (!spec.left) out.pad(' ', padding);
    out.write(s, len);
    if (spec.left) out.pad(' ', padding);
}

enum class Length { Int, Char, Short, Long, LongLong, Size, PtrDiff, IntMax };

u64 fetch_unsigned(va_list& args, Length length) {
    switch (length) {
    case Length::Char: return static_cast<unsigned char>(va_arg(args, unsigned));
    case Length::Short: return static_cast<unsigned short>(va_arg(args, unsigned));
    case Length::Long: return va_arg(args, unsigned long);
    case Length::LongLong: return va_arg(args, unsigned long long);
    case Length::Size: return va_arg(args, usize);
    case Length::PtrDiff: return static_cast<u64>(va_arg(args, isize));
    case Length::IntMax: return va_arg(args, uintmax_t);
    case Length::Int: break;
    }
    return va_arg(args, unsigned);
}

i64 fetch_signed(va_list& args, Length length) {
    switch (length) {
    case Length::Char: return static_cast<signed char>(va_arg(args, int));
    case Length::Short: return static_cast<short>(va_arg(args, int));
    case Length::Long: return va_arg(args, long);
    case Length::LongLong: return va_arg(args, long long);
    case Length::Size: return static_cast<i64>(va_arg(args, usize));
    case Length::PtrDiff: return va_arg(args, isize);
    case Length::IntMax: return va_arg(args, intmax_t);
    case Length::Int: break;
    }
    return va_arg(args, int);
}

}  // namespace

usize vformat(FormatSink& sink, const char* fmt, va_list ap) {
    CountingSink out(sink);
    va_list args;
    va_copy(args, ap);
    while (*fmt) {
        const char* start = fmt;
        while (*fmt && *fmt != '%') fmt++;
        if (fmt != start) out.write(start, fmt - start);
        if (!*fmt) break;
        fmt++;  // '%'

        Spec spec;
        for (;; fmt++) {
            if (*fmt == '-') spec.left = true;
            else if (*fmt == '0') spec.zero = true;
            else if (*fmt == '+') spec.plus = true;
            else if (*fmt == ' ') spec.space = true;
            else if (*fmt == '#') spec.alt = true;
            else break;
        }
        if (*fmt == '*') {
            spec.width = va_arg(args, int);
            if (spec.width < 0) {
                spec.left = true;
                spec.width = -spec.width;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9') spec.width = spec.width * 10 + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            fmt++;
            spec.precision = 0;
            if (*fmt == '*') {
                spec.precision = va_arg(args, int);
                if (spec.precision < 0) spec.precision = -1;
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    spec.precision = spec.precision * 10 + (*fmt++ - '0');
            }
        }

        Length length = Length::Int;
        switch (*fmt) {
        case 'h':
            fmt++;
            length = Length::Short;
            if (*fmt == 'h') {
                fmt++;
                length = Length::Char;
            }
            break;
        case 'l':
            fmt++;
            length = Length::Long;
            if (*fmt == 'l') {
                fmt++;
                length = Length::LongLong;
            }
            break;
        case 'z': fmt++; length = Length::Size; break;
        case 't': fmt++; length = Length::PtrDiff; break;
        case 'j': fmt++; length = Length::IntMax; break;
        default: break;
        }

        char conv = *fmt;
        if (!conv) break;
        fmt++;
        switch (conv) {
        case 'd':
        case 'i': {
            i64 v = fetch_signed(args, length);
            u64 magnitude = v < 0 ? 0 - static_cast<u64>(v) : static_cast<u64>(v);
            emit_number(out, magnitude, v < 0, 10, false, spec, "");
            break;
        }
        case 'u': emit_number(out, fetch_unsigned(args, length), false, 10, false, spec, ""); break;
        case 'o': emit_number(out, fetch_unsigned(args, length), false, 8, false, spec, ""); break;
        case 'x':
        case 'X': {
            u64 v = fetch_unsigned(args, length);
            const char* prefix = spec.alt && v ? (conv == 'x' ? "0x" : "0X") : "";
            spec.plus = spec.space = false;
            emit_number(out, v, false, 16, conv == 'X', spec, prefix);
            break;
        }
        case 'p': {
            u64 v = reinterpret_cast<uptr>(va_arg(args, void*));
            if (!v) {
                emit_string(out, "(nil)", spec);
                break;
            }
            spec.plus = spec.space = false;
            emit_number(out, v, false, 16, false, spec, "0x");
            break;
        }
        case 'c': {
            char c = static_cast<char>(va_arg(args, int));
            int padding = spec.width > 1 ? spec.width - 1 : 0;
            if (!spec.left) out.pad(' ', padding);
            out.write(&c, 1);
            if (spec.left) out.pad(' ', padding);
            break;
        }
        case 's': emit_string(out, va_arg(args, const char*), spec); break;
        case '%': out.write("%", 1); break;
        default:
            // Unknown conversion: show it rather than guess at its argument.
            out.write("%", 1);
            out.write(&conv, 1);
            break;
        }
    }
    va_end(args);
    return out.count();
}

usize format(FormatSink& sink, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    usize n = vformat(sink, fmt, args);
    va_end(args);
    return n;
}

namespace {
class BufferSink final : public FormatSink {
public:
    BufferSink(char* buf, usize size) : m_buf(buf), m_size(size) {}
    void write(const char* data, usize len) override {
        if (m_size == 0) return;
        usize room = m_size - 1 - m_used;
        usize n = len < room ? len : room;
        memcpy(m_buf + m_used, data, n);
        m_used += n;
    }
    void terminate() {
        if (m_size) m_buf[m_used] = '\0';
    }

private:
    char* m_buf;
    usize m_size;
    usize m_used = 0;
};
}  // namespace

usize vsnprintf(char* buf, usize size, const char* fmt, va_list args) {
    BufferSink sink(buf, size);
    usize n = vformat(sink, fmt, args);
    sink.terminate();
    return n;
}

usize snprintf(char* buf, usize size, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    usize n = vsnprintf(buf, size, fmt, args);
    va_end(args);
    return n;
}

bool parse_u64(const char* s, usize len, u64* out, int base) {
    usize i = 0;
    if (base == 0) {
        if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
            base = 16;
            i = 2;
        } else if (len > 1 && s[0] == '0') {
            base = 8;
            i = 1;
        } else {
            base = 10;
        }
    }
    if (i >= len) return false;
    u64 value = 0;
    for (; i < len; i++) {
        char c = s[i];
        int digit;
        if (c >= '0' && c <= '9') digit = c - '0';
        else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
        else return false;
        if (digit >= base) return false;
        if (__builtin_mul_overflow(value, static_cast<u64>(base), &value) ||
            __builtin_add_overflow(value, static_cast<u64>(digit), &value))
            return false;
    }
    *out = value;
    return true;
}

bool parse_i64(const char* s, usize len, i64* out, int base) {
    bool negative = len > 0 && s[0] == '-';
    usize skip = (len > 0 && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    u64 magnitude;
    if (!parse_u64(s + skip, len - skip, &magnitude, base)) return false;
    if (negative) {
        if (magnitude > static_cast<u64>(INT64_MAX) + 1) return false;
        *out = static_cast<i64>(0 - magnitude);
    } else {
        if (magnitude > static_cast<u64>(INT64_MAX)) return false;
        *out = static_cast<i64>(magnitude);
    }
    return true;
}

}  // namespace klib
