// Example for README "Using the ABI headers": a freestanding PVH kernel reads its start info
// and prepares hypercall arguments with xenabi's Xen structures. Compiled and linked
// (-nostdlib -static) by the freestanding link check, for real.
#include <xenabi/abi.hpp>

#include <cstdint>

namespace abi = xenabi::abi;

// Sums the RAM in the PVH memory map. `si` is the hvm_start_info whose physical address the
// kernel found in %ebx at its XEN_ELFNOTE_PHYS32_ENTRY point (identity-mapped here).
extern "C" xenabi::u64 abi_example_ram_bytes(const abi::hvm_start_info* si) {
  if (si->magic != abi::XEN_HVM_START::MAGIC_VALUE || si->version < 1) return 0;
  const auto* map = reinterpret_cast<const abi::hvm_memmap_table_entry*>(
      static_cast<std::uintptr_t>(si->memmap_paddr));
  xenabi::u64 total = 0;
  for (xenabi::u32 i = 0; i < si->memmap_entries; ++i) {
    if (map[i].type == static_cast<xenabi::u32>(abi::XEN_HVM_MEMMAP_TYPE::RAM)) total += map[i].size;
  }
  return total;
}

// The arguments a guest passes to map its shared_info page at frame `gpfn`
// (HYPERVISOR_memory_op(XENMEM_add_to_physmap, &arg)) and to route VIRQ_TIMER to an event
// channel on vCPU 0 (HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bind)).
extern "C" void abi_example_args(xenabi::u64 gpfn, abi::xen_add_to_physmap* arg,
                                 abi::evtchn_bind_virq* bind) {
  arg->domid = abi::DOMID::SELF;
  arg->size = 0;
  arg->space = static_cast<xenabi::u32>(abi::XENMAPSPACE::shared_info);
  arg->idx = 0;
  arg->gpfn = static_cast<abi::xen_pfn_t>(gpfn);
  bind->virq = static_cast<xenabi::u32>(abi::VIRQ::TIMER);
  bind->vcpu = 0;
  bind->port = 0;  // OUT
}
