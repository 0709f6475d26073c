// expect: fail refuses this sub-operation in the guest mode
// XENMEM_machphys_mapping returns -ENOSYS to PVH/HVM guests (hvm_memory_op).
#define XENABI_GUEST_MODE_PVH 1
#include <xenabi/hypercall.hpp>
namespace abi = xenabi::abi;
xenabi::result<void> f(abi::xen_machphys_mapping& m) {
  return xenabi::memory_op<abi::XENMEM::machphys_mapping>(m);
}
