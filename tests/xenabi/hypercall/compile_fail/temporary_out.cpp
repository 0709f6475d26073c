// expect: fail not a temporary
// HVMOP_get_param writes the value into its argument: a temporary would lose it.
#include <xenabi/hypercall.hpp>
namespace abi = xenabi::abi;
xenabi::result<void> f() { return xenabi::hvm_op<abi::HVMOP::get_param>(abi::xen_hvm_param{}); }
