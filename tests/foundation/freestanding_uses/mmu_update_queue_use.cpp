// Freestanding use of xenabi/mmu_update_queue.hpp and multicall.hpp (porting-guide/07-memory.md
// refers to this file): a PV kernel builds a new page table, pins it and switches to it, in one
// trap. Linked -nostdlib.
#include <xenabi/mmu_update_queue.hpp>
#include <xenabi/multicall.hpp>

// [mmu]
extern "C" int mmu_example(const xenabi::u64* pte_maddrs, const xenabi::u64* ptes, unsigned n,
                           xenabi::u64 l4_mfn) {
  xenabi::mmu_update_queue<64> q;  // flushes when full and at scope exit
  for (unsigned i = 0; i < n; ++i)
    if (!q.pt_update(pte_maddrs[i], ptes[i])) return -1;
  if (!q.pin(xenabi::pt_level::l4, xenabi::mfn{l4_mfn})) return -2;   // after its entries
  if (!q.new_baseptr(xenabi::mfn{l4_mfn})) return -3;                 // after the pin
  if (!q.tlb_flush_local()) return -4;
  if (auto r = q.flush(); !r) {
    const auto& f = q.last_failure();  // which entry, how many applied, Xen's errno
    q.discard();                       // or fix the cause and flush() again
    return -static_cast<int>(f.index);
  }
  // unrelated hypercalls in one trap, each checked like a single call
  xenabi::multicall_batch<2> mc;
  xenabi::abi::evtchn_send send{3};
  (void)mc.add<xenabi::abi::EVTCHNOP::send>(send);
  (void)mc.add<xenabi::abi::SCHEDOP::yield>();
  return mc.run() ? static_cast<int>(mc.first_failure()) : -5;
}
// [mmu]
