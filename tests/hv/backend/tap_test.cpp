// hv/backend/tap.hpp: a host tap device on the bridge, with a netfront guest on the other side
// (sim platform). The host end is an AF_PACKET socket bound to the tap interface. Skipped when
// this process cannot create tap devices.
#include <hv/backend/tap.hpp>

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "net_sim.hpp"
#include "xenabi_test.hpp"

namespace {
constexpr std::uint16_t test_ethertype = 0x88b5;

struct packet_socket {
  int fd = -1;
  int ifindex = 0;
  explicit packet_socket(const std::string& ifname, std::uint16_t ethertype = test_ethertype) {
    fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ethertype));
    REQUIRE(fd >= 0);
    ifindex = static_cast<int>(::if_nametoindex(ifname.c_str()));
    REQUIRE(ifindex > 0);
    sockaddr_ll a{};
    a.sll_family = AF_PACKET;
    a.sll_protocol = htons(ethertype);
    a.sll_ifindex = ifindex;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  }
  ~packet_socket() { ::close(fd); }
};
}  // namespace

TEST_CASE("tap: frames cross between the host's tap interface and a guest's netfront") {
  std::string why;
  if (!hv::backend::tap_usable(&why)) XENABI_SKIP("cannot create a tap device here: " + why);
  net_sim::rig r;
  hv::backend::bridge br;
  net_sim::guest<8, 8> a(r.m, 0, r.dd.id());
  hv::backend::netif va(r.dd, &br);
  REQUIRE(va.connect(a.connection()));
  hv::backend::tap_port tap(br, "xnbtest%d");
  REQUIRE(tap.name().rfind("xnbtest", 0) == 0);
  packet_socket host(tap.name());
  REQUIRE(a.nic.post_rx_buffers());

  // Host -> guest: a frame sent on the interface is read from the tap device and switched.
  std::vector<std::uint8_t> f(200);
  net_sim::make_frame(f.data(), 200, 1, 9, 0x40);  // to the guest's MAC ...:01 (flooded: unknown)
  REQUIRE(::send(host.fd, f.data(), f.size(), 0) == 200);
  std::vector<std::uint8_t> got;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (got.empty() && std::chrono::steady_clock::now() < give_up) {
    while (va.poll()) {
    }
    REQUIRE(a.nic.poll_rx([&](const std::uint8_t* p, std::uint16_t n) {
      if (n >= 14 && p[12] == 0x88 && p[13] == 0xb5) got.assign(p, p + n);
    }));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  REQUIRE(got == f);
  REQUIRE(tap.stats().from_host >= 1);

  // Guest -> host: the bridge learned the host's MAC on the tap port.
  REQUIRE(br.lookup({0x00, 0x16, 0x3e, 0, 0, 9}) == &tap);
  auto i = a.nic.claim_tx();
  REQUIRE(i);
  net_sim::make_frame(a.nic.tx_data(i.value()), 300, 9, 1, 0x50);
  REQUIRE(a.nic.queue_tx(i.value(), 300));
  a.nic.flush();
  while (va.poll()) {
  }
  std::vector<std::uint8_t> want(300);
  net_sim::make_frame(want.data(), 300, 9, 1, 0x50);
  std::vector<std::uint8_t> buf(2048);
  bool seen = false;
  while (!seen && std::chrono::steady_clock::now() < give_up) {
    const ssize_t n = ::recv(host.fd, buf.data(), buf.size(), 0);
    if (n == 300 && std::equal(want.begin(), want.end(), buf.begin())) seen = true;
    if (n < 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  REQUIRE(seen);
  REQUIRE(tap.stats().to_host >= 1);

  // A frame with a blank UDP checksum (NETTXF_csum_blank) reaches the host completed: the tap
  // carries no offload information.
  packet_socket ip_host(tap.name(), 0x0800);
  auto udp = net_sim::l4_frame(false, 17, 333, 0);
  udp[5] = 9;  // to the host's MAC
  REQUIRE_FALSE(net_sim::checksum_ok(udp));
  i = a.nic.claim_tx();
  REQUIRE(i);
  std::memcpy(a.nic.tx_data(i.value()), udp.data(), udp.size());
  REQUIRE(a.nic.queue_tx(i.value(), static_cast<std::uint16_t>(udp.size()), xenabi::abi::NETTXF::csum_blank));
  a.nic.flush();
  while (va.poll()) {
  }
  seen = false;
  while (!seen && std::chrono::steady_clock::now() < give_up) {
    const ssize_t n = ::recv(ip_host.fd, buf.data(), buf.size(), 0);
    if (n == static_cast<ssize_t>(udp.size()) && buf[34] == udp[34] && buf[35] == udp[35]) {
      std::vector<std::uint8_t> g(buf.begin(), buf.begin() + n);
      REQUIRE(net_sim::checksum_ok(g));
      g[40] = udp[40];  // all but the checksum field as sent
      g[41] = udp[41];
      REQUIRE(g == udp);
      seen = true;
    }
    if (n < 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  REQUIRE(seen);
}
