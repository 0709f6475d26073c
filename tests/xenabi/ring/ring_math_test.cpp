// Index arithmetic of the ring protocol and whole protocol scenarios, checked at compile time
// and at run time (XENABI_BOTH_REQUIRE), including wraparound at 2^32.
#include <xenabi/ring.hpp>

#include <cstdint>

#include "xenabi_test.hpp"

namespace {
using namespace xenabi;
using xenabi::ring_math::distance;
using xenabi::ring_math::need_notify;
using xenabi::ring_math::plausible_req_prod;
using xenabi::ring_math::plausible_rsp_prod;

constexpr RING_IDX top = 0xffffffffu;

struct small_req {
  std::uint32_t id;
  std::uint32_t value;
};
struct small_rsp {
  std::uint32_t id;
  std::uint32_t twice;
};
// 4 slots: 64-byte header + 4 * 8 bytes (and 5 would not be a power of two).
using four = ring_protocol<small_req, small_rsp, 64 + 5 * 8>;
static_assert(four::size == 4);
using one = ring_protocol<small_req, small_rsp, 64 + 8>;
static_assert(one::size == 1);

// Request content, answer and check for request number k, per protocol.
constexpr void make(small_req& r, std::uint32_t k) { r = {k, k * 7 + 1}; }
constexpr small_rsp answer(const small_req& r) { return {r.id, r.value * 2}; }
constexpr bool check(const small_rsp& r, std::uint32_t k) { return r.id == k && r.twice == (k * 7 + 1) * 2; }
constexpr void make(abi::blkif_request& r, std::uint32_t k) {
  r.operation = static_cast<std::uint8_t>(abi::BLKIF_OP::READ);
  r.id = k;
  r.sector_number = std::uint64_t{k} * 8;
}
constexpr abi::blkif_response answer(const abi::blkif_request& r) {
  abi::blkif_response x{};
  x.id = r.id;
  x.operation = r.operation;
  x.status = static_cast<std::int16_t>(r.sector_number & 0x7fff);
  return x;
}
constexpr bool check(const abi::blkif_response& r, std::uint32_t k) {
  return r.id == k && r.status == static_cast<std::int16_t>((std::uint64_t{k} * 8) & 0x7fff);
}

// A complete single-threaded exchange of `total` requests through a ring whose indices all
// start at `start`, in batches of `batch`; returns true if every response matched.
template <class P>
constexpr bool exchange(RING_IDX start, std::uint32_t total, std::uint32_t batch) {
  typename P::shared_ring s{};
  abi::shared_ring_init(s);
  s.req_prod = s.rsp_prod = start;
  s.req_event = s.rsp_event = start + 1;
  auto f = front_ring<P>::attach(s, start);
  auto b = back_ring<P>::attach(s, start);
  std::uint32_t sent = 0, answered = 0;
  while (answered < total) {
    const std::uint32_t want = total - sent < batch ? total - sent : batch;
    const RING_IDX made = f.produce_requests(want, [&](typename P::request_type& r) {
      make(r, sent);
      ++sent;
    });
    (void)f.push_requests();
    auto n = b.consume_requests(
        [&](const typename P::request_type& r) { b.produce_response(answer(r)); });
    if (!n || n.value() != made) return false;
    (void)b.push_responses();
    auto m = f.consume_responses([&](const typename P::response_type& r) {
      if (check(r, answered)) ++answered;
    });
    if (!m || m.value() != made) return false;
    if (f.outstanding_requests() != 0 || b.unanswered_requests() != 0) return false;
  }
  return answered == total && f.req_prod_pvt() == start + total && b.req_cons() == start + total;
}
}  // namespace

TEST_CASE("distance and slot are modulo 2^32", "[ring][math]") {
  XENABI_BOTH_REQUIRE(distance(0, 5) == 5);
  XENABI_BOTH_REQUIRE(distance(top, 0) == 1);
  XENABI_BOTH_REQUIRE(distance(top - 2, 3) == 6);
  XENABI_BOTH_REQUIRE(distance(5, 0) == top - 4);
  XENABI_BOTH_REQUIRE(ring_math::slot(top, 32) == 31);
  XENABI_BOTH_REQUIRE(ring_math::slot(top + 1u, 32) == 0);
  XENABI_BOTH_REQUIRE(ring_math::slot(33, 32) == 1);
}

