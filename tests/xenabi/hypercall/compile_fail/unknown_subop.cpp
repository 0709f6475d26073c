// expect: fail has no typed wrapper
// HVMOP_altp2m is not modelled by xenabi.
#include <xenabi/hypercall.hpp>
namespace abi = xenabi::abi;
xenabi::result<void> f(abi::xen_hvm_param& p) { return xenabi::hvm_op<abi::HVMOP::altp2m>(p); }
