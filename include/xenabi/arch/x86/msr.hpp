/// \file
/// Model-specific registers: `rdmsr` and `wrmsr` (ring 0 only).
///
/// A Xen guest writes one MSR: the hypercall-page MSR whose index CPUID leaf base+2 reports
/// (see cpuid.hpp and hypercall_page.hpp). Executing these outside ring 0 raises \#GP.
#pragma once

#if !defined(__x86_64__) && !defined(__i386__)
#error "xenabi/arch/x86/msr.hpp is for x86 only"
#endif

#include <cstdint>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::arch::x86 {

/// Reads MSR \p index (EDX:EAX).
[[nodiscard]] inline std::uint64_t rdmsr(std::uint32_t index) noexcept {
  std::uint32_t lo = 0;
  std::uint32_t hi = 0;
  __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(index) : "memory");
  return (std::uint64_t{hi} << 32) | lo;
}

/// Writes \p value to MSR \p index (EDX:EAX). A memory clobber: writing an MSR may make the
/// hypervisor change guest memory (the hypercall page, for instance).
inline void wrmsr(std::uint32_t index, std::uint64_t value) noexcept {
  const auto lo = static_cast<std::uint32_t>(value);
  const auto hi = static_cast<std::uint32_t>(value >> 32);
  __asm__ __volatile__("wrmsr" : : "c"(index), "a"(lo), "d"(hi) : "memory");
}

}  // namespace xenabi::arch::x86

#include <xenabi/core/macro_shield_end.inc>
