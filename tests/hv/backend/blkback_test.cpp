// blkback on the sim platform: data paths (direct, indirect, persistent grants), barrier and
// flush ordering, discard, hostile requests, a corrupt ring, and kill.
#include <algorithm>
#include <mutex>
#include <vector>

#include "blk_fixture.hpp"
#include "xenabi_test.hpp"

using namespace blktest;
using hv::blk::bif::op;
using hv::blk::bif::rsp;

namespace {

constexpr std::int16_t OK = static_cast<std::int16_t>(rsp::OKAY);
constexpr std::int16_t ERR = static_cast<std::int16_t>(rsp::ERROR);
constexpr std::int16_t NOTSUP = static_cast<std::int16_t>(rsp::eopnotsupp);

void fill(std::byte* p, std::uint8_t seed) {
  for (std::size_t i = 0; i < 4096; ++i) p[i] = static_cast<std::byte>((i * 7 + seed) & 0xff);
}
bool same(const std::byte* a, const std::byte* b) { return std::memcmp(a, b, 4096) == 0; }

abi::blkif_x86_64_request_indirect indirect(abi::BLKIF_OP inner, std::uint64_t id, std::uint64_t sector,
                                            std::uint16_t nsegs, std::uint32_t first_ind_ref) {
  abi::blkif_x86_64_request_indirect r{};
  r.operation = static_cast<std::uint8_t>(op::INDIRECT);
  r.indirect_op = static_cast<std::uint8_t>(inner);
  r.nr_segments = nsegs;
  r.id = id;
  r.sector_number = sector;
  for (std::uint32_t i = 0; i < 8; ++i) r.indirect_grefs[i] = first_ind_ref + i;
  return r;
}

}  // namespace

TEST_CASE("blkback: direct WRITE then READ through grants reaches the image and comes back") {
  temp_image img(1 << 20);
  hv::blk::disk d(img.path, false);
  fixture f;
  f.grant_data(22);
  f.connect(d);
  for (std::uint32_t i = 0; i < 11; ++i) fill(f.page(fixture::gfn_of(16 + i)), static_cast<std::uint8_t>(i));
  REQUIRE(f.run(rw(abi::BLKIF_OP::WRITE, 1, 8, 16, 11)) == OK);
  // The host sees the bytes at sector 8.
  auto host = img.bytes(8 * 512, 4096);
  REQUIRE(std::memcmp(host.data(), f.page(fixture::gfn_of(16)), 4096) == 0);
  REQUIRE(f.run(rw(abi::BLKIF_OP::READ, 2, 8, 27, 11)) == OK);
  for (std::uint32_t i = 0; i < 11; ++i) REQUIRE(same(f.page(fixture::gfn_of(16 + i)), f.page(fixture::gfn_of(27 + i))));
  // Sub-page segments: sectors 2..3 of one page land at disk sector 100.
  request r = rw(abi::BLKIF_OP::WRITE, 3, 100, 16, 1);
  r.seg[0].first_sect = 2;
  r.seg[0].last_sect = 3;
  REQUIRE(f.run(r) == OK);
  auto part = img.bytes(100 * 512, 1024);
  REQUIRE(std::memcmp(part.data(), f.page(fixture::gfn_of(16)) + 1024, 1024) == 0);
  // The response echoes id and operation.
  f.submit(rw(abi::BLKIF_OP::READ, 0xabcdef, 0, 16, 1));
  auto rs = f.wait(1);
  REQUIRE(rs[0].id == 0xabcdef);
  REQUIRE(rs[0].operation == static_cast<std::uint8_t>(op::READ));
}

