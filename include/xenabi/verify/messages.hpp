/// \file
/// Layout checks of a protocol's request and response types described with Boost.Hana
/// (`BOOST_HANA_DEFINE_STRUCT`), tying the model's message ids to the real structures.
///
/// The checker models a slot as "request id k" or "response id k"; this header checks what that
/// abstraction assumes of the real types: both are Hana Structs with a member named `id` of the
/// same unsigned integral type wide enough for the ids of the checked run, no implicit padding
/// (the ABI rule: explicit padding only), and it derives the slot size and the slot count of a
/// ring on a page of a given size the way `io/ring.h` does (largest power of two of slots that
/// fits after the 64-byte header).
///
/// Availability: Boost.Hana's headers declare `long double` conversions, which Clang refuses
/// when x87 is disabled (`-mgeneral-regs-only`, as xenabi's freestanding guest code is built).
/// There this header defines `XENABI_VERIFY_HANA` to 0 and nothing else; everywhere else
/// (GCC in any mode, Clang hosted or with x87/SSE) it is 1 and the checks below exist. The model
/// checker itself (checker.hpp) does not use Hana and is available everywhere. Only the
/// fine-grained Hana headers are included, never `<boost/hana.hpp>`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#if defined(__clang__) && (defined(__x86_64__) || defined(__i386__)) && !defined(__SSE__)
/// 1 when Boost.Hana is usable in this translation unit (see the file comment), else 0.
#define XENABI_VERIFY_HANA 0
#elif __has_include(<boost/hana/accessors.hpp>)
/// 1 when Boost.Hana is usable in this translation unit (see the file comment), else 0.
#define XENABI_VERIFY_HANA 1
#else
/// 1 when Boost.Hana is usable in this translation unit (see the file comment), else 0.
#define XENABI_VERIFY_HANA 0
#endif

#if XENABI_VERIFY_HANA
#include <boost/hana/accessors.hpp>
#include <boost/hana/at_key.hpp>
#include <boost/hana/contains.hpp>
#include <boost/hana/keys.hpp>
#include <boost/hana/pair.hpp>
#include <boost/hana/string.hpp>
#include <boost/hana/unpack.hpp>

#include <xenabi/verify/model.hpp>

namespace xenabi::verify {

/// Size in bytes of the shared ring header (four indices, padded to 64 bytes as in io/ring.h).
inline constexpr std::size_t ring_header_size = 64;

/// The Hana compile-time string `"id"`, the name of the id member of every message.
inline constexpr auto id_key = boost::hana::string_c<'i', 'd'>;

/// True when \p T is a Hana Struct with a member named `id`.
template <class T>
inline constexpr bool has_id_member =
    decltype(boost::hana::contains(boost::hana::keys(std::declval<T&>()), id_key))::value;

/// Type of the member `id` of the Hana Struct \p T.
template <class T>
  requires has_id_member<T>
using id_type = std::remove_cvref_t<decltype(boost::hana::at_key(std::declval<T&>(), id_key))>;

/// Sum of the sizes of the members of the Hana Struct \p T.
template <class T>
inline constexpr std::size_t members_size = boost::hana::unpack(
    boost::hana::accessors<T>(), [](auto... field) {
      return (std::size_t{0} + ... +
              sizeof(std::remove_cvref_t<decltype(boost::hana::second(field)(std::declval<T&>()))>));
    });

/// True when \p T has no implicit padding: its members' sizes add up to its size.
template <class T>
inline constexpr bool explicitly_padded = members_size<T> == sizeof(T);

/// The message pair of a ring protocol: request type \p Req and response type \p Rsp.
template <class Req, class Rsp>
struct messages {
  static_assert(has_id_member<Req>, "the request type needs a Hana-visible member 'id'");
  static_assert(has_id_member<Rsp>, "the response type needs a Hana-visible member 'id'");
  static_assert(std::is_same_v<id_type<Req>, id_type<Rsp>>,
                "request and response must carry the same id type");
  static_assert(std::is_unsigned_v<id_type<Req>>, "ids are unsigned integers");
  static_assert(explicitly_padded<Req>, "the request type has implicit padding");
  static_assert(explicitly_padded<Rsp>, "the response type has implicit padding");

  /// The id type both messages carry.
  using id = id_type<Req>;
  /// Size of a slot (the union of request and response).
  static constexpr std::size_t slot_size = sizeof(Req) > sizeof(Rsp) ? sizeof(Req) : sizeof(Rsp);

  /// Slots of a ring on a shared page of \p page_size bytes: the largest power of two that fits
  /// after the 64-byte header (io/ring.h's `__RING_SIZE`).
  [[nodiscard]] static constexpr std::uint32_t slots_for(std::size_t page_size) noexcept {
    if (page_size <= ring_header_size) return 0;
    const std::size_t fit = (page_size - ring_header_size) / slot_size;
    std::size_t p = 1;
    while (p * 2 <= fit) p *= 2;
    return fit == 0 ? 0u : static_cast<std::uint32_t>(p);
  }

  /// True when the id type can number \p requests requests in flight (the model's ids).
  [[nodiscard]] static constexpr bool ids_fit(std::uint32_t requests) noexcept {
    if constexpr (sizeof(id) >= sizeof(std::uint32_t)) {
      return true;
    } else {
      return requests <= (std::uint32_t{1} << (8 * sizeof(id))) - 1u;
    }
  }
};

/// A protocol that names its message types: `P::request`, `P::response`.
template <class P>
concept protocol_with_messages = requires {
  typename P::request;
  typename P::response;
};

/// Checks the message types of \p P and that the model's bounded run fits them: true when the
/// types are consistent (ill-formed otherwise, with a static_assert naming the problem) and
/// the model's slot count is the ring's slot count on a page of \p PageSize bytes or smaller.
template <class P, std::size_t PageSize = 4096>
  requires protocol_with_messages<P>
[[nodiscard]] constexpr bool messages_consistent() noexcept {
  using m = messages<typename P::request, typename P::response>;
  return m::ids_fit(P::requests) && P::slots <= m::slots_for(PageSize);
}

}  // namespace xenabi::verify
#endif  // XENABI_VERIFY_HANA
