// netback's receive-side scatter-gather and checksum offload (hv/backend/netback.hpp,
// hv/backend/bridge.hpp) on the in-process platform, between real netfronts
// (xenabi/netfront.hpp) that negotiate different features: frames spanning several rx slots,
// NETTXF_csum_blank passed on to a receiver that accepts it and completed for one that does not.
#include <cstring>
#include <vector>

#include "net_sim.hpp"
#include "xenabi_test.hpp"

namespace abi = xenabi::abi;
using hv::backend::csum_result;
using hv::backend::netif;
using net_sim::bytes;
using net_sim::checksum_ok;
using net_sim::l4_frame;

namespace {

// Guest 0 sends to guest 1; each netfront accepts what its features say, the sender's backend
// offers everything netback advertises.
struct pair_rig : net_sim::rig {
  hv::backend::bridge br;
  net_sim::guest<8, 16> a;
  net_sim::guest<32, 8> b;  // feature-sg needs at least 18 receive buffers
  netif va, vb;
  explicit pair_rig(xenabi::netfront_features fb)
      : a(m, 0, dd.id()), b(m, 1, dd.id(), fb), va(dd, &br), vb(dd, &br) {
    REQUIRE(va.connect(a.connection()));
    REQUIRE(vb.connect(b.connection()));
    xenabi::netback_offers o;
    o.sg = true;
    o.ipv6_csum_offload = true;
    a.nic.set_backend_features(o);
    REQUIRE(b.nic.post_rx_buffers().value() == 32);
  }
  void poll() {
    while (va.poll() || vb.poll()) {
    }
  }
  // A sends \p frame (split over as many transmit buffers as it needs) with \p tx_flags.
  void send(const std::vector<std::uint8_t>& frame, std::uint16_t tx_flags = 0) {
    std::uint16_t bufs[16], lens[16];
    std::size_t n = 0;
    for (std::size_t at = 0; at < frame.size(); at += 4096, ++n) {
      bufs[n] = a.nic.claim_tx().value();
      lens[n] = static_cast<std::uint16_t>(std::min<std::size_t>(4096, frame.size() - at));
      std::memcpy(a.nic.tx_data(bufs[n]), frame.data() + at, lens[n]);
    }
    REQUIRE(a.nic.queue_tx_frags(bufs, lens, n, tx_flags));
    a.nic.flush();
    poll();
    REQUIRE(a.nic.poll_tx().value() == n);  // every slot answered, every buffer free again
    REQUIRE(a.nic.tx_in_flight() == 0);
  }
  // What B received: frames (gathered) and their NETRXF flags.
  std::vector<std::vector<std::uint8_t>> frames;
  std::vector<std::uint16_t> flags;
  std::size_t slots_of_last = 0;
  void receive() {
    REQUIRE(b.nic.poll_rx([&](const xenabi::netfront_rx_frame& f) {
      std::vector<std::uint8_t> v(f.size);
      REQUIRE(f.copy(v.data(), 0, v.size()) == f.size);
      frames.push_back(std::move(v));
      flags.push_back(f.flags);
      slots_of_last = f.nfrags;
    }));
  }
};

}  // namespace

TEST_CASE("netback: scatter-gather receive - a frame larger than a page reaches a feature-sg frontend over several slots") {
  pair_rig t({true, false, false});
  std::vector<std::uint8_t> frame(3 * 4096 + 1000);
  net_sim::make_frame(frame.data(), 4096, 2, 1, 5);
  for (std::size_t i = 14; i < frame.size(); ++i) frame[i] = static_cast<std::uint8_t>(i * 7 + i / 4096);
  t.send(frame);
  REQUIRE(t.va.stats().tx_slots == 4);
  REQUIRE(t.va.stats().tx_packets == 1);
  t.receive();
  REQUIRE(t.frames.size() == 1);
  REQUIRE(t.slots_of_last == 4);
  REQUIRE(t.frames[0] == frame);
  REQUIRE(t.vb.stats().rx_packets == 1);
  REQUIRE(t.vb.stats().rx_bytes == frame.size());
  // The largest frame the tx ring carries (65535 bytes) takes 16 slots; a larger one (from a
  // tap, say) is dropped.
  std::vector<std::uint8_t> big(65535);
  net_sim::make_frame(big.data(), 65535, 2, 1, 9);
  t.send(big);
  t.receive();
  REQUIRE(t.frames.size() == 2);
  REQUIRE(t.slots_of_last == 16);
  REQUIRE(t.frames[1] == big);
  std::vector<std::byte> huge(65536, std::byte{0xff});
  t.va.inject(huge);
  t.poll();
  REQUIRE(t.vb.stats().rx_dropped == 1);
  REQUIRE(t.vb.rx_queued() == 0);
}

