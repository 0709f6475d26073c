// Small helpers shared by the example and test kernels built with xenabi_add_pvh_kernel:
// raw hypercalls through the installed page (for what the typed wrappers deliberately refuse to
// compile -- unknown numbers and sub-ops, bad pointers -- which the test kernels must send),
// enum and pointer to argument words, system time from vcpu_time_info through xenabi's clock,
// and the command line's words and numbers.
#pragma once

#include <cstddef>
#include <cstdint>

#include <xenabi/abi/xen.hpp>
#include <xenabi/arch/x86/hypercall_page.hpp>
#include <xenabi/arch/x86/hypercall_raw.hpp>
#include <xenabi/abi/sched.hpp>
#include <xenabi/clock.hpp>

#include "kernel.hpp"

namespace kernel {

/// Raw hypercall \p nr with \p args through the installed page; returns rax (negative: -errno).
template <class... A>
long hcall(xenabi::abi::hypercall nr, A... args) {
  namespace x86 = xenabi::arch::x86;
  return x86::raw_hypercall(*x86::installed_hypercall_page(), static_cast<std::uint32_t>(nr),
                            static_cast<x86::hypercall_reg>(args)...);
}
/// A sub-operation (or any enumerator) as an argument word.
template <class E>
constexpr unsigned op(E e) {
  return static_cast<unsigned>(e);
}
/// A pointer as an argument word (guest-virtual == guest-physical in these kernels).
template <class T>
std::uintptr_t addr(T* p) {
  return reinterpret_cast<std::uintptr_t>(p);
}

/// System time in ns from \p t (Xen's pvclock through xenabi::system_clock; monotonic).
inline std::uint64_t system_time(const xenabi::abi::vcpu_time_info& t) {
  alignas(8) static constinit xenabi::u64 last_seen = 0;
  return static_cast<std::uint64_t>(xenabi::system_clock(t, last_seen).now().time_since_epoch().count());
}

/// True if \p s starts with \p p.
inline bool starts(const char* s, const char* p) {
  while (*p != '\0')
    if (*s++ != *p++) return false;
  return true;
}
/// The first decimal number in \p s (0 if none).
inline std::uint64_t number_after(const char* s) {
  while (*s != '\0' && (*s < '0' || *s > '9')) ++s;
  std::uint64_t v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + static_cast<std::uint64_t>(*s++ - '0');
  return v;
}

/// console_io write of \p n bytes at \p s (nothing before the hypercall page is installed): the
/// body of a kernel's `kernel::console_write` when it has no console ring.
inline void console_io_write(const char* s, std::size_t n) {
  if (xenabi::arch::x86::installed_hypercall_page() == nullptr) return;
  (void)hcall(xenabi::abi::hypercall::console_io, op(xenabi::abi::CONSOLEIO::write), n, addr(s));
}
/// SCHEDOP_shutdown with \p reason, then halts: the body of a kernel's `kernel::shutdown`.
[[noreturn]] inline void sched_shutdown(xenabi::abi::SHUTDOWN reason) {
  xenabi::abi::sched_shutdown s{op(reason)};
  (void)hcall(xenabi::abi::hypercall::sched_op, op(xenabi::abi::SCHEDOP::shutdown), addr(&s));
  halt_forever();
}

/// Checks failed so far by `expect`.
inline constinit unsigned expect_failures = 0;
/// Prints "ok NAME", or "FAIL NAME: got G want W" and counts a failure (test kernels).
inline void expect(const char* name, long got, long want) {
  if (got == want) {
    print("ok ");
    println(name);
    return;
  }
  ++expect_failures;
  print("FAIL ");
  print(name);
  print(": got ");
  print_dec_signed(got);
  print(" want ");
  print_dec_signed(want);
  println("");
}

}  // namespace kernel
