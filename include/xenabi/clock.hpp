/// \file
/// The three clocks of a Xen guest: system time (nanoseconds since the host booted, from the TSC
/// and the parameters Xen publishes in `vcpu_time_info`), virtual time (the time this vCPU has
/// actually run, from the run-state area) and wall-clock time (system time plus the offset Xen
/// publishes in `shared_info`), with freestanding duration and time-point types that feel like
/// `<chrono>`.
///
/// \code
/// using namespace xenabi::literals;
/// xenabi::system_clock clk(shared->vcpu_info[0].time, last_seen);   // last_seen: a shared u64
/// xenabi::system_clock::time_point t0 = clk.now();
/// work();
/// xenabi::duration took = clk.now() - t0;
/// if (took > 5_ms) log("slow: ", took.count(), " ns");
/// xenabi::wall_time wall = xenabi::wall_clock_at(*shared, t0);     // seconds + ns since 1970
/// \endcode
///
/// **Scaling.** `scale_delta(delta, mul, shift)` is Xen's pvclock formula: shift the TSC delta
/// left by `shift` (right by `-shift` when negative; shifts of 64 or more give 0), multiply by the
/// 32.32 fixed-point `mul` and keep bits 32..95 of the 96-bit product (modulo 2^64). On x86_64
/// the product is an `unsigned __int128`; on i386 it is decomposed into two 32x32->64 products,
/// which give exactly the same bits.
///
/// **Seqlocks.** Xen increments `version` (odd while an update is in progress) around each
/// update of `vcpu_time_info`, and `wc_version` around the wall-clock fields; readers copy the
/// fields between two reads of the version and retry if it was odd or changed. The run-state
/// area uses the `XEN_RUNSTATE_UPDATE` bit of `state_entry_time` the same way (with
/// `VMASST_TYPE_runstate_update_flag`), and re-reading `state_entry_time` otherwise.
///
/// **Monotonicity across vCPUs.** When Xen sets `XEN_PVCLOCK_TSC_STABLE_BIT` the TSCs of all
/// vCPUs are synchronised and every vCPU's reading is consistent with every other's, so
/// `system_clock::now()` returns the scaled reading directly. When the bit is clear (TSCs may
/// drift between physical CPUs) the fallback is a shared "latest value returned" word, owned by
/// the caller and shared by all vCPUs' clocks: each reading is raised to at least that value and
/// the value is advanced with an atomic compare-exchange, so time never goes backwards as seen by
/// any vCPU, at the cost of one contended cache line per reading.
///
/// Freestanding: no `<chrono>`, `<limits>` or `<atomic>`; 64-bit divisions by constants only.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xenabi/abi/vcpu.hpp>
#include <xenabi/abi/xen.hpp>
#include <xenabi/arch/x86/tsc.hpp>
#include <xenabi/core/barrier.hpp>
#include <xenabi/core/types.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi {

// ---------------------------------------------------------------------------------------------
// duration and time_point

/// A signed span of time in nanoseconds (like `std::chrono::nanoseconds`).
class duration {
 public:
  /// The representation: signed 64-bit nanoseconds (about ±292 years).
  using rep = s64;
  /// Zero.
  constexpr duration() noexcept = default;
  /// \p ns nanoseconds.
  constexpr explicit duration(rep ns) noexcept : ns_(ns) {}

  /// The count of nanoseconds.
  [[nodiscard]] constexpr rep count() const noexcept { return ns_; }
  /// Whole microseconds (truncated toward zero).
  [[nodiscard]] constexpr rep microseconds() const noexcept { return ns_ / 1000; }
  /// Whole milliseconds (truncated toward zero).
  [[nodiscard]] constexpr rep milliseconds() const noexcept { return ns_ / 1000000; }
  /// Whole seconds (truncated toward zero).
  [[nodiscard]] constexpr rep seconds() const noexcept { return ns_ / 1000000000; }

  /// The zero duration.
  [[nodiscard]] static constexpr duration zero() noexcept { return duration{0}; }
  /// The largest duration.
  [[nodiscard]] static constexpr duration max() noexcept {
    return duration{static_cast<rep>(~u64{0} >> 1)};
  }

