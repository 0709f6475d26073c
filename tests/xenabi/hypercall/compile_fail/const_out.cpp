// expect: fail pass a non-const object
// EVTCHNOP_alloc_unbound writes the new port into its argument.
#include <xenabi/hypercall.hpp>
namespace abi = xenabi::abi;
xenabi::result<void> f(const abi::evtchn_alloc_unbound& a) {
  return xenabi::event_channel_op<abi::EVTCHNOP::alloc_unbound>(a);
}
