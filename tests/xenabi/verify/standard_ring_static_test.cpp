// The standard Xen ring protocol verifies at compile time for 1, 2 and 4 slots under x86-TSO,
// and the run-time checker explores exactly the same state space.
#include <xenabi/verify/standard_ring.hpp>

#include "verify_test_support.hpp"
#include "xenabi_test.hpp"

using namespace xenabi::verify;

namespace {
// One more request than slots: the ring fills up, the front end waits for a response, and a
// slot is reused (the index wraps around the slot array).
using ring1 = standard_ring<1, 2>;
using ring2 = standard_ring<2, 3>;
using ring4 = standard_ring<4, 5>;
constexpr std::uint32_t cap = 1u << 13;

constexpr result proof1 = check<ring1, memory_model::tso, cap>();
constexpr result proof2 = check<ring2, memory_model::tso, cap>();
constexpr result proof4 = check<ring4, memory_model::tso, cap>();
}  // namespace

TEST_CASE("standard ring protocol is proved at compile time (1, 2, 4 slots, TSO)",
          "[verify][static]") {
  STATIC_REQUIRE(proof1.ok());
  STATIC_REQUIRE(proof2.ok());
  STATIC_REQUIRE(proof4.ok());
  // Every run ends with every request answered, so the search went deep enough to see it.
  STATIC_REQUIRE(proof1.stat.max_depth > 4 * ring1::requests);
  STATIC_REQUIRE(proof4.stat.max_depth > 4 * ring4::requests);
  verify_test::show("1 slot (compile time)", proof1);
  verify_test::show("2 slots (compile time)", proof2);
  verify_test::show("4 slots (compile time)", proof4);
}

TEST_CASE("run-time checker explores the same states as the compile-time one", "[verify]") {
  const result r1 = verify_test::run<ring1, memory_model::tso, cap>();
  const result r2 = verify_test::run<ring2, memory_model::tso, cap>();
  const result r4 = verify_test::run<ring4, memory_model::tso, cap>();
  REQUIRE(r1.ok());
  REQUIRE(r2.ok());
  REQUIRE(r4.ok());
  CHECK(r1.stat.states == proof1.stat.states);
  CHECK(r1.stat.transitions == proof1.stat.transitions);
  CHECK(r2.stat.states == proof2.stat.states);
  CHECK(r4.stat.states == proof4.stat.states);
  CHECK(r4.stat.max_depth == proof4.stat.max_depth);
}
