// blkfront against a hand-driven back end (a back_ring on the same page): request encoding
// (segments, indirect pages, discard), grant lifetimes, persistent grants, the response checks
// (forged, duplicated and stale ids are ignored), feature refusals, reconnect bookkeeping.
#include <cstring>
#include <vector>

#include <xenabi/blkfront.hpp>

#include "xenabi_test.hpp"

namespace {

namespace abi = xenabi::abi;
using xenabi::u32;
using xenabi::u64;

// Grants are recorded in a table; frame_of is the address's page number.
struct fake_env {
  struct entry {
    bool live = false;
    u64 frame = 0;
    bool ro = false;
    bool busy = false;  // the "back end" still maps it
  };
  std::vector<entry> grants = std::vector<entry>(4096);
  int notifies = 0;
  xenabi::result<xenabi::grant_ref> grant(xenabi::domain_id d, xenabi::gfn f, bool ro) {
    if (d.value() != 7) return xenabi::errc::einval;
    for (u32 r = 8; r < grants.size(); ++r)
      if (!grants[r].live) {
        grants[r] = entry{true, f.value(), ro, false};
        return xenabi::grant_ref{r};
      }
    return xenabi::errc::enospc;
  }
  xenabi::result<void> end_grant(xenabi::grant_ref r) {
    auto& e = grants.at(r.value());
    if (!e.live) return xenabi::errc::einval;
    if (e.busy) return xenabi::errc::ebusy;
    e.live = false;
    return {};
  }
  xenabi::gfn frame_of(const void* p) const { return xenabi::gfn{reinterpret_cast<std::uintptr_t>(p) >> 12}; }
  void notify() { ++notifies; }
  [[nodiscard]] std::size_t live() const {
    std::size_t n = 0;
    for (auto& e : grants) n += e.live ? 1u : 0u;
    return n;
  }
};

using front_t = xenabi::blkfront<fake_env, 64, 256>;

struct rig {
  fake_env env;
  front_t::page* pages = new front_t::page[1 + front_t::indirect_pages + 64];
  std::unique_ptr<front_t> f = std::make_unique<front_t>(env, pages[0], pages + 1);
  xenabi::back_ring<xenabi::blkif_ring> back;
  std::vector<std::pair<u64, std::int16_t>> done;
  ~rig() { delete[] pages; }
  unsigned char* data(std::size_t i) { return pages[1 + front_t::indirect_pages + i].bytes; }
  void attach(xenabi::blkfront_features ft) {
    REQUIRE(f->attach(xenabi::domain_id{7}, ft));
    back = xenabi::back_ring<xenabi::blkif_ring>::attach(
        *reinterpret_cast<xenabi::blkif_ring::shared_ring*>(pages[0].bytes), 0);
  }
  std::vector<abi::blkif_request> take() {
    std::vector<abi::blkif_request> v;
    REQUIRE(back.consume_requests([&](const abi::blkif_request& r) { v.push_back(r); }));
    return v;
  }
  void answer(u64 id, std::uint8_t op, std::int16_t st) {
    abi::blkif_response r{};
    r.id = id;
    r.operation = op;
    r.status = st;
    back.produce_response(r);
    (void)back.push_responses();
  }
  u32 poll() {
    auto n = f->poll([&](u64 c, std::int16_t s) { done.emplace_back(c, s); });
    REQUIRE(n);
    return n.value();
  }
};

xenabi::blkfront_features all_features(bool persistent) {
  xenabi::blkfront_features ft;
  ft.sectors = 1 << 20;
  ft.barrier = ft.flush = ft.discard = true;
  ft.persistent = persistent;
  ft.max_indirect_segments = 64;
  return ft;
}

}  // namespace

