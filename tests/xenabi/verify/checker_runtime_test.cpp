// The model checker at run time: counter-example traces of the seeded bugs (printed), larger
// bounds than compile time affords, the partial-order reduction cross-checked against plain
// exhaustive search, and the checker's own error reporting (modelling errors, livelock,
// capacity).
#include <xenabi/verify/standard_ring.hpp>

#include <string>

#include "verify_test_support.hpp"
#include "xenabi_test.hpp"

using namespace xenabi::verify;

namespace {

template <ring_bug B, memory_model M = memory_model::tso>
result bug_run() {
  return verify_test::run<standard_ring<2, 3, B>, M>();
}

bool contains(const std::string& text, const char* what) {
  return text.find(what) != std::string::npos;
}

// A front end that does two shared actions in one step: the checker must refuse the model.
struct two_actions_per_step {
  static constexpr std::uint32_t slots = 1;
  static constexpr std::uint32_t requests = 1;
  static constexpr void front(step_ctx& c) noexcept {
    c.write_request(0);
    c.store(loc::req_prod, 1);  // second shared action in the same step
    c.pc = 1;
  }
  static constexpr void back(step_ctx& c) noexcept { standard_ring<1, 1>::back(c); }
};

// A front end that publishes without ever notifying and then polls for the response: once the
// back end has gone to sleep, the front end spins forever (a fair cycle without progress).
struct polling_without_notify {
  static constexpr std::uint32_t slots = 1;
  static constexpr std::uint32_t requests = 1;
  static constexpr void front(step_ctx& c) noexcept {
    switch (c.pc) {
      case 0:
        c.write_request(c.prod);
        ++c.prod;
        c.pc = 1;
        return;
      case 1:
        c.store(loc::req_prod, c.prod);
        c.pc = 2;
        return;
      case 2:
        c.a = c.load(loc::rsp_prod);
        c.pc = c.a != c.cons ? 3 : 2;
        return;
      case 3:
        c.read_response(c.cons);
        ++c.cons;
        c.pc = 4;
        return;
      default:
        c.finish();
        return;
    }
  }
  static constexpr void back(step_ctx& c) noexcept { standard_ring<1, 1>::back(c); }
};

// A front end that writes a request and then re-reads its own slot forever: the re-reads are
// served from its store buffer, so the reduction explores them alone and they close a cycle.
// The cycle proviso must still expand that state fully (drains, the back end) and the search
// must end in the livelock, as the unreduced search does.
struct spins_on_own_store {
  static constexpr std::uint32_t slots = 1;
  static constexpr std::uint32_t requests = 1;
  static constexpr void front(step_ctx& c) noexcept {
    if (c.pc == 0) {
      c.write_request(0);
      c.pc = 1;
      return;
    }
    c.a = c.load(c.slot(0));
  }
  static constexpr void back(step_ctx& c) noexcept { standard_ring<1, 1>::back(c); }
};

}  // namespace

TEST_CASE("seeded bug: back end omits the final check -> lost wake-up", "[verify][bugs]") {
  const result r = bug_run<ring_bug::no_final_check>();
  verify_test::show("bug: no final check", r);
  REQUIRE(r.outcome == verdict::lost_wakeup);
  REQUIRE(r.trace_length > 0);
  const trace_step& last = r.trace[r.trace_length - 1];
  CHECK(last.status[1] == 1);  // the back end sleeps,
  // never asked to be woken for later requests (req_event still at its initial 1),
  CHECK(last.mem[static_cast<int>(loc::req_event)] == 1);
  // while a second request is published.
  CHECK(last.mem[static_cast<int>(loc::req_prod)] >= 2);
  CHECK(contains(hv::verify::format(r), "lost wake-up"));
}

TEST_CASE("seeded bug: no mb() before reading the event index -> lost wake-up under TSO only",
          "[verify][bugs][tso]") {
  const result tso = bug_run<ring_bug::no_mb_before_event, memory_model::tso>();
  verify_test::show("bug: no mb before reading req_event (x86-TSO)", tso);
  REQUIRE(tso.outcome == verdict::lost_wakeup);
  // The counter-example needs store buffering: some load in it reads memory while a store to
  // the same location is still buffered in the other end.
  bool buffered_store_seen = false;
  for (std::uint32_t i = 0; i < tso.trace_length; ++i) {
    if (tso.trace[i].what == action::store && tso.trace[i].where == 0 &&
        tso.trace[i].buffered[0] > 0) {
      buffered_store_seen = true;
    }
  }
  CHECK(buffered_store_seen);
  const result sc = bug_run<ring_bug::no_mb_before_event, memory_model::sc>();
  verify_test::show("same protocol under sequential consistency", sc);
  REQUIRE(sc.ok());
}

