// hv::blk::shared_ring: the back end's view of a blkif ring of one or more pages in either
// width, checked against xenabi's front_ring writing the same pages with the i386 or the x86_64
// structures (whose layouts the conformance test checks against libxen-dev).
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include <hv/backend/blk_ring.hpp>

#include "xenabi_test.hpp"

namespace abi = xenabi::abi;
using hv::blk::abi_width;
using hv::blk::shared_ring;

namespace {

// Page-aligned zeroed pages, released at the end.
struct pages {
  std::byte* base;
  std::size_t n;
  explicit pages(std::size_t count)
      : base(static_cast<std::byte*>(std::aligned_alloc(4096, count * 4096))), n(count) {
    std::memset(base, 0, count * 4096);
  }
  ~pages() { std::free(base); }
  pages(const pages&) = delete;
  pages& operator=(const pages&) = delete;
  [[nodiscard]] std::vector<std::byte*> list() const {
    std::vector<std::byte*> v;
    for (std::size_t i = 0; i < n; ++i) v.push_back(base + i * 4096);
    return v;
  }
  template <class Proto>
  [[nodiscard]] xenabi::front_ring<Proto> front() const {
    return xenabi::front_ring<Proto>::init(*std::launder(reinterpret_cast<typename Proto::shared_ring*>(base)));
  }
};

std::vector<hv::blk::bif::request> take(shared_ring& r) {
  std::vector<hv::blk::bif::request> out;
  auto n = r.consume([&](const hv::blk::bif::request& q) { out.push_back(q); });
  REQUIRE(n);
  REQUIRE(n.value() == out.size());
  return out;
}

}  // namespace

TEST_CASE("blk ring: protocol names") {
  REQUIRE(hv::blk::protocol_width(std::nullopt) == abi_width::x86_64);
  REQUIRE(hv::blk::protocol_width(std::string_view("x86_64-abi")) == abi_width::x86_64);
  REQUIRE(hv::blk::protocol_width(std::string_view("x86_32-abi")) == abi_width::x86_32);
  REQUIRE_FALSE(hv::blk::protocol_width(std::string_view("arm-abi")));
  REQUIRE_FALSE(hv::blk::protocol_width(std::string_view("")));
  REQUIRE(hv::blk::slot_bytes(abi_width::x86_32) == 108);
  REQUIRE(hv::blk::slot_bytes(abi_width::x86_64) == 112);
}

TEST_CASE("blk ring: an i386 front end's requests arrive field by field, its responses in 12-byte slots") {
  pages p(1);
  auto front = p.front<xenabi::blkif_x86_32_ring>();
  shared_ring back(p.list(), abi_width::x86_32);
  REQUIRE(back.size() == 32);

  abi::blkif_x86_32_request rw{};
  rw.operation = static_cast<std::uint8_t>(abi::BLKIF_OP::WRITE);
  rw.nr_segments = 11;
  rw.handle = 0x5152;
  rw.id = 0x1122334455667788u;
  rw.sector_number = 0x0102030405060708u;
  for (std::uint8_t i = 0; i < 11; ++i) rw.seg[i] = abi::blkif_request_segment{1000u + i, i, 7, {}};
  abi::blkif_x86_32_request_discard dis{};
  dis.operation = static_cast<std::uint8_t>(abi::BLKIF_OP::DISCARD);
  dis.flag = abi::BLKIF::DISCARD_SECURE;
  dis.handle = 7;
  dis.id = 0xa0a0a0a0b0b0b0b0u;
  dis.sector_number = 0x1234567890u;
  dis.nr_sectors = 0xfedcba98765u;
  abi::blkif_x86_32_request_indirect ind{};
  ind.operation = static_cast<std::uint8_t>(abi::BLKIF_OP::INDIRECT);
  ind.indirect_op = static_cast<std::uint8_t>(abi::BLKIF_OP::READ);
  ind.nr_segments = 1000;
  ind.id = 0xc0ffee0000000001u;
  ind.sector_number = 0x77777777777u;
  ind.handle = 0x0303;
  for (std::uint32_t i = 0; i < 8; ++i) ind.indirect_grefs[i] = 0x40000000u + i;
  REQUIRE(front.produce_request(rw));
  abi::blkif_x86_32_request slot{};
  std::memcpy(&slot, &dis, sizeof dis);
  REQUIRE(front.produce_request(slot));
  slot = {};
  std::memcpy(&slot, &ind, sizeof ind);
  REQUIRE(front.produce_request(slot));
  (void)front.push_requests();

  auto got = take(back);
  REQUIRE(got.size() == 3);
  const auto& a = got[0];
  REQUIRE(a.operation == rw.operation);
  REQUIRE(a.nr_segments == 11);
  REQUIRE(a.handle == 0x5152);
  REQUIRE(a.id == 0x1122334455667788u);
  REQUIRE(a.sector_number == 0x0102030405060708u);
  for (std::uint8_t i = 0; i < 11; ++i) {
    REQUIRE(a.seg[i].gref == 1000u + i);
    REQUIRE(a.seg[i].first_sect == i);
    REQUIRE(a.seg[i].last_sect == 7);
  }
  hv::blk::bif::request_discard d;
  std::memcpy(&d, &got[1], sizeof d);
  REQUIRE(d.operation == dis.operation);
  REQUIRE(d.flag == abi::BLKIF::DISCARD_SECURE);
  REQUIRE(d.handle == 7);
  REQUIRE(d.id == 0xa0a0a0a0b0b0b0b0u);
  REQUIRE(d.sector_number == 0x1234567890u);
  REQUIRE(d.nr_sectors == 0xfedcba98765u);
  hv::blk::bif::request_indirect n;
  std::memcpy(&n, &got[2], sizeof n);
  REQUIRE(n.operation == ind.operation);
  REQUIRE(n.indirect_op == ind.indirect_op);
  REQUIRE(n.nr_segments == 1000);
  REQUIRE(n.id == 0xc0ffee0000000001u);
  REQUIRE(n.sector_number == 0x77777777777u);
  REQUIRE(n.handle == 0x0303);
  for (std::uint32_t i = 0; i < 8; ++i) REQUIRE(n.indirect_grefs[i] == 0x40000000u + i);

  // Responses in the i386 layout: 12-byte responses in 108-byte slots.
  for (const auto& q : got) back.produce({.id = q.id, .operation = q.operation, .pad0 = 0, .status = -1, .pad1 = 0});
  REQUIRE(back.unanswered() == 0);
  REQUIRE(back.push());  // the front end asked for a notification at its first response
  std::vector<abi::blkif_x86_32_response> rsp;
  auto k = front.consume_responses([&](const abi::blkif_x86_32_response& r) { rsp.push_back(r); });
  REQUIRE(k);
  REQUIRE(rsp.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    const std::uint64_t id = rsp[i].id;  // (a 4-aligned field in the i386 layout)
    REQUIRE(id == got[i].id);
    REQUIRE(rsp[i].operation == got[i].operation);
    REQUIRE(rsp[i].status == -1);
  }
}

