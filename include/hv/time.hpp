/// \file
/// Time for guests: the TSC-to-nanoseconds scale Xen publishes (`tsc_to_system_mul`,
/// `tsc_shift`), the guest's TSC as seen from the host, and each domain's system time
/// (nanoseconds since the domain was created) and wall-clock base.
#pragma once

#include <x86intrin.h>

#include <cstdint>
#include <ctime>

namespace hv {

/// Unsigned 128-bit integer (GCC/Clang extension) for exact scaling.
__extension__ typedef unsigned __int128 u128;

/// A TSC-to-nanoseconds scale in Xen's form: `ns = ((delta << shift) or >> -shift) * mul >> 32`.
struct tsc_scale {
  std::uint32_t mul = 0;  ///< `tsc_to_system_mul`.
  std::int8_t shift = 0;  ///< `tsc_shift`.

  /// The scale for a TSC of \p khz kHz (mul normalized into [2^31, 2^32)).
  [[nodiscard]] static constexpr tsc_scale for_khz(std::uint32_t khz) noexcept {
    // ns per tick = 1e6 / khz; mul = that * 2^32 / 2^shift.
    u128 num = (static_cast<u128>(1000000) << 32) / (khz == 0 ? 1 : khz);
    int shift = 0;
    while (num >= (static_cast<u128>(1) << 32)) {
      num >>= 1;
      ++shift;
    }
    while (num < (static_cast<u128>(1) << 31)) {
      num <<= 1;
      --shift;
    }
    return tsc_scale{static_cast<std::uint32_t>(num), static_cast<std::int8_t>(shift)};
  }
  /// Nanoseconds for \p delta ticks, exactly as a guest computes them.
  [[nodiscard]] constexpr std::uint64_t to_ns(std::uint64_t delta) const noexcept {
    if (shift < 0)
      delta >>= -shift;
    else
      delta <<= shift;
    return static_cast<std::uint64_t>((static_cast<u128>(delta) * mul) >> 32);
  }
};

/// The host TSC (`rdtsc`).
[[nodiscard]] inline std::uint64_t host_tsc() noexcept { return __rdtsc(); }

/// A domain's clock: the guest TSC (host TSC + offset), the scale, the guest TSC at system time
/// zero, and the wall-clock time at system time zero.
class domain_clock {
 public:
  /// A clock for a TSC of \p khz kHz whose guest TSC is host TSC + \p tsc_offset; system time
  /// zero is now.
  domain_clock(std::uint32_t khz, std::int64_t tsc_offset) noexcept
      : khz_(khz), scale_(tsc_scale::for_khz(khz)), offset_(tsc_offset) {
    tsc0_ = guest_tsc();
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    wc_ns_ = static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u + static_cast<std::uint64_t>(ts.tv_nsec);
  }
  /// TSC frequency in kHz.
  [[nodiscard]] std::uint32_t khz() const noexcept { return khz_; }
  /// The published scale.
  [[nodiscard]] tsc_scale scale() const noexcept { return scale_; }
  /// The guest's TSC now.
  [[nodiscard]] std::uint64_t guest_tsc() const noexcept {
    return host_tsc() + static_cast<std::uint64_t>(offset_);
  }
  /// Guest TSC at system time zero.
  [[nodiscard]] std::uint64_t tsc_at_zero() const noexcept { return tsc0_; }
  /// System time (ns since the domain's creation) at guest TSC \p tsc.
  [[nodiscard]] std::uint64_t system_time_at(std::uint64_t tsc) const noexcept {
    return tsc > tsc0_ ? scale_.to_ns(tsc - tsc0_) : 0;
  }
  /// System time now.
  [[nodiscard]] std::uint64_t now() const noexcept { return system_time_at(guest_tsc()); }
  /// Wall-clock time (ns since the Unix epoch) at system time zero.
  [[nodiscard]] std::uint64_t wallclock_at_zero() const noexcept { return wc_ns_; }

 private:
  std::uint32_t khz_;
  tsc_scale scale_;
  std::int64_t offset_;
  std::uint64_t tsc0_ = 0;
  std::uint64_t wc_ns_ = 0;
};

}  // namespace hv
