// netback (hv/backend/netback.hpp) and the bridge on the in-process platform, driven by real
// netfronts (xenabi/netfront.hpp) in two sim guests, and by hostile ring contents written
// directly into a guest's rings.
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "net_sim.hpp"
#include "xenabi_test.hpp"

namespace abi = xenabi::abi;
using hv::backend::netif;

namespace {

struct two_guests : net_sim::rig {
  hv::backend::bridge br;
  net_sim::guest<8, 8> a;
  net_sim::guest<8, 8> b;
  netif va, vb;
  two_guests() : a(m, 0, dd.id()), b(m, 1, dd.id()), va(dd, &br), vb(dd, &br) {
    REQUIRE(va.connect(a.connection()));
    REQUIRE(vb.connect(b.connection()));
  }
  void poll() {
    while (va.poll() || vb.poll()) {
    }
  }
  // A sends one frame of len bytes to B (MAC ...:02 from ...:01).
  void a_sends(std::uint16_t len, std::uint8_t fill) {
    auto i = a.nic.claim_tx();
    REQUIRE(i);
    net_sim::make_frame(a.nic.tx_data(i.value()), len, 2, 1, fill);
    REQUIRE(a.nic.queue_tx(i.value(), len));
  }
};

// Raw access to a guest's tx ring, past its netfront, for hostile requests.
struct raw_tx {
  xenabi::front_ring<xenabi::netif_tx_ring> f;
  explicit raw_tx(abi::netif_tx_sring& s) : f(xenabi::front_ring<xenabi::netif_tx_ring>::attach(s, 0)) {}
  void put(std::uint32_t gref, std::uint16_t offset, std::uint16_t flags, std::uint16_t id, std::uint16_t size) {
    f.claim_request() = abi::netif_tx_request{gref, offset, flags, id, size};
  }
  void put_extra(std::uint8_t type, std::uint8_t flags) {
    abi::netif_extra_info e{};
    e.type = type;
    e.flags = flags;
    std::memcpy(&f.claim_request(), &e, sizeof e);
  }
  void push() { (void)f.push_requests(); }
  std::vector<abi::netif_tx_response> responses() {
    std::vector<abi::netif_tx_response> out;
    REQUIRE(f.consume_responses([&](const abi::netif_tx_response& r) { out.push_back(r); }));
    return out;
  }
};

}  // namespace

TEST_CASE("netback: frames from one netfront reach the other through the bridge - tx answered OKAY") {
  two_guests t;
  REQUIRE(t.b.nic.post_rx_buffers().value() == 8);
  for (std::uint8_t k = 0; k < 5; ++k) t.a_sends(static_cast<std::uint16_t>(60 + 100 * k), k);
  t.a.nic.flush();
  t.poll();
  std::vector<std::vector<std::uint8_t>> got;
  REQUIRE(t.b.nic.poll_rx([&](const std::uint8_t* p, std::uint16_t n) { got.emplace_back(p, p + n); }).value() == 5);
  REQUIRE(got.size() == 5);
  for (std::uint8_t k = 0; k < 5; ++k) {
    std::vector<std::uint8_t> want(60u + 100u * k);
    net_sim::make_frame(want.data(), static_cast<std::uint16_t>(want.size()), 2, 1, k);
    REQUIRE(got[k] == want);
  }
  REQUIRE(t.a.nic.poll_tx().value() == 5);
  REQUIRE(t.a.nic.stats().tx_packets == 5);
  REQUIRE(t.a.nic.tx_in_flight() == 0);
  const auto s = t.va.stats();
  REQUIRE(s.tx_packets == 5);
  REQUIRE(t.vb.stats().rx_packets == 5);
  // The first frame flooded (B's MAC unknown); a frame from B teaches the bridge where B is.
  REQUIRE(t.br.stats().flooded == 5);
  REQUIRE(t.br.lookup({0x00, 0x16, 0x3e, 0, 0, 1}) == &t.va);
  REQUIRE(t.br.lookup({0x00, 0x16, 0x3e, 0, 0, 2}) == nullptr);
  std::vector<std::byte> bcast(14, std::byte{0xff});  // broadcast, from ff:..:ff (not learned)
  t.va.inject(bcast);
  REQUIRE(t.br.stats().flooded == 6);
  REQUIRE(t.vb.rx_queued() == 1);
  std::vector<std::byte> self(14, std::byte{0});  // to and from 00:..:00: learned on A, filtered
  t.va.inject(self);
  REQUIRE(t.br.stats().filtered == 1);
  t.va.inject(std::span<const std::byte>(self).first(13));
  REQUIRE(t.br.stats().runts == 1);
}

