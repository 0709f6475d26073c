/// \file
/// The console page, Xen's `io/console.h`: `xencons_interface` (3088 bytes) with its two byte
/// rings, `in` (back end to front end, keyboard) and `out` (front end to back end, screen).
///
/// The byte-ring endpoints that run over this page are in `xenabi/byte_ring.hpp`.
#pragma once

#include <cstddef>
#include <cstdint>

#include <xenabi/core/layout.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// Xen's `XENCONS_RING_IDX`: a free-running 32-bit byte index.
using XENCONS_RING_IDX = std::uint32_t;

/// Xen's `struct xencons_interface`: the console page's rings and indices.
struct xencons_interface {
  char in[1024];   ///< @0: input ring, produced by the back end.
  char out[2048];  ///< @1024: output ring, produced by the front end.
  XENCONS_RING_IDX in_cons;   ///< @3072: input consumed by the front end.
  XENCONS_RING_IDX in_prod;   ///< @3076: input produced by the back end.
  XENCONS_RING_IDX out_cons;  ///< @3080: output consumed by the back end.
  XENCONS_RING_IDX out_prod;  ///< @3084: output produced by the front end.
};
XENABI_LAYOUT(xencons_interface, 3088, in, 0, out, 1024, in_cons, 3072, in_prod, 3076,
              out_cons, 3080, out_prod, 3084);

/// Xen's macro `MASK_XENCONS_IDX(idx, ring)`: the position of index \p idx in \p ring (one of
/// `xencons_interface::in` and `out`, whose sizes are powers of two).
template <std::size_t N>
[[nodiscard]] constexpr XENCONS_RING_IDX mask_xencons_idx(XENCONS_RING_IDX idx,
                                                          const char (&ring)[N]) noexcept {
  static_assert(N != 0 && (N & (N - 1)) == 0, "console rings are powers of two");
  (void)ring;
  return idx & static_cast<XENCONS_RING_IDX>(N - 1);
}

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
