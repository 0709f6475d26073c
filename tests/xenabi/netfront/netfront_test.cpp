// xenabi/netfront.hpp against a fake backend that works the shared rings with xenabi::back_ring
// and reads grants straight from the grant table (no hypervisor): set-up and teardown of
// grants, receive posting and reposting, transmit queuing and batching, and hostile backends.
#include <xenabi/grant_table.hpp>
#include <xenabi/netfront.hpp>
#include <xenabi/xenstore.hpp>

#include <cstring>
#include <vector>

#include "xenabi_test.hpp"

namespace abi = xenabi::abi;
using xenabi::errc;

TEST_CASE("netfront: parse_mac accepts xenstore's form only") {
  XENABI_BOTH_REQUIRE(xenabi::parse_mac("00:16:3e:0a:Bb:fF", 17).value() ==
                      xenabi::mac_addr{{0x00, 0x16, 0x3e, 0x0a, 0xbb, 0xff}});
  XENABI_BOTH_REQUIRE(xenabi::parse_mac("00:16:3e:00:00:01\0", 18).value().b[5] == 1);
  XENABI_BOTH_REQUIRE(xenabi::parse_mac("00:16:3e:00:00:1", 16).error() == errc::einval);
  XENABI_BOTH_REQUIRE(xenabi::parse_mac("00:16:3e:00:00:0g", 17).error() == errc::einval);
  XENABI_BOTH_REQUIRE(xenabi::parse_mac("00-16-3e-00-00-01", 17).error() == errc::einval);
  XENABI_BOTH_REQUIRE(xenabi::parse_mac("00:16:3e:00:00:011", 18).error() == errc::einval);
}

namespace {

struct fake_env {
  int notifies = 0;
  bool refuse = false;
  xenabi::result<xenabi::port> alloc_unbound(xenabi::domain_id d) {
    if (refuse) return errc::enospc;
    last_remote = d.value();
    return xenabi::port{5};
  }
  void notify(xenabi::port p) {
    REQUIRE(p.value() == 5);
    ++notifies;
  }
  std::uint16_t last_remote = 0;
};

struct alignas(4096) page {
  unsigned char b[4096];
};

template <std::size_t Grants = 64, std::size_t Rx = 4>
struct rig {
  static constexpr std::uint16_t backend = 7;
  abi::grant_entry_v1 table[Grants]{};
  xenabi::grant_table<Grants> gt{table};
  fake_env env;
  std::vector<page> mem = std::vector<page>(2 + Rx + 4);
  xenabi::driver_page pages[2 + Rx + 4];
  xenabi::netfront<xenabi::grant_table<Grants>, fake_env, Rx, 4> nic;
  xenabi::back_ring<xenabi::netif_tx_ring> btx;
  xenabi::back_ring<xenabi::netif_rx_ring> brx;

  rig() {
    for (std::size_t i = 0; i < 2 + Rx + 4; ++i) pages[i] = {&mem[i], xenabi::gfn{0x100 + i}};
  }
  typename decltype(nic)::config config() {
    return {xenabi::domain_id{backend}, pages[0], pages[1], &pages[2], &pages[2 + Rx]};
  }
  void connect(xenabi::netfront_features f = {}) {
    auto c = config();
    c.features = f;
    REQUIRE(nic.setup(gt, env, c));
    btx = xenabi::back_ring<xenabi::netif_tx_ring>::attach(*static_cast<abi::netif_tx_sring*>(pages[0].va), 0);
    brx = xenabi::back_ring<xenabi::netif_rx_ring>::attach(*static_cast<abi::netif_rx_sring*>(pages[1].va), 0);
  }
  // The page a grant reference names, checked like a backend's grant copy would.
  unsigned char* granted(std::uint32_t ref, bool write) {
    const auto& e = table[ref];
    REQUIRE((e.flags & abi::GTF::permit_access) != 0);
    REQUIRE(e.domid == backend);
    if (write) REQUIRE((e.flags & abi::GTF::readonly) == 0);
    return mem[e.frame - 0x100].b;
  }
  // The fake backend delivers \p n bytes of \p fill into the next posted rx buffer.
  void backend_rx(std::uint16_t n, unsigned char fill, std::int16_t status_override = 0, std::uint16_t id_override = 0xffff) {
    abi::netif_rx_request q{};
    REQUIRE(brx.consume_request(q).value());
    std::memset(granted(q.gref, true), fill, n);
    abi::netif_rx_response r{};
    r.id = id_override != 0xffff ? id_override : q.id;
    r.offset = 0;
    r.flags = 0;
    r.status = status_override != 0 ? status_override : static_cast<std::int16_t>(n);
    brx.produce_response(r);
    (void)brx.push_responses();
  }
};

}  // namespace

