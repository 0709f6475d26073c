// xenabi::blkfront against hv::blk::blkback on the sim platform: data round trips (direct,
// indirect, persistent or not), barriers, flushes, discards, and a back end killed mid-I/O and
// restarted, with the front end re-issuing what was in flight.
#include <algorithm>
#include <set>

#include "blk_pair.hpp"
#include "xenabi_test.hpp"

using namespace blktest;

namespace {

void pattern(std::byte* p, std::size_t n, std::uint32_t seed) {
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::byte>((i / 512 * 31 + i + seed * 7) & 0xff);
}

}  // namespace

// Each data test runs with the x86_64 and the i386 ring layout ("protocol"), on a one-page ring
// and on a four-page ring ("ring-page-order" 2).
#define BLK_FRONT_TYPES front_type, front32_type, front_order2_type, front32_order2_type

TEMPLATE_TEST_CASE("blkfront+blkback: 1 MiB indirect writes and reads with persistent grants reuse everything", "",
                   BLK_FRONT_TYPES) {
  temp_image img(8 << 20);
  hv::blk::disk d(img.path, false);
  pair<TestType> p;
  hv::blk::config c;
  c.workers = 1;  // the driver domain's maptrack then holds 2 MiB of persistent grants
  p.connect(d, c);
  std::byte* a = p.buffer(0);
  std::byte* b = p.buffer(256);
  pattern(a, 1 << 20, 1);
  REQUIRE(p.front->write(2048, a, 1 << 20, 1));
  p.front->publish();
  p.wait_done(1);
  REQUIRE(p.done[1] == std::vector<std::int16_t>{0});
  REQUIRE(std::memcmp(img.bytes(2048 * 512, 1 << 20).data(), a, 1 << 20) == 0);
  // Read it back 3 times into b: the second and third reuse the grants and the indirect page.
  for (std::uint64_t k = 0; k < 3; ++k) {
    std::memset(b, 0, 1 << 20);
    REQUIRE(p.front->read(2048, b, 1 << 20, 10 + k));
    p.front->publish();
    p.wait_done(2 + k);
    REQUIRE(p.done[10 + k] == std::vector<std::int16_t>{0});
    REQUIRE(std::memcmp(a, b, 1 << 20) == 0);
  }
  REQUIRE(p.front->stats().indirect_reused == 2);  // the second and the third read
  // Each data page once, and the indirect pages of the two slots used (the write's, and the
  // reads', which the second and third read find again) once each.
  REQUIRE(p.back->grants().maps() == 2 * 256 + 2);
  // Everything is ended at detach (the back end let go of its mappings first).
  p.kill_backend();
  const auto before = p.gt->free_count();
  REQUIRE(p.front->detach());
  REQUIRE(p.gt->free_count() > before);
  REQUIRE(p.gt->free_count() == 2048 - 8);
}

TEST_CASE("blkfront+blkback: without persistent grants each request's grants end with its response") {
  temp_image img(1 << 20);
  hv::blk::disk d(img.path, false);
  pair p;
  hv::blk::config c;
  c.persistent = false;
  c.offer.max_indirect_segments = 0;
  p.connect(d, c);
  const auto idle = p.gt->free_count();
  std::byte* a = p.buffer(0) + 512;  // unaligned to the page: 3 segments, partial first and last
  pattern(a, 8192, 3);
  REQUIRE(p.front->write(5, a, 8192, 1));
  REQUIRE(p.front->outstanding() == 1);
  p.front->publish();
  p.wait_done(1);
  REQUIRE(p.gt->free_count() == idle);
  REQUIRE(std::memcmp(img.bytes(5 * 512, 8192).data(), a, 8192) == 0);
  // A request larger than 11 pages needs indirect segments, which this back end does not offer.
  REQUIRE(p.front->read(0, p.buffer(0), 12 * 4096, 2).error() == xenabi::errc::e2big);
  REQUIRE(p.front->read(0, p.buffer(0) + 100, 512, 2).error() == xenabi::errc::einval);
}

