// expect: fail needs an argument
// EVTCHNOP_alloc_unbound needs its evtchn_alloc_unbound (Xen writes the port into it).
#include <xenabi/multicall.hpp>
namespace abi = xenabi::abi;
xenabi::result<std::size_t> f(xenabi::multicall_batch<2>& mc) {
  return mc.add<abi::EVTCHNOP::alloc_unbound>();
}
