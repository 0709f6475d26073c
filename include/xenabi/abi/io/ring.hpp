/// \file
/// The shared-ring page layout of Xen's `io/ring.h`: four 32-bit indices, private-use bytes,
/// padding to 64 bytes, then the slot array (a union of request and response per slot).
///
/// This header holds only the layout facts (`RING_IDX`, `sring<Req, Rsp, Bytes>`, the slot count
/// rule). The front and back endpoints that run the protocol over such a page are in
/// `xenabi/ring.hpp`.
///
/// Xen's `DEFINE_RING_TYPES(name, req, rsp)` becomes `using name_sring = abi::sring<req, rsp>;`
/// with the same bytes at the same offsets as Xen's `struct name_sring` (whose C declaration ends
/// in a one-element array standing for "as many slots as fit"; ours has exactly that many).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xenabi/core/layout.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// Xen's `RING_IDX`: a free-running 32-bit index; slot = index & (slots - 1). Indices wrap
/// modulo 2^32 and are only ever compared by unsigned difference.
using RING_IDX = std::uint32_t;

/// Facts about the shared ring page that do not depend on the request/response types.
namespace RING {
/// Offset of the slot array in the shared page (the header is four indices, 4 private bytes,
/// 44 bytes of padding).
inline constexpr std::size_t HEADER_SIZE = 64;
/// Ring page size used by every io protocol (Xen's `XEN_PAGE_SIZE`), in bytes.
inline constexpr std::size_t PAGE_SIZE = 4096;
/// Xen's `XEN_PAGE_SHIFT`.
inline constexpr std::size_t PAGE_SHIFT = 12;
}  // namespace RING

/// Largest power of two not above \p x (0 for 0): Xen's `__RD32`, which fixes a ring's slot
/// count so that indices can be reduced with a mask.
[[nodiscard]] constexpr std::uint32_t round_down_pow2(std::uint32_t x) noexcept {
  if (x == 0) return 0;
  std::uint32_t p = 1;
  while (p <= x / 2) p <<= 1;
  return p;
}

/// The number of slots of \p entry_size bytes that a ring of \p ring_bytes bytes holds: the
/// largest power of two that fits after the 64-byte header (Xen's `__CONST_RING_SIZE`).
[[nodiscard]] constexpr std::uint32_t ring_slots(std::size_t ring_bytes,
                                                 std::size_t entry_size) noexcept {
  if (entry_size == 0 || ring_bytes <= RING::HEADER_SIZE) return 0;
  const std::size_t n = (ring_bytes - RING::HEADER_SIZE) / entry_size;
  return round_down_pow2(n > 0xffffffffu ? 0xffffffffu : static_cast<std::uint32_t>(n));
}

/// Xen's macro `XEN_FLEX_RING_SIZE(order)`: bytes per direction of a flexible data ring whose two
/// halves span `2^order` pages.
[[nodiscard]] constexpr std::size_t xen_flex_ring_size(unsigned order) noexcept {
  return std::size_t{1} << (order + RING::PAGE_SHIFT - 1);
}

/// The private-use bytes at offset 16 of every shared ring page (Xen's `pvt` union).
union sring_pvt {
  /// Used by netif (Linux's "smart poll").
  struct netif_t {
    std::uint8_t smartpoll_active;  ///< Non-zero while the peer polls instead of notifying.
  } netif;                          ///< netif's view.
  /// Used by the user-space tap interface.
  struct tapif_user_t {
    std::uint8_t msg;  ///< Message byte.
  } tapif_user;        ///< tapif's view.
  std::uint8_t pvt_pad[4];  ///< The four bytes as raw storage.
};
XENABI_LAYOUT_SIZE(sring_pvt, 4);

/// One slot of the shared ring (Xen's `union name_sring_entry`): a request or a response.
template <class Req, class Rsp>
union sring_entry {
  Req req;  ///< The request the front end wrote.
  Rsp rsp;  ///< The response the back end wrote over it.
};

/// The shared ring page (Xen's `struct name_sring`) for requests \p Req and responses \p Rsp,
/// occupying at most \p Bytes bytes (one page by default; a multi-page ring passes
/// `PAGE_SIZE << order`).
template <class Req, class Rsp, std::size_t Bytes = RING::PAGE_SIZE>
struct sring {
  static_assert(std::is_trivially_copyable_v<Req> && std::is_standard_layout_v<Req>,
                "ring requests are plain ABI structures");
  static_assert(std::is_trivially_copyable_v<Rsp> && std::is_standard_layout_v<Rsp>,
                "ring responses are plain ABI structures");
  /// The request type.
  using request_type = Req;
  /// The response type.
  using response_type = Rsp;
  /// The slot type.
  using entry_type = sring_entry<Req, Rsp>;
  /// Number of slots: the largest power of two that fits in \p Bytes after the header.
  static constexpr RING_IDX slots = ring_slots(Bytes, sizeof(entry_type));
  static_assert(slots >= 1, "not even one slot fits");
  static_assert(alignof(entry_type) <= RING::HEADER_SIZE, "slot alignment exceeds the header");

  RING_IDX req_prod;   ///< @0: requests produced by the front end (written by the front end).
  RING_IDX req_event;  ///< @4: the back end wants a notification when req_prod passes this.
  RING_IDX rsp_prod;   ///< @8: responses produced by the back end (written by the back end).
  RING_IDX rsp_event;  ///< @12: the front end wants a notification when rsp_prod passes this.
  sring_pvt pvt;       ///< @16: protocol-private bytes.
  std::uint8_t pad[44];  ///< @20: padding to 64 bytes (Xen's `__pad`).
  entry_type ring[slots];  ///< @64: the slots.
};

/// The layout of the four-index header, checked on a representative instantiation (every
/// instantiation has the same header; `xenabi/ring.hpp` re-checks the one it uses).
namespace detail {
/// A representative slot for the header checks.
struct sring_probe {
  std::uint64_t x;  ///< Eight bytes.
};
/// The representative ring.
using sring_probe_t = sring<sring_probe, sring_probe>;
}  // namespace detail
XENABI_LAYOUT_LOCAL(detail::sring_probe_t, 64 + 8 * 256, req_prod, 0, req_event, 4, rsp_prod, 8,
              rsp_event, 12, pvt, 16, pad, 20, ring, 64);

/// Xen's macro `SHARED_RING_INIT`: empty ring, both event indices at 1, private bytes and padding
/// zeroed. The slots are left as they are.
template <class Req, class Rsp, std::size_t Bytes>
constexpr void shared_ring_init(sring<Req, Rsp, Bytes>& s) noexcept {
  s.req_prod = 0;
  s.rsp_prod = 0;
  s.req_event = 1;
  s.rsp_event = 1;
  for (std::size_t i = 0; i < sizeof s.pvt.pvt_pad; ++i) s.pvt.pvt_pad[i] = 0;
  for (std::size_t i = 0; i < sizeof s.pad; ++i) s.pad[i] = 0;
}

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