  /// Sum.
  friend constexpr duration operator+(duration a, duration b) noexcept {
    return duration{a.ns_ + b.ns_};
  }
  /// Difference.
  friend constexpr duration operator-(duration a, duration b) noexcept {
    return duration{a.ns_ - b.ns_};
  }
  /// Negation.
  constexpr duration operator-() const noexcept { return duration{-ns_}; }
  /// Scaling by an integer.
  friend constexpr duration operator*(duration a, rep k) noexcept { return duration{a.ns_ * k}; }
  /// Scaling by an integer.
  friend constexpr duration operator*(rep k, duration a) noexcept { return duration{a.ns_ * k}; }
  /// Division by an integer (truncated toward zero).
  friend constexpr duration operator/(duration a, rep k) noexcept { return duration{a.ns_ / k}; }
  /// How many times \p b fits in \p a (truncated toward zero).
  friend constexpr rep operator/(duration a, duration b) noexcept { return a.ns_ / b.ns_; }
  /// Remainder of a division by \p b.
  friend constexpr duration operator%(duration a, duration b) noexcept {
    return duration{a.ns_ % b.ns_};
  }
  /// Adds \p b.
  constexpr duration& operator+=(duration b) noexcept {
    ns_ += b.ns_;
    return *this;
  }
  /// Subtracts \p b.
  constexpr duration& operator-=(duration b) noexcept {
    ns_ -= b.ns_;
    return *this;
  }
  /// Ordering and equality.
  friend constexpr auto operator<=>(duration, duration) noexcept = default;

 private:
  rep ns_ = 0;
};

/// \p n nanoseconds.
[[nodiscard]] constexpr duration nanoseconds(s64 n) noexcept { return duration{n}; }
/// \p n microseconds.
[[nodiscard]] constexpr duration microseconds(s64 n) noexcept { return duration{n * 1000}; }
/// \p n milliseconds.
[[nodiscard]] constexpr duration milliseconds(s64 n) noexcept { return duration{n * 1000000}; }
/// \p n seconds.
[[nodiscard]] constexpr duration seconds(s64 n) noexcept { return duration{n * 1000000000}; }

/// Duration literals: `250_us`, `5_ms`, `2_s`, `10_ns`.
namespace literals {
/// Nanoseconds.
constexpr duration operator""_ns(unsigned long long n) noexcept {
  return duration{static_cast<s64>(n)};
}
/// Microseconds.
constexpr duration operator""_us(unsigned long long n) noexcept {
  return microseconds(static_cast<s64>(n));
}
/// Milliseconds.
constexpr duration operator""_ms(unsigned long long n) noexcept {
  return milliseconds(static_cast<s64>(n));
}
/// Seconds.
constexpr duration operator""_s(unsigned long long n) noexcept {
  return seconds(static_cast<s64>(n));
}
}  // namespace literals

/// A point on the time line of clock \p Clock: unsigned nanoseconds since the clock's epoch
/// (like `std::chrono::time_point<Clock, nanoseconds>`). Points of different clocks do not mix.
template <class Clock>
class time_point {
 public:
  /// The clock.
  using clock = Clock;
  /// The epoch.
  constexpr time_point() noexcept = default;
  /// \p ns nanoseconds after the epoch.
  constexpr explicit time_point(u64 ns) noexcept : ns_(ns) {}

  /// Nanoseconds since the epoch.
  [[nodiscard]] constexpr u64 ns_since_epoch() const noexcept { return ns_; }
  /// The span since the epoch.
  [[nodiscard]] constexpr duration time_since_epoch() const noexcept {
    return duration{static_cast<s64>(ns_)};
  }
  /// The latest representable point (used as "never").
  [[nodiscard]] static constexpr time_point max() noexcept { return time_point{~u64{0}}; }

  /// The point \p d later (\p d may be negative; wraps modulo 2^64 like the hardware counter).
  friend constexpr time_point operator+(time_point t, duration d) noexcept {
    return time_point{t.ns_ + static_cast<u64>(d.count())};
  }
  /// The point \p d later.
  friend constexpr time_point operator+(duration d, time_point t) noexcept { return t + d; }
  /// The point \p d earlier.
  friend constexpr time_point operator-(time_point t, duration d) noexcept {
    return time_point{t.ns_ - static_cast<u64>(d.count())};
  }
  /// The signed span from \p b to \p a.
  friend constexpr duration operator-(time_point a, time_point b) noexcept {
    return duration{static_cast<s64>(a.ns_ - b.ns_)};
  }
  /// Moves the point by \p d.
  constexpr time_point& operator+=(duration d) noexcept {
    ns_ += static_cast<u64>(d.count());
    return *this;
  }
  /// Ordering and equality.
  friend constexpr auto operator<=>(time_point, time_point) noexcept = default;

