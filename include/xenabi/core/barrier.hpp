/// \file
/// Memory barriers with Xen's guest semantics, and single-copy accesses to shared memory.
///
/// `mb()`, `rmb()`, `wmb()` are Xen's `xen_mb()`, `xen_rmb()`, `xen_wmb()` (the barriers the
/// io/ring.h protocol is written against). `read_once`/`write_once` access memory shared with
/// another domain exactly once, with no tearing for naturally aligned scalars: use them for
/// every field a peer may change under you (ring indices, flags, grant entries).
///
/// All of them are `constexpr`: under constant evaluation (compile-time tests of ring and event
/// logic) they are plain accesses and the barriers do nothing; at run time they are the real
/// single-copy accesses and fences.
#pragma once

#include <type_traits>

#include <xenabi/arch/x86/barrier.hpp>

namespace xenabi {

/// Full memory barrier (Xen's `xen_mb()`); nothing under constant evaluation.
constexpr void mb() noexcept {
  if (!std::is_constant_evaluated()) arch::x86::mb();
}
/// Read memory barrier (Xen's `xen_rmb()`); nothing under constant evaluation.
constexpr void rmb() noexcept {
  if (!std::is_constant_evaluated()) arch::x86::rmb();
}
/// Write memory barrier (Xen's `xen_wmb()`); nothing under constant evaluation.
constexpr void wmb() noexcept {
  if (!std::is_constant_evaluated()) arch::x86::wmb();
}
/// Compiler-only barrier.
inline void compiler_barrier() noexcept { arch::x86::compiler_barrier(); }
/// Spin-wait hint.
inline void cpu_relax() noexcept { arch::x86::cpu_relax(); }

/// Reads \p ref exactly once (a relaxed atomic load: no tearing, not cached in a register).
template <class T>
  requires std::is_scalar_v<T>
[[nodiscard]] constexpr T read_once(const T& ref) noexcept {
  if (std::is_constant_evaluated()) return ref;
  return __atomic_load_n(&ref, __ATOMIC_RELAXED);
}
/// Writes \p v to \p ref exactly once (a relaxed atomic store).
template <class T>
  requires std::is_scalar_v<T>
constexpr void write_once(T& ref, T v) noexcept {
  if (std::is_constant_evaluated()) {
    ref = v;
    return;
  }
  __atomic_store_n(&ref, v, __ATOMIC_RELAXED);
}
/// Load with acquire ordering: later accesses are not moved before it.
template <class T>
  requires std::is_scalar_v<T>
[[nodiscard]] constexpr T load_acquire(const T& ref) noexcept {
  if (std::is_constant_evaluated()) return ref;
  return __atomic_load_n(&ref, __ATOMIC_ACQUIRE);
}
/// Store with release ordering: earlier accesses are not moved after it.
template <class T>
  requires std::is_scalar_v<T>
constexpr void store_release(T& ref, T v) noexcept {
  if (std::is_constant_evaluated()) {
    ref = v;
    return;
  }
  __atomic_store_n(&ref, v, __ATOMIC_RELEASE);
}

}  // namespace xenabi