TEST_CASE("netback: the bridge learns source addresses and forwards to one port") {
  two_guests t;
  REQUIRE(t.a.nic.post_rx_buffers());
  REQUIRE(t.b.nic.post_rx_buffers());
  // B speaks first (to A), so A's answer is forwarded, not flooded.
  auto i = t.b.nic.claim_tx();
  REQUIRE(i);
  net_sim::make_frame(t.b.nic.tx_data(i.value()), 64, 1, 2, 7);
  REQUIRE(t.b.nic.queue_tx(i.value(), 64));
  t.b.nic.flush();
  t.poll();
  t.a_sends(64, 9);
  t.a.nic.flush();
  t.poll();
  REQUIRE(t.br.stats().flooded == 1);
  REQUIRE(t.br.stats().forwarded == 1);
  int n = 0;
  REQUIRE(t.b.nic.poll_rx([&](const std::uint8_t* p, std::uint16_t) { n += p[20] == static_cast<std::uint8_t>(9 + 20); }));
  REQUIRE(n == 1);
}

TEST_CASE("netback: batched notifications - one flush of many frames raises at most one event") {
  two_guests t;
  REQUIRE(t.b.nic.post_rx_buffers());
  const auto before = t.a.nic.stats().notifications;
  for (int k = 0; k < 8; ++k) t.a_sends(100, 1);
  t.a.nic.flush();
  REQUIRE(t.a.nic.stats().notifications == before + 1);
  // The backend has not asked again (it has not run its final check since), so a second batch
  // pushed before it runs costs no event.
  REQUIRE(t.a.nic.poll_tx().value() == 0);
  t.poll();
  REQUIRE(t.a.nic.poll_tx().value() == 8);
  for (int k = 0; k < 8; ++k) t.a_sends(100, 2);
  t.a.nic.flush();
  REQUIRE(t.a.nic.stats().notifications == before + 2);  // the backend slept: one event
  t.poll();
  REQUIRE(t.va.stats().tx_packets == 16);
  REQUIRE(t.va.stats().notifications >= 1);
}

TEST_CASE("netback: multi-slot transmit is reassembled - fragments from several granted pages") {
  two_guests t;
  REQUIRE(t.b.nic.post_rx_buffers());
  raw_tx raw(t.a.tx_sring());
  // Packet of 1000 bytes: 400 at offset 100 of tx buffer 0, 300 at offset 0 of buffer 1, 300
  // at offset 3796 of buffer 2 (ending exactly at the page end).
  auto* p0 = t.a.nic.tx_data(0);
  auto* p1 = t.a.nic.tx_data(1);
  auto* p2 = t.a.nic.tx_data(2);
  std::vector<std::uint8_t> frame(1000);
  net_sim::make_frame(frame.data(), 1000, 2, 1, 3);
  std::memcpy(p0 + 100, frame.data(), 400);
  std::memcpy(p1, frame.data() + 400, 300);
  std::memcpy(p2 + 3796, frame.data() + 700, 300);
  raw.put(t.a.nic.tx_ref[0].value(), 100, abi::NETTXF::more_data, 10, 1000);
  raw.put(t.a.nic.tx_ref[1].value(), 0, abi::NETTXF::more_data, 11, 300);
  raw.push();
  t.poll();  // incomplete chain: nothing answered yet
  REQUIRE(raw.responses().empty());
  raw.put(t.a.nic.tx_ref[2].value(), 3796, 0, 12, 300);
  raw.push();
  t.poll();
  const auto r = raw.responses();
  REQUIRE(r.size() == 3);
  for (std::size_t k = 0; k < 3; ++k) {
    REQUIRE(r[k].id == 10 + k);
    REQUIRE(r[k].status == static_cast<std::int16_t>(abi::NETIF_RSP::OKAY));
  }
  std::vector<std::uint8_t> got;
  REQUIRE(t.b.nic.poll_rx([&](const std::uint8_t* p, std::uint16_t n) { got.assign(p, p + n); }));
  REQUIRE(got == frame);
}