 private:
  u64 ns_ = 0;
};

/// Tag of the system-time line (nanoseconds since the host booted; what timers are set in).
struct system_time_tag {};
/// Tag of a vCPU's virtual-time line (nanoseconds this vCPU has spent running).
struct virtual_time_tag {};
/// A point in system time.
using system_time = time_point<system_time_tag>;
/// A point in a vCPU's virtual time.
using virtual_time = time_point<virtual_time_tag>;

/// Wall-clock time: seconds and nanoseconds since 1970-01-01 UTC (64-bit seconds, as Xen's
/// `wc_sec | wc_sec_hi << 32`).
struct wall_time {
  u64 sec;   ///< Seconds since the Unix epoch.
  u32 nsec;  ///< Nanoseconds within the second, below 1e9.
  /// Ordering and equality.
  friend constexpr auto operator<=>(const wall_time&, const wall_time&) noexcept = default;
  /// \p d later (\p d non-negative).
  [[nodiscard]] constexpr wall_time after(duration d) const noexcept {
    const u64 ns = static_cast<u64>(d.count());
    const u64 total_ns = u64{nsec} + ns % 1000000000u;
    return wall_time{sec + ns / 1000000000u + total_ns / 1000000000u,
                     static_cast<u32>(total_ns % 1000000000u)};
  }
};

// ---------------------------------------------------------------------------------------------
// Scaling math

/// The high 64 bits of the 96-bit product `delta * mul` shifted right by 32, i.e.
/// `(delta * mul) >> 32` modulo 2^64: the 32.32 fixed-point multiply of the pvclock formula.
/// Uses `unsigned __int128` where the compiler has it (x86_64), and otherwise (i386) two
/// 32x32->64 products: with `delta = hi * 2^32 + lo`, the result is `hi * mul + (lo * mul >> 32)`.
[[nodiscard]] constexpr u64 mul_frac32(u64 delta, u32 mul) noexcept {
#if defined(__SIZEOF_INT128__)
  __extension__ typedef unsigned __int128 u128;
  return static_cast<u64>((static_cast<u128>(delta) * mul) >> 32);
#else
  const u64 lo = (delta & 0xffffffffu) * mul;
  const u64 hi = (delta >> 32) * mul;
  return hi + (lo >> 32);
#endif
}

/// The same product computed with 32x32->64 multiplications on every target (the i386 path);
/// exposed so tests on x86_64 can check it against the `__int128` path.
[[nodiscard]] constexpr u64 mul_frac32_decomposed(u64 delta, u32 mul) noexcept {
  const u64 lo = (delta & 0xffffffffu) * mul;
  const u64 hi = (delta >> 32) * mul;
  return hi + (lo >> 32);
}

/// Xen's pvclock scaling of a TSC delta to nanoseconds: `delta` shifted by \p shift (left if
/// positive, right if negative; a shift of 64 or more in either direction gives 0), then
/// multiplied by the 32.32 fixed-point \p mul.
[[nodiscard]] constexpr u64 scale_delta(u64 delta, u32 mul, s8 shift) noexcept {
  if (shift < 0) {
    const int s = -static_cast<int>(shift);
    delta = s >= 64 ? 0 : delta >> s;
  } else {
    const int s = shift;
    delta = s >= 64 ? 0 : delta << s;
  }
  return mul_frac32(delta, mul);
}

/// A consistent copy of the fields of a `vcpu_time_info` (what the seqlock protects).
struct pvclock_snapshot {
  u32 version;            ///< The (even) version the copy was taken under.
  u64 tsc_timestamp;      ///< TSC at Xen's last update.
  u64 system_time;        ///< System time (ns) at that TSC.
  u32 tsc_to_system_mul;  ///< 32.32 multiplier.
  s8 tsc_shift;           ///< Shift applied to the TSC delta first.
  u8 flags;               ///< `XEN_PVCLOCK_*`.

  /// System time (ns since boot) at TSC value \p tsc. A \p tsc before tsc_timestamp (possible
  /// on another CPU right after an update) counts as no time elapsed.
  [[nodiscard]] constexpr u64 system_time_at(u64 tsc) const noexcept {
    const u64 delta = tsc > tsc_timestamp ? tsc - tsc_timestamp : 0;
    return system_time + scale_delta(delta, tsc_to_system_mul, tsc_shift);
  }
  /// True if Xen says all vCPUs' TSCs are synchronised (XEN_PVCLOCK_TSC_STABLE_BIT).
  [[nodiscard]] constexpr bool tsc_stable() const noexcept {
    return (flags & abi::XEN_PVCLOCK::TSC_STABLE_BIT) != 0;
  }
};