TEST_CASE("blkfront: direct request segments and per-request grants ended on completion") {
  rig r;
  r.attach(all_features(false));
  const auto after_attach = r.env.live();
  REQUIRE(after_attach == 1);  // the ring; indirect pages are granted when first used
  unsigned char* buf = r.data(0) + 1024;  // 3 KiB of page 0, page 1, then 1 KiB of page 2
  REQUIRE(r.f->write(100, buf, 3072 + 4096 + 1024, 42));
  REQUIRE(r.env.notifies == 0);
  r.f->publish();
  REQUIRE(r.env.notifies == 1);
  auto reqs = r.take();
  REQUIRE(reqs.size() == 1);
  const auto& q = reqs[0];
  REQUIRE(q.operation == static_cast<std::uint8_t>(abi::BLKIF_OP::WRITE));
  REQUIRE(q.sector_number == 100);
  REQUIRE(q.nr_segments == 3);
  REQUIRE(q.seg[0].first_sect == 2);
  REQUIRE(q.seg[0].last_sect == 7);
  REQUIRE(q.seg[1].first_sect == 0);
  REQUIRE(q.seg[1].last_sect == 7);
  REQUIRE(q.seg[2].first_sect == 0);
  REQUIRE(q.seg[2].last_sect == 1);
  for (int i = 0; i < 3; ++i) {
    const auto& g = r.env.grants[q.seg[i].gref];
    REQUIRE(g.live);
    REQUIRE(g.ro);  // a disk write only needs read access
    REQUIRE(g.frame == (reinterpret_cast<std::uintptr_t>(r.data(0)) >> 12) + static_cast<u64>(i));
  }
  REQUIRE(r.env.live() == after_attach + 3);
  r.answer(q.id, q.operation, 0);
  REQUIRE(r.poll() == 1);
  REQUIRE(r.done == std::vector<std::pair<u64, std::int16_t>>{{42, 0}});
  REQUIRE(r.env.live() == after_attach);
  // A read grants writable pages.
  REQUIRE(r.f->read(0, r.data(3), 4096, 43));
  r.f->publish();
  reqs = r.take();
  REQUIRE_FALSE(r.env.grants[reqs[0].seg[0].gref].ro);
}

TEST_CASE("blkfront: forged and stale responses are ignored - a request completes once") {
  rig r;
  r.attach(all_features(false));
  for (u64 i = 0; i < 3; ++i) REQUIRE(r.f->read(i * 8, r.data(i), 4096, i));
  r.f->publish();
  auto qs = r.take();
  REQUIRE(qs.size() == 3);
  r.answer(qs[0].id ^ (u64{1} << 20), qs[0].operation, 0);  // wrong generation
  r.answer(200, qs[0].operation, 0);                        // slot out of range
  r.answer(qs[0].id, qs[0].operation, 0);                   // the real answer
  REQUIRE(r.poll() == 1);
  REQUIRE(r.f->stats().bogus_responses == 2);
  REQUIRE(r.f->outstanding() == 2);
  REQUIRE(r.done == std::vector<std::pair<u64, std::int16_t>>{{0, 0}});
}

TEST_CASE("blkfront: duplicate answer to a completed slot is ignored") {
  rig r;
  r.attach(all_features(false));
  REQUIRE(r.f->read(0, r.data(0), 4096, 1));
  REQUIRE(r.f->read(8, r.data(1), 4096, 2));
  r.f->publish();
  auto qs = r.take();
  REQUIRE(qs.size() == 2);
  r.answer(qs[0].id, qs[0].operation, 0);
  r.answer(qs[0].id, qs[0].operation, 0);  // the same id again, in place of the second answer
  REQUIRE(r.poll() == 1);
  REQUIRE(r.f->stats().bogus_responses == 1);
  REQUIRE(r.done.size() == 1);
  REQUIRE(r.f->outstanding() == 1);
}

