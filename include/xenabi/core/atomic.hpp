/// \file
/// Atomic read-modify-write operations on memory shared with Xen or another domain (the
/// event-channel bitmaps, grant-entry flags, `evtchn_pending_sel`), as the `__atomic_*`
/// builtins with sequentially consistent ordering — the `lock`-prefixed instructions Xen itself
/// uses on these words.
///
/// Like the accessors of `xenabi/core/barrier.hpp` they are `constexpr`: under constant
/// evaluation (compile-time tests of event and grant logic) they are the plain operations; at
/// run time they are the real atomics. They are freestanding (no `<atomic>`, which Clang
/// rejects in `-mgeneral-regs-only` kernels; see CONTRIBUTING.md).
///
/// \code
/// // Set a port's pending bit and learn whether it was already set (Xen's evtchn_set_pending):
/// const bool was = (xenabi::atomic_fetch_or(s.evtchn_pending[w], bit) & bit) != 0;
/// \endcode
#pragma once

#include <type_traits>

namespace xenabi {

/// Stores \p v to \p ref with sequentially consistent ordering (an `xchg` on x86).
template <class T>
  requires std::is_integral_v<T>
constexpr void atomic_store(T& ref, T v) noexcept {
  if (std::is_constant_evaluated()) {
    ref = v;
    return;
  }
  __atomic_store_n(&ref, v, __ATOMIC_SEQ_CST);
}

/// Replaces \p ref with \p v and returns the previous value (`xchg`).
template <class T>
  requires std::is_integral_v<T>
constexpr T atomic_exchange(T& ref, T v) noexcept {
  if (std::is_constant_evaluated()) {
    const T old = ref;
    ref = v;
    return old;
  }
  return __atomic_exchange_n(&ref, v, __ATOMIC_SEQ_CST);
}

/// `ref &= v` atomically; returns the previous value (`lock and` or a `lock cmpxchg` loop).
template <class T>
  requires std::is_integral_v<T>
constexpr T atomic_fetch_and(T& ref, T v) noexcept {
  if (std::is_constant_evaluated()) {
    const T old = ref;
    ref = static_cast<T>(ref & v);
    return old;
  }
  return __atomic_fetch_and(&ref, v, __ATOMIC_SEQ_CST);
}

/// `ref |= v` atomically; returns the previous value.
template <class T>
  requires std::is_integral_v<T>
constexpr T atomic_fetch_or(T& ref, T v) noexcept {
  if (std::is_constant_evaluated()) {
    const T old = ref;
    ref = static_cast<T>(ref | v);
    return old;
  }
  return __atomic_fetch_or(&ref, v, __ATOMIC_SEQ_CST);
}

/// If \p ref equals \p expected, stores \p desired and returns true; otherwise loads the
/// current value into \p expected and returns false (`lock cmpxchg`, strong: no spurious
/// failure). The grant-table protocol's flag updates are built on it.
template <class T>
  requires std::is_integral_v<T>
constexpr bool atomic_compare_exchange(T& ref, T& expected, T desired) noexcept {
  if (std::is_constant_evaluated()) {
    if (ref != expected) {
      expected = ref;
      return false;
    }
    ref = desired;
    return true;
  }
  return __atomic_compare_exchange_n(&ref, &expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

}  // namespace xenabi
