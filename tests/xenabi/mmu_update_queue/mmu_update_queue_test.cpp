// mmu_update_queue.hpp and multicall.hpp against a fake PV hypervisor (fake_pv.hpp): the
// number of traps for N updates batched and unbatched, one trap for mixed kinds in queue
// order, Xen's success_count semantics on refusal (which entry, how many applied before and
// after, the errno), nothing dropped (applied + kept == submitted, then a retry applies the
// rest), a failed multicall keeps everything, and the typed multicall builder's per-entry
// results.
#include <xenabi/mmu_update_queue.hpp>
#include <xenabi/multicall.hpp>

#include <cstdio>

#include "fake_pv.hpp"
#include "xenabi_test.hpp"

namespace {
using namespace xenabi;
namespace abi = xenabi::abi;

template <std::size_t Cap>
unsigned traps_for(std::size_t n) {
  fake_pv::reset();
  {
    mmu_update_queue<Cap, fake_pv> q;
    for (std::size_t i = 0; i < n; ++i) REQUIRE(q.pt_update(0x1000 + 8 * i, i));
  }  // scope exit flushes
  REQUIRE(fake_pv::log.size() == n);
  for (std::size_t i = 0; i < n; ++i) REQUIRE(fake_pv::log[i] == fake_pv::applied{0, 0x1000 + 8 * i, i});
  return fake_pv::traps;
}
}  // namespace

TEST_CASE("mmu queue: N updates cost ceil(N / capacity) traps") {
  const unsigned b64 = traps_for<64>(1000), b1 = traps_for<1>(1000), b16 = traps_for<16>(100);
  std::printf("mmu_update traps for 1000 updates: batch 64 -> %u, batch 1 -> %u; 100 updates at "
              "batch 16 -> %u\n", b64, b1, b16);
  REQUIRE(b64 == 16);
  REQUIRE(b1 == 1000);
  REQUIRE(b16 == 7);
  REQUIRE(traps_for<64>(64) == 1);
  REQUIRE(traps_for<64>(0) == 0);
}

TEST_CASE("mmu queue: mixed kinds go in one multicall trap / in queue order") {
  fake_pv::reset();
  mmu_update_queue<64, fake_pv> q;
  for (u64 i = 0; i < 10; ++i) REQUIRE(q.pt_update(0x2000 + 8 * i, 100 + i));
  REQUIRE(q.pin(pt_level::l1, mfn{0x55}));
  REQUIRE(q.machphys_update(mfn{0x66}, pfn{0x7}));
  REQUIRE(q.update_va_mapping(0x400000, 0x1234, abi::UVMF::INVLPG));
  REQUIRE(q.update_va_mapping(0x401000, 0x5678, abi::UVMF::NONE));
  REQUIRE(q.tlb_flush_local());
  REQUIRE(q.flush());
  REQUIRE(fake_pv::traps == 1);
  REQUIRE(fake_pv::multicalls == 1);
  REQUIRE(fake_pv::log.size() == 15);
  REQUIRE(fake_pv::log[9] == fake_pv::applied{0, 0x2000 + 72, 109});
  REQUIRE(fake_pv::log[10] == fake_pv::applied{1, static_cast<u32>(abi::MMUEXT::PIN_L1_TABLE), 0x55});
  REQUIRE(fake_pv::log[11] == fake_pv::applied{0, (0x66u << 12) | 1u, 7});
  REQUIRE(fake_pv::log[12].kind == 2);
  REQUIRE(fake_pv::log[12].a == 0x400000);
  REQUIRE(fake_pv::log[13].a == 0x401000);
  REQUIRE(fake_pv::log[14] == fake_pv::applied{1, static_cast<u32>(abi::MMUEXT::TLB_FLUSH_LOCAL), 0});
  REQUIRE(q.size() == 0);
  REQUIRE(q.stats().hypercalls == 1);
}

TEST_CASE("mmu queue: a refused update is reported with success_count and kept / nothing dropped") {
  fake_pv::reset();
  mmu_update_queue<64, fake_pv> q;
  for (u64 i = 0; i < 10; ++i) REQUIRE(q.pt_update(0x3000 + 8 * i, i));
  REQUIRE(q.tlb_flush_local());       // a later run: Xen runs it anyway (multicall semantics)
  REQUIRE(q.update_va_mapping(0x9000, 1, 0));
  fake_pv::refuse = {3};              // the 4th update
  const auto r = q.flush();
  REQUIRE(r == errc::einval);
  const auto& f = q.last_failure();
  REQUIRE(f.index == 3);
  REQUIRE(f.applied_before == 3);
  REQUIRE(f.applied_after == 2);      // the flush and the update_va_mapping
  REQUIRE(f.kept == 7);
  REQUIRE(f.kind == mmu_entry_kind::update);
  REQUIRE(q.size() == 7);
  REQUIRE(fake_pv::log.size() + q.size() == 12);  // applied + kept == submitted
  for (std::size_t i = 0; i < q.size(); ++i) REQUIRE(q.kind_at(i) == mmu_entry_kind::update);
  // the cause is fixed: the retry applies the rest, in order
  REQUIRE(q.flush());
  REQUIRE(fake_pv::log.size() == 12);
  REQUIRE(fake_pv::log[5] == fake_pv::applied{0, 0x3000 + 24, 3});
  REQUIRE(fake_pv::log[11] == fake_pv::applied{0, 0x3000 + 72, 9});
}

