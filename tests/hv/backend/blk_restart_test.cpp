// The xenbus handshake between hv::blk::vbd in a driver domain and xenabi::blkfront_device in
// guest 0, and a driver domain killed mid-I/O and restarted: the front end reconnects through
// xenstore and re-issues what was in flight; no acknowledged write is lost, no request answered
// twice.
#include "blk_system.hpp"
#include "xenabi_test.hpp"

using namespace blktest;

namespace {
template <class Front>
constexpr bool is_i386 = std::is_same_v<typename Front::abi_type, xenabi::blkif_abi_x86_32>;
}  // namespace

TEMPLATE_TEST_CASE("blk xenbus: handshake publishes features and the ring and channel - I/O flows through the event channel",
                   "", front_type, front32_type, front_order2_type, front32_order2_type) {
  temp_image img(4 << 20);
  hv::blk::disk d(img.path, false);
  blk_system<TestType> s;
  s.create(d);
  s.wait_connected();
  const std::string be = s.backend_dir();
  REQUIRE(s.guest_xs->read(be + "/state").value() == "4");
  REQUIRE(s.guest_xs->read("device/vbd/51712/state").value() == "4");
  REQUIRE(s.guest_xs->read(be + "/sectors").value() == std::to_string((4 << 20) / 512));
  REQUIRE(s.guest_xs->read(be + "/feature-max-indirect-segments").value() == "256");
  REQUIRE(s.guest_xs->read(be + "/max-ring-page-order").value() == "4");
  // The protocol follows the front end's ABI; the ring keys its page count.
  REQUIRE(s.guest_xs->read("device/vbd/51712/protocol").value() == (is_i386<TestType> ? "x86_32-abi" : "x86_64-abi"));
  REQUIRE(s.vbd->backend()->protocol() == (is_i386<TestType> ? hv::blk::abi_width::x86_32 : hv::blk::abi_width::x86_64));
  if constexpr (TestType::ring_pages == 1) {
    REQUIRE(s.guest_xs->read("device/vbd/51712/ring-ref").value() == std::to_string(s.front->ring_ref().value()));
    REQUIRE_FALSE(s.guest_xs->read("device/vbd/51712/ring-page-order"));
    REQUIRE(s.vbd->backend()->ring_slots() == 32);
  } else {
    REQUIRE(s.guest_xs->read("device/vbd/51712/ring-page-order").value() == "2");
    for (std::uint32_t i = 0; i < 4; ++i)
      REQUIRE(s.guest_xs->read("device/vbd/51712/ring-ref" + std::to_string(i)).value() ==
              std::to_string(s.front->ring_ref(i).value()));
    REQUIRE(s.vbd->backend()->ring_slots() == 128);
  }
  REQUIRE(s.front->features().persistent);
  REQUIRE(s.front->features().barrier);
  REQUIRE(s.dev->bus().backend_id() == s.dd_id);
  std::memset(s.buffer(0), 0x5a, 65536);
  REQUIRE(s.front->write(64, s.buffer(0), 65536, 1));
  REQUIRE(s.front->read(64, s.buffer(16), 65536, 2));  // may run before or in parallel with the write
  REQUIRE(s.front->barrier_write(0, s.buffer(0), 4096, 3));
  REQUIRE(s.front->read(64, s.buffer(32), 65536, 4));  // after the barrier: sees the write
  s.front->publish();
  s.run_until_done(4);
  for (std::uint64_t k = 1; k <= 4; ++k) REQUIRE(s.done[k] == std::vector<std::int16_t>{0});
  REQUIRE(std::memcmp(s.buffer(32), s.buffer(0), 65536) == 0);
  REQUIRE(s.vbd->backend()->stats().kicks.load() >= 1);  // woken through the event channel
}

TEST_CASE("blk xenbus: a four-page front end reconnecting to a one-page back end leaves no ring-page-order or ring-ref<i> behind") {
  // Linux's and QEMU's back ends read ring-ref<i> whenever ring-page-order exists: stale keys
  // from the four-page connection would make them map an ended grant as the ring.
  temp_image img(1 << 20);
  hv::blk::disk d(img.path, false);
  blk_system<front_order2_type> s;
  s.create(d);
  s.wait_connected();
  const std::string fe = "device/vbd/51712/";
  REQUIRE(s.guest_xs->read(fe + "ring-page-order").value() == "2");
  REQUIRE(s.guest_xs->read(fe + "ring-ref3"));
  REQUIRE_FALSE(s.guest_xs->read(fe + "ring-ref"));
  s.kill_backend();
  s.cfg.max_ring_page_order = 0;
  s.start_backend();
  s.wait_connected(2);
  REQUIRE(s.front->ring_order() == 0);
  REQUIRE(s.guest_xs->read(fe + "ring-ref").value() == std::to_string(s.front->ring_ref().value()));
  REQUIRE_FALSE(s.guest_xs->read(fe + "ring-page-order"));
  for (int i = 0; i < 4; ++i) REQUIRE_FALSE(s.guest_xs->read(fe + "ring-ref" + std::to_string(i)));
  REQUIRE(s.vbd->backend()->ring_slots() == 32);
  std::memset(s.buffer(0), 0x3c, 4096);
  REQUIRE(s.front->write(8, s.buffer(0), 4096, 1));
  s.front->publish();
  s.run_until_done(1);
  REQUIRE(s.front->read(8, s.buffer(1), 4096, 2));  // after the write's response: sees it
  s.front->publish();
  s.run_until_done(2);
  REQUIRE(s.done[1] == std::vector<std::int16_t>{0});
  REQUIRE(s.done[2] == std::vector<std::int16_t>{0});
  REQUIRE(std::memcmp(s.buffer(1), s.buffer(0), 4096) == 0);
}