TEST_CASE("blkfront: indirect requests, persistent grants and unchanged indirect pages") {
  rig r;
  r.attach(all_features(true));
  // 40 pages: beyond 11 segments, so indirect.
  REQUIRE(r.f->write(0, r.data(0), 40 * 4096, 1));
  r.f->publish();
  auto q = r.take().at(0);
  REQUIRE(q.operation == static_cast<std::uint8_t>(abi::BLKIF_OP::INDIRECT));
  abi::blkif_request_indirect ind;
  std::memcpy(&ind, &q, sizeof ind);
  REQUIRE(ind.indirect_op == static_cast<std::uint8_t>(abi::BLKIF_OP::WRITE));
  REQUIRE(ind.nr_segments == 40);
  const auto& ig = r.env.grants.at(ind.indirect_grefs[0]);
  REQUIRE(ig.live);
  REQUIRE(ig.ro);  // the back end only reads the segment list
  auto* segs = reinterpret_cast<const abi::blkif_request_segment*>(reinterpret_cast<const unsigned char*>(ig.frame << 12));
  for (u32 i = 0; i < 40; ++i) {
    const auto& g = r.env.grants.at(segs[i].gref);
    REQUIRE(g.frame == (reinterpret_cast<std::uintptr_t>(r.data(i)) >> 12));
    REQUIRE_FALSE(g.ro);  // persistent grants serve reads and writes
    REQUIRE(segs[i].first_sect == 0);
    REQUIRE(segs[i].last_sect == 7);
  }
  const auto live = r.env.live();
  r.answer(q.id, static_cast<std::uint8_t>(abi::BLKIF_OP::WRITE), 0);
  REQUIRE(r.poll() == 1);
  REQUIRE(r.env.live() == live);  // persistent: kept
  // Same buffer again: no new grant, the indirect page is not rewritten.
  REQUIRE(r.f->read(0, r.data(0), 40 * 4096, 2));
  r.f->publish();
  q = r.take().at(0);
  REQUIRE(r.env.live() == live);
  REQUIRE(r.f->stats().indirect_reused == 1);
  r.answer(q.id, static_cast<std::uint8_t>(abi::BLKIF_OP::READ), 0);
  REQUIRE(r.poll() == 1);
  // Too many segments for the back end's indirect limit.
  REQUIRE(r.f->read(0, r.data(0), 65 * 4096, 3).error() == xenabi::errc::e2big);
  // Detach ends them all.
  REQUIRE(r.f->detach());
  REQUIRE(r.env.live() == 0);
}

TEST_CASE("blkfront: discard, flush, barrier encoding - refused features - full ring") {
  rig r;
  auto ft = all_features(false);
  r.attach(ft);
  REQUIRE(r.f->discard(1000, 24, 1));
  REQUIRE(r.f->flush(2));
  REQUIRE(r.f->barrier_write(5, nullptr, 0, 3));
  r.f->publish();
  auto qs = r.take();
  REQUIRE(qs.size() == 3);
  abi::blkif_request_discard d;
  std::memcpy(&d, &qs[0], sizeof d);
  REQUIRE(d.operation == static_cast<std::uint8_t>(abi::BLKIF_OP::DISCARD));
  REQUIRE(d.sector_number == 1000);
  REQUIRE(d.nr_sectors == 24);
  REQUIRE(qs[1].operation == static_cast<std::uint8_t>(abi::BLKIF_OP::FLUSH_DISKCACHE));
  REQUIRE(qs[1].nr_segments == 0);
  REQUIRE(qs[2].operation == static_cast<std::uint8_t>(abi::BLKIF_OP::WRITE_BARRIER));
  for (auto& q : qs) r.answer(q.id, q.operation, 0);
  REQUIRE(r.poll() == 3);
  // Fill the ring: the 33rd request waits.
  for (u64 i = 0; i < front_t::slots; ++i) REQUIRE(r.f->read(i * 8, r.data(0), 4096, 100 + i));
  REQUIRE_FALSE(r.f->can_submit());
  REQUIRE(r.f->read(0, r.data(0), 4096, 999).error() == xenabi::errc::eagain);
  REQUIRE(r.f->detach());
  REQUIRE(r.f->read(0, r.data(0), 4096, 999).error() == xenabi::errc::enotconn);

  rig r2;
  ft.barrier = ft.flush = ft.discard = false;
  ft.max_indirect_segments = 0;
  r2.attach(ft);
  REQUIRE(r2.f->flush(1).error() == xenabi::errc::eopnotsupp);
  REQUIRE(r2.f->barrier_write(0, nullptr, 0, 1).error() == xenabi::errc::eopnotsupp);
  REQUIRE(r2.f->discard(0, 1, 1).error() == xenabi::errc::eopnotsupp);
  REQUIRE(r2.f->write(0, r2.data(0), 12 * 4096, 1).error() == xenabi::errc::e2big);
  REQUIRE(r2.f->max_request_bytes() == 11 * 4096);
}

