// expect: fail needs an argument
// SCHEDOP_shutdown needs a sched_shutdown.
#include <xenabi/hypercall.hpp>
namespace abi = xenabi::abi;
xenabi::result<void> f() { return xenabi::sched_op<abi::SCHEDOP::shutdown>(); }