TEST_CASE("netback: a frame waiting for more rx buffers than are posted asks for the event that brings them") {
  pair_rig t({true, false, false});
  // 16 + 15 of B's 32 buffers are filled; a 2-slot frame then finds one.
  std::vector<std::byte> f16(65535), f15(61440), f2(5000);
  for (auto* f : {&f16, &f15, &f2}) {
    std::vector<std::uint8_t> v(f->size());
    net_sim::make_frame(v.data(), static_cast<std::uint16_t>(v.size()), 2, 1, 3);
    std::memcpy(f->data(), v.data(), v.size());
    t.va.inject(*f);
  }
  t.poll();
  REQUIRE(t.vb.stats().rx_packets == 2);
  REQUIRE(t.vb.rx_queued() == 1);
  // B takes the two frames and reposts 31 buffers: one push, which must signal the backend
  // (its req_event lies at the second missing request, inside what was published).
  const auto events = t.b.nic.stats().notifications;
  t.receive();
  REQUIRE(t.frames.size() == 2);
  REQUIRE(t.b.nic.stats().notifications == events + 1);
  t.poll();
  t.receive();
  REQUIRE(t.frames.size() == 3);
  REQUIRE(t.frames[2].size() == 5000);
}

TEST_CASE("netback: a frontend without feature-sg gets no frame larger than a page (dropped, counted)") {
  pair_rig t({false, false, false});
  std::vector<std::uint8_t> frame(4097);
  net_sim::make_frame(frame.data(), 4097, 2, 1, 5);
  t.send(frame);
  t.receive();
  REQUIRE(t.frames.empty());
  REQUIRE(t.vb.stats().rx_dropped == 1);
  std::vector<std::uint8_t> small(4096);
  net_sim::make_frame(small.data(), 4096, 2, 1, 6);
  t.send(small);
  t.receive();
  REQUIRE(t.frames.size() == 1);
  REQUIRE(t.slots_of_last == 1);
  REQUIRE(t.frames[0] == small);
}

TEST_CASE("netback: checksum offload - a blank checksum is passed on to a frontend that accepts it") {
  pair_rig t({true, true, true});
  for (bool v6 : {false, true})
    for (std::uint8_t proto : {std::uint8_t{6}, std::uint8_t{17}}) {
      const auto f = l4_frame(v6, proto, 5000, 0x1234);  // field holds a partial sum: left alone
      t.send(f, abi::NETTXF::csum_blank);
      t.receive();
      REQUIRE(t.frames.back() == f);
      REQUIRE(t.flags.back() == (abi::NETRXF::csum_blank | abi::NETRXF::data_validated));
    }
  REQUIRE(t.frames.size() == 4);
  REQUIRE(t.vb.stats().csum_completed == 0);
  // data_validated alone travels as NETRXF_data_validated; no flag, no flag.
  t.send(l4_frame(false, 17, 10), abi::NETTXF::data_validated);
  t.send(l4_frame(false, 17, 10));
  t.receive();
  REQUIRE(t.flags[4] == abi::NETRXF::data_validated);
  REQUIRE(t.flags[5] == 0);
}

