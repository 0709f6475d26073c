// Test support for the network split driver on the in-process platform: a sim machine with
// guest domains, a xenstore and a driver domain, and for each guest a netfront (xenabi) whose
// pages live in that guest's RAM, whose grant table is the guest's grant frame, and whose event
// channel operations are the guest's hypercalls. Used by the netback unit tests and the netif
// fuzzer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>
#include <memory>
#include <stdexcept>

#include <hv/backend/driver_domain.hpp>
#include <hv/backend/netback.hpp>
#include <hv/platform/sim/sim.hpp>
#include <xenabi/grant_table.hpp>
#include <xenabi/netfront.hpp>

namespace net_sim {

namespace abi = xenabi::abi;
using H = abi::hypercall;

/// Guests 0 and 1 (4 MiB each), a xenstore that knows them, and a driver domain.
struct rig {
  hv::sim::machine m{4 << 20};
  hv::xenstore::store st;
  hv::backend::driver_domain dd;
  rig() : dd(init(m, st), st, hv::backend::driver_domain::next_free_id(m.hosts()), "netback") {}
  static hv::host& init(hv::sim::machine& mach, hv::xenstore::store& s) {
    mach.add_domain(1);
    s.introduce_domain(0, "guest0");
    s.introduce_domain(1, "guest1");
    return mach.hosts();
  }
};
/// Where a guest's hypercall argument scratch lives (guest-physical).
inline constexpr std::uint64_t scratch_gpa = 0x1000;
/// First guest-physical page used for netfront pages.
inline constexpr std::uint64_t pages_gpa = 0x10000;

/// The event-channel glue of a sim guest: its hypercalls, made from host code.
struct sim_env {
  hv::sim::machine* m;
  std::uint16_t dom;
  xenabi::result<xenabi::port> alloc_unbound(xenabi::domain_id backend) {
    abi::evtchn_alloc_unbound a{abi::DOMID::SELF, backend.value(), 0};
    m->put(scratch_gpa, a, dom);
    const auto rc = m->hypercall(static_cast<std::uint32_t>(H::event_channel_op),
                                 static_cast<std::uint64_t>(abi::EVTCHNOP::alloc_unbound), scratch_gpa, 0, 0, 0, dom);
    if (rc != 0) return xenabi::errc::eio;
    return xenabi::port{m->get<abi::evtchn_alloc_unbound>(scratch_gpa, dom).port};
  }
  void notify(xenabi::port p) {
    abi::evtchn_send s{p.value()};
    m->put(scratch_gpa + 64, s, dom);
    (void)m->hypercall(static_cast<std::uint32_t>(H::event_channel_op), static_cast<std::uint64_t>(abi::EVTCHNOP::send),
                       scratch_gpa + 64, 0, 0, 0, dom);
  }
};

/// The v1 grant table of a sim guest: its grant frame 0, as host memory.
inline abi::grant_entry_v1 (&grant_entries(hv::domain& d))[512] {
  std::lock_guard lock(d.mu);
  d.grow_grant_table(1);
  return *std::launder(reinterpret_cast<abi::grant_entry_v1(*)[512]>(d.grant_frame(0)));
}

/// A guest with a netfront of RxN/TxN buffers.
template <std::size_t RxN = 8, std::size_t TxN = 8>
struct guest {
  using nic_type = xenabi::netfront<xenabi::grant_table<512>, sim_env, RxN, TxN>;
  hv::domain& d;
  sim_env env;
  xenabi::grant_table<512> gt;
  nic_type nic;
  xenabi::driver_page pages[2 + RxN + TxN];