TEST_CASE("blk ring: four pages hold 128 slots of either width, and slots straddling a page end are whole") {
  for (abi_width w : {abi_width::x86_64, abi_width::x86_32}) {
    CAPTURE(static_cast<int>(w));
    pages p(4);
    shared_ring back(p.list(), w);
    REQUIRE(back.size() == 128);
    auto run = [&](auto front) {
      using req_t = typename decltype(front)::request_type;
      using rsp_t = typename decltype(front)::response_type;
      std::uint64_t next = 0, answered = 0;
      // 5 rounds of 100: indices wrap around the ring more than three times.
      for (int round = 0; round < 5; ++round) {
        for (int i = 0; i < 100; ++i, ++next) {
          req_t r{};
          r.operation = static_cast<std::uint8_t>(abi::BLKIF_OP::READ);
          r.nr_segments = 11;
          r.id = 0x0101010101010101u * (next % 255 + 1);
          r.sector_number = ~next;
          for (std::uint8_t s = 0; s < 11; ++s)
            r.seg[s] = abi::blkif_request_segment{static_cast<std::uint32_t>(next * 11 + s), s, 7, {}};
          REQUIRE(front.produce_request(r));
        }
        (void)front.push_requests();
        auto got = take(back);
        REQUIRE(got.size() == 100);
        for (std::size_t i = 0; i < got.size(); ++i) {
          const std::uint64_t id = next - 100 + i;
          REQUIRE(got[i].id == 0x0101010101010101u * (id % 255 + 1));
          REQUIRE(got[i].sector_number == ~id);
          REQUIRE(got[i].seg[10].gref == id * 11 + 10);
          back.produce({.id = got[i].id, .operation = got[i].operation, .pad0 = 0,
                        .status = static_cast<std::int16_t>(i), .pad1 = 0});
        }
        (void)back.push();
        std::uint64_t seen = 0;
        auto k = front.consume_responses([&](const rsp_t& r) {
          const std::uint64_t id = r.id;  // (a 4-aligned field in the i386 layout)
          REQUIRE(id == 0x0101010101010101u * ((answered + seen) % 255 + 1));
          REQUIRE(r.status == static_cast<std::int16_t>(seen));
          ++seen;
        });
        REQUIRE(k);
        REQUIRE(seen == 100);
        answered += seen;
      }
    };
    if (w == abi_width::x86_64)
      run(p.front<xenabi::ring_protocol<abi::blkif_x86_64_request, abi::blkif_x86_64_response, 4 * 4096>>());
    else
      run(p.front<xenabi::ring_protocol<abi::blkif_x86_32_request, abi::blkif_x86_32_response, 4 * 4096>>());
  }
}

TEST_CASE("blk ring: a producer index claiming more than the ring holds is refused") {
  pages p(2);
  shared_ring back(p.list(), abi_width::x86_64);
  REQUIRE(back.size() == 64);
  auto* idx = std::launder(reinterpret_cast<std::uint32_t*>(p.base));
  idx[0] = 65;  // req_prod
  REQUIRE(back.consume([](const hv::blk::bif::request&) { FAIL("consumed"); }).error() == xenabi::errc::eoverflow);
  REQUIRE(back.final_check().error() == xenabi::errc::eoverflow);
  idx[0] = 64;  // a full ring is fine
  auto n = back.consume([](const hv::blk::bif::request&) {});
  REQUIRE(n);
  REQUIRE(n.value() == 64);
  idx[0] = 63;  // moving back is not
  REQUIRE(back.final_check().error() == xenabi::errc::eoverflow);
}
