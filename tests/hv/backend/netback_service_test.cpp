// hv/backend/netback_service.hpp: the xenbus handshake of the network backend, driven from the
// frontend side as a guest would (its own unprivileged xenstore connection, a netfront in its
// RAM), then frames between two guests on the driver domain's thread; refusals and close.
#include <hv/backend/netback_service.hpp>
#include <xenabi/xenstore.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "net_sim.hpp"
#include "xenabi_test.hpp"

namespace abi = xenabi::abi;

namespace {

// A guest's xenstore connection in the shape netfront_publish wants.
struct guest_xs {
  hv::xenstore::client& c;
  xenabi::result<void> write(xenabi::xs_str path, xenabi::xs_str value, xenabi::u32 tx) {
    return c.write(std::string_view(path.data, path.size), std::string_view(value.data, value.size), tx);
  }
  template <class F>
  xenabi::result<void> transact(F&& body) {
    return c.transact(body);
  }
};

struct fixture {
  hv::sim::machine m{4 << 20};
  hv::xenstore::store st;
  hv::backend::netback_service svc;
  fixture() : svc(init(m, st), st) {}
  static hv::host& init(hv::sim::machine& mach, hv::xenstore::store& s) {
    mach.add_domain(1);
    s.introduce_domain(0, "guest0");
    s.introduce_domain(1, "guest1");
    return mach.hosts();
  }
  std::string backend_state(std::size_t i) {
    auto r = st.read(st.toolstack(), 0, hv::backend::backend_path(svc.vifs()[i]->dev) + "/state");
    return r ? r.value() : "";
  }
  bool wait_backend_state(std::size_t i, const char* want) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (backend_state(i) != want && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return backend_state(i) == want;
  }
};

// What a guest's netfront driver does: find the device, set up, publish, switch to Connected.
struct frontend {
  hv::xenstore::client xs;
  std::unique_ptr<net_sim::guest<8, 8>> g;
  xenabi::mac_addr mac{};
  frontend(fixture& f, std::uint16_t id, bool request_copy = true) : xs(f.st, id) {
    auto be = xs.read("device/vif/0/backend-id");
    REQUIRE(be);
    const auto backend = static_cast<std::uint16_t>(std::stoul(be.value()));
    REQUIRE(backend == f.svc.dd().id());
    auto m = xs.read("device/vif/0/mac");
    REQUIRE(m);
    mac = xenabi::parse_mac(m.value().data(), m.value().size()).value();
    g = std::make_unique<net_sim::guest<8, 8>>(f.m, id, backend);
    guest_xs gx{xs};
    REQUIRE(xenabi::netfront_publish(gx, "device/vif/0", g->nic));
    if (!request_copy) REQUIRE(xs.write("device/vif/0/request-rx-copy", "0"));
    REQUIRE(xs.write("device/vif/0/state", "4"));
  }
};

}  // namespace

TEST_CASE("netback_service: devices, features and InitWait are in xenstore before the guest starts") {
  fixture f;
  REQUIRE(f.svc.add_vif(0, hv::backend::default_mac(0)));
  REQUIRE(f.svc.add_vif(1, hv::backend::default_mac(1)));
  REQUIRE(f.backend_state(0) == "2");
  auto& ts = f.st.toolstack();
  const std::string be = hv::backend::backend_path(f.svc.vifs()[1]->dev);
  REQUIRE(f.st.read(ts, 0, be + "/feature-rx-copy").value() == "1");
  REQUIRE(f.st.read(ts, 0, be + "/feature-sg").value() == "1");
  REQUIRE(f.st.read(ts, 0, be + "/mac").value() == "00:16:3e:00:00:02");
  REQUIRE(f.st.read(ts, 0, "/local/domain/1/device/vif/0/mac").value() == "00:16:3e:00:00:02");
  REQUIRE(f.st.read(ts, 0, "/local/domain/1/device/vif/0/backend-id").value() == std::to_string(f.svc.dd().id()));
  // A guest cannot read the other guest's device.
  hv::xenstore::client g0(f.st, 0);
  REQUIRE_FALSE(g0.read("/local/domain/1/device/vif/0/mac"));
}

