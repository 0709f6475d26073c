/// \file
/// The time-stamp counter: `rdtsc`.
///
/// Xen's system time is derived from the TSC with parameters it publishes in `vcpu_time_info`
/// (DESIGN.md section 4). Only plain `rdtsc` is offered: `rdtscp` is not executable in ring 0
/// under some software KVMs (DESIGN.md section 3), and Xen may hide it (CPUID base+3 bit 2).
#pragma once

#if !defined(__x86_64__) && !defined(__i386__)
#error "xenabi/arch/x86/tsc.hpp is for x86 only"
#endif

#include <cstdint>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::arch::x86 {

/// Reads the time-stamp counter. Not serializing: it may execute before earlier instructions
/// complete; bracket it with your own ordering where that matters (Xen's time seqlock does not
/// need it).
[[nodiscard]] inline std::uint64_t rdtsc() noexcept {
  std::uint32_t lo = 0;
  std::uint32_t hi = 0;
  __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
  return (std::uint64_t{hi} << 32) | lo;
}

}  // namespace xenabi::arch::x86

#include <xenabi/core/macro_shield_end.inc>
