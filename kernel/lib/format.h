// Kernel library: printf-style formatting with compile-time checked format strings.
//
// The printf dialect is the one every kernel engineer reads fluently, and GCC's
// format attribute checks every call. Output goes to a sink, so the same code fills
// buffers (snprintf), the log ring and the serial console.
#pragma once

#include <stdarg.h>

#include "lib/types.h"

namespace klib {

// Receives formatted output in pieces.
class FormatSink {
public:
    virtual void write(const char* data, usize len) = 0;

protected:
    ~FormatSink() = default;
};

// Returns the number of characters produced.
usize vformat(FormatSink& sink, const char* fmt, va_list args);
usize format(FormatSink& sink, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// snprintf semantics: always terminates when size > 0, returns the untruncated length.
usize vsnprintf(char* buf, usize size, const char* fmt, va_list args);
usize snprintf(char* buf, usize size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

// Parses an unsigned decimal/hex (0x)/octal (0) number; returns false on junk or overflow.
bool parse_u64(const char* s, usize len, u64* out, int base = 0);
bool parse_i64(const char* s, usize len, i64* out, int base = 0);

}  // namespace klib