TEST_CASE("notify iff the event index is after old and at most new", "[ring][math][notify]") {
  XENABI_BOTH_REQUIRE(need_notify(0, 1, 1));    // peer waits for index 1: notify
  XENABI_BOTH_REQUIRE(!need_notify(1, 2, 1));   // already passed: no notification
  XENABI_BOTH_REQUIRE(need_notify(0, 5, 3));    // inside the batch
  XENABI_BOTH_REQUIRE(need_notify(0, 5, 5));    // at the end of the batch
  XENABI_BOTH_REQUIRE(!need_notify(0, 5, 6));   // beyond it
  XENABI_BOTH_REQUIRE(!need_notify(0, 5, 0));   // at old: that one was already signalled
  XENABI_BOTH_REQUIRE(!need_notify(5, 5, 5));   // nothing new: never notify
  // Across wraparound.
  XENABI_BOTH_REQUIRE(need_notify(top - 1, 2, top));
  XENABI_BOTH_REQUIRE(need_notify(top - 1, 2, 0));
  XENABI_BOTH_REQUIRE(need_notify(top - 1, 2, 2));
  XENABI_BOTH_REQUIRE(!need_notify(top - 1, 2, 3));
  XENABI_BOTH_REQUIRE(!need_notify(top - 1, 2, top - 1));
}

TEST_CASE("free request slots across wraparound", "[ring][math]") {
  XENABI_BOTH_REQUIRE(ring_math::free_requests(32, 0, 0) == 32);
  XENABI_BOTH_REQUIRE(ring_math::free_requests(32, 32, 0) == 0);
  XENABI_BOTH_REQUIRE(ring_math::free_requests(32, 3, top - 4) == 24);
  XENABI_BOTH_REQUIRE(ring_math::free_requests(32, 27, top - 4) == 0);
}

TEST_CASE("plausibility of a peer's producer index", "[ring][math][hostile]") {
  // Back end: nothing consumed, nothing answered.
  XENABI_BOTH_REQUIRE(plausible_req_prod(32, 0, 0, 0));
  XENABI_BOTH_REQUIRE(plausible_req_prod(32, 32, 0, 0));
  XENABI_BOTH_REQUIRE(!plausible_req_prod(32, 33, 0, 0));          // more than a ring's worth
  XENABI_BOTH_REQUIRE(!plausible_req_prod(32, top, 0, 0));         // "minus one"
  // 10 consumed, 4 answered: req_prod in [10, 4 + 32].
  XENABI_BOTH_REQUIRE(plausible_req_prod(32, 10, 10, 4));
  XENABI_BOTH_REQUIRE(plausible_req_prod(32, 36, 10, 4));
  XENABI_BOTH_REQUIRE(!plausible_req_prod(32, 37, 10, 4));
  XENABI_BOTH_REQUIRE(!plausible_req_prod(32, 9, 10, 4));          // moved backwards
  // The same across wraparound.
  XENABI_BOTH_REQUIRE(plausible_req_prod(32, top + 27u, top + 5u, top - 4));
  XENABI_BOTH_REQUIRE(!plausible_req_prod(32, top + 29u, top + 5u, top - 4));
  XENABI_BOTH_REQUIRE(!plausible_req_prod(32, top + 4u, top + 5u, top - 4));
  // Front end: 5 requests published, 2 responses consumed: rsp_prod in [2, 5].
  XENABI_BOTH_REQUIRE(plausible_rsp_prod(5, 2, 5));
  XENABI_BOTH_REQUIRE(plausible_rsp_prod(2, 2, 5));
  XENABI_BOTH_REQUIRE(!plausible_rsp_prod(6, 2, 5));
  XENABI_BOTH_REQUIRE(!plausible_rsp_prod(1, 2, 5));
  XENABI_BOTH_REQUIRE(plausible_rsp_prod(1, top, 3));
  XENABI_BOTH_REQUIRE(!plausible_rsp_prod(4, top, 3));
}

