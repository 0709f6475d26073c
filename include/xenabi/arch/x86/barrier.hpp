/// \file
/// x86 memory barriers with Xen's guest semantics (the `xen_mb/xen_rmb/xen_wmb` of io/ring.h).
///
/// x86 is TSO: loads are not reordered with loads, stores not with stores, but a store may be
/// delayed past a later load (the store buffer). So `rmb()` and `wmb()` need only stop the
/// compiler, while `mb()` must drain the store buffer: a locked read-modify-write of the stack,
/// which is as strong as `mfence` for ordinary memory and cheaper (and, unlike `mfence`, is
/// executed by every KVM instruction emulator).
#pragma once

#include <xenabi/core/macro_shield_begin.inc>

#if !defined(__x86_64__) && !defined(__i386__)
#error "xenabi/arch/x86/barrier.hpp is for x86 only"
#endif

namespace xenabi::arch::x86 {

/// Compiler barrier: no memory access is moved across it by the compiler.
inline void compiler_barrier() noexcept { __asm__ __volatile__("" ::: "memory"); }

/// Full barrier: earlier loads and stores are globally visible before later ones (drains the
/// store buffer). Xen's `xen_mb()`.
inline void mb() noexcept {
#if defined(__x86_64__)
  __asm__ __volatile__("lock; addl $0,0(%%rsp)" ::: "memory", "cc");
#else
  __asm__ __volatile__("lock; addl $0,0(%%esp)" ::: "memory", "cc");
#endif
}

/// Read barrier: earlier loads complete before later loads. x86 keeps load order, so only the
/// compiler needs stopping. Xen's `xen_rmb()`.
inline void rmb() noexcept { compiler_barrier(); }

/// Write barrier: earlier stores are visible before later stores. x86 keeps store order, so only
/// the compiler needs stopping. Xen's `xen_wmb()`.
inline void wmb() noexcept { compiler_barrier(); }

/// Spin-wait hint (`pause`).
inline void cpu_relax() noexcept { __asm__ __volatile__("pause" ::: "memory"); }

}  // namespace xenabi::arch::x86

#include <xenabi/core/macro_shield_end.inc>