/// \cond XENABI_INTERNAL
namespace detail::seq {
/// One read of a seqlock-protected field (may tear; the version check catches that).
template <class T>
[[nodiscard]] inline T field(const T& ref) noexcept {
  return *static_cast<const volatile T*>(&ref);
}
}  // namespace detail::seq
/// \endcond

/// Copies \p ti under its seqlock, calling \p inside (a callable returning `u64`, e.g. a TSC
/// read) between the copy and the final version check, so the value it returns belongs to the
/// same update. Returns the snapshot; `*inside_value` receives what \p inside returned.
template <class F>
[[nodiscard]] inline pvclock_snapshot read_pvclock(const abi::vcpu_time_info& ti, F&& inside,
                                                   u64* inside_value) noexcept {
  pvclock_snapshot s{};
  u64 v = 0;
  for (;;) {
    const u32 ver = read_once(ti.version);
    rmb();
    s.tsc_timestamp = detail::seq::field(ti.tsc_timestamp);
    s.system_time = detail::seq::field(ti.system_time);
    s.tsc_to_system_mul = detail::seq::field(ti.tsc_to_system_mul);
    s.tsc_shift = detail::seq::field(ti.tsc_shift);
    s.flags = detail::seq::field(ti.flags);
    v = inside();
    rmb();
    if ((ver & 1u) == 0 && ver == read_once(ti.version)) {
      s.version = ver;
      break;
    }
    cpu_relax();
  }
  if (inside_value != nullptr) *inside_value = v;
  return s;
}

/// Copies \p ti under its seqlock.
[[nodiscard]] inline pvclock_snapshot read_pvclock(const abi::vcpu_time_info& ti) noexcept {
  return read_pvclock(ti, [] { return u64{0}; }, nullptr);
}

/// A view of a `u64` known to be 8-byte aligned. i386 aligns a plain `u64` to 4 bytes inside
/// structures, and a 64-bit atomic on such a word may split across cache lines (Clang refuses
/// it under -Werror: -Watomic-alignment); the atomic fallback word is therefore required to be
/// `alignas(8)`, and accessed through this view (`may_alias`: it views the caller's `u64`).
struct [[gnu::may_alias]] alignas(8) aligned_u64 {
  u64 value;  ///< The word.
};

/// Raises \p candidate to at least \p last and advances \p last to the result, atomically
/// (the cross-vCPU fallback when the TSC is not stable). Returns the value to report.
/// \p last must be 8-byte aligned (`alignas(8)`; any `u64` is on x86_64).
[[nodiscard]] inline u64 monotonic_max(u64& last, u64 candidate) noexcept {
  aligned_u64* word = static_cast<aligned_u64*>(__builtin_assume_aligned(&last, 8));
  u64 seen = __atomic_load_n(&word->value, __ATOMIC_RELAXED);
  while (candidate > seen) {
    if (__atomic_compare_exchange_n(&word->value, &seen, candidate, true, __ATOMIC_RELAXED,
                                    __ATOMIC_RELAXED))
      return candidate;
  }
  return seen > candidate ? seen : candidate;
}

/// The default TSC source: `rdtsc`.
struct rdtsc_source {
  /// The current TSC.
  static u64 read() noexcept { return arch::x86::rdtsc(); }
};

/// System time (nanoseconds since the host booted) for one vCPU, read from that vCPU's
/// `vcpu_time_info`. \p Tsc is a type with `static u64 read()` (tests pass a fake counter).
/// The `last` word given to the constructor is shared by every vCPU's clock; it is used only
/// when Xen does not set XEN_PVCLOCK_TSC_STABLE_BIT (see the file comment).
template <class Tsc = rdtsc_source>
class basic_system_clock {
 public:
  /// The time-point type.
  using time_point = system_time;
  /// The clock of \p ti (a vCPU's time area), sharing fallback word \p last (8-byte aligned:
  /// `alignas(8)` on i386) with the other vCPUs' clocks.
  constexpr basic_system_clock(const abi::vcpu_time_info& ti, u64& last) noexcept
      : ti_(&ti), last_(&last) {}

