// expect: fail not accepted by Xen in the guest mode
// mmu_update is PV-only: Xen's hvm64/hvm32 dispatch tables have no entry for it.
#define XENABI_GUEST_MODE_PVH 1
#include <xenabi/hypercall.hpp>
namespace abi = xenabi::abi;
xenabi::result<void> f(const abi::mmu_update* u) { return xenabi::mmu_update(u, 1); }
