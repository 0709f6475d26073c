// expect: fail pass a non-const object
// GNTTABOP_map_grant_ref writes handle and status into each entry.
#include <xenabi/hypercall.hpp>
namespace abi = xenabi::abi;
xenabi::result<void> f(const abi::gnttab_map_grant_ref* m) {
  return xenabi::grant_table_op<abi::GNTTABOP::map_grant_ref>(m, 1);
}
