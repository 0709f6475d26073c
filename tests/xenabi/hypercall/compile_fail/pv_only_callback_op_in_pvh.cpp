// expect: fail not accepted by Xen in the guest mode
// callback_op is PV-only: PVH guests get events through an interrupt vector.
#define XENABI_GUEST_MODE_PVH 1
#include <xenabi/hypercall.hpp>
namespace abi = xenabi::abi;
xenabi::result<void> f(const abi::callback_register& r) {
  return xenabi::callback_op<abi::CALLBACKOP::register_>(r);
}