TEST_CASE("blkfront: poll's wake_after asks for one notification per batch of responses") {
  rig r;
  r.attach(all_features(true));
  for (u64 i = 0; i < 8; ++i) REQUIRE(r.f->read(i * 8, r.data(i), 4096, i));
  r.f->publish();
  auto& shared = *reinterpret_cast<xenabi::blkif_ring::shared_ring*>(r.pages[0].bytes);
  REQUIRE(r.poll() == 0);
  REQUIRE(shared.rsp_event == 1);  // the default: the next response
  auto n = r.f->poll([](u64, std::int16_t) {}, 5);
  REQUIRE(n);
  REQUIRE(n.value() == 0);
  REQUIRE(shared.rsp_event == 5);  // the 5th response from rsp_cons 0
  auto reqs = r.take();
  REQUIRE(reqs.size() == 8);
  for (std::size_t i = 0; i < 5; ++i) {
    abi::blkif_response rsp{};
    rsp.id = reqs[i].id;
    rsp.operation = reqs[i].operation;
    r.back.produce_response(rsp);
    REQUIRE(r.back.push_responses() == (i == 4));  // only the 5th notifies
  }
  n = r.f->poll([&](u64 c, std::int16_t s) { r.done.emplace_back(c, s); }, 100);
  REQUIRE(n);
  REQUIRE(n.value() == 5);
  REQUIRE(shared.rsp_event == 5 + 3);  // clamped to the 3 requests still on the ring
  n = r.f->poll([](u64, std::int16_t) {}, 0);
  REQUIRE(shared.rsp_event == 5 + 1);  // at least the next one
  // A response already there is consumed, never slept on.
  abi::blkif_response rsp{};
  rsp.id = reqs[5].id;
  rsp.operation = reqs[5].operation;
  r.back.produce_response(rsp);
  (void)r.back.push_responses();
  n = r.f->poll([&](u64 c, std::int16_t s) { r.done.emplace_back(c, s); }, 2);
  REQUIRE(n.value() == 1);
  REQUIRE(r.done.size() == 6);
}

TEST_CASE("blkfront: reconnect re-issues unanswered requests in order on a fresh ring - busy grants reported") {
  rig r;
  r.attach(all_features(false));
  for (u64 i = 0; i < 5; ++i) REQUIRE(r.f->write(i * 8, r.data(i), 4096, i));
  r.f->publish();
  auto qs = r.take();
  REQUIRE(qs.size() == 5);
  r.answer(qs[1].id, qs[1].operation, 0);  // answered before the back end died
  // The dead back end still maps request 3's page: its grant cannot be ended.
  r.env.grants[qs[3].seg[0].gref].busy = true;
  REQUIRE(r.f->detach([&](u64 c, std::int16_t s) { r.done.emplace_back(c, s); }).error() == xenabi::errc::ebusy);
  REQUIRE(r.f->stats().busy_grants == 1);
  REQUIRE(r.done == std::vector<std::pair<u64, std::int16_t>>{{1, 0}});
  REQUIRE(r.f->outstanding() == 4);
  r.env.grants[qs[3].seg[0].gref].busy = false;
  r.attach(all_features(false));
  auto again = r.take();
  REQUIRE(again.size() == 4);
  const u64 expect_sector[] = {0, 16, 24, 32};
  for (std::size_t i = 0; i < 4; ++i) REQUIRE(again[i].sector_number == expect_sector[i]);
  REQUIRE(r.f->stats().reissued == 4);
  for (auto& q : again) r.answer(q.id, q.operation, 0);
  REQUIRE(r.poll() == 4);
  REQUIRE(r.done.size() == 5);
  REQUIRE(r.f->outstanding() == 0);
}

// ---- blkfront_device: the front end's xenbus handshake over a fake store ------------------
#include <map>
#include <string>

#include <xenabi/blkfront_xenbus.hpp>

namespace {

struct map_store {
  std::map<std::string, std::string> kv;
  std::vector<std::string> watches;
  int transactions = 0;
  xenabi::result<std::size_t> read(xenabi::xs_str p, char* buf, std::size_t cap, u32 = 0) {
    auto it = kv.find(std::string(p.data, p.size));
    if (it == kv.end()) return xenabi::errc::enoent;
    if (it->second.size() > cap) return xenabi::errc::enobufs;
    std::memcpy(buf, it->second.data(), it->second.size());
    return it->second.size();
  }
  xenabi::result<void> write(xenabi::xs_str p, xenabi::xs_str v, u32 = 0) {
    kv[std::string(p.data, p.size)] = std::string(v.data, v.size);
    return {};
  }
  xenabi::result<void> rm(xenabi::xs_str p, u32 = 0) {
    return kv.erase(std::string(p.data, p.size)) != 0 ? xenabi::result<void>{} : xenabi::errc::enoent;
  }
  xenabi::result<void> watch(xenabi::xs_str p, xenabi::xs_str) {
    watches.emplace_back(p.data, p.size);
    return {};
  }
  template <class F>
  xenabi::result<void> transact(F&& body) {
    ++transactions;
    return body(u32{1});
  }
};
struct fake_kernel {
  u32 next = 10;
  std::vector<u32> closed;
  xenabi::result<xenabi::port> alloc_unbound(xenabi::domain_id) { return xenabi::port{next++}; }
  void close(xenabi::port p) { closed.push_back(p.value()); }
};

}  // namespace

