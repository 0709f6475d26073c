// A front end written directly against the sim platform, for blkback's tests and its fuzz
// target: domain 0 is the guest (it grants pages in its v1 grant table and initialises the
// ring), domain 100 is the driver domain that maps them.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <hv/backend/blkback.hpp>
#include <hv/platform/sim/sim.hpp>

namespace blktest {

namespace abi = xenabi::abi;
using hv::blk::bif::request;
using hv::blk::bif::response;
using hv::blk::bif::segment;

/// A raw image in a temporary file, removed at the end.
struct temp_image {
  std::string path;
  explicit temp_image(std::uint64_t bytes) {
    char name[] = "/tmp/xenabi-blk-XXXXXX";
    const int fd = ::mkstemp(name);
    if (fd < 0) throw std::runtime_error("mkstemp");
    if (::ftruncate(fd, static_cast<off_t>(bytes)) != 0) throw std::runtime_error("ftruncate");
    ::close(fd);
    path = name;
  }
  ~temp_image() { ::unlink(path.c_str()); }
  temp_image(const temp_image&) = delete;
  temp_image& operator=(const temp_image&) = delete;
  /// Reads \p n bytes at byte offset \p off of the file (the host's view).
  [[nodiscard]] std::vector<std::uint8_t> bytes(std::uint64_t off, std::size_t n) const {
    std::vector<std::uint8_t> v(n);
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0 || ::pread(fd, v.data(), n, static_cast<off_t>(off)) != static_cast<ssize_t>(n))
      throw std::runtime_error("pread image");
    ::close(fd);
    return v;
  }
};

constexpr std::uint16_t fe_id = 0;
constexpr std::uint16_t be_id = 100;
constexpr std::uint64_t ring_gfn = 0x100;
constexpr std::uint64_t data_gfn = 0x200;  // data pages from here
constexpr std::uint32_t ring_ref = 8;

/// The guest side of a block connection on the sim platform.
struct fixture {
  hv::sim::machine m{8 << 20};
  hv::domain& fe;
  hv::domain& be;
  xenabi::front_ring<xenabi::blkif_x86_64_ring> front;
  std::unique_ptr<hv::blk::blkback> back;
  std::atomic<int> events{0};

  fixture() : fe(m.dom(fe_id)), be(m.add_domain(be_id, 1 << 20)) {
    std::lock_guard lock(fe.mu);
    fe.grow_grant_table(8);
  }
  ~fixture() {
    if (back) back->kill();
  }

  /// Host bytes of guest frame \p gfn.
  [[nodiscard]] std::byte* page(std::uint64_t gfn) const {
    return fe.mem.translate(xenabi::phys_addr{gfn << 12}, 4096).value().data();
  }
  /// The bytes of grant entry \p ref (call with fe.mu held).
  [[nodiscard]] std::byte* entry(std::uint32_t ref) const {
    std::byte* frame = fe.grant_frame(ref / 512);
    if (frame == nullptr) throw std::out_of_range("grant ref beyond the table");
    return frame + (ref % 512) * sizeof(abi::grant_entry_v1);
  }
  /// Grant entry \p ref: \p gfn to domain \p to, read-only if \p ro.
  void grant(std::uint32_t ref, std::uint64_t gfn, bool ro = false, std::uint16_t to = be_id) {
    std::lock_guard lock(fe.mu);
    abi::grant_entry_v1 e{};
    e.flags = static_cast<std::uint16_t>(abi::GTF::permit_access | (ro ? abi::GTF::readonly : 0));
    e.domid = to;
    e.frame = static_cast<std::uint32_t>(gfn);
    std::memcpy(entry(ref), &e, sizeof e);
  }
  /// The flags of grant entry \p ref.
  [[nodiscard]] std::uint16_t grant_flags(std::uint32_t ref) const {
    std::lock_guard lock(fe.mu);
    abi::grant_entry_v1 e{};
    std::memcpy(&e, entry(ref), sizeof e);
    return e.flags;
  }
  /// The data page of grant \p ref (refs from 16 map to data_gfn + ref - 16).
  [[nodiscard]] static std::uint64_t gfn_of(std::uint32_t ref) { return data_gfn + ref - 16; }
  /// Grants data refs [16, 16 + n) read-write.
  void grant_data(std::uint32_t n) {
    for (std::uint32_t i = 0; i < n; ++i) grant(16 + i, gfn_of(16 + i));
  }

