/// \file
/// The two x86 widths of the Xen ABI, and guest handles.
///
/// Xen's public structures use `unsigned long`, `xen_ulong_t`, `xen_pfn_t` and guest handles
/// (`XEN_GUEST_HANDLE`), whose size is the guest's word size, and `uint64_t`, which i386 aligns
/// to 4 bytes inside structures. A 64-bit hypervisor serving 32-bit guests needs both layouts in
/// one compilation, so every structure whose layout differs is a template over a width
/// (`abi::tmpl::shared_info<W>`), instantiated as:
/// - `abi::x86_64::shared_info` — the 64-bit guest's layout (`W = width64`),
/// - `abi::x86_32::shared_info` — the 32-bit guest's layout (`W = width32`),
/// - `abi::shared_info` — the layout of the target being compiled (`abi::native`).
///
/// Both instances are exact in both compilations (size, offsets and alignment): the width's
/// 64-bit integer type carries its alignment explicitly (tests/xenabi/abi/conformance checks it,
/// cross_width.py). Structures with the same size and offsets on both widths are defined once,
/// directly in `abi`, with the compiling target's alignment: a 64-bit hypervisor should copy one
/// out of a 32-bit guest's memory rather than reference it in place at a 4-byte boundary.
#pragma once

#include <cstdint>

#include <xenabi/core/types.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// A 64-bit integer aligned as i386 aligns `uint64_t` inside structures (4 bytes).
using u64_align4 [[gnu::aligned(4)]] = u64;
/// A 64-bit integer aligned as x86_64 aligns it (8 bytes), also when compiling for i386.
using u64_align8 [[gnu::aligned(8)]] = u64;
/// Signed 64-bit integer with i386 structure alignment.
using s64_align4 [[gnu::aligned(4)]] = s64;
/// Signed 64-bit integer with x86_64 alignment.
using s64_align8 [[gnu::aligned(8)]] = s64;

/// The x86_64 ABI's types (LP64).
struct width64 {
  /// Word size in bits.
  static constexpr unsigned bits = 64;
  /// C `unsigned long`.
  using ulong = u64_align8;
  /// C `long`.
  using slong = s64_align8;
  /// Xen's `xen_ulong_t` (`unsigned long` on x86).
  using xen_ulong_t = u64_align8;
  /// Xen's `xen_pfn_t` (`unsigned long` on x86).
  using xen_pfn_t = u64_align8;
  /// `uint64_t` as a structure member.
  using uint64 = u64_align8;
  /// `int64_t` as a structure member.
  using int64 = s64_align8;
  /// The integer a guest handle (a guest pointer) is stored as.
  using handle_word = u64_align8;
  /// `xen_pfn_t` as the element type of a guest array (a guest_handle's target).
  using pfn_element = u64;
  /// `xen_ulong_t` as the element type of a guest array.
  using ulong_element = u64;
};

/// The i386 ABI's types (ILP32, 64-bit integers 4-byte aligned in structures).
struct width32 {
  /// Word size in bits.
  static constexpr unsigned bits = 32;
  /// C `unsigned long`.
  using ulong = u32;
  /// C `long`.
  using slong = s32;
  /// Xen's `xen_ulong_t` (`unsigned long` on x86).
  using xen_ulong_t = u32;
  /// Xen's `xen_pfn_t` (`unsigned long` on x86).
  using xen_pfn_t = u32;
  /// `uint64_t` as a structure member.
  using uint64 = u64_align4;
  /// `int64_t` as a structure member.
  using int64 = s64_align4;
  /// The integer a guest handle (a guest pointer) is stored as.
  using handle_word = u32;
  /// `xen_pfn_t` as the element type of a guest array (a guest_handle's target).
  using pfn_element = u32;
  /// `xen_ulong_t` as the element type of a guest array.
  using ulong_element = u32;
};

#if defined(__x86_64__)
/// The width of the target being compiled.
using native_width = width64;
#elif defined(__i386__)
using native_width = width32;
#else
#error "xenabi/abi: only x86_64 and i386 are supported"
#endif

/// A guest handle: Xen's `XEN_GUEST_HANDLE(T)`, a guest-virtual pointer to \p T (or to an array
/// of them) passed to the hypervisor inside an argument structure. Stored as an integer of the
/// guest's word size, so that the layout never depends on the compiling host's pointers.
template <class T, class W = native_width>
struct guest_handle {
  /// The guest-virtual address (Xen's field name).
  typename W::handle_word p;

  /// The element type.
  using element_type = T;
  /// The width.
  using width = W;

  /// A handle from a guest-virtual address.
  [[nodiscard]] static constexpr guest_handle from_address(u64 address) noexcept {
    return guest_handle{static_cast<typename W::handle_word>(address)};
  }
  /// A handle to \p ptr in this address space (Xen's `set_xen_guest_handle`); only for the
  /// compiling target's own width.
  [[nodiscard]] static guest_handle from(T* ptr) noexcept
    requires std::is_same_v<W, native_width>
  {
    return guest_handle{static_cast<typename W::handle_word>(reinterpret_cast<std::uintptr_t>(ptr))};
  }
  /// The pointer in this address space; only for the compiling target's own width.
  [[nodiscard]] T* get() const noexcept
    requires std::is_same_v<W, native_width>
  {
    return reinterpret_cast<T*>(static_cast<std::uintptr_t>(p));
  }
  /// The guest-virtual address.
  [[nodiscard]] constexpr u64 address() const noexcept { return p; }
  /// True for the null handle.
  [[nodiscard]] constexpr bool is_null() const noexcept { return p == 0; }
};

/// The x86_64 guest ABI: width-dependent structures and constants as a 64-bit guest sees them.
namespace x86_64 {
/// Width of this ABI.
using width = width64;
/// Xen's `xen_ulong_t`.
using xen_ulong_t = width64::xen_ulong_t;
/// Xen's `xen_pfn_t`.
using xen_pfn_t = width64::xen_pfn_t;
/// Xen's `XEN_GUEST_HANDLE(T)` for this width.
template <class T>
using guest_handle = abi::guest_handle<T, width64>;
}  // namespace x86_64

/// The i386 guest ABI: width-dependent structures and constants as a 32-bit guest sees them.
namespace x86_32 {
/// Width of this ABI.
using width = width32;
/// Xen's `xen_ulong_t`.
using xen_ulong_t = width32::xen_ulong_t;
/// Xen's `xen_pfn_t`.
using xen_pfn_t = width32::xen_pfn_t;
/// Xen's `XEN_GUEST_HANDLE(T)` for this width.
template <class T>
using guest_handle = abi::guest_handle<T, width32>;
}  // namespace x86_32

#if defined(__x86_64__)
namespace native = x86_64;  ///< The ABI of the target being compiled.
#else
namespace native = x86_32;  ///< The ABI of the target being compiled.
#endif

/// Xen's `xen_ulong_t` for the compiling target.
using xen_ulong_t = native_width::xen_ulong_t;
/// Xen's `xen_pfn_t` for the compiling target.
using xen_pfn_t = native_width::xen_pfn_t;

/// Width-generic templates of the structures whose layout depends on the width; use them through
/// `x86_64::`, `x86_32::` or the native alias in `abi`.
namespace tmpl {}

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
