// Differential tests: xenabi's back end against a front end written with Xen's own C macros
// (libxen-dev io/ring.h, tests/support/xen_c_ring), and xenabi's front end against Xen's back
// end, in two threads over one blkif ring page. Millions of requests in total (fewer under
// sanitizers), random batch sizes on both sides, indices starting just below 2^32 so they wrap,
// with busy polling and with sleeping ends that rely on the notification rule (a lost wake-up
// would hang a sleeper: it gives up after 10 s and the test fails). Every response is checked
// against its request, and each side's digest of all requests must agree.
#include <xenabi/ring.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>

#include "xen_c_ring.h"
#include "xenabi_test.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define RING_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RING_TEST_SANITIZED 1
#endif
#endif
#ifndef RING_TEST_SANITIZED
#define RING_TEST_SANITIZED 0
#endif

namespace {
using namespace xenabi;
using proto = blkif_ring;
static_assert(sizeof(proto::shared_ring) <= 4096);

// Requests per test: 1.1 million over the four cross tests; an eighth under sanitizers.
constexpr std::uint64_t scale(std::uint64_t n) { return RING_TEST_SANITIZED ? n / 8 : n; }

void notify(xenc_run* run) {
  ++run->notifications;
  __atomic_add_fetch(run->notify_peer, 1, __ATOMIC_RELEASE);
}

// xenabi's front end with the behaviour of xenc_front_run.
void ours_front_run(xenc_run* run) {
  auto& s = *static_cast<proto::shared_ring*>(run->sring);
  auto f = front_ring<proto>::attach(s, run->start);
  std::uint64_t sent = 0, received = 0, rng = run->seed;
  unsigned spins = 0;
  bool bad = false;
  while (received < run->count) {
    const std::uint64_t left = run->count - sent;
    const std::uint32_t batch = xenc_batch(&rng, run->max_batch);
    const RING_IDX want = static_cast<RING_IDX>(left < batch ? left : batch);
    const RING_IDX made = f.produce_requests(want, [&](abi::blkif_request& r) {
      xenc_make_request(sent++, &r);
      run->digest += xenc_request_digest(&r);
    });
    if (made != 0 && f.push_requests() && run->sleep) notify(run);
    for (;;) {
      auto n = f.consume_responses([&](const abi::blkif_response& x) {
        abi::blkif_request expect;
        xenc_make_request(received, &expect);
        if (x.id != received || x.status != xenc_status_for(&expect) ||
            x.operation != expect.operation)
          bad = true;
        ++received;
      });
      if (!n) {
        run->error = XENC_ERR_OVERFLOW;
        return;
      }
      if (bad) {
        run->error = XENC_ERR_BAD_RESPONSE;
        return;
      }
      if (sent < run->count && !f.full()) break;
      if (received == run->count) break;
      if (!run->sleep) {
        xenc_idle(&spins);
        continue;
      }
      const std::uint32_t seen = __atomic_load_n(run->my_events, __ATOMIC_ACQUIRE);
      auto more = f.final_check_for_responses();
      if (!more) {
        run->error = XENC_ERR_OVERFLOW;
        return;
      }
      if (more.value()) continue;
      ++run->sleeps;
      if (xenc_wait_event(run->my_events, seen) != 0) {
        run->error = XENC_ERR_LOST_WAKEUP;
        return;
      }
    }
  }
}

// xenabi's back end with the behaviour of xenc_back_run.
void ours_back_run(xenc_run* run) {
  auto& s = *static_cast<proto::shared_ring*>(run->sring);
  auto b = back_ring<proto>::attach(s, run->start);
  std::uint64_t served = 0, rng = run->seed;
  unsigned spins = 0;
  while (served < run->count) {
    std::uint32_t batch = xenc_batch(&rng, run->max_batch), since_push = 0;
    auto n = b.consume_requests([&](const abi::blkif_request& r) {
      run->digest += xenc_request_digest(&r);
      abi::blkif_response x{};
      x.id = r.id;
      x.operation = r.operation;
      x.status = xenc_status_for(&r);
      b.produce_response(x);
      ++served;
      if (++since_push == batch) {
        if (b.push_responses() && run->sleep) notify(run);
        since_push = 0;
        batch = xenc_batch(&rng, run->max_batch);
      }
    });
    if (!n) {
      run->error = XENC_ERR_OVERFLOW;
      return;
    }
    if (since_push != 0 && b.push_responses() && run->sleep) notify(run);
    if (served == run->count) break;
    if (!run->sleep) {
      xenc_idle(&spins);
      continue;
    }
    const std::uint32_t seen = __atomic_load_n(run->my_events, __ATOMIC_ACQUIRE);
    auto more = b.final_check_for_requests();
    if (!more) {
      run->error = XENC_ERR_OVERFLOW;
      return;
    }
    if (more.value()) continue;
    ++run->sleeps;
    if (xenc_wait_event(run->my_events, seen) != 0) {
      run->error = XENC_ERR_LOST_WAKEUP;
      return;
    }
  }
}

using runner = void (*)(xenc_run*);

struct outcome {
  xenc_run front{}, back{};
};

outcome run_pair(runner front, runner back, std::uint64_t count, std::uint32_t start, bool sleep,
                 std::uint64_t seed) {
  struct alignas(4096) page_t {
    unsigned char bytes[4096];
  };
  auto page = std::make_unique<page_t>();
  std::memset(page->bytes, 0, sizeof page->bytes);
  xenc_init_page(page->bytes, start);
  std::uint32_t front_events = 0, back_events = 0;
  outcome o;
  for (xenc_run* r : {&o.front, &o.back}) {
    r->sring = page->bytes;
    r->count = count;
    r->start = start;
    r->sleep = sleep ? 1 : 0;
  }
  o.front.seed = seed;
  o.back.seed = seed * 3 + 1;
  o.front.max_batch = 32;
  o.back.max_batch = 8;
  o.front.notify_peer = &back_events;
  o.front.my_events = &front_events;
  o.back.notify_peer = &front_events;
  o.back.my_events = &back_events;
  std::thread tb([&] { back(&o.back); });
  front(&o.front);
  tb.join();
  return o;
}

void check(const outcome& o, std::uint64_t count, bool sleep) {
  INFO("front error " << o.front.error << ", back error " << o.back.error);
  REQUIRE(o.front.error == 0);
  REQUIRE(o.back.error == 0);
  REQUIRE(o.front.digest == o.back.digest);
  REQUIRE(o.front.digest != 0);
  if (sleep) {
    // Sleeping ends only make progress through notifications.
    REQUIRE(o.front.notifications + o.back.notifications > 0);
  }
  (void)count;
}
}  // namespace