  /// Initialises the ring page and connects a back end to it.
  void connect(const hv::blk::disk& d, hv::blk::config c = {}, bool persistent = true) {
    grant(ring_ref, ring_gfn);
    front = xenabi::front_ring<xenabi::blkif_x86_64_ring>::init(
        *std::launder(reinterpret_cast<xenabi::blkif_x86_64_ring::shared_ring*>(page(ring_gfn))));
    hv::blk::blkback::params p{fe_id, {ring_ref}, persistent, [this] { ++events; }};
    back = hv::blk::blkback::connect(be, d, c, p);
    if (!back) throw std::runtime_error("connect failed");
  }

  /// Puts \p r on the ring, publishes and kicks the back end.
  void submit(const request& r) {
    if (!front.produce_request(r)) throw std::runtime_error("ring full");
    (void)front.push_requests();
    back->kick();
  }
  /// Puts raw bytes (a discard or indirect request) in the next slot.
  template <class T>
  void submit_as(const T& r) {
    static_assert(sizeof(T) <= sizeof(request));
    request slot{};
    std::memcpy(&slot, &r, sizeof r);
    submit(slot);
  }
  /// Waits for \p n responses (fails after 20 s: a hang guard, not a timing check).
  std::vector<response> wait(std::size_t n) {
    std::vector<response> out;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (out.size() < n) {
      auto k = front.consume_responses([&](const response& r) { out.push_back(r); });
      if (!k) throw std::runtime_error("bad rsp_prod");
      if (k.value() == 0) {
        if (std::chrono::steady_clock::now() > until) throw std::runtime_error("no response");
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
    }
    return out;
  }
  /// Submits \p r and returns its status.
  std::int16_t run(const request& r) {
    submit(r);
    return wait(1).at(0).status;
  }
  template <class T>
  std::int16_t run_as(const T& r) {
    submit_as(r);
    return wait(1).at(0).status;
  }
};

/// A back end that stalls on the \p nth request it starts (one worker), until released: for
/// killing a back end with requests in flight.
struct stall_at_request {
  explicit stall_at_request(int nth) : n(nth) {}
  /// A configuration with one worker whose observer stalls on the n-th request.
  hv::blk::config config() {
    hv::blk::config c;
    c.workers = 1;
    c.observer = [this](const request&, bool started) {
      if (!started) return;
      std::unique_lock lock(mu);
      if (++seen != n) return;
      stalled = true;
      cv.notify_all();
      cv.wait(lock, [&] { return released; });
    };
    return c;
  }
  /// Waits until the n-th request is stuck.
  void wait_stalled() {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return stalled; });
  }
  /// Lets the stuck request go.
  void release() {
    {
      std::lock_guard lock(mu);
      released = true;
    }
    cv.notify_all();
  }

 private:
  int n;
  std::mutex mu;
  std::condition_variable cv;
  int seen = 0;
  bool stalled = false, released = false;
};

/// A READ or WRITE of \p n whole-page segments from grant ref \p first_ref at \p sector.
inline request rw(abi::BLKIF_OP op, std::uint64_t id, std::uint64_t sector, std::uint32_t first_ref, std::uint8_t n) {
  request r{};
  r.operation = static_cast<std::uint8_t>(op);
  r.nr_segments = n;
  r.id = id;
  r.sector_number = sector;
  for (std::uint8_t i = 0; i < n && i < 11; ++i) r.seg[i] = segment{first_ref + i, 0, 7, {}};
  return r;
}

}  // namespace blktest
