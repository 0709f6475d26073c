// Message layouts described with Boost.Hana: the id the model exchanges exists in both
// messages with one type, no implicit padding, and the slot count follows io/ring.h.
#include <xenabi/verify/messages.hpp>
#include <xenabi/verify/standard_ring.hpp>

#include <boost/hana/define_struct.hpp>

#include <cstdint>

#include "xenabi_test.hpp"

static_assert(XENABI_VERIFY_HANA == 1, "hosted builds have Boost.Hana");

namespace {
struct segments {
  std::uint8_t bytes[88];
};
// Shaped like blkif: 112-byte request, 16-byte response, 64-bit id at different offsets.
struct blk_request {
  BOOST_HANA_DEFINE_STRUCT(blk_request, (std::uint8_t, operation), (std::uint8_t, nr_segments),
                           (std::uint16_t, handle), (std::uint32_t, pad), (std::uint64_t, id),
                           (std::uint64_t, sector_number), (segments, seg));
};
struct blk_response {
  BOOST_HANA_DEFINE_STRUCT(blk_response, (std::uint64_t, id), (std::uint8_t, operation),
                           (std::uint8_t, pad0), (std::int16_t, status), (std::uint32_t, pad1));
};
struct padded {
  BOOST_HANA_DEFINE_STRUCT(padded, (std::uint8_t, tag), (std::uint32_t, id));
};
struct no_id {
  BOOST_HANA_DEFINE_STRUCT(no_id, (std::uint32_t, value));
};
struct tiny_request {
  BOOST_HANA_DEFINE_STRUCT(tiny_request, (std::uint8_t, id), (std::uint8_t, op));
};
struct tiny_response {
  BOOST_HANA_DEFINE_STRUCT(tiny_response, (std::uint8_t, id), (std::uint8_t, status));
};

// A protocol that names its messages: the standard ring with blkif-shaped messages.
struct blk_protocol : xenabi::verify::standard_ring<4, 5> {
  using request = blk_request;
  using response = blk_response;
};
}  // namespace

TEST_CASE("Hana-described messages: id member, id type, padding", "[verify][messages]") {
  using namespace xenabi::verify;
  STATIC_REQUIRE(has_id_member<blk_request>);
  STATIC_REQUIRE(has_id_member<blk_response>);
  STATIC_REQUIRE_FALSE(has_id_member<no_id>);
  STATIC_REQUIRE(std::is_same_v<id_type<blk_request>, std::uint64_t>);
  STATIC_REQUIRE(explicitly_padded<blk_request>);
  STATIC_REQUIRE(explicitly_padded<blk_response>);
  STATIC_REQUIRE_FALSE(explicitly_padded<padded>);
  STATIC_REQUIRE(members_size<padded> == 5);
}

TEST_CASE("slot size and slot count follow io/ring.h", "[verify][messages]") {
  using m = xenabi::verify::messages<blk_request, blk_response>;
  STATIC_REQUIRE(m::slot_size == 112);
  STATIC_REQUIRE(m::slots_for(4096) == 32);  // blkif: 32 slots on a 4 KiB page
  STATIC_REQUIRE(m::slots_for(64) == 0);
  using t = xenabi::verify::messages<tiny_request, tiny_response>;
  STATIC_REQUIRE(t::slot_size == 2);
  STATIC_REQUIRE(t::slots_for(4096) == 1024);  // (4096 - 64) / 2 = 2016 fit -> 1024
}

TEST_CASE("a protocol's messages are consistent with its model", "[verify][messages]") {
  STATIC_REQUIRE(xenabi::verify::messages_consistent<blk_protocol>());
  STATIC_REQUIRE(xenabi::verify::messages<tiny_request, tiny_response>::ids_fit(7));
  STATIC_REQUIRE_FALSE(xenabi::verify::messages<tiny_request, tiny_response>::ids_fit(300));
}
