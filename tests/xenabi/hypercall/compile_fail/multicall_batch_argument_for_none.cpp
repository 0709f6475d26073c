// expect: fail takes no argument
// SCHEDOP_yield takes no argument, in a batch as alone.
#include <xenabi/multicall.hpp>
namespace abi = xenabi::abi;
xenabi::result<std::size_t> f(xenabi::multicall_batch<2>& mc, abi::sched_shutdown& s) {
  return mc.add<abi::SCHEDOP::yield>(s);
}