TEST_CASE("blkback: indirect requests of 256 segments and persistent grants mapped once") {
  temp_image img(4 << 20);
  hv::blk::disk d(img.path, false);
  fixture f;
  // 256 data pages at refs 16..271; indirect page at ref 300 (one page: 512 segments fit).
  f.grant_data(256);
  const std::uint64_t ind_gfn = 0x380;
  f.grant(300, ind_gfn);
  f.connect(d);
  auto* segs = reinterpret_cast<segment*>(f.page(ind_gfn));
  for (std::uint32_t i = 0; i < 256; ++i) {
    segs[i] = segment{16 + i, 0, 7, {}};
    fill(f.page(fixture::gfn_of(16 + i)), static_cast<std::uint8_t>(i * 3));
  }
  std::vector<std::byte> expect(1 << 20);
  for (std::uint32_t i = 0; i < 256; ++i) std::memcpy(expect.data() + i * 4096, f.page(fixture::gfn_of(16 + i)), 4096);
  REQUIRE(f.run_as(indirect(abi::BLKIF_OP::WRITE, 1, 2048, 256, 300)) == OK);
  REQUIRE(std::memcmp(img.bytes(2048 * 512, 1 << 20).data(), expect.data(), 1 << 20) == 0);
  const auto maps_after_first = f.back->grants().maps();
  REQUIRE(maps_after_first == 257);  // 256 data pages + the indirect page, each once
  for (std::uint32_t i = 0; i < 256; ++i) std::memset(f.page(fixture::gfn_of(16 + i)), 0, 4096);
  f.submit_as(indirect(abi::BLKIF_OP::READ, 2, 2048, 256, 300));
  auto rs = f.wait(1);
  REQUIRE(rs[0].status == OK);
  REQUIRE(rs[0].operation == static_cast<std::uint8_t>(op::READ));  // the indirect operation
  for (std::uint32_t i = 0; i < 256; ++i)
    REQUIRE(std::memcmp(f.page(fixture::gfn_of(16 + i)), expect.data() + i * 4096, 4096) == 0);
  REQUIRE(f.back->grants().maps() == maps_after_first);  // nothing mapped again
  REQUIRE(f.back->grants().persistent_count() == 257);
  // While persistently mapped, the guest sees GTF_reading|GTF_writing (it must not revoke).
  REQUIRE((f.grant_flags(16) & (abi::GTF::reading | abi::GTF::writing)) != 0);
  f.back->kill();
  REQUIRE((f.grant_flags(16) & (abi::GTF::reading | abi::GTF::writing)) == 0);
  REQUIRE((f.grant_flags(ring_ref) & (abi::GTF::reading | abi::GTF::writing)) == 0);
}

TEST_CASE("blkback: without feature-persistent every request maps and unmaps its grants") {
  temp_image img(1 << 20);
  hv::blk::disk d(img.path, false);
  fixture f;
  f.grant_data(4);
  f.connect(d, {}, /*persistent=*/false);
  REQUIRE(f.run(rw(abi::BLKIF_OP::WRITE, 1, 0, 16, 4)) == OK);
  REQUIRE(f.run(rw(abi::BLKIF_OP::READ, 2, 0, 16, 4)) == OK);
  REQUIRE(f.back->grants().maps() == 8);
  REQUIRE(f.back->grants().persistent_count() == 0);
  REQUIRE((f.grant_flags(16) & (abi::GTF::reading | abi::GTF::writing)) == 0);
}

