// expect: fail refuses this sub-operation in the guest mode
// GNTTABOP_transfer is -ENOSYS for PVH/HVM guests (hvm_grant_table_op allows 8 operations).
#define XENABI_GUEST_MODE_PVH 1
#include <xenabi/hypercall.hpp>
namespace abi = xenabi::abi;
xenabi::result<void> f(abi::gnttab_transfer* t) {
  return xenabi::grant_table_op<abi::GNTTABOP::transfer>(t, 1);
}
