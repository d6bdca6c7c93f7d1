// Kernel library: an immutable, reference-counted string on the heap (paths, names).
#pragma once

#include "lib/kstd.h"
#include "lib/ref_ptr.h"

class KString : public RefCounted<KString> {
public:
    // Null when out of memory.
    static RefPtr<KString> create(kstd::string_view text);
    kstd::string_view view() const { return {m_text, m_length}; }
    const char* c_str() const { return m_text; }
    usize length() const { return m_length; }

    void operator delete(void* p);

private:
    KString() = default;
    usize m_length = 0;
    char m_text[1];  // m_length + 1 bytes, NUL-terminated
};