TEMPLATE_TEST_CASE("blkfront+blkback: barrier, flush and discard", "", BLK_FRONT_TYPES) {
  temp_image img(1 << 20);
  hv::blk::disk d(img.path, false);
  pair<TestType> p;
  p.connect(d);
  std::byte* a = p.buffer(0);
  pattern(a, 65536, 5);
  REQUIRE(p.front->write(0, a, 32768, 1));
  REQUIRE(p.front->barrier_write(64, a + 32768, 32768, 2));
  REQUIRE(p.front->read(0, p.buffer(100), 65536, 3));
  REQUIRE(p.front->flush(4));
  REQUIRE(p.front->discard(0, 8, 5));
  p.front->publish();
  p.wait_done(5);
  for (std::uint64_t k = 1; k <= 5; ++k) REQUIRE(p.done[k] == std::vector<std::int16_t>{0});
  REQUIRE(std::memcmp(p.buffer(100), a, 65536) == 0);
  auto z = img.bytes(0, 4096);
  REQUIRE(std::all_of(z.begin(), z.end(), [](std::uint8_t x) { return x == 0; }));
}

TEST_CASE("blkfront+blkback: read-only disk - writes refused by the front end and the back end") {
  temp_image img(1 << 20);
  hv::blk::disk d(img.path, true);
  pair p;
  p.connect(d);
  REQUIRE(p.front->write(0, p.buffer(0), 4096, 1).error() == xenabi::errc::erofs);
  REQUIRE(p.front->discard(0, 8, 1).error() == xenabi::errc::eopnotsupp);
  REQUIRE(p.front->read(0, p.buffer(0), 4096, 2));
  p.front->publish();
  p.wait_done(1);
  REQUIRE(p.done[2] == std::vector<std::int16_t>{0});
}

TEST_CASE("blkfront+blkback: back end killed mid-I/O and restarted - in-flight requests re-issued once, nothing lost") {
  temp_image img(8 << 20);
  hv::blk::disk d(img.path, false);
  pair p;
  // The first back end serves on one worker and stalls on its 10th request until killed.
  stall_at_request stall(10);
  const hv::blk::config c1 = stall.config();
  p.connect(d, c1);
  // 30 writes of 64 KiB (indirect, 16 pages each) to distinct places, a barrier write, one more.
  constexpr std::uint32_t n = 30;
  for (std::uint32_t i = 0; i < n; ++i) {
    pattern(p.buffer(i * 16), 65536, i);
    REQUIRE(p.front->write(std::uint64_t{i} * 128, p.buffer(i * 16), 65536, i));
  }
  pattern(p.buffer(n * 16), 4096, 99);
  REQUIRE(p.front->barrier_write(std::uint64_t{n} * 128, p.buffer(n * 16), 4096, 100));
  pattern(p.buffer(n * 16 + 1), 4096, 101);
  REQUIRE(p.front->write(std::uint64_t{n} * 128 + 8, p.buffer(n * 16 + 1), 4096, 101));
  p.front->publish();
  stall.wait_stalled();
  // Kill it (as a crash: the stalled request and everything queued stay unanswered).
  std::thread killer([&] { p.kill_backend(); });
  for (;;) {
    {
      std::lock_guard lock(p.be_mu);
      if (!p.back) break;
    }
    std::this_thread::yield();
  }
  stall.release();
  killer.join();
  // The front end learns the back end is gone (xenbus Closing), collects what was answered.
  REQUIRE(p.front->detach(p.recorder()));
  const std::size_t answered_before = p.completions();
  REQUIRE(answered_before < n + 2);
  REQUIRE(p.front->outstanding() == n + 2 - answered_before);
  // A new back end; the order it starts the re-issued requests in is recorded.
  std::vector<std::pair<std::uint64_t, bool>> log;
  std::mutex log_mu;
  hv::blk::config c2;
  c2.workers = 2;
  c2.observer = [&](const hv::blk::bif::request& r, bool s) {
    std::lock_guard lock(log_mu);
    log.emplace_back(r.sector_number, s);
  };
  p.connect(d, c2);
  p.wait_done(n + 2);
  REQUIRE(p.front->stats().reissued == n + 2 - answered_before);
  // Every request answered exactly once, successfully.
  REQUIRE(p.done.size() == n + 2);
  for (auto& [cookie, st] : p.done) REQUIRE(st == std::vector<std::int16_t>{0});
  // Nothing lost: every write is on the disk.
  for (std::uint32_t i = 0; i < n; ++i) {
    std::vector<std::byte> expect(65536);
    pattern(expect.data(), 65536, i);
    REQUIRE(std::memcmp(img.bytes(std::uint64_t{i} * 128 * 512, 65536).data(), expect.data(), 65536) == 0);
  }
  std::vector<std::byte> e2(4096);
  pattern(e2.data(), 4096, 99);
  REQUIRE(std::memcmp(img.bytes(std::uint64_t{n} * 128 * 512, 4096).data(), e2.data(), 4096) == 0);
  // The re-issued barrier started only after every re-issued write before it completed.
  std::lock_guard lock(log_mu);
  const auto barrier_start =
      std::find(log.begin(), log.end(), std::make_pair(std::uint64_t{n} * 128, true)) - log.begin();
  REQUIRE(barrier_start < static_cast<std::ptrdiff_t>(log.size()));
  const auto barrier_end =
      std::find(log.begin(), log.end(), std::make_pair(std::uint64_t{n} * 128, false)) - log.begin();
  const auto later_start =
      std::find(log.begin(), log.end(), std::make_pair(std::uint64_t{n} * 128 + 8, true)) - log.begin();
  REQUIRE(later_start > barrier_end);
  REQUIRE(later_start < static_cast<std::ptrdiff_t>(log.size()));
  std::set<std::uint64_t> completed_before;
  for (std::ptrdiff_t i = 0; i < barrier_start; ++i)
    if (!log[static_cast<std::size_t>(i)].second) completed_before.insert(log[static_cast<std::size_t>(i)].first);
  std::size_t starts_before = 0;
  for (std::ptrdiff_t i = 0; i < barrier_start; ++i) starts_before += log[static_cast<std::size_t>(i)].second ? 1u : 0u;
  REQUIRE(completed_before.size() == starts_before);
}

