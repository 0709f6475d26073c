// Freestanding runtime for examples/hello and the xenhv test kernels: the exception report
// called from start.S, and the mem* functions the compiler may emit calls to.
#include <cstddef>
#include <cstdint>

#include "kernel.hpp"

/// Exception report (called from start.S with {vector, error, rip, cs, rflags, rsp, ss}).
extern "C" [[noreturn]] void hello_exception(const std::uint64_t* f) {
  kernel::print("kernel: exception ");
  kernel::print_dec(f[0]);
  kernel::print(" error ");
  kernel::print_hex(f[1]);
  kernel::print(" at rip ");
  kernel::print_hex(f[2]);
  std::uint64_t cr2 = 0;
  __asm__ __volatile__("mov %%cr2, %0" : "=r"(cr2));
  kernel::print(" cr2 ");
  kernel::print_hex(cr2);
  kernel::println("");
  kernel::crash();
}

// Byte loops through volatile pointers, so the compiler does not turn them back into calls.
extern "C" void* memset(void* d, int c, std::size_t n) {
  auto* p = static_cast<volatile unsigned char*>(d);
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<unsigned char>(c);
  return d;
}
extern "C" void* memcpy(void* d, const void* s, std::size_t n) {
  auto* p = static_cast<volatile unsigned char*>(d);
  const auto* q = static_cast<const unsigned char*>(s);
  for (std::size_t i = 0; i < n; ++i) p[i] = q[i];
  return d;
}
extern "C" void* memmove(void* d, const void* s, std::size_t n) {
  auto* p = static_cast<volatile unsigned char*>(d);
  const auto* q = static_cast<const unsigned char*>(s);
  if (reinterpret_cast<std::uintptr_t>(d) < reinterpret_cast<std::uintptr_t>(s)) {
    for (std::size_t i = 0; i < n; ++i) p[i] = q[i];
  } else {
    for (std::size_t i = n; i > 0; --i) p[i - 1] = q[i - 1];
  }
  return d;
}
extern "C" int memcmp(const void* a, const void* b, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(a);
  const auto* q = static_cast<const unsigned char*>(b);
  for (std::size_t i = 0; i < n; ++i)
    if (p[i] != q[i]) return p[i] < q[i] ? -1 : 1;
  return 0;
}
