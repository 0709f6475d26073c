/// \file
/// Fixed-width types and strong types for the things Xen numbers: guest physical and virtual
/// addresses, frame numbers (pfn/gfn/mfn), event-channel ports, grant references, domain ids.
///
/// A strong type wraps its integer so that a frame number cannot be passed where an address is
/// wanted. Arithmetic that can overflow is checked and returns `result<>` (`errc::eoverflow`).
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xenabi/core/result.hpp>

namespace xenabi {

using u8 = std::uint8_t;    ///< 8-bit unsigned.
using u16 = std::uint16_t;  ///< 16-bit unsigned.
using u32 = std::uint32_t;  ///< 32-bit unsigned.
using u64 = std::uint64_t;  ///< 64-bit unsigned.
using s8 = std::int8_t;     ///< 8-bit signed.
using s16 = std::int16_t;   ///< 16-bit signed.
using s32 = std::int32_t;   ///< 32-bit signed.
using s64 = std::int64_t;   ///< 64-bit signed.

// Note: no <limits> or <atomic> in xenabi headers. Clang rejects <limits> under
// -mgeneral-regs-only (its long double members need x87), and guest kernels compile with it.

/// x86 page size and shift (4 KiB pages; Xen's XEN_PAGE_SIZE).
inline constexpr u64 page_shift = 12;
/// x86 page size in bytes.
inline constexpr u64 page_size = u64{1} << page_shift;

/// Checked addition: `a + b`, or `errc::eoverflow` if it wraps.
template <std::unsigned_integral T>
[[nodiscard]] constexpr result<T> checked_add(T a, T b) noexcept {
  T r = static_cast<T>(a + b);
  if (r < a) return errc::eoverflow;
  return r;
}
/// Checked subtraction: `a - b`, or `errc::eoverflow` if it would go below zero.
template <std::unsigned_integral T>
[[nodiscard]] constexpr result<T> checked_sub(T a, T b) noexcept {
  if (b > a) return errc::eoverflow;
  return static_cast<T>(a - b);
}
/// Checked multiplication: `a * b`, or `errc::eoverflow` if it wraps.
template <std::unsigned_integral T>
[[nodiscard]] constexpr result<T> checked_mul(T a, T b) noexcept {
  if (a != 0 && b > static_cast<T>(~T{0}) / a) return errc::eoverflow;
  return static_cast<T>(a * b);
}
/// Checked narrowing to \p To: the value, or `errc::erange` if it does not fit.
template <std::unsigned_integral To, std::unsigned_integral From>
[[nodiscard]] constexpr result<To> checked_narrow(From v) noexcept {
  if (v > static_cast<To>(~To{0})) return errc::erange;
  return static_cast<To>(v);
}

/// A strong integer: a \p Rep that only converts explicitly, tagged by \p Tag.
template <class Tag, std::unsigned_integral Rep>
class strong {
 public:
  /// The underlying integer type.
  using rep = Rep;
  /// Zero.
  constexpr strong() noexcept = default;
  /// Wraps \p v.
  constexpr explicit strong(Rep v) noexcept : v_(v) {}
  /// The underlying value.
  [[nodiscard]] constexpr Rep value() const noexcept { return v_; }
  /// Ordering and equality among values of the same strong type only.
  friend constexpr auto operator<=>(strong, strong) noexcept = default;

 private:
  Rep v_{};
};

/// Tags for the strong types.
namespace tag {
struct phys_addr;  ///< Guest-physical address.
struct virt_addr;  ///< Guest-virtual address.
struct pfn;        ///< Guest pseudo-physical frame number (PV: the guest's view).
struct gfn;        ///< Guest frame number (what grant tables and physmap speak).
struct mfn;        ///< Machine frame number.
struct port;       ///< Event-channel port.
struct grant_ref;  ///< Grant reference.
struct domain_id;  ///< Domain id.
}  // namespace tag

/// An address-like strong type (byte granularity) with checked offsetting.
template <class Tag>
class address : public strong<Tag, u64> {
 public:
  using strong<Tag, u64>::strong;
  /// `*this + n` bytes, or `errc::eoverflow`.
  [[nodiscard]] constexpr result<address> offset(u64 n) const noexcept {
    auto r = checked_add(this->value(), n);
    if (!r) return r.error();
    return address{r.value()};
  }
  /// Byte offset within its page.
  [[nodiscard]] constexpr u64 page_offset() const noexcept {
    return this->value() & (page_size - 1);
  }
  /// True if aligned to \p align (a power of two).
  [[nodiscard]] constexpr bool is_aligned(u64 align) const noexcept {
    return (this->value() & (align - 1)) == 0;
  }
  /// The address rounded down to its page.
  [[nodiscard]] constexpr address page_base() const noexcept {
    return address{this->value() & ~(page_size - 1)};
  }
};

/// Guest-physical address.
using phys_addr = address<tag::phys_addr>;
/// Guest-virtual address.
using virt_addr = address<tag::virt_addr>;

/// A frame-number strong type: converts to and from addresses with checked shifts.
template <class Tag>
class frame : public strong<Tag, u64> {
 public:
  using strong<Tag, u64>::strong;
  /// The frame containing physical address \p a.
  [[nodiscard]] static constexpr frame containing(phys_addr a) noexcept {
    return frame{a.value() >> page_shift};
  }
  /// The frame's first byte, or `errc::eoverflow` if the frame number is too large.
  [[nodiscard]] constexpr result<phys_addr> address() const noexcept {
    if (this->value() > (~u64{0} >> page_shift)) return errc::eoverflow;
    return phys_addr{this->value() << page_shift};
  }
  /// The frame \p n frames further, or `errc::eoverflow`.
  [[nodiscard]] constexpr result<frame> next(u64 n = 1) const noexcept {
    auto r = checked_add(this->value(), n);
    if (!r) return r.error();
    return frame{r.value()};
  }
};

/// Guest pseudo-physical frame number.
using pfn = frame<tag::pfn>;
/// Guest frame number.
using gfn = frame<tag::gfn>;
/// Machine frame number.
using mfn = frame<tag::mfn>;

/// Event-channel port (Xen's evtchn_port_t, 32-bit).
using port = strong<tag::port, u32>;
/// Grant reference (Xen's grant_ref_t, 32-bit).
using grant_ref = strong<tag::grant_ref, u32>;
/// Domain id (Xen's domid_t, 16-bit).
using domain_id = strong<tag::domain_id, u16>;

}  // namespace xenabi