TEST_CASE("netback: hostile transmit requests are answered NETIF_RSP_ERROR and never forwarded") {
  two_guests t;
  REQUIRE(t.b.nic.post_rx_buffers());
  raw_tx raw(t.a.tx_sring());
  const std::uint32_t g0 = t.a.nic.tx_ref[0].value();
  net_sim::make_frame(t.a.nic.tx_data(0), 200, 2, 1, 4);
  struct tcase {
    const char* what;
    std::uint32_t gref;
    std::uint16_t offset, flags, size;
  };
  const tcase cases[] = {
      {"grant reference beyond the table", 100000, 0, 0, 60},
      {"reserved grant reference (not granted)", 1, 0, 0, 60},
      {"free grant reference (not granted)", 300, 0, 0, 60},
      {"offset + size beyond the page", g0, 4000, 0, 200},
      {"offset beyond the page", g0, 5000, 0, 60},
      {"unknown flag bits", g0, 0, 0x40, 60},
      {"shorter than an Ethernet header", g0, 0, 0, 13},
  };
  std::uint16_t id = 0;
  for (const auto& c : cases) {
    INFO(c.what);
    raw.put(c.gref, c.offset, c.flags, id, c.size);
    raw.push();
    t.poll();
    auto r = raw.responses();
    REQUIRE(r.size() == 1);
    REQUIRE(r[0].id == id);
    REQUIRE(r[0].status == static_cast<std::int16_t>(abi::NETIF_RSP::ERROR));
    ++id;
  }
  // A grant made to another domain (not the driver domain) does not let the backend read.
  auto other = t.a.gt.grant_access(xenabi::domain_id{1}, t.a.pages[2].frame, true);
  REQUIRE(other);
  raw.put(other.value().value(), 0, 0, 50, 60);
  // Fragments larger than the packet.
  raw.put(g0, 0, abi::NETTXF::more_data, 51, 100);
  raw.put(g0, 0, 0, 52, 200);
  // Extra info (no extra feature offered): the extra slot gets NETIF_RSP_NULL.
  raw.put(g0, 0, abi::NETTXF::extra_info, 53, 60);
  raw.put_extra(static_cast<std::uint8_t>(abi::XEN_NETIF_EXTRA_TYPE::GSO), 0);
  // The extra-info flag on a fragment.
  raw.put(g0, 0, abi::NETTXF::more_data, 54, 100);
  raw.put(g0, 0, abi::NETTXF::extra_info, 55, 40);
  raw.push();
  t.poll();
  const auto r = raw.responses();
  REQUIRE(r.size() == 7);
  REQUIRE(r[0].status == static_cast<std::int16_t>(abi::NETIF_RSP::ERROR));
  REQUIRE(r[1].status == static_cast<std::int16_t>(abi::NETIF_RSP::ERROR));
  REQUIRE(r[2].status == static_cast<std::int16_t>(abi::NETIF_RSP::ERROR));
  REQUIRE(r[3].status == static_cast<std::int16_t>(abi::NETIF_RSP::ERROR));
  REQUIRE(r[4].status == static_cast<std::int16_t>(abi::NETIF_RSP::null));
  REQUIRE(r[5].status == static_cast<std::int16_t>(abi::NETIF_RSP::ERROR));
  REQUIRE(r[6].status == static_cast<std::int16_t>(abi::NETIF_RSP::ERROR));
  REQUIRE(t.va.stats().tx_packets == 0);
  REQUIRE(t.va.stats().tx_errors == 7 + 4);
  REQUIRE(t.vb.stats().rx_packets == 0);
  REQUIRE(t.va.serving());
  // The interface still works after all that.
  raw.put(g0, 0, 0, 60, 80);
  raw.push();
  t.poll();
  REQUIRE(raw.responses().at(0).status == static_cast<std::int16_t>(abi::NETIF_RSP::OKAY));
  REQUIRE(t.vb.stats().rx_packets == 1);
}