TEST_CASE("netfront: setup grants rings and rx buffers writable, tx buffers read-only, to the backend") {
  rig<> r;
  r.connect();
  REQUIRE(r.env.last_remote == rig<>::backend);
  REQUIRE(r.nic.event_channel().value() == 5);
  const auto ro = [&](xenabi::grant_ref g) { return (r.table[g.value()].flags & abi::GTF::readonly) != 0; };
  REQUIRE_FALSE(ro(r.nic.tx_ring_ref()));
  REQUIRE_FALSE(ro(r.nic.rx_ring_ref()));
  for (auto g : r.nic.rx_ref) REQUIRE_FALSE(ro(g));
  for (auto g : r.nic.tx_ref) REQUIRE(ro(g));
  REQUIRE(r.table[r.nic.tx_ring_ref().value()].frame == 0x100);
  REQUIRE(r.gt.free_count() == 64 - 8 - 10);
  REQUIRE(r.nic.teardown());
  REQUIRE(r.gt.free_count() == 64 - 8);
}

TEST_CASE("netfront: setup failure ends the grants it made") {
  rig<16> small;  // 8 usable references, 10 needed
  REQUIRE(small.nic.setup(small.gt, small.env, small.config()).error() == errc::enospc);
  REQUIRE(small.gt.free_count() == 8);
  rig<> r;
  r.env.refuse = true;
  REQUIRE(r.nic.setup(r.gt, r.env, r.config()).error() == errc::enospc);
  REQUIRE(r.gt.free_count() == 64 - 8);
}

TEST_CASE("netfront: receive - buffers posted once, frames handed over, buffers reposted") {
  rig<> r;
  r.connect();
  REQUIRE(r.nic.post_rx_buffers().value() == 4);
  REQUIRE(r.nic.post_rx_buffers().value() == 0);  // all posted already
  r.backend_rx(60, 0xab);
  r.backend_rx(1500, 0xcd);
  std::vector<std::vector<std::uint8_t>> got;
  REQUIRE(r.nic.poll_rx([&](const std::uint8_t* p, std::uint16_t n) { got.emplace_back(p, p + n); }).value() == 2);
  REQUIRE(got.size() == 2);
  REQUIRE(got[0] == std::vector<std::uint8_t>(60, 0xab));
  REQUIRE(got[1] == std::vector<std::uint8_t>(1500, 0xcd));
  REQUIRE(r.nic.stats().rx_bytes == 1560);
  REQUIRE(r.brx.unconsumed_requests().value() == 4);  // two left + two reposted
}

TEST_CASE("netfront: transmit - queued frames published by one flush - buffers reclaimed") {
  rig<> r;
  r.connect();
  const int before = r.env.notifies;
  std::uint16_t ids[4];
  for (auto& i : ids) {
    i = r.nic.claim_tx().value();
    std::memset(r.nic.tx_data(i), 0x11, 100);
    REQUIRE(r.nic.queue_tx(i, 100));
  }
  REQUIRE(r.nic.claim_tx().error() == errc::enospc);
  REQUIRE(r.btx.unconsumed_requests().value() == 0);  // nothing published yet
  r.nic.flush();
  REQUIRE(r.env.notifies == before + 1);
  std::vector<abi::netif_tx_request> reqs;
  REQUIRE(r.btx.consume_requests([&](const abi::netif_tx_request& q) { reqs.push_back(q); }).value() == 4);
  for (std::size_t k = 0; k < 4; ++k) {
    REQUIRE(reqs[k].id == ids[k]);
    REQUIRE(reqs[k].size == 100);
    REQUIRE(r.granted(reqs[k].gref, false)[0] == 0x11);
    r.btx.produce_response({reqs[k].id, static_cast<std::int16_t>(k == 3 ? abi::NETIF_RSP::ERROR : abi::NETIF_RSP::OKAY)});
  }
  (void)r.btx.push_responses();
  REQUIRE(r.nic.poll_tx().value() == 4);
  REQUIRE(r.nic.stats().tx_packets == 3);
  REQUIRE(r.nic.stats().tx_errors == 1);
  REQUIRE(r.nic.tx_in_flight() == 0);
  // Bad arguments.
  const auto i = r.nic.claim_tx().value();
  REQUIRE(r.nic.queue_tx(i, 0).error() == errc::einval);
  REQUIRE(r.nic.queue_tx(i, 4097).error() == errc::einval);
  REQUIRE(r.nic.queue_tx(static_cast<std::uint16_t>((i + 1) % 4), 10).error() == errc::einval);  // not claimed
  r.nic.release_tx(i);
  REQUIRE(r.nic.tx_in_flight() == 0);
  // A second flush with nothing queued sends nothing.
  const int n = r.env.notifies;
  r.nic.flush();
  REQUIRE(r.env.notifies == n);
}

