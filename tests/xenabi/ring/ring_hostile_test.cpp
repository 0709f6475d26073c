// Single-threaded protocol behaviour and a back end's survival of a hostile front end: lying
// producer indices are reported (errc::eoverflow) and nothing is consumed; requests are copied
// out once; nothing outside the slot array is touched (the ring is allocated at its exact size,
// so AddressSanitizer sees any stray access; canaries catch stray writes in other builds).
#include <xenabi/ring.hpp>

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "xenabi_test.hpp"

namespace {
using namespace xenabi;
using proto = blkif_ring;
using shared_t = proto::shared_ring;
constexpr RING_IDX top = 0xffffffffu;

// The shared page inside a buffer with canaries on both sides.
struct guarded {
  static constexpr std::size_t canary = 256;
  std::vector<unsigned char> bytes = std::vector<unsigned char>(canary + sizeof(shared_t) + canary, 0xa5);
  shared_t* ring() { return reinterpret_cast<shared_t*>(bytes.data() + canary); }
  bool canaries_intact() const {
    for (std::size_t i = 0; i < canary; ++i)
      if (bytes[i] != 0xa5 || bytes[canary + sizeof(shared_t) + i] != 0xa5) return false;
    return true;
  }
};

void set_indices(shared_t& s, RING_IDX start) {
  abi::shared_ring_init(s);
  s.req_prod = s.rsp_prod = start;
  s.req_event = s.rsp_event = start + 1;
}

abi::blkif_request request(std::uint64_t id) {
  abi::blkif_request r{};
  r.operation = static_cast<std::uint8_t>(abi::BLKIF_OP::WRITE);
  r.nr_segments = 1;
  r.id = id;
  r.sector_number = id * 8;
  return r;
}
}  // namespace

TEST_CASE("a fresh ring is empty, fills at 32 and drains", "[ring][protocol]") {
  auto s = std::make_unique<shared_t>();
  auto f = front_ring<proto>::init(*s);
  auto b = back_ring<proto>::attach(*s, 0);
  REQUIRE(s->req_event == 1);
  REQUIRE(s->rsp_event == 1);
  REQUIRE(f.free_requests() == 32);
  REQUIRE(f.empty());
  REQUIRE(b.unconsumed_requests().value() == 0);
  for (std::uint64_t i = 0; i < 32; ++i) REQUIRE(f.produce_request(request(i)));
  REQUIRE(f.full());
  REQUIRE_FALSE(f.empty());
  REQUIRE_FALSE(f.produce_request(request(99)));
  REQUIRE(f.unpushed_requests() == 32);
  REQUIRE(b.unconsumed_requests().value() == 0);  // not pushed yet
  REQUIRE(f.push_requests());                      // req_event was 1: notify
  REQUIRE(b.unconsumed_requests().value() == 32);
  // Consume in two batches, answering each.
  std::uint64_t next = 0;
  auto serve = [&](const abi::blkif_request& r) {
    REQUIRE(r.id == next++);
    abi::blkif_response x{};
    x.id = r.id;
    x.status = static_cast<std::int16_t>(abi::BLKIF_RSP::OKAY);
    b.produce_response(x);
  };
  REQUIRE(b.consume_requests(serve, 10).value() == 10);
  REQUIRE(b.unanswered_requests() == 0);
  REQUIRE(b.push_responses());
  REQUIRE(b.consume_requests(serve).value() == 22);
  REQUIRE_FALSE(b.push_responses());  // the front end has not asked again
  REQUIRE(f.unconsumed_responses().value() == 32);
  std::uint64_t got = 0;
  REQUIRE(f.consume_responses([&](const abi::blkif_response& x) { REQUIRE(x.id == got++); }).value() == 32);
  REQUIRE(f.free_requests() == 32);
  REQUIRE(f.empty());
  REQUIRE_FALSE(f.final_check_for_responses().value());
  REQUIRE(s->rsp_event == 33);
}

TEST_CASE("byte-for-byte: the slot of index i is at 64 + (i mod 32) * 112", "[ring][layout]") {
  auto s = std::make_unique<shared_t>();
  auto f = front_ring<proto>::attach(*s, top - 3);
  set_indices(*s, top - 3);
  for (RING_IDX k = 0; k < 8; ++k) {
    auto* slot = &f.claim_request();
    const auto expect = 64 + ((top - 3 + k) & 31) * sizeof(abi::blkif_request);
    REQUIRE(reinterpret_cast<unsigned char*>(slot) - reinterpret_cast<unsigned char*>(s.get()) ==
            static_cast<std::ptrdiff_t>(expect));
  }
  (void)f.push_requests();
  REQUIRE(s->req_prod == top - 3 + 8);
  REQUIRE(*reinterpret_cast<const std::uint32_t*>(reinterpret_cast<const unsigned char*>(s.get()) + 0) == top + 5u);
}

TEST_CASE("a producer index beyond a ring's worth is an error, and nothing is consumed",
          "[ring][hostile]") {
  for (RING_IDX start : {RING_IDX{0}, top - 10, top}) {
    auto s = std::make_unique<shared_t>();  // exact size: ASan catches any stray access
    set_indices(*s, start);
    auto b = back_ring<proto>::attach(*s, start);
    for (RING_IDX lie : {RING_IDX{33}, RING_IDX{1000}, top, top - 1, RING_IDX{0x80000000u}}) {
      s->req_prod = start + lie;
      REQUIRE(b.unconsumed_requests() == errc::eoverflow);
      int calls = 0;
      REQUIRE(b.consume_requests([&](const abi::blkif_request&) { ++calls; }) == errc::eoverflow);
      abi::blkif_request r{};
      REQUIRE(b.consume_request(r) == errc::eoverflow);
      REQUIRE(b.final_check_for_requests() == errc::eoverflow);
      REQUIRE(calls == 0);
      REQUIRE(b.req_cons() == start);
    }
    s->req_prod = start + 32;  // exactly a ring's worth is legitimate
    REQUIRE(b.unconsumed_requests().value() == 32);
  }
}

