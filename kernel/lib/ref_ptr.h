// Kernel library: owning pointers that make ownership visible in the type.
//
//  OwnPtr<T>  sole owner, deletes on destruction (unique_ptr without the allocator games).
//  RefPtr<T>  shared owner of a RefCounted<T> object; the last reference deletes it.
// Objects are created with try_make_own / try_make_ref, which return nullptr on OOM:
// allocation failure is an error the caller handles, never a hidden panic.
#pragma once

#include "lib/kstd.h"
#include "lib/types.h"

template <typename T>
class OwnPtr {
public:
    OwnPtr() = default;
    OwnPtr(decltype(nullptr)) {}
    explicit OwnPtr(T* ptr) : m_ptr(ptr) {}
    OwnPtr(OwnPtr&& other) : m_ptr(other.leak()) {}
    template <typename U>
    OwnPtr(OwnPtr<U>&& other) : m_ptr(other.leak()) {}
    OwnPtr& operator=(OwnPtr&& other) {
        if (this != &other) reset(other.leak());
        return *this;
    }
    OwnPtr(const OwnPtr&) = delete;
    OwnPtr& operator=(const OwnPtr&) = delete;
    ~OwnPtr() { reset(); }

    void reset(T* ptr = nullptr) {
        T* old = kstd::exchange(m_ptr, ptr);
        delete old;
    }
    [[nodiscard]] T* leak() { return kstd::exchange(m_ptr, nullptr); }
    T* get() const { return m_ptr; }
    T* operator->() const { return m_ptr; }
    T& operator*() const { return *m_ptr; }
    explicit operator bool() const { return m_ptr != nullptr; }

private:
    T* m_ptr = nullptr;
};

template <typename T>
class RefCounted {
public:
    void ref() const { m_refs.fetch_add(1, kstd::memory_order_relaxed); }
    // Returns true when this was the last reference.
    bool unref() const { return m_refs.fetch_sub(1, kstd::memory_order_acq_rel) == 1; }
    u32 ref_count() const { return m_refs.load(kstd::memory_order_relaxed); }

protected:
    RefCounted() = default;
    ~RefCounted() = default;

private:
    mutable kstd::atomic<u32> m_refs{1};
};

// Adopts the initial reference of a freshly created object.
struct AdoptTag {};
constexpr AdoptTag adopt{};

template <typename T>
class RefPtr {
public:
    RefPtr() = default;
    RefPtr(decltype(nullptr)) {}
    RefPtr(T* ptr) : m_ptr(ptr) {
        if (m_ptr) m_ptr->ref();
    }
    RefPtr(T& ref) : RefPtr(&ref) {}
    RefPtr(AdoptTag, T* ptr) : m_ptr(ptr) {}
    RefPtr(const RefPtr& other) : RefPtr(other.m_ptr) {}
    template <typename U>
    RefPtr(const RefPtr<U>& other) : RefPtr(other.get()) {}
    RefPtr(RefPtr&& other) : m_ptr(kstd::exchange(other.m_ptr, nullptr)) {}
    template <typename U>
    RefPtr(RefPtr<U>&& other) : m_ptr(other.leak_ref()) {}
    RefPtr& operator=(RefPtr other) {
        kstd::swap(m_ptr, other.m_ptr);
        return *this;
    }
    ~RefPtr() { clear(); }

    void clear() {
        T* old = kstd::exchange(m_ptr, nullptr);
        if (old && old->unref()) delete old;
    }
    [[nodiscard]] T* leak_ref() { return kstd::exchange(m_ptr, nullptr); }
    T* get() const { return m_ptr; }
    T* operator->() const { return m_ptr; }
    T& operator*() const { return *m_ptr; }
    explicit operator bool() const { return m_ptr != nullptr; }
    bool operator==(const RefPtr& other) const { return m_ptr == other.m_ptr; }
    bool operator==(const T* other) const { return m_ptr == other; }

private:
    T* m_ptr = nullptr;
};

template <typename T, typename... Args>
OwnPtr<T> try_make_own(Args&&... args) {
    return OwnPtr<T>(new (kstd::nothrow) T(kstd::forward<Args>(args)...));
}

template <typename T, typename... Args>
RefPtr<T> try_make_ref(Args&&... args) {
    return RefPtr<T>(adopt, new (kstd::nothrow) T(kstd::forward<Args>(args)...));
}