TEST_CASE("mmu queue: refusals in a single run / in several runs / and a failed multicall") {
  fake_pv::reset();
  mmu_update_queue<64, fake_pv> q;
  for (u64 i = 0; i < 20; ++i) REQUIRE(q.pt_update(8 * i, i));
  fake_pv::refuse = {5};
  REQUIRE(q.flush() == errc::einval);          // one mmu_update trap
  REQUIRE(fake_pv::traps == 1);
  REQUIRE(q.last_failure().applied_before == 5);
  REQUIRE(q.size() == 15);
  REQUIRE(q.discard() == 15);
  REQUIRE(q.size() == 0);

  // two refused runs: the first one is reported, both keep their unapplied entries
  fake_pv::reset();
  for (u64 i = 0; i < 4; ++i) REQUIRE(q.pt_update(8 * i, i));
  REQUIRE(q.pin(pt_level::l2, mfn{9}));
  REQUIRE(q.update_va_mapping(0x1000, 2, 0));
  REQUIRE(q.pt_update(0x100, 1));
  fake_pv::refuse = {1, 3};  // presented: update 0, update 1 (refused: its run stops), pin, uva
  REQUIRE(q.flush() == errc::einval);
  REQUIRE(q.last_failure().index == 1);
  REQUIRE(q.last_failure().applied_before == 1);
  REQUIRE(q.last_failure().applied_after == 2);  // the pin and the last update
  REQUIRE(q.size() == 4);                         // 3 updates of run 0 and the update_va_mapping
  REQUIRE(q.kind_at(3) == mmu_entry_kind::update_va_mapping);
  REQUIRE(fake_pv::log.size() + q.size() == 7);
  REQUIRE(q.flush());
  REQUIRE(fake_pv::log.size() == 7);

  // the multicall itself fails: nothing applied, everything kept
  fake_pv::reset();
  REQUIRE(q.pt_update(0, 1));
  REQUIRE(q.tlb_flush_all());
  fake_pv::multicall_rc = -static_cast<long>(errc::efault);
  REQUIRE(q.flush() == errc::efault);
  REQUIRE(q.size() == 2);
  REQUIRE(fake_pv::log.empty());
  fake_pv::multicall_rc = 0;
  REQUIRE(q.flush());
  REQUIRE(fake_pv::log.size() == 2);
}

TEST_CASE("mmu queue: a full queue flushes before queueing more") {
  fake_pv::reset();
  mmu_update_queue<4, fake_pv> q;
  for (u64 i = 0; i < 4; ++i) REQUIRE(q.pt_update(8 * i, i));
  REQUIRE(fake_pv::traps == 0);
  REQUIRE(q.invlpg_local(0x5000));  // full: the 4 updates go first
  REQUIRE(fake_pv::traps == 1);
  REQUIRE(q.size() == 1);
  REQUIRE(q.flush());
  REQUIRE(fake_pv::log.size() == 5);
  REQUIRE(fake_pv::log[4].kind == 1);
}

TEST_CASE("multicall builder: typed entries / one trap / per-entry results") {
  fake_pv::reset();
  multicall_batch<4, fake_pv> mc;
  abi::evtchn_send s{5};
  abi::evtchn_close c{6};
  REQUIRE(mc.add<abi::EVTCHNOP::send>(s) == result<std::size_t>(std::size_t{0}));
  REQUIRE(mc.add<abi::EVTCHNOP::close>(c) == result<std::size_t>(std::size_t{1}));
  REQUIRE(mc.add_vcpu_op<abi::VCPUOP::stop_singleshot_timer>(0));
  REQUIRE(mc.add_set_timer_op(123456789));
  REQUIRE(mc.full());
  REQUIRE(mc.add<abi::SCHEDOP::yield>() == errc::enospc);
  REQUIRE(mc.run());
  REQUIRE(fake_pv::traps == 1);
  REQUIRE(fake_pv::other_calls.size() == 4);
  REQUIRE(mc.result_of(0) == result<long>(7L));
  REQUIRE(mc.result_of(1) == errc::einval);
  REQUIRE(mc.first_failure() == 1);
  REQUIRE(mc.entries()[0].op == static_cast<u32>(abi::hypercall::event_channel_op));
  REQUIRE(mc.entries()[0].args[0] == static_cast<u32>(abi::EVTCHNOP::send));
  REQUIRE(mc.entries()[0].args[1] == reinterpret_cast<std::uintptr_t>(&s));
  REQUIRE(mc.entries()[2].args[1] == 0);  // vCPU 0
  REQUIRE(mc.entries()[3].args[0] == 123456789u);
  mc.clear();
  REQUIRE(mc.run());  // empty: no trap
  REQUIRE(fake_pv::traps == 1);
}
