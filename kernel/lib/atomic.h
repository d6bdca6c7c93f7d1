// Kernel library: atomics on GCC's __atomic builtins.
//
// The kernel's own minimal std::atomic: libstdc++'s <atomic> brings C++20 waiting,
// which pulls the hosted C library's headers into every file; these builtins need none.
#pragma once

namespace kstd {

enum memory_order : int {
    memory_order_relaxed = __ATOMIC_RELAXED,
    memory_order_consume = __ATOMIC_CONSUME,
    memory_order_acquire = __ATOMIC_ACQUIRE,
    memory_order_release = __ATOMIC_RELEASE,
    memory_order_acq_rel = __ATOMIC_ACQ_REL,
    memory_order_seq_cst = __ATOMIC_SEQ_CST,
};

template <typename T>
class atomic {
public:
    constexpr atomic() : m_value() {}
    constexpr atomic(T value) : m_value(value) {}
    atomic(const atomic&) = delete;
    atomic& operator=(const atomic&) = delete;

    T load(memory_order order = memory_order_seq_cst) const { return __atomic_load_n(&m_value, order); }
    void store(T value, memory_order order = memory_order_seq_cst) { __atomic_store_n(&m_value, value, order); }
    T exchange(T value, memory_order order = memory_order_seq_cst) { return __atomic_exchange_n(&m_value, value, order); }
    bool compare_exchange_strong(T& expected, T desired, memory_order order = memory_order_seq_cst) {
        return __atomic_compare_exchange_n(&m_value, &expected, desired, false, order,
                                           order == memory_order_acq_rel  ? memory_order_acquire
                                           : order == memory_order_release ? memory_order_relaxed
                                                                           : order);
    }
    T fetch_add(T value, memory_order order = memory_order_seq_cst) { return __atomic_fetch_add(&m_value, value, order); }
    T fetch_sub(T value, memory_order order = memory_order_seq_cst) { return __atomic_fetch_sub(&m_value, value, order); }
    T fetch_or(T value, memory_order order = memory_order_seq_cst) { return __atomic_fetch_or(&m_value, value, order); }
    T fetch_and(T value, memory_order order = memory_order_seq_cst) { return __atomic_fetch_and(&m_value, value, order); }
    operator T() const { return load(); }
    T operator=(T value) {
        store(value);
        return value;
    }

private:
    T m_value;
};

}  // namespace kstd