TEST_CASE("slot counts are the largest power of two that fits", "[ring][layout]") {
  XENABI_BOTH_REQUIRE(abi::round_down_pow2(0) == 0);
  XENABI_BOTH_REQUIRE(abi::round_down_pow2(1) == 1);
  XENABI_BOTH_REQUIRE(abi::round_down_pow2(36) == 32);
  XENABI_BOTH_REQUIRE(abi::round_down_pow2(0xffffffffu) == 0x80000000u);
  XENABI_BOTH_REQUIRE(abi::ring_slots(4096, 112) == 32);
  XENABI_BOTH_REQUIRE(abi::ring_slots(4096, 108) == 32);
  XENABI_BOTH_REQUIRE(abi::ring_slots(4096, 12) == 256);
  XENABI_BOTH_REQUIRE(abi::ring_slots(4096, 8) == 256);
  XENABI_BOTH_REQUIRE(abi::ring_slots(8192, 112) == 64);
  XENABI_BOTH_REQUIRE(abi::ring_slots(64, 8) == 0);
  XENABI_BOTH_REQUIRE(blkif_ring::size == 32 && netif_tx_ring::size == 256 &&
                      netif_rx_ring::size == 256);
  XENABI_BOTH_REQUIRE(sizeof(blkif_ring::shared_ring) == 64 + 32 * sizeof(abi::blkif_request));
  XENABI_BOTH_REQUIRE(sizeof(netif_tx_ring::shared_ring) <= 4096 &&
                      sizeof(netif_rx_ring::shared_ring) <= 4096);
}

TEST_CASE("whole exchanges, including across 2^32, at compile time", "[ring][protocol]") {
  XENABI_BOTH_REQUIRE(exchange<four>(0, 40, 3));
  XENABI_BOTH_REQUIRE(exchange<four>(top - 5, 40, 4));
  XENABI_BOTH_REQUIRE(exchange<four>(top, 17, 1));
  XENABI_BOTH_REQUIRE(exchange<one>(top - 2, 9, 1));
  XENABI_BOTH_REQUIRE(exchange<blkif_ring>(top - 40, 100, 32));
}

namespace {
// The final-check dance: a back end that found nothing asks for a notification at the next
// request; the front end's next push then says "notify" exactly once.
constexpr bool final_check_then_notify(RING_IDX start) {
  four::shared_ring s{};
  abi::shared_ring_init(s);
  s.req_prod = s.rsp_prod = start;
  s.req_event = s.rsp_event = start + 1;
  auto f = front_ring<four>::attach(s, start);
  auto b = back_ring<four>::attach(s, start);
  auto idle = b.final_check_for_requests();
  if (!idle || idle.value()) return false;          // nothing to do: going to sleep
  if (s.req_event != start + 1) return false;
  (void)f.produce_request({1, 1});
  if (!f.push_requests()) return false;             // the sleeping back end must be woken
  (void)f.produce_request({2, 2});
  if (f.push_requests()) return false;              // it is awake: no second notification
  auto busy = b.final_check_for_requests();
  if (!busy || !busy.value()) return false;         // work is waiting: do not sleep
  small_req r{};
  if (!b.consume_request(r).value() || r.id != 1) return false;
  if (!b.consume_request(r).value() || r.id != 2) return false;
  b.produce_response({1, 2});
  // The front end never asked for a notification beyond its initial rsp_event = start + 1.
  if (!b.push_responses()) return false;
  b.produce_response({2, 4});
  if (b.push_responses()) return false;
  // Front end goes to sleep after consuming both: asks for the next response.
  small_rsp x{};
  if (!f.consume_response(x).value() || x.id != 1) return false;
  if (!f.consume_response(x).value() || x.id != 2) return false;
  auto fidle = f.final_check_for_responses();
  if (!fidle || fidle.value()) return false;
  return s.rsp_event == start + 3;
}
}  // namespace

TEST_CASE("final check then notification, at compile time", "[ring][protocol][notify]") {
  XENABI_BOTH_REQUIRE(final_check_then_notify(0));
  XENABI_BOTH_REQUIRE(final_check_then_notify(top));
  XENABI_BOTH_REQUIRE(final_check_then_notify(top - 1));
}
