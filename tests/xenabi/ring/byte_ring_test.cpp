// Byte rings of the console and xenstore pages: round trips across the array's end and across
// 2^32, partial writes, peeking, and hostile indices.
#include <xenabi/byte_ring.hpp>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "xenabi_test.hpp"

namespace {
using namespace xenabi;

// Write `len` bytes in chunks of `chunk`, reading in chunks of `rchunk`, starting at `start`.
constexpr bool console_round_trip(std::uint32_t start, std::uint32_t len, std::uint32_t chunk,
                                  std::uint32_t rchunk) {
  abi::xencons_interface page{};
  page.out_cons = page.out_prod = start;
  console_front front(page);
  console_back back(page);
  char src[5000]{}, dst[5000]{};
  for (std::uint32_t i = 0; i < len; ++i) src[i] = static_cast<char>('a' + i % 23);
  std::uint32_t w = 0, r = 0;
  while (r < len) {
    if (w < len) {
      const std::uint32_t n = len - w < chunk ? len - w : chunk;
      auto k = front.out.write(src + w, n);
      if (!k) return false;
      w += static_cast<std::uint32_t>(k.value());
    }
    auto k = back.out.read(dst + r, rchunk);
    if (!k) return false;
    r += static_cast<std::uint32_t>(k.value());
  }
  for (std::uint32_t i = 0; i < len; ++i)
    if (src[i] != dst[i]) return false;
  return page.out_prod == start + len && page.out_cons == start + len;
}

constexpr bool fills_and_refuses() {
  abi::xenstore_domain_interface page{};
  xenstore_front front(page);
  char buf[1500]{};
  auto a = front.req.write(buf, 1500);
  if (!a || a.value() != 1024) return false;  // partial: the ring holds 1024
  auto b = front.req.write(buf, 1);
  if (!b || b.value() != 0) return false;     // full
  auto sp = front.req.space();
  return sp && sp.value() == 0;
}

constexpr bool hostile_indices_refused() {
  abi::xenstore_domain_interface page{};
  xenstore_back back(page);
  page.req_cons = 10;
  page.req_prod = 10 + 1025;  // more than the ring holds
  char out[8]{};
  if (back.req.read(out, 8) != errc::eoverflow) return false;
  if (back.req.available() != errc::eoverflow) return false;
  page.rsp_cons = 5;
  page.rsp_prod = 4;          // producer behind consumer
  if (back.rsp.write("x", 1) != errc::eoverflow) return false;
  return page.req_cons == 10 && page.rsp_prod == 4;  // nothing moved
}
}  // namespace

TEST_CASE("console output round trip across the array end and 2^32", "[byte_ring][console]") {
  XENABI_BOTH_REQUIRE(console_round_trip(0, 3000, 700, 500));
  XENABI_BOTH_REQUIRE(console_round_trip(0xffffffffu - 1000, 4500, 2048, 333));
  XENABI_BOTH_REQUIRE(console_round_trip(0xfffffff0u, 100, 7, 3));
}

TEST_CASE("byte ring writes are partial when full", "[byte_ring][xenstore]") {
  XENABI_BOTH_REQUIRE(fills_and_refuses());
}

TEST_CASE("byte ring refuses impossible indices and changes nothing", "[byte_ring][hostile]") {
  XENABI_BOTH_REQUIRE(hostile_indices_refused());
}

TEST_CASE("a xenstore message travels through the page", "[byte_ring][xenstore]") {
  auto page = std::make_unique<abi::xenstore_domain_interface>();
  page->req_cons = page->req_prod = 0xfffffff8u;  // the header straddles 2^32
  xenstore_front front(*page);
  xenstore_back back(*page);
  const std::string path = "device/vbd/768/state";
  abi::xsd_sockmsg hdr{static_cast<std::uint32_t>(abi::XS::READ), 7, 0,
                       static_cast<std::uint32_t>(path.size() + 1)};
  REQUIRE(front.req.write(&hdr, sizeof hdr).value() == sizeof hdr);
  REQUIRE(front.req.write(path.c_str(), path.size() + 1).value() == path.size() + 1);
  // The back end waits for a whole header, peeks it, then reads header and payload.
  abi::xsd_sockmsg got{};
  REQUIRE(back.req.available().value() == sizeof hdr + path.size() + 1);
  REQUIRE(back.req.peek(&got, sizeof got).value() == sizeof got);
  REQUIRE(back.req.available().value() == sizeof hdr + path.size() + 1);  // peek consumed nothing
  REQUIRE(back.req.read(&got, sizeof got).value() == sizeof got);
  REQUIRE(got.type == static_cast<std::uint32_t>(abi::XS::READ));
  REQUIRE(got.req_id == 7);
  std::string payload(got.len, '\0');
  REQUIRE(back.req.read(payload.data(), got.len).value() == got.len);
  REQUIRE(payload == path + '\0');
  REQUIRE(back.req.available().value() == 0);
}

TEST_CASE("random indices never make a byte ring touch memory outside its array",
          "[byte_ring][hostile]") {
  auto page = std::make_unique<abi::xencons_interface>();  // exact size for ASan
  console_back back(*page);
  std::uint32_t x = 88172645u;
  char buf[4096];
  int errors = 0, ok = 0;
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    page->out_prod = x;
    page->out_cons = (i % 3 == 0) ? x * 2654435761u : x - (x % 3000);
    page->in_prod = x >> 3;
    page->in_cons = page->in_prod - (x % 1500);
    auto r = back.out.read(buf, sizeof buf);
    auto w = back.in.write(buf, x % 2000);
    (r ? ok : errors)++;
    (w ? ok : errors)++;
    if (r) REQUIRE(r.value() <= 2048);
    if (w) REQUIRE(w.value() <= 1024);
  }
  REQUIRE(errors > 0);
  REQUIRE(ok > 0);
}