TEST_CASE("netback: a chain of more than XEN_NETIF_NR_SLOTS_MIN slots is refused slot by slot") {
  two_guests t;
  raw_tx raw(t.a.tx_sring());
  const std::uint32_t g0 = t.a.nic.tx_ref[0].value();
  net_sim::make_frame(t.a.nic.tx_data(0), 64, 2, 1, 0);
  const std::uint16_t n = 40;
  for (std::uint16_t k = 0; k < n; ++k)
    raw.put(g0, 0, k + 1 < n ? abi::NETTXF::more_data : std::uint16_t{0}, k, k == 0 ? 64 * n : 64);
  raw.push();
  t.poll();
  const auto r = raw.responses();
  REQUIRE(r.size() == n);
  for (std::uint16_t k = 0; k < n; ++k) {
    REQUIRE(r[k].id == k);
    REQUIRE(r[k].status == static_cast<std::int16_t>(abi::NETIF_RSP::ERROR));
  }
  // The next packet starts clean.
  raw.put(g0, 0, 0, 99, 64);
  raw.push();
  t.poll();
  REQUIRE(raw.responses().at(0).status == static_cast<std::int16_t>(abi::NETIF_RSP::OKAY));
}

TEST_CASE("netback: an implausible tx or rx producer index closes the interface without harm") {
  SECTION("tx req_prod beyond the ring") {
    two_guests t;
    __atomic_store_n(&t.a.tx_sring().req_prod, 1000u, __ATOMIC_RELEASE);
    t.poll();
    REQUIRE_FALSE(t.va.serving());
    REQUIRE(t.va.failure().find("tx ring") != std::string::npos);
    REQUIRE_FALSE(t.va.poll());
    REQUIRE(t.vb.serving());
  }
  SECTION("rx req_prod beyond the ring while a frame waits") {
    two_guests t;
    __atomic_store_n(&t.b.rx_sring().req_prod, 0x80000000u, __ATOMIC_RELEASE);
    t.a_sends(64, 1);
    t.a.nic.flush();
    t.poll();
    REQUIRE_FALSE(t.vb.serving());
    REQUIRE(t.vb.failure().find("rx ring") != std::string::npos);
    REQUIRE(t.va.serving());
    REQUIRE(t.va.stats().tx_packets == 1);
  }
}

TEST_CASE("netback: hostile rx requests get NETIF_RSP_ERROR - frames wait for buffers - queue overflow drops") {
  two_guests t;
  // B posts two requests by hand: a bogus grant, then its real buffer 0.
  auto rx = xenabi::front_ring<xenabi::netif_rx_ring>::attach(t.b.rx_sring(), 0);
  rx.claim_request() = abi::netif_rx_request{7, 0, 123456};
  rx.claim_request() = abi::netif_rx_request{8, 0, t.b.nic.rx_ref[0].value()};
  (void)rx.push_requests();
  for (int k = 0; k < 3; ++k) t.a_sends(64, static_cast<std::uint8_t>(k));
  t.a.nic.flush();
  t.poll();
  std::vector<abi::netif_rx_response> r;
  REQUIRE(rx.consume_responses([&](const abi::netif_rx_response& x) { r.push_back(x); }));
  REQUIRE(r.size() == 2);
  REQUIRE(r[0].id == 7);
  REQUIRE(r[0].status == static_cast<std::int16_t>(abi::NETIF_RSP::ERROR));
  REQUIRE(r[1].id == 8);
  REQUIRE(r[1].status == 64);
  REQUIRE(t.vb.rx_queued() == 1);  // the third frame waits for a buffer
  rx.claim_request() = abi::netif_rx_request{9, 0, t.b.nic.rx_ref[1].value()};
  (void)rx.push_requests();
  t.poll();
  REQUIRE(t.vb.rx_queued() == 0);
  REQUIRE(t.vb.stats().rx_errors == 1);
  REQUIRE(t.vb.stats().rx_packets == 2);
  // With no buffers posted, frames beyond the queue's capacity are dropped.
  hv::backend::netif small(t.dd, nullptr, 4);
  for (int k = 0; k < 10; ++k) small.deliver(std::vector<std::byte>(64));
  REQUIRE(small.rx_queued() == 4);
  REQUIRE(small.stats().rx_dropped == 6);
}