TEST_CASE("blkback: barrier - every earlier request completes before it starts, nothing later starts before it ends") {
  temp_image img(4 << 20);
  hv::blk::disk d(img.path, false);
  fixture f;
  f.grant_data(32);
  std::mutex mu;
  std::vector<std::pair<std::uint64_t, bool>> log;
  hv::blk::config c;
  c.workers = 3;
  c.observer = [&](const request& r, bool started) {
    std::lock_guard lock(mu);
    log.emplace_back(r.id, started);
  };
  f.connect(d, c);
  // 8 writes, a barrier (id 100) with data, 8 more writes, a flush (id 200), 4 reads.
  std::vector<request> batch;
  for (std::uint64_t i = 0; i < 8; ++i) batch.push_back(rw(abi::BLKIF_OP::WRITE, i, i * 8, 16 + static_cast<std::uint32_t>(i), 1));
  batch.push_back(rw(abi::BLKIF_OP::WRITE_BARRIER, 100, 512, 24, 1));
  for (std::uint64_t i = 0; i < 8; ++i) batch.push_back(rw(abi::BLKIF_OP::WRITE, 10 + i, 64 + i * 8, 25, 1));
  request flush{};
  flush.operation = static_cast<std::uint8_t>(op::FLUSH_DISKCACHE);
  flush.id = 200;
  batch.push_back(flush);
  for (std::uint64_t i = 0; i < 4; ++i) batch.push_back(rw(abi::BLKIF_OP::READ, 300 + i, i * 8, 26 + static_cast<std::uint32_t>(i), 1));
  for (auto& r : batch) REQUIRE(f.front.produce_request(r));
  (void)f.front.push_requests();
  f.back->kick();
  auto rs = f.wait(batch.size());
  for (auto& r : rs) REQUIRE(r.status == OK);
  REQUIRE(rs.size() == batch.size());
  std::lock_guard lock(mu);
  REQUIRE(log.size() == 2 * batch.size());
  auto pos = [&](std::uint64_t id, bool started) {
    return std::find(log.begin(), log.end(), std::make_pair(id, started)) - log.begin();
  };
  for (std::uint64_t i = 0; i < 8; ++i) {
    REQUIRE(pos(i, false) < pos(100, true));
    REQUIRE(pos(10 + i, true) > pos(100, false));
    REQUIRE(pos(10 + i, false) < pos(200, true));
  }
  for (std::uint64_t i = 0; i < 4; ++i) REQUIRE(pos(300 + i, true) > pos(200, false));
  // Reads after the barrier see the writes before it.
  for (std::uint32_t i = 0; i < 4; ++i) REQUIRE(same(f.page(fixture::gfn_of(16 + i)), f.page(fixture::gfn_of(26 + i))));
}

TEST_CASE("blkback: discard zeroes the range - flush - features off give EOPNOTSUPP") {
  temp_image img(1 << 20);
  hv::blk::disk d(img.path, false);
  fixture f;
  f.grant_data(2);
  hv::blk::config c;
  c.offer.barrier = false;
  c.offer.max_indirect_segments = 0;
  f.connect(d, c);
  fill(f.page(fixture::gfn_of(16)), 9);
  REQUIRE(f.run(rw(abi::BLKIF_OP::WRITE, 1, 16, 16, 1)) == OK);
  abi::blkif_x86_64_request_discard dr{};
  dr.operation = static_cast<std::uint8_t>(op::DISCARD);
  dr.id = 2;
  dr.sector_number = 16;
  dr.nr_sectors = 8;
  REQUIRE(f.run_as(dr) == OK);
  auto z = img.bytes(16 * 512, 4096);
  REQUIRE(std::all_of(z.begin(), z.end(), [](std::uint8_t b) { return b == 0; }));
  dr.nr_sectors = 1ull << 40;  // beyond the disk
  REQUIRE(f.run_as(dr) == ERR);
  dr.nr_sectors = 1;
  dr.flag = abi::BLKIF::DISCARD_SECURE;  // not offered
  REQUIRE(f.run_as(dr) == NOTSUP);
  dr.flag = 0x80;
  REQUIRE(f.run_as(dr) == ERR);
  request flush{};
  flush.operation = static_cast<std::uint8_t>(op::FLUSH_DISKCACHE);
  REQUIRE(f.run(flush) == OK);
  REQUIRE(f.run(rw(abi::BLKIF_OP::WRITE_BARRIER, 3, 0, 16, 1)) == NOTSUP);
  REQUIRE(f.run_as(indirect(abi::BLKIF_OP::READ, 4, 0, 1, 17)) == NOTSUP);
}

