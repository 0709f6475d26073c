// expect: fail wrong argument type for this sub-operation
// EVTCHNOP_send takes evtchn_send, not evtchn_close.
#include <xenabi/hypercall.hpp>
namespace abi = xenabi::abi;
xenabi::result<void> f(abi::evtchn_close& c) { return xenabi::event_channel_op<abi::EVTCHNOP::send>(c); }
