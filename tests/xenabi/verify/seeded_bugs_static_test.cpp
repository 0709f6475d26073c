// Seeded bugs are caught at compile time, each for the right reason; the missing barrier is
// caught under x86-TSO and not under sequential consistency.
#include <xenabi/verify/standard_ring.hpp>

#include "xenabi_test.hpp"

using namespace xenabi::verify;

namespace {
constexpr std::uint32_t cap = 1u << 12;
template <ring_bug B, memory_model M = memory_model::tso>
constexpr result with_bug = check<standard_ring<2, 3, B>, M, cap>();
}  // namespace

TEST_CASE("seeded bugs are caught at compile time", "[verify][static][bugs]") {
  STATIC_REQUIRE(with_bug<ring_bug::no_final_check>.outcome == verdict::lost_wakeup);
  STATIC_REQUIRE(with_bug<ring_bug::no_mb_before_event>.outcome == verdict::lost_wakeup);
  STATIC_REQUIRE(with_bug<ring_bug::publish_before_write>.outcome == verdict::stale_request);
  STATIC_REQUIRE(with_bug<ring_bug::wrong_response_id>.outcome == verdict::wrong_response_id);
  STATIC_REQUIRE(with_bug<ring_bug::read_past_producer>.outcome == verdict::stale_request);
  // A counter-example is a path from the initial state.
  STATIC_REQUIRE(with_bug<ring_bug::no_final_check>.trace_length > 0);
  STATIC_REQUIRE(with_bug<ring_bug::no_mb_before_event>.trace_length > 0);
}

TEST_CASE("the missing mb() is a TSO bug: invisible under sequential consistency",
          "[verify][static][tso]") {
  STATIC_REQUIRE(with_bug<ring_bug::no_mb_before_event, memory_model::tso>.outcome ==
                 verdict::lost_wakeup);
  STATIC_REQUIRE(with_bug<ring_bug::no_mb_before_event, memory_model::sc>.ok());
  // Bugs that do not depend on store buffering are found under both models.
  STATIC_REQUIRE(with_bug<ring_bug::no_final_check, memory_model::sc>.outcome ==
                 verdict::lost_wakeup);
  STATIC_REQUIRE(with_bug<ring_bug::publish_before_write, memory_model::sc>.outcome ==
                 verdict::stale_request);
}
