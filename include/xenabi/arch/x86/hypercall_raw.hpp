/// \file
/// Raw hypercalls: the register convention of a call into the hypercall page, for x86_64 and
/// i386, with 0 to 5 arguments.
///
/// | width  | number | arguments 1..5                | result | may be clobbered by the call |
/// |--------|--------|-------------------------------|--------|------------------------------|
/// | x86_64 | `rax`  | `rdi rsi rdx r10 r8`          | `rax`  | `rax`, the arguments used, flags |
/// | i386   | `eax`  | `ebx ecx edx esi edi`         | `eax`  | `eax`, the arguments used, flags |
///
/// The call is an indirect `call` to `page + nr * 32` (hypercall_page.hpp), as the Xen ABI
/// asks; the stub there loads the number itself, so setting `rax` is belt and braces that costs
/// one `mov`. Xen (debug builds deliberately) and `xenhv` may overwrite every argument register
/// the call uses, so each is an in-out operand here; registers beyond the call's argument count
/// are preserved, and so are `rcx` and `r11` on x86_64 (Xen's 64-bit PV stubs save them around
/// `syscall`; HVM stubs never touch them) and all callee-saved registers. Every call also has a
/// memory clobber: the hypervisor reads and writes guest memory the arguments point to.
///
/// x86_64 only: the `call` pushes a return address below `rsp`, where the System V red zone
/// lets the compiler keep live data in leaf functions; the sequence therefore steps `rsp` down
/// 128 bytes around the call (two `lea`s, flags untouched) so it is safe in code compiled with
/// or without `-mno-red-zone`. Code compiled with `-mno-red-zone` (every kernel) may define
/// `XENABI_NO_RED_ZONE` to drop the two `lea`s (the `xenabi_freestanding` CMake target does):
/// where guest ring-0 code is emulated instruction by instruction, as on a software KVM, they
/// are a measurable part of a hypercall's cost. Defining it for code that has a red zone
/// corrupts the caller's live data.
///
/// These functions return the raw value: negative is a Xen errno. The typed layer
/// (xenabi/hypercall.hpp) turns it into `result<T>`.
#pragma once

#if !defined(__x86_64__) && !defined(__i386__)
#error "xenabi/arch/x86/hypercall_raw.hpp is for x86 only"
#endif

#include <cstdint>
#include <type_traits>

#include <xenabi/arch/x86/hypercall_page.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::arch::x86 {

/// A hypercall argument or number: one general-purpose register (64 bits on x86_64, 32 on i386).
using hypercall_reg = std::uintptr_t;
/// A raw hypercall result: one register, signed (negative = Xen errno).
using hypercall_ret = std::intptr_t;

/// \cond XENABI_INTERNAL
#if defined(__x86_64__) && defined(XENABI_NO_RED_ZONE)
#define XENABI_HCALL_INSN_ "call *%[entry]"
#define XENABI_HCALL_ENTRY_ [entry] "r"(entry)
#define XENABI_HCALL_ENTRY5_ XENABI_HCALL_ENTRY_
#elif defined(__x86_64__)
#define XENABI_HCALL_INSN_ "lea -128(%%rsp), %%rsp\n\tcall *%[entry]\n\tlea 128(%%rsp), %%rsp"
#define XENABI_HCALL_ENTRY_ [entry] "r"(entry)
#define XENABI_HCALL_ENTRY5_ XENABI_HCALL_ENTRY_
#else
#define XENABI_HCALL_INSN_ "call *%[entry]"
#define XENABI_HCALL_ENTRY_ [entry] "rm"(entry)
// With five arguments every general register but esp/ebp is taken: the target is in memory.
#define XENABI_HCALL_ENTRY5_ [entry] "m"(entry)
#endif
/// \endcond

/// Calls the stub at \p entry as hypercall \p nr with no argument.
[[gnu::always_inline]] inline hypercall_ret raw_hypercall0(const void* entry, hypercall_reg nr) noexcept {
  hypercall_reg ax = nr;
  __asm__ __volatile__(XENABI_HCALL_INSN_ : "+a"(ax) : XENABI_HCALL_ENTRY_ : "memory", "cc");
  return static_cast<hypercall_ret>(ax);
}

/// Calls the stub at \p entry as hypercall \p nr with one argument.
[[gnu::always_inline]] inline hypercall_ret raw_hypercall1(const void* entry, hypercall_reg nr, hypercall_reg a1) noexcept {
  hypercall_reg ax = nr;
#if defined(__x86_64__)
  __asm__ __volatile__(XENABI_HCALL_INSN_ : "+a"(ax), "+D"(a1) : XENABI_HCALL_ENTRY_ : "memory", "cc");
#else
  __asm__ __volatile__(XENABI_HCALL_INSN_ : "+a"(ax), "+b"(a1) : XENABI_HCALL_ENTRY_ : "memory", "cc");
#endif
  return static_cast<hypercall_ret>(ax);
}