  guest(hv::sim::machine& m, std::uint16_t id, std::uint16_t backend, xenabi::netfront_features f = {})
      : d(m.dom(id)), env{&m, id}, gt(grant_entries(d)) {
    for (std::size_t i = 0; i < 2 + RxN + TxN; ++i) {
      const std::uint64_t gpa = pages_gpa + i * 4096;
      pages[i].va = d.mem.translate(hv::phys_addr{gpa}, 4096).value().data();
      pages[i].frame = xenabi::gfn{gpa >> 12};
    }
    typename nic_type::config c;
    c.backend = xenabi::domain_id{backend};
    c.tx_ring = pages[0];
    c.rx_ring = pages[1];
    c.rx_pages = &pages[2];
    c.tx_pages = &pages[2 + RxN];
    c.features = f;
    if (!nic.setup(gt, env, c)) throw std::runtime_error("netfront setup failed");
  }
  /// What the frontend would publish in xenstore, for the backend.
  [[nodiscard]] hv::backend::netif_connection connection() const {
    const auto f = nic.features();
    return {d.id, nic.tx_ring_ref().value(), nic.rx_ring_ref().value(), nic.event_channel().value(), f.sg,
            f.csum_offload, f.ipv6_csum_offload};
  }
  /// The tx shared ring (for tests that write hostile requests directly).
  [[nodiscard]] abi::netif_tx_sring& tx_sring() const { return *static_cast<abi::netif_tx_sring*>(pages[0].va); }
  /// The rx shared ring.
  [[nodiscard]] abi::netif_rx_sring& rx_sring() const { return *static_cast<abi::netif_rx_sring*>(pages[1].va); }
};

/// Builds an Ethernet frame of \p len bytes from \p src to \p dst with payload byte \p fill.
inline void make_frame(std::uint8_t* p, std::uint16_t len, std::uint8_t dst, std::uint8_t src, std::uint8_t fill) {
  const std::uint8_t d[6] = {0x00, 0x16, 0x3e, 0, 0, dst};
  const std::uint8_t s[6] = {0x00, 0x16, 0x3e, 0, 0, src};
  for (int i = 0; i < 6; ++i) {
    p[i] = d[i];
    p[6 + i] = s[i];
  }
  p[12] = 0x88;
  p[13] = 0xb5;  // local experimental EtherType
  for (std::uint16_t i = 14; i < len; ++i) p[i] = static_cast<std::uint8_t>(fill + i);
}

// Ones'-complement sum of 16-bit big-endian words of \p p[0..n) added to \p sum (unfolded).
inline std::uint32_t sum16(const std::uint8_t* p, std::size_t n, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  if ((n & 1u) != 0) sum += static_cast<std::uint32_t>(p[n - 1]) << 8;
  return sum;
}
inline std::uint16_t fold(std::uint32_t s) {
  while ((s >> 16) != 0) s = (s & 0xffffu) + (s >> 16);
  return static_cast<std::uint16_t>(s);
}

// An IPv4 (or IPv6) frame from ...:01 to ...:02 carrying a UDP (proto 17) or TCP (6) segment of
// \p payload bytes; the checksum field holds \p seed (0 for "blank").
inline std::vector<std::uint8_t> l4_frame(bool v6, std::uint8_t proto, std::size_t payload, std::uint16_t seed = 0) {
  const std::size_t l4h = proto == 6 ? 20 : 8, iph = v6 ? 40 : 20, l4len = l4h + payload;
  std::vector<std::uint8_t> f(14 + iph + l4len);
  net_sim::make_frame(f.data(), static_cast<std::uint16_t>(f.size()), 2, 1, 7);  // payload pattern
  f[12] = v6 ? 0x86 : 0x08;
  f[13] = v6 ? 0xdd : 0x00;
  std::uint8_t* ip = f.data() + 14;
  std::memset(ip, 0, iph);
  if (v6) {
    ip[0] = 0x60;
    ip[4] = static_cast<std::uint8_t>(l4len >> 8);
    ip[5] = static_cast<std::uint8_t>(l4len);
    ip[6] = proto;
    ip[7] = 64;
    for (int i = 0; i < 32; ++i) ip[8 + i] = static_cast<std::uint8_t>(0xf0 + i);
  } else {
    ip[0] = 0x45;
    ip[2] = static_cast<std::uint8_t>((20 + l4len) >> 8);
    ip[3] = static_cast<std::uint8_t>(20 + l4len);
    ip[8] = 64;
    ip[9] = proto;
    const std::uint8_t addrs[8] = {10, 0, 0, 1, 10, 0, 0, 2};
    std::memcpy(ip + 12, addrs, 8);
  }
  std::uint8_t* l4 = ip + iph;
  std::memset(l4, 0, l4h);
  l4[0] = 0x12;  // ports
  l4[1] = 0x34;
  l4[2] = 0x56;
  l4[3] = 0x78;
  if (proto == 17) {
    l4[4] = static_cast<std::uint8_t>(l4len >> 8);
    l4[5] = static_cast<std::uint8_t>(l4len);
  } else {
    l4[12] = 0x50;  // data offset 5 words
  }
  const std::size_t field = proto == 6 ? 16 : 6;
  l4[field] = static_cast<std::uint8_t>(seed >> 8);
  l4[field + 1] = static_cast<std::uint8_t>(seed);
  return f;
}
// True if \p f's TCP/UDP checksum verifies (the sum over pseudo-header and segment is 0xffff).
inline bool checksum_ok(const std::vector<std::uint8_t>& f) {
  const bool v6 = f[12] == 0x86;
  const std::uint8_t* ip = f.data() + 14;
  const std::size_t iph = v6 ? 40 : 20;
  const std::size_t l4len = v6 ? static_cast<std::size_t>(ip[4] << 8 | ip[5]) : static_cast<std::size_t>(ip[2] << 8 | ip[3]) - 20;
  const std::uint8_t proto = v6 ? ip[6] : ip[9];
  std::uint32_t s = v6 ? sum16(ip + 8, 32) : sum16(ip + 12, 8);
  s += proto + static_cast<std::uint32_t>(l4len);
  s = sum16(ip + iph, l4len, s);
  return fold(s) == 0xffff;
}
inline std::vector<std::byte> bytes(const std::vector<std::uint8_t>& v) {
  std::vector<std::byte> out(v.size());
  std::memcpy(out.data(), v.data(), v.size());
  return out;
}

}  // namespace net_sim
