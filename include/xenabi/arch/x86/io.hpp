/// \file
/// x86 port I/O: `in` and `out` of 8, 16 and 32 bits.
///
/// Useful to a guest for the debug console port (0xE9, which `xenhv` and QEMU print) and early
/// serial output before the Xen console is up. Ring 0 (or an I/O-privilege grant) only.
#pragma once

#if !defined(__x86_64__) && !defined(__i386__)
#error "xenabi/arch/x86/io.hpp is for x86 only"
#endif

#include <cstdint>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::arch::x86 {

/// Writes byte \p v to I/O port \p port.
inline void outb(std::uint16_t port, std::uint8_t v) noexcept {
  __asm__ __volatile__("outb %b0, %w1" : : "a"(v), "Nd"(port) : "memory");
}
/// Writes 16-bit \p v to I/O port \p port.
inline void outw(std::uint16_t port, std::uint16_t v) noexcept {
  __asm__ __volatile__("outw %w0, %w1" : : "a"(v), "Nd"(port) : "memory");
}
/// Writes 32-bit \p v to I/O port \p port.
inline void outl(std::uint16_t port, std::uint32_t v) noexcept {
  __asm__ __volatile__("outl %0, %w1" : : "a"(v), "Nd"(port) : "memory");
}
/// Reads a byte from I/O port \p port.
[[nodiscard]] inline std::uint8_t inb(std::uint16_t port) noexcept {
  std::uint8_t v = 0;
  __asm__ __volatile__("inb %w1, %b0" : "=a"(v) : "Nd"(port) : "memory");
  return v;
}
/// Reads 16 bits from I/O port \p port.
[[nodiscard]] inline std::uint16_t inw(std::uint16_t port) noexcept {
  std::uint16_t v = 0;
  __asm__ __volatile__("inw %w1, %w0" : "=a"(v) : "Nd"(port) : "memory");
  return v;
}
/// Reads 32 bits from I/O port \p port.
[[nodiscard]] inline std::uint32_t inl(std::uint16_t port) noexcept {
  std::uint32_t v = 0;
  __asm__ __volatile__("inl %w1, %0" : "=a"(v) : "Nd"(port) : "memory");
  return v;
}

}  // namespace xenabi::arch::x86

#include <xenabi/core/macro_shield_end.inc>
