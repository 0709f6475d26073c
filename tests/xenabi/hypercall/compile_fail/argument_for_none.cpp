// expect: fail takes no argument
// SCHEDOP_yield takes no argument.
#include <xenabi/hypercall.hpp>
namespace abi = xenabi::abi;
xenabi::result<void> f(abi::sched_shutdown& s) { return xenabi::sched_op<abi::SCHEDOP::yield>(s); }
