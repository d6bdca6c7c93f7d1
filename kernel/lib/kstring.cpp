// Kernel library: immutable reference-counted strings (see kstring.h).
#include "lib/kstring.h"

#include "lib/string.h"
#include "mm/kmalloc.h"

RefPtr<KString> KString::create(kstd::string_view text) {
    void* memory = kmalloc(sizeof(KString) + text.size());
    if (!memory) return nullptr;
    auto* string = new (memory) KString();
    string->m_length = text.size();
    memcpy(string->m_text, text.data(), text.size());
    string->m_text[text.size()] = '\0';
    return RefPtr<KString>(adopt, string);
}

void KString::operator delete(void* p) { kfree(p); }