TEST_CASE("netfront: a hostile backend's responses are counted as errors and never overrun a buffer") {
  rig<> r;
  r.connect();
  REQUIRE(r.nic.post_rx_buffers());
  r.backend_rx(10, 1, 5000);                     // longer than a page
  r.backend_rx(10, 1, 0, 3000);                  // id that names no buffer
  r.backend_rx(10, 1, static_cast<std::int16_t>(abi::NETIF_RSP::ERROR));
  int frames = 0;
  REQUIRE(r.nic.poll_rx([&](const std::uint8_t*, std::uint16_t) { ++frames; }).value() == 3);
  REQUIRE(frames == 0);
  REQUIRE(r.nic.stats().rx_errors == 3);
  // A response for a transmit buffer that is not in flight.
  auto i = r.nic.claim_tx().value();
  REQUIRE(r.nic.queue_tx(i, 64));
  r.nic.flush();
  abi::netif_tx_request q{};
  REQUIRE(r.btx.consume_request(q).value());
  r.btx.produce_response({static_cast<std::uint16_t>(q.id + 1), 0});
  (void)r.btx.push_responses();
  REQUIRE(r.nic.poll_tx().value() == 1);
  REQUIRE(r.nic.stats().tx_errors == 1);
  // A response producer index beyond the requests: the frontend breaks, it does not read on.
  __atomic_store_n(&static_cast<abi::netif_rx_sring*>(r.pages[1].va)->rsp_prod, 1000u, __ATOMIC_RELEASE);
  REQUIRE(r.nic.poll_rx([&](const std::uint8_t*, std::uint16_t) { ++frames; }).error() == errc::eio);
  REQUIRE(r.nic.broken());
  REQUIRE(r.nic.claim_tx().error() == errc::eio);
  REQUIRE(r.nic.final_check().error() == errc::eio);
}

TEST_CASE("netfront: final_check asks for the next response on both rings") {
  rig<> r;
  r.connect();
  REQUIRE(r.nic.post_rx_buffers());
  REQUIRE_FALSE(r.nic.final_check().value());
  REQUIRE(static_cast<abi::netif_rx_sring*>(r.pages[1].va)->rsp_event == 1);
  REQUIRE(static_cast<abi::netif_tx_sring*>(r.pages[0].va)->rsp_event == 1);
  r.backend_rx(20, 2);
  REQUIRE(r.nic.final_check().value());
}