TEST_CASE("netback_service: two guests connect through the handshake - exchange frames - close and reconnect") {
  fixture f;
  REQUIRE(f.svc.add_vif(0, hv::backend::default_mac(0)));
  REQUIRE(f.svc.add_vif(1, hv::backend::default_mac(1)));
  f.svc.start();
  frontend a(f, 0), b(f, 1);
  REQUIRE(f.wait_backend_state(0, "4"));
  REQUIRE(f.wait_backend_state(1, "4"));
  REQUIRE(a.mac == xenabi::mac_addr{{0x00, 0x16, 0x3e, 0, 0, 1}});
  REQUIRE(b.g->nic.post_rx_buffers());
  const std::uint64_t total = 100;
  std::uint64_t sent = 0, got = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (got < total && std::chrono::steady_clock::now() < until) {
    while (sent < total) {
      auto i = a.g->nic.claim_tx();
      if (!i) break;
      net_sim::make_frame(a.g->nic.tx_data(i.value()), 1000, 2, 1, static_cast<std::uint8_t>(sent));
      REQUIRE(a.g->nic.queue_tx(i.value(), 1000));
      ++sent;
    }
    a.g->nic.flush();
    REQUIRE(a.g->nic.poll_tx());
    REQUIRE(b.g->nic.poll_rx([&](const std::uint8_t* p, std::uint16_t n) { got += n == 1000 && p[11] == 1; }));
    std::this_thread::yield();
  }
  REQUIRE(got == total);
  // The guest closes: the backend disconnects and follows to Closed; the grants can be ended.
  REQUIRE(a.xs.write("device/vif/0/state", "6"));
  REQUIRE(f.wait_backend_state(0, "6"));
  REQUIRE(a.g->nic.teardown());
  // It starts over (Initialising): the backend waits again (InitWait) and connects the new rings.
  REQUIRE(a.xs.write("device/vif/0/state", "1"));
  REQUIRE(f.wait_backend_state(0, "2"));
  a.g = std::make_unique<net_sim::guest<8, 8>>(f.m, 0, f.svc.dd().id());
  guest_xs gx{a.xs};
  REQUIRE(xenabi::netfront_publish(gx, "device/vif/0", a.g->nic));
  REQUIRE(a.xs.write("device/vif/0/state", "4"));
  REQUIRE(f.wait_backend_state(0, "4"));
  auto i = a.g->nic.claim_tx();
  REQUIRE(i);
  net_sim::make_frame(a.g->nic.tx_data(i.value()), 500, 2, 1, 9);
  REQUIRE(a.g->nic.queue_tx(i.value(), 500));
  a.g->nic.flush();
  bool again = false;
  const auto until2 = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!again && std::chrono::steady_clock::now() < until2) {
    REQUIRE(b.g->nic.poll_rx([&](const std::uint8_t*, std::uint16_t n) { again = again || n == 500; }));
    std::this_thread::yield();
  }
  REQUIRE(again);
  f.svc.stop();
}

TEST_CASE("netback_service: a frontend without request-rx-copy or with bad keys is refused (Closing)") {
  fixture f;
  REQUIRE(f.svc.add_vif(0, hv::backend::default_mac(0)));
  REQUIRE(f.svc.add_vif(1, hv::backend::default_mac(1)));
  f.svc.start();
  frontend a(f, 0, false);
  REQUIRE(f.wait_backend_state(0, "5"));
  hv::xenstore::client b(f.st, 1);
  REQUIRE(b.write("device/vif/0/tx-ring-ref", "banana"));
  REQUIRE(b.write("device/vif/0/state", "4"));
  REQUIRE(f.wait_backend_state(1, "5"));
  f.svc.stop();
  REQUIRE(f.svc.vifs()[0]->failure.find("request-rx-copy") != std::string::npos);
  REQUIRE(f.svc.vifs()[1]->failure.find("malformed") != std::string::npos);
}
