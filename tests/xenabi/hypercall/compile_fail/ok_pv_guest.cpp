// expect: pass
// Control: the PV calls compile in a PV-only build.
#define XENABI_GUEST_MODE_PV 1
#include <xenabi/hypercall.hpp>
namespace abi = xenabi::abi;
xenabi::result<void> f(const abi::mmu_update* u, const abi::trap_info* t, abi::xen_machphys_mapping& m) {
  XENABI_TRY(xenabi::mmu_update(u, 1));
  XENABI_TRY(xenabi::set_trap_table(t));
  XENABI_TRY(xenabi::memory_op<abi::XENMEM::machphys_mapping>(m));
  XENABI_TRY(xenabi::update_va_mapping(0x1000, 0, abi::UVMF::INVLPG));
  return xenabi::iret();
}
