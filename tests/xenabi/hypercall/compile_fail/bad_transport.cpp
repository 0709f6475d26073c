// expect: fail hypercall_transport
// A transport must have static long call(nr, args...) noexcept for 0..5 arguments.
#include <xenabi/hypercall.hpp>
namespace abi = xenabi::abi;
struct two_args_only {
  static long call(std::uint32_t, xenabi::hypercall_arg, xenabi::hypercall_arg) noexcept { return 0; }
};
xenabi::result<void> f() { return xenabi::sched_op<abi::SCHEDOP::yield, two_args_only>(); }