TEMPLATE_TEST_CASE("blkfront+blkback: the ring's slots bound the requests in flight - a four-page ring holds 128", "",
                   BLK_FRONT_TYPES) {
  temp_image img(1 << 20);
  hv::blk::disk d(img.path, false);
  pair<TestType> p;
  hv::blk::config c;
  c.workers = 0;
  p.connect(d, c);
  // The back end is not woken until everything is queued: every request stays on the ring.
  p.env.kick = [] {};
  const std::uint32_t slots = TestType::ring_pages == 1 ? 32u : 128u;
  REQUIRE(p.front->ring_slots() == slots);
  REQUIRE(p.back->ring_slots() == slots);
  REQUIRE(p.back->protocol() == (std::is_same_v<typename TestType::abi_type, xenabi::blkif_abi_x86_32>
                                     ? hv::blk::abi_width::x86_32 : hv::blk::abi_width::x86_64));
  for (std::uint32_t i = 0; i < slots; ++i) {
    std::memset(p.buffer(i), static_cast<int>(i + 1), 4096);
    REQUIRE(p.front->write(std::uint64_t{i} * 8, p.buffer(i), 4096, i));
  }
  REQUIRE_FALSE(p.front->can_submit());
  REQUIRE(p.front->write(0, p.buffer(0), 4096, 999).error() == xenabi::errc::eagain);
  p.front->publish();
  p.back->kick();
  p.wait_done(slots);
  for (std::uint32_t i = 0; i < slots; ++i) {
    REQUIRE(p.done[i] == std::vector<std::int16_t>{0});
    auto b = img.bytes(std::uint64_t{i} * 4096, 4096);
    REQUIRE(std::all_of(b.begin(), b.end(), [&](std::uint8_t x) { return x == ((i + 1) & 0xff); }));
  }
}

TEST_CASE("blkfront+blkback: a four-page front end falls back to one page when the back end offers no more") {
  temp_image img(1 << 20);
  hv::blk::disk d(img.path, false);
  pair<front_order2_type> p;
  hv::blk::config c;
  c.max_ring_page_order = 0;
  p.connect(d, c);
  REQUIRE(p.front->ring_order() == 0);
  REQUIRE(p.front->ring_slots() == 32);
  REQUIRE(p.back->ring_slots() == 32);
  std::memset(p.buffer(0), 0x77, 8192);
  REQUIRE(p.front->write(8, p.buffer(0), 8192, 1));
  p.front->publish();
  p.wait_done(1);
  REQUIRE(p.front->read(8, p.buffer(4), 8192, 2));
  p.front->publish();
  p.wait_done(2);
  REQUIRE(p.done[1] == std::vector<std::int16_t>{0});
  REQUIRE(p.done[2] == std::vector<std::int16_t>{0});
  REQUIRE(std::memcmp(p.buffer(4), p.buffer(0), 8192) == 0);
}
