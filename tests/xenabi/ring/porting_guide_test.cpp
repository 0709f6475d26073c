// The back-end service loop shown in porting-guide/rings.md, compiled and run: a front end
// feeds it three rounds of requests, each time waking it through the notification rule.
#include <xenabi/ring.hpp>

#include <cstdint>
#include <memory>

#include "xenabi_test.hpp"

namespace guide {
using namespace xenabi;
using evtchn_port = std::uint32_t;

// What a real back end would provide.
int notifications = 0;
std::uint64_t served = 0;
front_ring<blkif_ring>* front = nullptr;
int rounds_left = 0;
abi::blkif_response serve(const abi::blkif_request& r) {
  ++served;
  abi::blkif_response x{};
  x.id = r.id;
  x.operation = r.operation;
  x.status = static_cast<std::int16_t>(abi::BLKIF_RSP::OKAY);
  return x;
}
void notify(evtchn_port) { ++notifications; }
// Sleeps until the front end notifies us; false when the device is closing. Here the "front
// end" produces another round of requests, and must be told (by its push) to notify us.
bool wait_for_event(evtchn_port) {
  if (rounds_left-- == 0) return false;
  for (std::uint64_t i = 0; i < 5; ++i) REQUIRE(front->produce_request(abi::blkif_request{}));
  REQUIRE(front->push_requests());  // the sleeping back end asked for a notification
  return true;
}

// --- the snippet of porting-guide/rings.md ---
// [serve_ring]
// Serves requests until wait_for_event() reports that the device is closing.
result<void> serve_ring(back_ring<blkif_ring>& back, evtchn_port port) {
  for (;;) {
    auto n = back.consume_requests([&](const abi::blkif_request& r) {
      back.produce_response(serve(r));  // r is a private copy: validate it freely
    });
    if (!n) return n.error();  // errc::eoverflow: the front end lied; disconnect it
    if (back.push_responses()) notify(port);
    auto more = back.final_check_for_requests();
    if (!more) return more.error();
    if (!more.value() && !wait_for_event(port)) return {};  // req_event is armed: we'll be woken
  }
}
// [serve_ring]
// --- end of snippet ---
}  // namespace guide

TEST_CASE("the porting guide's back-end loop serves every request", "[ring][protocol]") {
  auto page = std::make_unique<xenabi::blkif_ring::shared_ring>();
  auto front = xenabi::front_ring<xenabi::blkif_ring>::init(*page);
  auto back = xenabi::back_ring<xenabi::blkif_ring>::attach(*page, 0);
  guide::front = &front;
  guide::rounds_left = 3;
  for (int i = 0; i < 7; ++i) REQUIRE(front.produce_request(xenabi::abi::blkif_request{}));
  (void)front.push_requests();
  REQUIRE(guide::serve_ring(back, 5).has_value());
  REQUIRE(guide::served == 7 + 3 * 5);
  REQUIRE(front.unconsumed_responses().value() == 7 + 3 * 5);
  REQUIRE(guide::notifications >= 1);
  // A lying front end makes the loop stop with the error.
  page->req_prod = back.req_cons() + 100;
  guide::rounds_left = 0;
  REQUIRE(guide::serve_ring(back, 5) == xenabi::errc::eoverflow);
}