TEST_CASE("blkback: hostile requests get error responses and the back end keeps serving") {
  temp_image img(64 * 512);  // 64 sectors
  hv::blk::disk d(img.path, false);
  fixture f;
  f.grant_data(12);
  f.grant(40, fixture::gfn_of(40), /*ro=*/true);  // read-only grant
  f.grant(41, fixture::gfn_of(41), false, 55);    // granted to another domain
  f.grant(42, 0x7fffff);                          // frame outside the guest's RAM
  f.grant(43, 0x390);                             // an indirect page with hostile segments
  f.connect(d);
  REQUIRE(f.run(rw(abi::BLKIF_OP::READ, 1, 0, 16, 0)) == ERR);   // no segment
  REQUIRE(f.run(rw(abi::BLKIF_OP::READ, 1, 0, 16, 12)) == ERR);  // 12 > 11 segments
  request r = rw(abi::BLKIF_OP::READ, 1, 0, 16, 1);
  r.seg[0].first_sect = 5;
  r.seg[0].last_sect = 4;
  REQUIRE(f.run(r) == ERR);  // first > last
  r.seg[0].first_sect = 0;
  r.seg[0].last_sect = 8;
  REQUIRE(f.run(r) == ERR);  // beyond the page
  REQUIRE(f.run(rw(abi::BLKIF_OP::READ, 1, 60, 16, 1)) == ERR);           // sectors 60..67 of 64
  REQUIRE(f.run(rw(abi::BLKIF_OP::READ, 1, ~0ull - 3, 16, 1)) == ERR);    // wraps around
  REQUIRE(f.run(rw(abi::BLKIF_OP::READ, 1, 0, 5000, 1)) == ERR);          // ref beyond the table
  REQUIRE(f.run(rw(abi::BLKIF_OP::READ, 1, 0, 200, 1)) == ERR);           // empty entry
  REQUIRE(f.run(rw(abi::BLKIF_OP::READ, 1, 0, 40, 1)) == ERR);            // disk read into a read-only grant
  REQUIRE(f.run(rw(abi::BLKIF_OP::WRITE, 1, 0, 40, 1)) == OK);            // ... a disk write from it is fine
  REQUIRE(f.run(rw(abi::BLKIF_OP::WRITE, 1, 0, 41, 1)) == ERR);           // not granted to us
  REQUIRE(f.run(rw(abi::BLKIF_OP::WRITE, 1, 0, 42, 1)) == ERR);           // frame outside RAM
  r = rw(abi::BLKIF_OP::READ, 1, 0, 16, 1);
  r.operation = 4;  // RESERVED_1
  REQUIRE(f.run(r) == NOTSUP);
  r.operation = 200;
  REQUIRE(f.run(r) == NOTSUP);
  // Indirect: too many segments, bad inner op, bad indirect page ref, hostile segments inside.
  REQUIRE(f.run_as(indirect(abi::BLKIF_OP::READ, 1, 0, 257, 43)) == ERR);
  REQUIRE(f.run_as(indirect(abi::BLKIF_OP::READ, 1, 0, 0, 43)) == ERR);
  REQUIRE(f.run_as(indirect(abi::BLKIF_OP::DISCARD, 1, 0, 1, 43)) == ERR);
  REQUIRE(f.run_as(indirect(abi::BLKIF_OP::READ, 1, 0, 1, 5000)) == ERR);
  auto* segs = reinterpret_cast<segment*>(f.page(0x390));
  segs[0] = segment{16, 0, 7, {}};
  segs[1] = segment{9999, 0, 7, {}};
  REQUIRE(f.run_as(indirect(abi::BLKIF_OP::READ, 1, 0, 2, 43)) == ERR);
  segs[1] = segment{17, 3, 9, {}};
  REQUIRE(f.run_as(indirect(abi::BLKIF_OP::READ, 1, 0, 2, 43)) == ERR);
  segs[1] = segment{17, 0, 7, {}};
  REQUIRE(f.run_as(indirect(abi::BLKIF_OP::READ, 1, 0, 2, 43)) == OK);
  // Still serving, and nothing was written where it must not be.
  REQUIRE(f.run(rw(abi::BLKIF_OP::WRITE, 2, 0, 16, 8)) == OK);  // the whole 64-sector disk
  REQUIRE_FALSE(f.back->broken());
}