TEST_CASE("blkfront_device: handshake, reconnect to a restarted back end, close") {
  rig r;
  map_store xs;
  fake_kernel k;
  const std::string be = "/local/domain/7/backend/vbd/0/51712";
  xs.kv["device/vbd/51712/backend"] = be;
  xs.kv["device/vbd/51712/backend-id"] = "7";
  xs.kv[be + "/sectors"] = "2048";
  xs.kv[be + "/info"] = "0";
  xs.kv[be + "/feature-barrier"] = "1";
  xs.kv[be + "/feature-flush-cache"] = "1";
  xs.kv[be + "/feature-persistent"] = "1";
  xs.kv[be + "/feature-max-indirect-segments"] = "32";
  xs.kv[be + "/state"] = "1";
  xenabi::blkfront_device<map_store, fake_kernel, front_t> dev(xs, k, *r.f, 51712);
  REQUIRE(dev.start("be"));
  REQUIRE(xs.watches == std::vector<std::string>{be + "/state"});
  REQUIRE(dev.bus().backend_id() == 7);
  auto noop = [](u64, std::int16_t) {};
  REQUIRE(dev.step(noop));  // Initialising: nothing yet
  REQUIRE_FALSE(r.f->attached());
  xs.kv[be + "/state"] = "2";  // InitWait
  REQUIRE(dev.step(noop));
  REQUIRE(r.f->attached());
  REQUIRE(xs.kv["device/vbd/51712/state"] == "3");
  REQUIRE(xs.kv["device/vbd/51712/event-channel"] == "10");
  REQUIRE(xs.kv["device/vbd/51712/ring-ref"] == std::to_string(r.f->ring_ref().value()));
  REQUIRE(xs.kv["device/vbd/51712/protocol"] == "x86_64-abi");
  REQUIRE(xs.kv["device/vbd/51712/feature-persistent"] == "1");
  REQUIRE(xs.transactions == 1);
  REQUIRE(r.f->features().sectors == 2048);
  REQUIRE(r.f->features().max_indirect_segments == 32);
  REQUIRE(r.f->features().barrier);
  REQUIRE_FALSE(r.f->features().discard);
  xs.kv[be + "/state"] = "4";
  REQUIRE(dev.step(noop));
  REQUIRE(dev.connected());
  REQUIRE(xs.kv["device/vbd/51712/state"] == "4");
  // A request in flight, then the back end restarts (InitWait again): fresh channel, re-issue.
  r.back = xenabi::back_ring<xenabi::blkif_ring>::attach(
      *reinterpret_cast<xenabi::blkif_ring::shared_ring*>(r.pages[0].bytes), 0);
  REQUIRE(r.f->write(0, r.data(0), 4096, 77));
  r.f->publish();
  xs.kv[be + "/state"] = "2";
  REQUIRE(dev.step(noop));
  REQUIRE_FALSE(dev.connected());
  REQUIRE(k.closed == std::vector<u32>{10});
  REQUIRE(xs.kv["device/vbd/51712/event-channel"] == "11");
  REQUIRE(xs.kv["device/vbd/51712/state"] == "3");
  REQUIRE(r.f->stats().reissued == 1);
  xs.kv[be + "/state"] = "4";
  REQUIRE(dev.step(noop));
  REQUIRE(dev.connections() == 2);
  // The back end closes: the front end detaches and follows.
  xs.kv[be + "/state"] = "5";
  REQUIRE(dev.step(noop));
  REQUIRE_FALSE(r.f->attached());
  REQUIRE(xs.kv["device/vbd/51712/state"] == "5");
  // A missing backend-id fails start().
  map_store empty;
  xenabi::blkfront_device<map_store, fake_kernel, front_t> bad(empty, k, *r.f, 1);
  REQUIRE(bad.start("x").error() == xenabi::errc::enoent);
}
