// expect: fail not accepted by Xen in the guest mode
// mmu_update in a batch of a PVH-only build: Xen's HVM dispatch tables have no mmu_update.
#define XENABI_GUEST_MODE_PVH 1
#include <xenabi/multicall.hpp>
xenabi::result<std::size_t> f(xenabi::multicall_batch<2>& mc, const xenabi::abi::mmu_update* u) {
  return mc.add_mmu_update(u, 1, nullptr);
}
