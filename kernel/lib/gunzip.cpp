// Kernel library: gzip decompression through zlib's inflate (see gunzip.h).
#include "lib/gunzip.h"

#include <zlib.h>

#include "mm/kmalloc.h"

namespace klib {
namespace {
voidpf zlib_alloc(voidpf, uInt items, uInt size) {
    u64 bytes = u64(items) * size;
    return bytes > (u64(1) << 32) ? nullptr : kmalloc(bytes);
}
void zlib_free(voidpf, voidpf address) { kfree(address); }
z_stream* stream_of(void* p) { return static_cast<z_stream*>(p); }
}  // namespace

GzipStream::GzipStream() = default;

GzipStream::~GzipStream() {
    if (m_stream) {
        inflateEnd(stream_of(m_stream));
        kfree(m_stream);
    }
    kfree(m_output);
}

ErrorOr GzipStream::begin(kstd::span<const u8> input) {
    if (!m_output) m_output = static_cast<u8*>(kmalloc(OUTPUT_CHUNK));
    if (!m_stream) m_stream = kzalloc(sizeof(z_stream));
    if (!m_output || !m_stream) return err(ENOMEM);
    z_stream* z = stream_of(m_stream);
    inflateEnd(z);
    *z = z_stream{};
    z->zalloc = zlib_alloc;
    z->zfree = zlib_free;
    z->next_in = const_cast<Bytef*>(input.data());
    z->avail_in = static_cast<uInt>(kstd::min<usize>(input.size(), 0xffffffffu));
    // 16 + MAX_WBITS: a gzip header and trailer (CRC-32 and length are checked).
    if (inflateInit2(z, 16 + MAX_WBITS) != Z_OK) {
        m_error = "inflateInit2 failed";
        return err(ENOMEM);
    }
    return {};
}

Result<GzipStream::Step> GzipStream::step(usize* produced) {
    z_stream* z = stream_of(m_stream);
    z->next_out = m_output;
    z->avail_out = OUTPUT_CHUNK;
    int status = inflate(z, Z_NO_FLUSH);
    *produced = OUTPUT_CHUNK - z->avail_out;
    switch (status) {
    case Z_STREAM_END: return Step::End;
    case Z_OK: return Step::More;
    case Z_BUF_ERROR:
        if (*produced) return Step::More;
        m_error = "truncated gzip data";
        return err(EINVAL);
    case Z_MEM_ERROR:
        m_error = "out of memory";
        return err(ENOMEM);
    default:
        m_error = z->msg ? z->msg : "corrupt gzip data";
        return err(EINVAL);
    }
}

usize GzipStream::consumed() const { return stream_of(m_stream)->total_in; }

}  // namespace klib