TEST_CASE("blkback: a read-only disk refuses writes - barriers with data - discard") {
  temp_image img(1 << 20);
  hv::blk::disk d(img.path, true);
  fixture f;
  f.grant_data(1);
  f.connect(d);
  REQUIRE(f.run(rw(abi::BLKIF_OP::READ, 1, 0, 16, 1)) == OK);
  REQUIRE(f.run(rw(abi::BLKIF_OP::WRITE, 1, 0, 16, 1)) == ERR);
  REQUIRE(f.run(rw(abi::BLKIF_OP::WRITE_BARRIER, 1, 0, 16, 1)) == ERR);
  abi::blkif_x86_64_request_discard dr{};
  dr.operation = static_cast<std::uint8_t>(op::DISCARD);
  dr.nr_sectors = 1;
  REQUIRE(f.run_as(dr) == NOTSUP);
  REQUIRE_FALSE(f.back->offered().discard);
}

TEST_CASE("blkback: a producer index beyond the ring breaks the connection without serving") {
  temp_image img(1 << 20);
  hv::blk::disk d(img.path, false);
  fixture f;
  f.grant_data(1);
  f.connect(d);
  REQUIRE(f.run(rw(abi::BLKIF_OP::READ, 1, 0, 16, 1)) == OK);
  auto* s = f.front.shared();
  __atomic_store_n(&s->req_prod, s->req_prod + 1000, __ATOMIC_SEQ_CST);
  f.back->kick();
  for (int i = 0; i < 2000 && !f.back->broken(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(f.back->broken());
  REQUIRE(f.back->stats().requests.load() == 1);
}

TEST_CASE("blkback: a ring grant that cannot be mapped refuses the connection") {
  temp_image img(1 << 20);
  hv::blk::disk d(img.path, false);
  fixture f;
  f.grant(ring_ref, ring_gfn, /*ro=*/true);
  hv::blk::blkback::params p{fe_id, {ring_ref}, true, {}};
  xenabi::errc why = xenabi::errc::eio;
  REQUIRE(hv::blk::blkback::connect(f.be, d, {}, p, &why) == nullptr);
  REQUIRE(why == xenabi::errc::eacces);
  p.ring_refs = {4000};
  REQUIRE(hv::blk::blkback::connect(f.be, d, {}, p) == nullptr);
  std::lock_guard lock(f.be.mu);
  for (auto& m : f.be.maptrack) REQUIRE_FALSE(m.in_use);
}

TEST_CASE("blkback: kill leaves in-flight requests unanswered and drops every mapping") {
  temp_image img(8 << 20);
  hv::blk::disk d(img.path, false);
  fixture f;
  f.grant_data(11);
  std::mutex mu;
  std::condition_variable cv;
  bool hold = true, entered = false;
  hv::blk::config c;
  c.workers = 1;
  c.observer = [&](const request& r, bool started) {
    if (!started || r.id != 7) return;
    std::unique_lock lock(mu);
    entered = true;
    cv.notify_all();
    cv.wait(lock, [&] { return !hold; });
  };
  f.connect(d, c);
  f.submit(rw(abi::BLKIF_OP::WRITE, 7, 0, 16, 11));
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return entered; });
  }
  std::thread killer([&] { f.back->kill(); });
  while (!f.back->killed()) std::this_thread::yield();
  {
    std::lock_guard lock(mu);
    hold = false;
  }
  cv.notify_all();
  killer.join();
  auto n = f.front.unconsumed_responses();
  REQUIRE(n);
  REQUIRE(n.value() == 0);  // never answered
  std::lock_guard lock(f.be.mu);
  for (auto& m : f.be.maptrack) REQUIRE_FALSE(m.in_use);
}