namespace {
// A xenstore client that records writes (constexpr-friendly): transact runs the body once.
struct recording_client {
  char keys[12][64] = {};
  char values[12][16] = {};
  int n = 0;
  xenabi::u32 tx_seen = 0;
  constexpr xenabi::result<void> write(xenabi::xs_str path, xenabi::xs_str value, xenabi::u32 tx) {
    if (n == 12 || path.size >= 64 || value.size >= 16) return errc::enospc;
    for (std::size_t i = 0; i < path.size; ++i) keys[n][i] = path.data[i];
    for (std::size_t i = 0; i < value.size; ++i) values[n][i] = value.data[i];
    tx_seen = tx;
    ++n;
    return {};
  }
  template <class F>
  constexpr xenabi::result<void> transact(F&& body) {
    return body(xenabi::u32{42});
  }
};
struct fake_nic {
  constexpr xenabi::grant_ref tx_ring_ref() const { return xenabi::grant_ref{8}; }
  constexpr xenabi::grant_ref rx_ring_ref() const { return xenabi::grant_ref{4294967295u}; }
  constexpr xenabi::port event_channel() const { return xenabi::port{0}; }
  xenabi::netfront_features f{};
  constexpr xenabi::netfront_features features() const { return f; }
};
constexpr bool same(const char* a, const char* b) {
  while (*a != '\0' && *a == *b) ++a, ++b;
  return *a == *b;
}
constexpr bool publishes_keys() {
  recording_client c;
  if (!xenabi::netfront_publish(c, "device/vif/0", fake_nic{})) return false;
  if (!(c.n == 8 && c.tx_seen == 42 && same(c.keys[0], "device/vif/0/tx-ring-ref") && same(c.values[0], "8") &&
        same(c.keys[1], "device/vif/0/rx-ring-ref") && same(c.values[1], "4294967295") &&
        same(c.keys[2], "device/vif/0/event-channel") && same(c.values[2], "0") &&
        same(c.keys[3], "device/vif/0/request-rx-copy") && same(c.values[3], "1") &&
        same(c.keys[4], "device/vif/0/feature-sg") && same(c.values[4], "0") &&
        same(c.keys[5], "device/vif/0/feature-no-csum-offload") && same(c.values[5], "1") &&
        same(c.keys[6], "device/vif/0/feature-ipv6-csum-offload") && same(c.values[6], "0") &&
        same(c.keys[7], "device/vif/0/feature-rx-notify") && same(c.values[7], "1")))
    return false;
  // A frontend that accepts multi-slot frames and blank checksums says so.
  recording_client d;
  fake_nic nic;
  nic.f = {true, true, true};
  if (!xenabi::netfront_publish(d, "device/vif/0", nic)) return false;
  return d.n == 8 && same(d.values[4], "1") && same(d.values[5], "0") && same(d.values[6], "1");
}
constexpr bool long_dir_refused() {
  recording_client c;
  char dir[130] = {};
  for (int i = 0; i < 120; ++i) dir[i] = 'd';
  return xenabi::netfront_publish(c, dir, fake_nic{}).error() == errc::enametoolong && c.n == 0;
}
}  // namespace

TEST_CASE("netfront: netfront_publish writes the frontend keys in one transaction") {
  XENABI_BOTH_REQUIRE(publishes_keys());
  XENABI_BOTH_REQUIRE(long_dir_refused());
}

namespace {
// The fake backend answers the next posted rx requests with one frame of \p lens slots
// (NETRXF_more_data on all but the last), each slot filled with fill + its index; \p first_flags
// is or-ed into the first slot's flags.
using sg_rig = rig<64, 18>;  // feature-sg needs 18 receive buffers
void backend_rx_frame(sg_rig& r, std::initializer_list<std::uint16_t> lens, unsigned char fill,
                      std::uint16_t first_flags = 0) {
  std::size_t k = 0;
  for (auto n : lens) {
    abi::netif_rx_request q{};
    REQUIRE(r.brx.consume_request(q).value());
    std::memset(r.granted(q.gref, true), fill + static_cast<int>(k), n);
    abi::netif_rx_response s{};
    s.id = q.id;
    s.flags = static_cast<std::uint16_t>((k + 1 < lens.size() ? abi::NETRXF::more_data : 0) | (k == 0 ? first_flags : 0));
    s.status = static_cast<std::int16_t>(n);
    r.brx.produce_response(s);
    ++k;
  }
  (void)r.brx.push_responses();
}
std::vector<std::uint8_t> gather(const xenabi::netfront_rx_frame& f) {
  std::vector<std::uint8_t> v(f.size);
  REQUIRE(f.copy(v.data(), 0, v.size()) == f.size);
  return v;
}
}  // namespace

TEST_CASE("netfront: scatter-gather receive needs enough buffers for the largest frame") {
  rig<> r;  // four receive buffers
  auto c = r.config();
  c.features.sg = true;
  REQUIRE(r.nic.setup(r.gt, r.env, c).error() == errc::einval);
  REQUIRE(r.gt.free_count() == 64 - 8);  // nothing granted
}