TEST_CASE("the C oracle talks to itself (sanity of the harness)", "[ring][differential]") {
  const auto n = scale(50000);
  auto o = run_pair(xenc_front_run, xenc_back_run, n, 0xffffff00u, true, 7);
  check(o, n, true);
}

TEST_CASE("xenabi back end serves Xen's C front end (busy polling, wraparound)",
          "[ring][differential]") {
  const auto n = scale(400000);
  auto o = run_pair(xenc_front_run, ours_back_run, n, 0xfffff000u, false, 11);
  check(o, n, false);
}

TEST_CASE("xenabi front end drives Xen's C back end (busy polling, wraparound)",
          "[ring][differential]") {
  const auto n = scale(400000);
  auto o = run_pair(ours_front_run, xenc_back_run, n, 0xfffff000u, false, 13);
  check(o, n, false);
}

TEST_CASE("xenabi back end with Xen's C front end, both sleeping on notifications",
          "[ring][differential][notify]") {
  const auto n = scale(150000);
  auto o = run_pair(xenc_front_run, ours_back_run, n, 0xffffffc0u, true, 17);
  check(o, n, true);
}

TEST_CASE("xenabi front end with Xen's C back end, both sleeping on notifications",
          "[ring][differential][notify]") {
  const auto n = scale(150000);
  auto o = run_pair(ours_front_run, xenc_back_run, n, 0xffffffc0u, true, 19);
  check(o, n, true);
}

TEST_CASE("xenabi front and back ends, sleeping, from index 0", "[ring][differential][notify]") {
  const auto n = scale(100000);
  auto o = run_pair(ours_front_run, ours_back_run, n, 0, true, 23);
  check(o, n, true);
}
