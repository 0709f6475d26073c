// expect: fail pass a non-const object
// Xen writes EVTCHNOP_alloc_unbound's argument when the batch runs: a const one is refused.
#include <xenabi/multicall.hpp>
namespace abi = xenabi::abi;
xenabi::result<std::size_t> f(xenabi::multicall_batch<2>& mc, const abi::evtchn_alloc_unbound& a) {
  return mc.add<abi::EVTCHNOP::alloc_unbound>(a);
}
