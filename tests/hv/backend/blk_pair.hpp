// xenabi::blkfront connected to hv::blk::blkback on the sim platform: domain 0 is the guest
// (its grant table mapped at gfn 0x50..0x53 and managed by xenabi::grant_table, its ring,
// indirect pages and buffers in its RAM), domain 100 the driver domain.
#pragma once

#include <map>
#include <memory>
#include <mutex>

#include <xenabi/blkfront.hpp>
#include <xenabi/grant_table.hpp>

#include "blk_fixture.hpp"

namespace blktest {

/// The guest's side, as a kernel would give it to blkfront.
struct sim_env {
  hv::domain* fe = nullptr;
  xenabi::grant_table<2048>* gt = nullptr;
  std::function<void()> kick;
  xenabi::result<xenabi::grant_ref> grant(xenabi::domain_id d, xenabi::gfn f, bool ro) {
    return gt->grant_access(d, f, ro);
  }
  xenabi::result<void> end_grant(xenabi::grant_ref r) { return gt->end_access(r); }
  xenabi::gfn frame_of(const void* p) const {
    return xenabi::gfn{static_cast<std::uint64_t>(static_cast<const std::byte*>(p) - fe->mem.host_base()) >> 12};
  }
  void notify() {
    if (kick) kick();
  }
};

using front_type = xenabi::blkfront<sim_env, 256, 1024>;
/// A front end with the i386 ring layout (what a -m32 guest's blkfront is).
using front32_type = xenabi::blkfront<sim_env, 256, 1024, 0, xenabi::blkif_abi_x86_32>;
/// A front end with a 4-page ring (ring-page-order 2: 128 slots).
using front_order2_type = xenabi::blkfront<sim_env, 256, 1024, 2>;
/// A front end with a 4-page i386 ring.
using front32_order2_type = xenabi::blkfront<sim_env, 256, 1024, 2, xenabi::blkif_abi_x86_32>;

/// The guest: its grant table (mapped at gfn 0x50..0x53, managed by xenabi::grant_table), a
/// blkfront engine of type \p Front with its ring (from gfn 0x100) and indirect pages (from
/// 0x110), and buffer space, all in domain 0's RAM.
template <class Front = front_type>
struct guest_side {
  using front_engine = Front;
  hv::sim::machine m{8 << 20};
  hv::domain& fe;
  std::unique_ptr<xenabi::grant_table<2048>> gt;
  sim_env env;
  std::unique_ptr<Front> front;
  std::map<std::uint64_t, std::vector<std::int16_t>> done;  // cookie -> statuses

  static_assert(Front::ring_pages <= 16);
  static constexpr std::uint64_t grant_gfn = 0x50, ring_gfn = 0x100, ind_gfn = 0x110;
  static constexpr std::uint64_t buf_gfn = ind_gfn + Front::indirect_pages < 0x200 ? 0x200 : ind_gfn + Front::indirect_pages;

  guest_side() : fe(m.dom(fe_id)) {
    {
      std::lock_guard lock(fe.mu);
      fe.grow_grant_table(4);
      for (std::size_t i = 0; i < 4; ++i)
        if (!fe.map_grant_frame(i, grant_gfn + i)) throw std::runtime_error("map grant frame");
    }
    gt = std::make_unique<xenabi::grant_table<2048>>(
        *std::launder(reinterpret_cast<xenabi::abi::grant_entry_v1(*)[2048]>(page(grant_gfn))));
    env.fe = &fe;
    env.gt = gt.get();
    front = std::make_unique<Front>(env, *reinterpret_cast<typename Front::page*>(page(ring_gfn)),
                                    reinterpret_cast<typename Front::page*>(page(ind_gfn)));
  }

  [[nodiscard]] std::byte* page(std::uint64_t gfn) const {
    return fe.mem.translate(xenabi::phys_addr{gfn << 12}, 4096).value().data();
  }
  /// The guest buffer \p at pages into the buffer area.
  [[nodiscard]] std::byte* buffer(std::uint64_t at) const { return page(buf_gfn + at); }
  auto recorder() {
    return [this](std::uint64_t cookie, std::int16_t st) { done[cookie].push_back(st); };
  }
  [[nodiscard]] std::size_t completions() const {
    std::size_t n = 0;
    for (auto& [k, v] : done) n += v.size();
    return n;
  }
  /// Polls until \p n requests in total have completed (20 s hang guard), running \p idle
  /// between empty polls.
  template <class Idle>
  void wait_done(std::size_t n, Idle&& idle) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (completions() < n) {
      auto r = front->poll(recorder());
      if (!r) throw std::runtime_error("poll: corrupt ring");
      if (r.value() == 0) {
        if (std::chrono::steady_clock::now() > until) throw std::runtime_error("requests never completed");
        idle();
      }
    }
  }
  void wait_done(std::size_t n) {
    wait_done(n, [] { std::this_thread::sleep_for(std::chrono::microseconds(50)); });
  }
};

/// A guest with blkfront and a restartable blkback (no xenstore: the handshake's outcome is
/// applied directly).
template <class Front = front_type>
struct pair : guest_side<Front> {
  hv::domain& be;
  std::mutex be_mu;
  std::unique_ptr<hv::blk::blkback> back;
  std::atomic<int> events{0};

  pair() : be(this->m.add_domain(be_id, 1 << 20)) {
    this->env.kick = [this] {
      std::lock_guard lock(be_mu);
      if (back) back->kick();
    };
  }
  ~pair() { kill_backend(); }

  static xenabi::blkfront_features features_of(const hv::blk::config& c, const hv::blk::disk& d) {
    xenabi::blkfront_features f;
    f.sectors = d.sectors();
    f.readonly = d.readonly();
    f.barrier = c.offer.barrier;
    f.flush = c.offer.flush;
    f.discard = c.offer.discard && !d.readonly();
    f.max_indirect_segments = c.offer.max_indirect_segments;
    f.persistent = c.persistent;
    f.max_ring_page_order = c.max_ring_page_order;
    return f;
  }
  /// The xenbus handshake's outcome: the front end attaches with the back end's features, the
  /// back end maps the ring it published.
  void connect(const hv::blk::disk& d, hv::blk::config c = {}) {
    auto& fr = *this->front;
    auto ref = fr.attach(xenabi::domain_id{be_id}, features_of(c, d), this->recorder());
    if (!ref) throw std::runtime_error("attach failed");
    std::vector<std::uint32_t> refs;
    for (std::uint32_t i = 0; i < (1u << fr.ring_order()); ++i) refs.push_back(fr.ring_ref(i).value());
    const auto width = std::is_same_v<typename Front::abi_type, xenabi::blkif_abi_x86_32> ? hv::blk::abi_width::x86_32
                                                                                             : hv::blk::abi_width::x86_64;
    hv::blk::blkback::params p{fe_id, refs, c.persistent, [this] { ++events; }, width};
    auto b = hv::blk::blkback::connect(be, d, c, p);
    if (!b) throw std::runtime_error("backend connect failed");
    std::lock_guard lock(be_mu);
    back = std::move(b);
    back->kick();  // the front end may have re-issued requests before we were there
  }
  void kill_backend() {
    std::unique_ptr<hv::blk::blkback> b;
    {
      std::lock_guard lock(be_mu);
      b = std::move(back);
    }
    if (b) b->kill();
  }
};

}  // namespace blktest
