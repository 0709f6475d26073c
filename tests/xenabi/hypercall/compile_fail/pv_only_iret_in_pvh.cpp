// expect: fail not accepted by Xen in the guest mode
// HYPERVISOR_iret is PV-only (Xen fills the HVM hypercall page's iret stub with ud2).
#define XENABI_GUEST_MODE_PVH 1
#include <xenabi/hypercall.hpp>
xenabi::result<void> f() { return xenabi::iret(); }