TEST_CASE("netfront: scatter-gather receive - a frame over several slots is handed over whole, in order") {
  sg_rig r;
  r.connect({true, false, false});
  REQUIRE(r.nic.post_rx_buffers().value() == 18);
  backend_rx_frame(r, {4096, 4096, 100}, 0x10, abi::NETRXF::data_validated);
  std::vector<std::vector<std::uint8_t>> got;
  std::vector<std::uint16_t> flags;
  auto take = [&](const xenabi::netfront_rx_frame& f) {
    got.push_back(gather(f));
    flags.push_back(f.flags);
  };
  REQUIRE(r.nic.poll_rx(take).value() == 3);
  REQUIRE(got.size() == 1);
  REQUIRE(got[0].size() == 8292);
  REQUIRE(got[0][0] == 0x10);
  REQUIRE(got[0][4095] == 0x10);
  REQUIRE(got[0][4096] == 0x11);
  REQUIRE(got[0][8291] == 0x12);
  REQUIRE(flags[0] == abi::NETRXF::data_validated);
  REQUIRE(r.nic.stats().rx_bytes == 8292);
  REQUIRE(r.brx.unconsumed_requests().value() == 18);  // one left + three reposted
  // copy() from an offset inside the second piece, clipped at the frame's end.
  backend_rx_frame(r, {4096, 4096}, 0x20);
  std::uint8_t tail[20] = {};
  REQUIRE(r.nic.poll_rx([&](const xenabi::netfront_rx_frame& f) {
    got.push_back({});
    REQUIRE(f.copy(tail, 8182, 20) == 10);
  }).value() == 2);
  REQUIRE(got.size() == 2);
  REQUIRE(tail[0] == 0x21);
  REQUIRE(tail[9] == 0x21);
  REQUIRE(tail[10] == 0);
  // A frame whose last slot has not arrived keeps its buffers: they are not reposted.
  abi::netif_rx_request q{};
  REQUIRE(r.brx.consume_request(q).value());
  std::memset(r.granted(q.gref, true), 0x30, 4096);
  r.brx.produce_response({q.id, 0, abi::NETRXF::more_data, 4096});
  (void)r.brx.push_responses();
  REQUIRE(r.nic.poll_rx(take).value() == 1);
  REQUIRE(got.size() == 2);                            // not complete yet
  REQUIRE(r.brx.unconsumed_requests().value() == 17);  // its buffer was not reposted
  REQUIRE(r.brx.consume_request(q).value());
  std::memset(r.granted(q.gref, true), 0x31, 10);
  r.brx.produce_response({q.id, 0, 0, 10});
  (void)r.brx.push_responses();
  REQUIRE(r.nic.poll_rx(take).value() == 1);
  REQUIRE(got.size() == 3);
  REQUIRE(got[2].size() == 4106);
  REQUIRE(got[2][4095] == 0x30);
  REQUIRE(got[2][4096] == 0x31);
  REQUIRE(r.brx.unconsumed_requests().value() == 18);
  REQUIRE(r.nic.stats().rx_errors == 0);
}

