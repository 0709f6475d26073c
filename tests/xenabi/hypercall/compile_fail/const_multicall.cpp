// expect: fail pass a non-const batch
// multicall writes each entry's result.
#include <xenabi/hypercall.hpp>
namespace abi = xenabi::abi;
xenabi::result<void> f(const abi::multicall_entry* b) { return xenabi::multicall(b, 2); }