TEST_CASE("a producer index that moves backwards is an error", "[ring][hostile]") {
  auto s = std::make_unique<shared_t>();
  set_indices(*s, top - 2);
  auto f = front_ring<proto>::attach(*s, top - 2);
  auto b = back_ring<proto>::attach(*s, top - 2);
  for (int i = 0; i < 6; ++i) REQUIRE(f.produce_request(request(static_cast<std::uint64_t>(i))));
  (void)f.push_requests();
  REQUIRE(b.consume_requests([](const abi::blkif_request&) {}, 4).value() == 4);
  s->req_prod = top - 2 + 3;  // front end "un-produces" a consumed request
  REQUIRE(b.unconsumed_requests() == errc::eoverflow);
  s->req_prod = top - 2 + 4;  // back to where the back end is: nothing new, no error
  REQUIRE(b.unconsumed_requests().value() == 0);
  // 4 consumed and unanswered: the front end may claim at most 32 past the answered index.
  s->req_prod = top - 2 + 32;
  REQUIRE(b.unconsumed_requests().value() == 28);
  s->req_prod = top - 2 + 33;
  REQUIRE(b.unconsumed_requests() == errc::eoverflow);
}

TEST_CASE("a response producer index beyond the published requests is an error",
          "[ring][hostile]") {
  auto s = std::make_unique<shared_t>();
  set_indices(*s, top);
  auto f = front_ring<proto>::attach(*s, top);
  for (int i = 0; i < 3; ++i) REQUIRE(f.produce_request(request(static_cast<std::uint64_t>(i))));
  s->rsp_prod = top + 1u;  // a response to a request not yet pushed
  REQUIRE(f.unconsumed_responses() == errc::eoverflow);
  (void)f.push_requests();
  REQUIRE(f.unconsumed_responses().value() == 1);
  s->rsp_prod = top + 4u;
  REQUIRE(f.unconsumed_responses() == errc::eoverflow);
  int calls = 0;
  REQUIRE(f.consume_responses([&](const abi::blkif_response&) { ++calls; }) == errc::eoverflow);
  REQUIRE(f.final_check_for_responses() == errc::eoverflow);
  REQUIRE(calls == 0);
}

TEST_CASE("each request is copied out once: later writes to the slot are not seen",
          "[ring][hostile]") {
  auto s = std::make_unique<shared_t>();
  auto f = front_ring<proto>::init(*s);
  auto b = back_ring<proto>::attach(*s, 0);
  for (int i = 0; i < 5; ++i) REQUIRE(f.produce_request(request(static_cast<std::uint64_t>(i))));
  (void)f.push_requests();
  std::uint64_t expect = 0;
  auto n = b.consume_requests([&](const abi::blkif_request& r) {
    // The hostile front end rewrites the slot while the back end validates this request.
    auto& slot = s->ring[expect].req;
    REQUIRE(&r != &slot);  // a private copy, not the shared slot
    slot.nr_segments = 200;
    slot.id = 0xdeadbeef;
    REQUIRE(r.nr_segments == 1);
    REQUIRE(r.id == expect);
    ++expect;
  }, 2);
  REQUIRE(n.value() == 2);
  s->ring[2].req.id = 0xdeadbeef;  // rewritten before the back end copies it
  abi::blkif_request one{};
  REQUIRE(b.consume_request(one).value());
  REQUIRE(one.id == 0xdeadbeef);  // what was in shared memory when it was copied
}

TEST_CASE("random hostile front end: errors or bounded work, never a stray access",
          "[ring][hostile]") {
  std::mt19937_64 rng(12345);
  for (RING_IDX start : {RING_IDX{0}, top - 40}) {
    guarded g;
    shared_t& s = *g.ring();
    set_indices(s, start);
    auto b = back_ring<proto>::attach(s, start);
    std::uint64_t served = 0, errors = 0;
    for (int step = 0; step < 20000; ++step) {
      // The front end writes anything to its indices and slots.
      switch (rng() % 4) {
        case 0: s.req_prod = static_cast<RING_IDX>(rng()); break;
        case 1: s.req_prod = b.req_cons() + static_cast<RING_IDX>(rng() % 40); break;
        case 2: s.req_event = static_cast<RING_IDX>(rng()); break;
        default: s.ring[rng() % 32].req.id = rng(); break;
      }
      auto n = b.consume_requests([&](const abi::blkif_request& r) {
        abi::blkif_response x{};
        x.id = r.id;
        b.produce_response(x);
      }, static_cast<RING_IDX>(rng() % 40));
      if (!n) {
        REQUIRE(n.error() == errc::eoverflow);
        ++errors;
      } else {
        REQUIRE(n.value() <= 32);
        served += n.value();
      }
      REQUIRE(b.unanswered_requests() == 0);
      (void)b.push_responses();
      (void)b.final_check_for_requests();
    }
    REQUIRE(g.canaries_intact());
    REQUIRE(served > 0);
    REQUIRE(errors > 0);
    REQUIRE(b.rsp_prod_pvt() == static_cast<RING_IDX>(start + served));
  }
}
