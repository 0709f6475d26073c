// expect: fail takes an EVTCHNOP, SCHEDOP, XENMEM, HVMOP or XENVER
// add<Op>() knows which hypercall a sub-operation belongs to only for these families; a vCPU
// operation goes through add_vcpu_op (it needs the vCPU number).
#include <xenabi/multicall.hpp>
namespace abi = xenabi::abi;
xenabi::result<std::size_t> f(xenabi::multicall_batch<2>& mc, abi::vcpu_runstate_info& ri) {
  return mc.add<abi::VCPUOP::get_runstate_info>(ri);
}