TEST_CASE("netback: connect refuses bad grants and ports - disconnect releases the ring grants") {
  two_guests t;
  hv::backend::netif extra(t.dd);
  auto c = t.a.connection();
  c.tx_ring_ref = 4000;
  REQUIRE(extra.connect(c).error() == xenabi::errc::einval);
  REQUIRE(extra.failure().find("tx-ring-ref") != std::string::npos);
  c = t.a.connection();
  c.rx_ring_ref = t.a.nic.tx_ref[0].value();  // read-only grant: cannot map writable
  REQUIRE(extra.connect(c).error() == xenabi::errc::einval);
  REQUIRE(extra.failure().find("rx-ring-ref") != std::string::npos);
  c = t.a.connection();  // the port is already bound by va
  REQUIRE(extra.connect(c).error() == xenabi::errc::einval);
  REQUIRE(extra.failure().find("event-channel") != std::string::npos);
  REQUIRE(t.va.connect(t.a.connection()).error() == xenabi::errc::eisconn);
  // While connected the ring pages are mapped: the guest cannot revoke them.
  REQUIRE(t.a.nic.teardown().error() == xenabi::errc::ebusy);
  t.va.disconnect();
  REQUIRE(t.va.local_port() == 0);
  REQUIRE(t.a.nic.teardown());
  REQUIRE(t.br.port_count() == 1);
}

TEST_CASE("netback: the driver domain's thread serves both interfaces on events and queued frames") {
  two_guests t;
  t.dd.start();
  REQUIRE(t.b.nic.post_rx_buffers());
  std::uint64_t received = 0, sent = 0;
  const std::uint64_t total = 200;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (received < total && std::chrono::steady_clock::now() < give_up) {
    while (sent < total) {
      auto i = t.a.nic.claim_tx();
      if (!i) break;
      net_sim::make_frame(t.a.nic.tx_data(i.value()), 128, 2, 1, 0);
      REQUIRE(t.a.nic.queue_tx(i.value(), 128));
      ++sent;
    }
    t.a.nic.flush();
    REQUIRE(t.a.nic.poll_tx());
    REQUIRE(t.b.nic.poll_rx([&](const std::uint8_t*, std::uint16_t n) { received += n == 128; }));
    std::this_thread::yield();
  }
  t.dd.stop();
  REQUIRE(received == total);
  REQUIRE(t.vb.stats().rx_packets == total);
}

TEST_CASE("netback: a full receiver stalls the sender's tx ring instead of losing frames") {
  net_sim::rig r;
  hv::backend::bridge br;
  net_sim::guest<8, 8> a(r.m, 0, r.dd.id());
  net_sim::guest<8, 8> b(r.m, 1, r.dd.id());
  netif va(r.dd, &br), vb(r.dd, &br, 2);  // B's receive queue holds two frames
  REQUIRE(va.connect(a.connection()));
  REQUIRE(vb.connect(b.connection()));
  auto run = [&] {
    for (int k = 0; k < 4; ++k) {
      r.dd.poll();
      while (va.poll() || vb.poll()) {
      }
    }
  };
  // B speaks first, so the bridge knows where B is (frames to B are then unicast).
  REQUIRE(a.nic.post_rx_buffers());
  auto i = b.nic.claim_tx();
  REQUIRE(i);
  net_sim::make_frame(b.nic.tx_data(i.value()), 64, 1, 2, 0);
  REQUIRE(b.nic.queue_tx(i.value(), 64));
  b.nic.flush();
  run();
  for (std::uint8_t k = 0; k < 8; ++k) {
    auto t = a.nic.claim_tx();
    REQUIRE(t);
    net_sim::make_frame(a.nic.tx_data(t.value()), 100, 2, 1, k);
    REQUIRE(a.nic.queue_tx(t.value(), 100));
  }
  a.nic.flush();
  run();
  REQUIRE(vb.rx_queued() == 2);
  REQUIRE(va.tx_stalled());
  REQUIRE(a.nic.poll_tx().value() == 2);  // only the delivered ones are answered
  REQUIRE(br.stats().blocked >= 1);
  // B starts receiving: the queue drains, A is unblocked, everything arrives in order.
  REQUIRE(b.nic.post_rx_buffers());
  std::vector<std::uint8_t> order;
  for (int round = 0; round < 20 && order.size() < 8; ++round) {
    run();
    REQUIRE(b.nic.poll_rx([&](const std::uint8_t* p, std::uint16_t n) {
      REQUIRE(n == 100);
      order.push_back(static_cast<std::uint8_t>(p[20] - 20));
    }));
  }
  REQUIRE(order == std::vector<std::uint8_t>{0, 1, 2, 3, 4, 5, 6, 7});
  REQUIRE_FALSE(va.tx_stalled());
  REQUIRE(vb.stats().rx_dropped == 0);
  REQUIRE(a.nic.poll_tx().value() == 6);
  REQUIRE(a.nic.stats().tx_packets == 8);
}