TEST_CASE("seeded bug: producer index published before the slot is written", "[verify][bugs]") {
  const result r = bug_run<ring_bug::publish_before_write>();
  verify_test::show("bug: publish req_prod before writing the slot", r);
  REQUIRE(r.outcome == verdict::stale_request);
  REQUIRE(r.trace_length > 0);
  CHECK(r.trace[r.trace_length - 1].who == actor::back);
  CHECK(r.trace[r.trace_length - 1].what == action::load);
}

TEST_CASE("seeded bug: back end answers with a wrong id", "[verify][bugs]") {
  const result r = bug_run<ring_bug::wrong_response_id>();
  verify_test::show("bug: response with the wrong id", r);
  REQUIRE(r.outcome == verdict::wrong_response_id);
  CHECK(r.trace[r.trace_length - 1].what == action::store);
}

TEST_CASE("seeded bug: consumer reads past the producer index", "[verify][bugs]") {
  const result r = bug_run<ring_bug::read_past_producer>();
  verify_test::show("bug: back end reads past req_prod", r);
  REQUIRE(r.outcome == verdict::stale_request);
}

TEST_CASE("larger bounds at run time: more requests than compile time checks", "[verify]") {
  const result r1 = verify_test::run<standard_ring<1, 4>, memory_model::tso, (1u << 17)>();
  const result r2 = verify_test::run<standard_ring<2, 5>, memory_model::tso, (1u << 17)>();
  const result r4 = verify_test::run<standard_ring<4, 7>, memory_model::tso, (1u << 17)>();
  verify_test::show("1 slot, 4 requests", r1);
  verify_test::show("2 slots, 5 requests", r2);
  verify_test::show("4 slots, 7 requests", r4);
  REQUIRE(r1.ok());
  REQUIRE(r2.ok());
  REQUIRE(r4.ok());
}

TEST_CASE("partial-order reduction agrees with exhaustive search", "[verify][reduction]") {
  const result full4 =
      verify_test::run<standard_ring<4, 5>, memory_model::tso, (1u << 16), reduction::off>();
  const result red4 = verify_test::run<standard_ring<4, 5>, memory_model::tso, (1u << 16)>();
  std::printf("4 slots: %u states without reduction, %u with\n", full4.stat.states,
              red4.stat.states);
  REQUIRE(full4.ok());
  REQUIRE(red4.ok());
  CHECK(full4.stat.states > red4.stat.states);

  const auto same_verdict = [](auto bug) {
    constexpr ring_bug b = decltype(bug)::value;
    const result full =
        verify_test::run<standard_ring<2, 3, b>, memory_model::tso, (1u << 16), reduction::off>();
    const result red = verify_test::run<standard_ring<2, 3, b>, memory_model::tso, (1u << 16)>();
    CHECK(full.outcome == red.outcome);
    CHECK(full.outcome != verdict::ok);
  };
  same_verdict(std::integral_constant<ring_bug, ring_bug::no_final_check>{});
  same_verdict(std::integral_constant<ring_bug, ring_bug::no_mb_before_event>{});
  same_verdict(std::integral_constant<ring_bug, ring_bug::publish_before_write>{});
  same_verdict(std::integral_constant<ring_bug, ring_bug::wrong_response_id>{});
  same_verdict(std::integral_constant<ring_bug, ring_bug::read_past_producer>{});
}

TEST_CASE("a step with two shared actions is a modelling error", "[verify][model]") {
  const result r = verify_test::run<two_actions_per_step>();
  verify_test::show("two shared actions in one step", r);
  REQUIRE(r.outcome == verdict::model_error);
}

TEST_CASE("a front end that polls without notifying livelocks", "[verify][progress]") {
  const result r = verify_test::run<polling_without_notify>();
  verify_test::show("polling front end that never notifies", r);
  REQUIRE(r.outcome == verdict::livelock);
  // The polling protocol with notification restored is the standard one, which verifies.
  REQUIRE(verify_test::run<standard_ring<1, 1>>().ok());
}

TEST_CASE("the reduction's cycle proviso: a spin on the own store buffer is a livelock",
          "[verify][reduction][progress]") {
  const result red = verify_test::run<spins_on_own_store>();
  const result full =
      verify_test::run<spins_on_own_store, memory_model::tso, (1u << 14), reduction::off>();
  verify_test::show("front end spinning on its own buffered store", red);
  CHECK(full.outcome == verdict::livelock);
  CHECK(red.outcome == verdict::livelock);
}

TEST_CASE("a full state table is reported, not silently truncated", "[verify][limits]") {
  const result r = verify_test::run<standard_ring<4, 5>, memory_model::tso, 64>();
  REQUIRE(r.outcome == verdict::state_limit);
  CHECK(r.stat.states == 64);
}
