// expect: pass
// Control: what a PVH kernel does compiles in a PVH-only build (the harness can pass).
#define XENABI_GUEST_MODE_PVH 1
#include <xenabi/hypercall.hpp>
namespace abi = xenabi::abi;
xenabi::result<void> f(abi::xen_hvm_param& p, const abi::evtchn_send& s, abi::vcpu_runstate_info& ri) {
  XENABI_TRY(xenabi::hvm_op<abi::HVMOP::get_param>(p));
  XENABI_TRY(xenabi::hvm_op<abi::HVMOP::set_param>(p));
  XENABI_TRY(xenabi::event_channel_op<abi::EVTCHNOP::send>(s));
  XENABI_TRY(xenabi::event_channel_op<abi::EVTCHNOP::send>(abi::evtchn_send{1}));
  XENABI_TRY(xenabi::vcpu_op<abi::VCPUOP::get_runstate_info>(0, ri));
  XENABI_TRY(xenabi::sched_op<abi::SCHEDOP::yield>());
  XENABI_TRY(xenabi::set_timer_op(0));
  static const char msg[] = "hi";
  return xenabi::console_io<abi::CONSOLEIO::write>(msg, 2);
}
