// expect: pass
// Control: a PVH batch of well-typed entries compiles (the misuse snippets beside it fail).
#define XENABI_GUEST_MODE_PVH 1
#include <xenabi/multicall.hpp>
namespace abi = xenabi::abi;
xenabi::result<void> f(abi::evtchn_send& s, abi::xen_hvm_param& p, abi::vcpu_runstate_info& ri) {
  xenabi::multicall_batch<4> mc;
  XENABI_TRY(mc.add<abi::EVTCHNOP::send>(s));
  XENABI_TRY(mc.add<abi::HVMOP::get_param>(p));
  XENABI_TRY(mc.add<abi::SCHEDOP::yield>());
  XENABI_TRY(mc.add_vcpu_op<abi::VCPUOP::get_runstate_info>(0, ri));
  return mc.run();
}