TEST_CASE("blk xenbus: a read-only image is advertised as such and the front end refuses writes") {
  temp_image img(1 << 20);
  hv::blk::disk d(img.path, true);
  blk_system<> s;
  s.create(d);
  s.wait_connected();
  REQUIRE(s.front->features().readonly);
  REQUIRE_FALSE(s.front->features().discard);
  REQUIRE(s.front->write(0, s.buffer(0), 4096, 1).error() == xenabi::errc::erofs);
}

TEMPLATE_TEST_CASE("blk xenbus: driver domain killed mid-I/O and restarted - reconnect and re-issue", "", front_type,
                   front32_order2_type) {
  temp_image img(8 << 20);
  hv::blk::disk d(img.path, false);
  blk_system<TestType> s;
  // The first instance stalls its 5th request until killed.
  stall_at_request stall(5);
  const hv::blk::config c1 = stall.config();
  s.create(d, c1);
  s.wait_connected();
  constexpr std::uint32_t n = 24;
  for (std::uint32_t i = 0; i < n; ++i) {
    std::memset(s.buffer(i * 8), static_cast<int>(i + 1), 32768);
    REQUIRE(s.front->write(std::uint64_t{i} * 64, s.buffer(i * 8), 32768, i));
  }
  s.front->publish();
  stall.wait_stalled();
  // Kill: stop the driver domain (its loop), then crash the back end while a request is stuck.
  // The back end outlives the wait: kill() (from the vbd's destructor) marks it killed, then
  // waits for the stalled worker, which only the release below lets go. Polling `s.vbd` instead
  // raced with the killer thread's reset of it.
  const auto* const be = s.vbd->backend();
  REQUIRE(be != nullptr);
  std::thread killer([&] { s.kill_backend(); });
  while (!be->killed()) std::this_thread::yield();
  stall.release();
  killer.join();
  // Restart: same id; the new vbd writes InitWait, the front end reconnects.
  hv::blk::config c2;
  s.cfg = c2;
  s.start_backend();
  s.wait_connected(2);
  s.run_until_done(n);
  REQUIRE(s.done.size() == n);
  for (auto& [cookie, st] : s.done) REQUIRE(st == std::vector<std::int16_t>{0});
  REQUIRE(s.front->stats().reissued >= 1);
  for (std::uint32_t i = 0; i < n; ++i) {
    auto b = img.bytes(std::uint64_t{i} * 64 * 512, 32768);
    REQUIRE(std::all_of(b.begin(), b.end(), [&](std::uint8_t x) { return x == i + 1; }));
  }
  // The new connection works for new requests too.
  REQUIRE(s.front->read(0, s.buffer(300), 32768, 1000));
  s.front->publish();
  s.run_until_done(n + 1);
  REQUIRE(std::memcmp(s.buffer(300), s.buffer(0), 32768) == 0);
}

TEST_CASE("blk xenbus: a front end with a ring too large or an unknown protocol is refused with an error key") {
  temp_image img(1 << 20);
  hv::blk::disk d(img.path, false);
  struct bad {
    const char* key;
    const char* value;
  };
  for (const bad& b : {bad{"ring-page-order", "5"}, bad{"protocol", "arm-abi"}, bad{"ring-page-order", "1"}}) {
    CAPTURE(b.key, b.value);
    blk_system<> s;
    hv::blk::config c;
    c.max_ring_page_order = 0;  // ring-page-order 1 is above it
    s.create(d, c);
    s.wait_connected();
    // The guest reconnects with a hostile key: the back end refuses and closes, no ring mapped.
    REQUIRE(s.guest_xs->write("device/vbd/51712/state", "1"));  // Initialising: the back end offers InitWait
    const std::string be = s.backend_dir();
    for (int i = 0; i < 2000 && s.guest_xs->read(be + "/state").value() != "2"; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    REQUIRE(s.guest_xs->read(be + "/state").value() == "2");
    REQUIRE(s.guest_xs->write(std::string("device/vbd/51712/") + b.key, b.value));
    REQUIRE(s.guest_xs->write("device/vbd/51712/state", "3"));  // Initialised
    for (int i = 0; i < 2000 && s.guest_xs->read(be + "/state").value() != "5"; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    REQUIRE(s.guest_xs->read(be + "/state").value() == "5");  // Closing
    REQUIRE(s.guest_xs->read(be + "/error"));
    REQUIRE(s.vbd->backend() == nullptr);
  }
}