/// Calls the stub at \p entry as hypercall \p nr with two arguments.
[[gnu::always_inline]] inline hypercall_ret raw_hypercall2(const void* entry, hypercall_reg nr, hypercall_reg a1,
                                    hypercall_reg a2) noexcept {
  hypercall_reg ax = nr;
#if defined(__x86_64__)
  __asm__ __volatile__(XENABI_HCALL_INSN_
                       : "+a"(ax), "+D"(a1), "+S"(a2)
                       : XENABI_HCALL_ENTRY_
                       : "memory", "cc");
#else
  __asm__ __volatile__(XENABI_HCALL_INSN_
                       : "+a"(ax), "+b"(a1), "+c"(a2)
                       : XENABI_HCALL_ENTRY_
                       : "memory", "cc");
#endif
  return static_cast<hypercall_ret>(ax);
}

/// Calls the stub at \p entry as hypercall \p nr with three arguments.
[[gnu::always_inline]] inline hypercall_ret raw_hypercall3(const void* entry, hypercall_reg nr, hypercall_reg a1,
                                    hypercall_reg a2, hypercall_reg a3) noexcept {
  hypercall_reg ax = nr;
#if defined(__x86_64__)
  __asm__ __volatile__(XENABI_HCALL_INSN_
                       : "+a"(ax), "+D"(a1), "+S"(a2), "+d"(a3)
                       : XENABI_HCALL_ENTRY_
                       : "memory", "cc");
#else
  __asm__ __volatile__(XENABI_HCALL_INSN_
                       : "+a"(ax), "+b"(a1), "+c"(a2), "+d"(a3)
                       : XENABI_HCALL_ENTRY_
                       : "memory", "cc");
#endif
  return static_cast<hypercall_ret>(ax);
}

/// Calls the stub at \p entry as hypercall \p nr with four arguments.
[[gnu::always_inline]] inline hypercall_ret raw_hypercall4(const void* entry, hypercall_reg nr, hypercall_reg a1,
                                    hypercall_reg a2, hypercall_reg a3, hypercall_reg a4) noexcept {
  hypercall_reg ax = nr;
#if defined(__x86_64__)
  register hypercall_reg r10 __asm__("r10") = a4;
  __asm__ __volatile__(XENABI_HCALL_INSN_
                       : "+a"(ax), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10)
                       : XENABI_HCALL_ENTRY_
                       : "memory", "cc");
#else
  __asm__ __volatile__(XENABI_HCALL_INSN_
                       : "+a"(ax), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4)
                       : XENABI_HCALL_ENTRY_
                       : "memory", "cc");
#endif
  return static_cast<hypercall_ret>(ax);
}

/// Calls the stub at \p entry as hypercall \p nr with five arguments.
[[gnu::always_inline]] inline hypercall_ret raw_hypercall5(const void* entry, hypercall_reg nr, hypercall_reg a1,
                                    hypercall_reg a2, hypercall_reg a3, hypercall_reg a4,
                                    hypercall_reg a5) noexcept {
  hypercall_reg ax = nr;
#if defined(__x86_64__)
  register hypercall_reg r10 __asm__("r10") = a4;
  register hypercall_reg r8 __asm__("r8") = a5;
  __asm__ __volatile__(XENABI_HCALL_INSN_
                       : "+a"(ax), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                       : XENABI_HCALL_ENTRY5_
                       : "memory", "cc");
#else
  __asm__ __volatile__(XENABI_HCALL_INSN_
                       : "+a"(ax), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4), "+D"(a5)
                       : XENABI_HCALL_ENTRY5_
                       : "memory", "cc");
#endif
  return static_cast<hypercall_ret>(ax);
}

#undef XENABI_HCALL_INSN_
#undef XENABI_HCALL_ENTRY_
#undef XENABI_HCALL_ENTRY5_

/// Hypercall \p nr through \p page with `sizeof...(args)` (0 to 5) register arguments.
template <class... Args>
  requires(sizeof...(Args) <= 5 && (std::is_same_v<Args, hypercall_reg> && ...))
inline hypercall_ret raw_hypercall(const hypercall_page& page, std::uint32_t nr, Args... args) noexcept {
  const void* entry = page.entry(nr);
  if constexpr (sizeof...(Args) == 0) return raw_hypercall0(entry, nr);
  else if constexpr (sizeof...(Args) == 1) return raw_hypercall1(entry, nr, args...);
  else if constexpr (sizeof...(Args) == 2) return raw_hypercall2(entry, nr, args...);
  else if constexpr (sizeof...(Args) == 3) return raw_hypercall3(entry, nr, args...);
  else if constexpr (sizeof...(Args) == 4) return raw_hypercall4(entry, nr, args...);
  else return raw_hypercall5(entry, nr, args...);
}

}  // namespace xenabi::arch::x86

#include <xenabi/core/macro_shield_end.inc>
