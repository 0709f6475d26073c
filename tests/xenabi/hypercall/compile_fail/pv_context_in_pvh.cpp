// expect: fail refuses this sub-operation in the guest mode
// A PVH guest starts vCPUs with a vcpu_hvm_context; vcpu_guest_context is the PV form.
#define XENABI_GUEST_MODE_PVH 1
#include <xenabi/hypercall.hpp>
namespace abi = xenabi::abi;
xenabi::result<void> f(const abi::vcpu_guest_context& c) {
  return xenabi::vcpu_op<abi::VCPUOP::initialise>(1, c);
}