TEST_CASE("netfront: scatter-gather receive - hostile slot chains drop the whole frame and free every buffer") {
  sg_rig r;
  r.connect({true, false, false});
  REQUIRE(r.nic.post_rx_buffers().value() == 18);
  int frames = 0;
  auto take = [&](const xenabi::netfront_rx_frame&) { ++frames; };
  // A middle slot names another buffer than the one posted at its ring position.
  abi::netif_rx_request q1{}, q2{}, q3{};
  REQUIRE(r.brx.consume_request(q1).value());
  REQUIRE(r.brx.consume_request(q2).value());
  REQUIRE(r.brx.consume_request(q3).value());
  r.brx.produce_response({q1.id, 0, abi::NETRXF::more_data, 100});
  r.brx.produce_response({q1.id, 0, abi::NETRXF::more_data, 100});  // q2's position, q1's id
  r.brx.produce_response({q3.id, 0, 0, 100});
  (void)r.brx.push_responses();
  REQUIRE(r.nic.poll_rx(take).value() == 3);
  REQUIRE(frames == 0);
  REQUIRE(r.nic.stats().rx_errors == 1);
  REQUIRE(r.brx.unconsumed_requests().value() == 18);  // all three buffers reposted
  // An extra-info flag on a later slot, and a slot past the page end.
  REQUIRE(r.brx.consume_request(q1).value());
  REQUIRE(r.brx.consume_request(q2).value());
  r.brx.produce_response({q1.id, 0, abi::NETRXF::more_data, 100});
  r.brx.produce_response({q2.id, 0, abi::NETRXF::extra_info, 100});
  REQUIRE(r.brx.consume_request(q3).value());
  r.brx.produce_response({q3.id, 4000, 0, 200});
  (void)r.brx.push_responses();
  REQUIRE(r.nic.poll_rx(take).value() == 3);
  REQUIRE(frames == 0);
  REQUIRE(r.nic.stats().rx_errors == 3);
  REQUIRE(r.brx.unconsumed_requests().value() == 18);
  // An announced extra-info slot (e.g. GSO) is skipped; its buffer is reposted.
  REQUIRE(r.brx.consume_request(q1).value());
  REQUIRE(r.brx.consume_request(q2).value());
  REQUIRE(r.brx.consume_request(q3).value());
  r.brx.produce_response({q1.id, 0, abi::NETRXF::more_data | abi::NETRXF::extra_info, 100});
  abi::netif_extra_info e{};
  e.type = static_cast<std::uint8_t>(abi::XEN_NETIF_EXTRA_TYPE::GSO);
  std::memcpy(&r.brx.claim_response(), &e, sizeof e);
  r.brx.produce_response({q3.id, 0, 0, 50});
  (void)r.brx.push_responses();
  std::uint32_t size = 0;
  REQUIRE(r.nic.poll_rx([&](const xenabi::netfront_rx_frame& f) { size = f.size; }).value() == 3);
  REQUIRE(size == 150);
  REQUIRE(r.brx.unconsumed_requests().value() == 18);
  // A frame in several slots to a callback that takes one pointer is an error, not a partial frame.
  backend_rx_frame(r, {10, 10}, 1);
  REQUIRE(r.nic.poll_rx([&](const std::uint8_t*, std::uint16_t) { ++frames; }).value() == 2);
  REQUIRE(frames == 0);
  REQUIRE(r.nic.stats().rx_errors == 4);
}

TEST_CASE("netfront: scatter-gather transmit - one frame over several buffers, only if the backend offers it") {
  rig<> r;
  r.connect();
  std::uint16_t b[3];
  for (auto& i : b) i = r.nic.claim_tx().value();
  const std::uint16_t lens[3] = {4096, 4096, 8};
  REQUIRE(r.nic.queue_tx_frags(b, lens, 3).error() == errc::eopnotsupp);  // no feature-sg yet
  REQUIRE(r.nic.queue_tx(b[0], 100, abi::NETTXF::more_data).error() == errc::einval);  // driver's flag
  xenabi::netback_offers o;
  o.sg = true;
  r.nic.set_backend_features(o);
  const std::uint16_t dup[2] = {b[0], b[0]};
  REQUIRE(r.nic.queue_tx_frags(dup, lens, 2).error() == errc::einval);
  REQUIRE(r.nic.queue_tx_frags(b, lens, 3, abi::NETTXF::csum_blank));
  r.nic.flush();
  std::vector<abi::netif_tx_request> reqs;
  REQUIRE(r.btx.consume_requests([&](const abi::netif_tx_request& q) { reqs.push_back(q); }).value() == 3);
  REQUIRE(reqs[0].size == 8200);
  REQUIRE(reqs[0].flags == (abi::NETTXF::csum_blank | abi::NETTXF::more_data));
  REQUIRE(reqs[1].size == 4096);
  REQUIRE(reqs[1].flags == abi::NETTXF::more_data);
  REQUIRE(reqs[2].size == 8);
  REQUIRE(reqs[2].flags == 0);
  for (std::size_t k = 0; k < 3; ++k) {
    REQUIRE(reqs[k].id == b[k]);
    r.btx.produce_response({reqs[k].id, 0});
  }
  (void)r.btx.push_responses();
  REQUIRE(r.nic.poll_tx().value() == 3);
  REQUIRE(r.nic.tx_in_flight() == 0);
  // No checksum offload offered: csum_blank is refused.
  o.csum_offload = false;
  r.nic.set_backend_features(o);
  const auto i = r.nic.claim_tx().value();
  REQUIRE(r.nic.queue_tx(i, 100, abi::NETTXF::csum_blank).error() == errc::eopnotsupp);
  REQUIRE(r.nic.queue_tx(i, 100, abi::NETTXF::data_validated));
}