TEST_CASE("netback: checksum offload - the backend completes a blank checksum for a frontend that did not accept it") {
  pair_rig t({true, false, false});  // feature-no-csum-offload = 1, no IPv6 offload
  std::size_t k = 0;
  for (bool v6 : {false, true})
    for (std::uint8_t proto : {std::uint8_t{6}, std::uint8_t{17}})
      for (std::size_t payload : {std::size_t{0}, std::size_t{1}, std::size_t{1501}, std::size_t{9000}}) {
        const auto f = l4_frame(v6, proto, payload, 0xbeef);
        REQUIRE_FALSE(checksum_ok(f));
        t.send(f, abi::NETTXF::csum_blank | abi::NETTXF::data_validated);
        t.receive();
        REQUIRE(t.frames.size() == ++k);
        const auto& got = t.frames.back();
        REQUIRE(checksum_ok(got));
        REQUIRE(t.flags.back() == abi::NETRXF::data_validated);
        // Only the checksum field changed.
        const std::size_t field = 14 + (v6 ? 40u : 20u) + (proto == 6 ? 16u : 6u);
        for (std::size_t i = 0; i < f.size(); ++i)
          if (i != field && i != field + 1) REQUIRE(got[i] == f[i]);
      }
  REQUIRE(t.vb.stats().csum_completed == k);
}

TEST_CASE("netback: checksum offload - NETTXF_csum_blank on a frame that is not TCP/UDP over IP is refused") {
  pair_rig t({true, true, true});
  std::vector<std::uint8_t> f(100);
  net_sim::make_frame(f.data(), 100, 2, 1, 1);  // a local EtherType
  t.send(f, abi::NETTXF::csum_blank);
  auto bad_len = l4_frame(false, 17, 20);
  bad_len[17] = 0xff;  // IPv4 total length beyond the frame
  t.send(bad_len, abi::NETTXF::csum_blank);
  auto icmp = l4_frame(false, 1, 20);
  t.send(icmp, abi::NETTXF::csum_blank);
  t.receive();
  REQUIRE(t.frames.empty());
  REQUIRE(t.va.stats().tx_errors == 3);
  REQUIRE(t.a.nic.stats().tx_errors == 3);
}

TEST_CASE("complete_l4_checksum: TCP/UDP over IPv4 and IPv6 - fragments, other protocols and short frames untouched") {
  for (bool v6 : {false, true})
    for (std::uint8_t proto : {std::uint8_t{6}, std::uint8_t{17}}) {
      auto f = bytes(l4_frame(v6, proto, 333, 0x5555));
      REQUIRE(hv::backend::complete_l4_checksum(f) == csum_result::done);
      std::vector<std::uint8_t> v(f.size());
      std::memcpy(v.data(), f.data(), f.size());
      REQUIRE(checksum_ok(v));
      // Ethernet padding after the IP datagram is not summed.
      auto padded = l4_frame(v6, proto, 333, 0x5555);
      padded.resize(padded.size() + 7, 0xee);
      auto pb = bytes(padded);
      REQUIRE(hv::backend::complete_l4_checksum(pb) == csum_result::done);
      REQUIRE(std::memcmp(pb.data(), f.data(), f.size()) == 0);
    }
  auto frag = bytes(l4_frame(false, 17, 40));
  frag[20] = std::byte{0x20};  // more fragments
  const auto before = frag;
  REQUIRE(hv::backend::complete_l4_checksum(frag) == csum_result::unsupported);
  REQUIRE(frag == before);
  auto icmp = bytes(l4_frame(false, 1, 40));
  REQUIRE(hv::backend::complete_l4_checksum(icmp) == csum_result::unsupported);
  auto v6short = bytes(l4_frame(true, 6, 0));
  v6short.resize(60);  // cut inside the TCP header: payload length now beyond the frame
  REQUIRE(hv::backend::complete_l4_checksum(v6short) == csum_result::malformed);
  auto tiny_udp = bytes(l4_frame(false, 17, 0));
  tiny_udp[16] = std::byte{0};
  tiny_udp[17] = std::byte{24};  // IPv4 length 24: a 4-byte "UDP header"
  REQUIRE(hv::backend::complete_l4_checksum(tiny_udp) == csum_result::malformed);
  auto bad_ihl = bytes(l4_frame(false, 17, 0));
  bad_ihl[14] = std::byte{0x44};
  REQUIRE(hv::backend::complete_l4_checksum(bad_ihl) == csum_result::malformed);
  std::vector<std::byte> runt(10);
  REQUIRE(hv::backend::complete_l4_checksum(runt) == csum_result::malformed);
}
