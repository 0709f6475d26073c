// expect: fail wrong argument type
// EVTCHNOP_send takes an evtchn_send, not an evtchn_close: the batch checks it like the single wrapper.
#include <xenabi/multicall.hpp>
namespace abi = xenabi::abi;
xenabi::result<std::size_t> f(xenabi::multicall_batch<2>& mc, abi::evtchn_close& c) {
  return mc.add<abi::EVTCHNOP::send>(c);
}
