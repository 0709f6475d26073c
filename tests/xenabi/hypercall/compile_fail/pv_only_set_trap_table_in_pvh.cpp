// expect: fail not accepted by Xen in the guest mode
// set_trap_table is PV-only: a PVH guest loads its own IDT.
#define XENABI_GUEST_MODE_PVH 1
#include <xenabi/hypercall.hpp>
xenabi::result<void> f(const xenabi::abi::trap_info* t) { return xenabi::set_trap_table(t); }