  /// Now, in system time. The TSC is read inside the seqlock so it matches the parameters.
  [[nodiscard]] time_point now() const noexcept {
    u64 tsc = 0;
    const pvclock_snapshot s = read_pvclock(*ti_, [] { return Tsc::read(); }, &tsc);
    const u64 t = s.system_time_at(tsc);
    if (s.tsc_stable()) return time_point{t};
    return time_point{monotonic_max(*last_, t)};
  }

 private:
  const abi::vcpu_time_info* ti_;
  u64* last_;
};

/// The system clock on real hardware (TSC read with `rdtsc`).
using system_clock = basic_system_clock<>;

// ---------------------------------------------------------------------------------------------
// Wall clock

/// A consistent copy of the wall-clock fields of `shared_info`.
struct wall_clock_base {
  u32 version;  ///< The (even) wc_version it was read under.
  u64 sec;      ///< `wc_sec | wc_sec_hi << 32`: wall-clock seconds at system time 0.
  u32 nsec;     ///< `wc_nsec`.
};

/// Reads the wall clock at system time 0 from \p s (`abi::shared_info` of either width: on
/// x86_64 `wc_sec_hi` follows `wc_nsec`, on i386 it lives in `arch`) under `wc_version`.
template <class SharedInfo>
[[nodiscard]] inline wall_clock_base read_wall_clock_base(const SharedInfo& s) noexcept {
  for (;;) {
    const u32 ver = read_once(s.wc_version);
    rmb();
    const u32 lo = detail::seq::field(s.wc_sec);
    const u32 ns = detail::seq::field(s.wc_nsec);
    u32 hi = 0;
    if constexpr (requires { s.wc_sec_hi; }) {
      hi = detail::seq::field(s.wc_sec_hi);
    } else {
      hi = detail::seq::field(s.arch.wc_sec_hi);
    }
    rmb();
    if ((ver & 1u) == 0 && ver == read_once(s.wc_version))
      return wall_clock_base{ver, u64{lo} | (u64{hi} << 32), ns};
    cpu_relax();
  }
}

/// Wall-clock time at system time \p t: the base read from \p s plus \p t.
template <class SharedInfo>
[[nodiscard]] inline wall_time wall_clock_at(const SharedInfo& s, system_time t) noexcept {
  const wall_clock_base b = read_wall_clock_base(s);
  return wall_time{b.sec, b.nsec}.after(t.time_since_epoch());
}

// ---------------------------------------------------------------------------------------------
// Virtual time

/// A consistent copy of a run-state area.
struct runstate_snapshot {
  s32 state;              ///< The current `RUNSTATE_*`.
  u64 state_entry_time;   ///< System time it was entered (update flag cleared).
  u64 time[4];            ///< Nanoseconds spent in each state up to state_entry_time.

  /// Virtual time at system time \p now: the time spent running, including the current
  /// stretch if the vCPU is running.
  [[nodiscard]] constexpr virtual_time at(system_time now) const noexcept {
    u64 v = time[0];
    if (state == static_cast<s32>(abi::RUNSTATE::running) &&
        now.ns_since_epoch() > state_entry_time)
      v += now.ns_since_epoch() - state_entry_time;
    return virtual_time{v};
  }
};

/// Copies a run-state area (registered with VCPUOP_register_runstate_memory_area) consistently:
/// retries while `XEN_RUNSTATE_UPDATE` is set in `state_entry_time` or while
/// `state_entry_time` changed during the copy (which also covers hypervisors without the
/// update-flag assist, since each update moves state_entry_time).
template <class Runstate>
[[nodiscard]] inline runstate_snapshot read_runstate(const Runstate& r) noexcept {
  runstate_snapshot s{};
  for (;;) {
    const u64 entry = detail::seq::field(r.state_entry_time);
    rmb();
    s.state = detail::seq::field(r.state);
    for (int i = 0; i < 4; ++i) s.time[i] = detail::seq::field(r.time[i]);
    rmb();
    if ((entry & abi::XEN::RUNSTATE_UPDATE) == 0 &&
        entry == static_cast<u64>(detail::seq::field(r.state_entry_time))) {
      s.state_entry_time = entry;
      return s;
    }
    cpu_relax();
  }
}

/// Virtual time of the vCPU whose run-state area is \p r, at system time \p now.
template <class Runstate>
[[nodiscard]] inline virtual_time virtual_time_at(const Runstate& r, system_time now) noexcept {
  return read_runstate(r).at(now);
}

}  // namespace xenabi

#include <xenabi/core/macro_shield_end.inc>
