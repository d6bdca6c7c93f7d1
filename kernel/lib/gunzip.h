// Kernel library: gzip decompression (RFC 1952) as a stream, through zlib's inflate from
// Debian's source package (compiled into the kernel with Z_SOLO).
#pragma once

#include "lib/kstd.h"
#include "lib/result.h"

namespace klib {

class GzipStream {
public:
    GzipStream();
    ~GzipStream();
    GzipStream(const GzipStream&) = delete;
    GzipStream& operator=(const GzipStream&) = delete;

    // Decompresses `input` (one gzip member, possibly followed by other data), handing
    // the output to `sink` in chunks. Returns how many input bytes the member used.
    // EINVAL (with error()) for corrupt or truncated data, ENOMEM.
    template <typename Sink>
    Result<usize> decompress(kstd::span<const u8> input, Sink&& sink);
    const char* error() const { return m_error; }

private:
    // Runs inflate once; output in m_output[0..*produced).
    enum class Step { More, End };
    Result<Step> step(usize* produced);
    ErrorOr begin(kstd::span<const u8> input);
    usize consumed() const;

    void* m_stream = nullptr;  // z_stream, kept out of this header
    u8* m_output = nullptr;
    const char* m_error = nullptr;
    static constexpr usize OUTPUT_CHUNK = 64 * 1024;
};

template <typename Sink>
Result<usize> GzipStream::decompress(kstd::span<const u8> input, Sink&& sink) {
    TRY(begin(input));
    for (;;) {
        usize produced = 0;
        Step step_result = TRY(step(&produced));
        if (produced) TRY(sink(kstd::span<const u8>(m_output, produced)));
        if (step_result == Step::End) return consumed();
    }
}

}  // namespace klib
