// grant_table.hpp: granting writes frame and domid before the flags; ending access refuses
// while the peer maps the frame (GTF_reading / GTF_writing) and frees the reference only
// once cleared; the free list never hands out reserved or in-use references; a peer thread
// mapping and unmapping with Xen's compare-exchange never holds a mapping of a revoked grant;
// the grant_table_op calls reach the transport with the right sub-operation.
#include <xenabi/grant_table.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "xenabi_test.hpp"

namespace {
using namespace xenabi;
using gt8 = grant_table<16>;

constexpr bool grant_and_end() {
  abi::grant_entry_v1 table[16]{};
  gt8 gt(table);
  if (gt.free_count() != 8) return false;
  auto r = gt.grant_access(domain_id{3}, gfn{0x1234}, true);
  if (!r || r.value().value() != 8) return false;  // the first non-reserved reference
  const auto& e = table[8];
  if (e.frame != 0x1234 || e.domid != 3 ||
      e.flags != (abi::GTF::permit_access | abi::GTF::readonly))
    return false;
  auto w = gt.grant_access(domain_id{3}, gfn{0x99}, false);
  if (!w || table[w.value().value()].flags != abi::GTF::permit_access) return false;
  // the peer maps it: ending access is refused and changes nothing
  table[8].flags = static_cast<u16>(table[8].flags | abi::GTF::reading);
  if (gt.end_access(r.value()) != errc::ebusy || !gt.granted(r.value()) || !gt.mapped_by_peer(r.value()))
    return false;
  table[8].flags = static_cast<u16>(table[8].flags & ~abi::GTF::reading);
  if (!gt.end_access(r.value()) || table[8].flags != 0 || gt.granted(r.value())) return false;
  if (gt.end_access(r.value()) != errc::einval) return false;           // twice
  if (gt.end_access(grant_ref{1}) != errc::einval) return false;        // reserved
  if (gt.grant_access(domain_id{1}, gfn{u64{1} << 32}, false) != errc::erange) return false;
  // exhaust the free list
  for (int i = 0; i < 7; ++i)
    if (!gt.grant_access(domain_id{1}, gfn{1}, false)) return false;
  return gt.free_count() == 0 && gt.grant_access(domain_id{1}, gfn{1}, false) == errc::enospc;
}

struct fake_gnttab_xen {
  static inline std::vector<hypercall_arg> cmds;
  template <class... A>
  static long call(std::uint32_t nr, A... args) noexcept {
    const hypercall_arg a[] = {args..., 0};
    if (nr != static_cast<std::uint32_t>(abi::hypercall::grant_table_op)) return -38;
    cmds.push_back(a[0]);
    switch (static_cast<abi::GNTTABOP>(a[0])) {
      case abi::GNTTABOP::query_size: {
        auto* q = reinterpret_cast<abi::gnttab_query_size*>(a[1]);
        q->nr_frames = 1;
        q->max_nr_frames = 32;
        q->status = 0;
        return 0;
      }
      case abi::GNTTABOP::copy: {
        auto* c = reinterpret_cast<abi::gnttab_copy*>(a[1]);
        for (hypercall_arg i = 0; i < a[2]; ++i)
          c[i].status = c[i].len > 4096 ? static_cast<s16>(abi::GNTST::general_error) : s16{0};
        return 0;
      }
      case abi::GNTTABOP::set_version: {
        auto* v = reinterpret_cast<abi::gnttab_set_version*>(a[1]);
        v->version = 1;  // this Xen only does v1
        return 0;
      }
      case abi::GNTTABOP::setup_table: {
        auto* s = reinterpret_cast<abi::gnttab_setup_table*>(a[1]);
        for (u32 i = 0; i < s->nr_frames; ++i) s->frame_list.get()[i] = 0x500 + i;
        s->status = 0;
        return 0;
      }
      default:
        return -38;
    }
  }
};
}  // namespace

TEST_CASE("grant table: grant / refuse to end while mapped / end / free list") {
  XENABI_BOTH_REQUIRE(grant_and_end());
}

TEST_CASE("grant table: a peer mapping with compare-exchange never holds a revoked grant") {
  static abi::grant_entry_v1 table[16]{};
  gt8 gt(table);
  std::atomic<bool> stop{false};
  std::atomic<unsigned long> maps{0}, violations{0};
  std::thread peer([&] {
    while (!stop) {
      for (u32 r = 8; r < 16; ++r) {
        u16& f = table[r].flags;
        u16 cur = __atomic_load_n(&f, __ATOMIC_ACQUIRE);
        if ((cur & abi::GTF::permit_access) == 0) continue;
        // Xen: set GTF_reading only while the grant is still permitted
        if (!__atomic_compare_exchange_n(&f, &cur, static_cast<u16>(cur | abi::GTF::reading), false,
                                         __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
          continue;
        ++maps;
        for (int spin = 0; spin < 50; ++spin)
          if ((__atomic_load_n(&f, __ATOMIC_ACQUIRE) & abi::GTF::permit_access) == 0) ++violations;
        __atomic_fetch_and(&f, static_cast<u16>(~abi::GTF::reading), __ATOMIC_SEQ_CST);
      }
    }
  });
  unsigned long ended = 0, busy = 0;
  for (int round = 0; round < 20000; ++round) {
    auto r = gt.grant_access(domain_id{1}, gfn{static_cast<u64>(round)}, true);
    REQUIRE(r);
    for (;;) {
      auto e = gt.end_access(r.value());
      if (e) break;
      REQUIRE(e.error() == errc::ebusy);
      ++busy;
    }
    ++ended;
  }
  stop = true;
  peer.join();
  INFO("maps " << maps.load() << " refusals " << busy);
  REQUIRE(violations.load() == 0);
  REQUIRE(ended == 20000);
  REQUIRE(gt.free_count() == 8);
}

TEST_CASE("grant_table_op calls: query_size / setup_table / copy / set_version") {
  using X = fake_gnttab_xen;
  X::cmds.clear();
  auto q = grant_query_size<X>();
  REQUIRE(q);
  REQUIRE(q.value().max_nr_frames == 32);
  abi::native_width::pfn_element frames[2]{};
  REQUIRE(grant_setup_table<X>(2, frames));
  REQUIRE(frames[1] == 0x501);
  abi::gnttab_copy ops[2]{};
  ops[0].len = 100;
  ops[1].len = 100;
  REQUIRE(grant_copy<X>(ops, 2));
  ops[1].len = 5000;
  REQUIRE(grant_copy<X>(ops, 2) == errc::eio);
  REQUIRE(ops[1].status == static_cast<s16>(abi::GNTST::general_error));
  REQUIRE(grant_set_version<X>(2) == result<u32>(1u));
  const std::vector<hypercall_arg> want = {6, 2, 5, 5, 8};
  REQUIRE(X::cmds == want);
}
