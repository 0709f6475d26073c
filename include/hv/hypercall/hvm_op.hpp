/// \file
/// hvm_op: HVMOP_set_param/get_param (which params a guest may read and set, as Xen 4.17's
/// hvm_allow_get_param/hvm_allow_set_param; CALLBACK_IRQ vector type), set_evtchn_upcall_vector,
/// get_mem_type, pagetable_dying, get_time and the argument-less ops.
#pragma once

#include <cstdint>
#include <string>

#include <hv/hypercall/common.hpp>

namespace hv {
namespace detail {

/// HVM params a guest may read on itself (as Xen 4.17's hvm_allow_get_param; others -EPERM).
inline bool guest_may_get_param(std::uint32_t index) {
  switch (index) {
    case 0: case 1: case 2:     // CALLBACK_IRQ, STORE_PFN, STORE_EVTCHN
    case 15: case 17: case 18:  // VM86_TSS, CONSOLE_PFN, CONSOLE_EVTCHN
    case 19: case 34: case 35:  // ACPI_IOPORTS_LOCATION, VM_GENERATION_ID_ADDR, ALTP2M
    case 36: case 37:           // X87_FIP_WIDTH, VM86_TSS_SIZED
      return true;
    default:
      return false;
  }
}

/// HVM params a guest may set on itself (as Xen 4.17's hvm_allow_set_param; others -EPERM).
inline bool guest_may_set_param(std::uint32_t index) {
  switch (index) {
    case 0: case 2: case 18:   // CALLBACK_IRQ, STORE_EVTCHN, CONSOLE_EVTCHN
    case 15: case 19: case 34: // VM86_TSS, ACPI_IOPORTS_LOCATION, VM_GENERATION_ID_ADDR
    case 36: case 37:          // X87_FIP_WIDTH, VM86_TSS_SIZED
      return true;
    default:
      return false;
  }
}

/// Indices Xen 4.17 no longer defines (PAE_ENABLED, DM_DOMAIN, the MEMORY_EVENT_* ones,
/// BUFIOREQ_EVTCHN): get and set are -EINVAL.
inline bool param_deprecated(std::uint32_t index) {
  return index == 4 || index == 13 || (index >= 20 && index <= 26) || index == 30;
}

inline std::string param_name(std::uint32_t index) {
  return sub_name("HVM_PARAM_", index,
                  {"CALLBACK_IRQ", "STORE_PFN", "STORE_EVTCHN", "", "PAE_ENABLED", "IOREQ_PFN", "BUFIOREQ_PFN", "",
                   "", "VIRIDIAN", "TIMER_MODE", "HPET_ENABLED", "IDENT_PT", "DM_DOMAIN", "ACPI_S_STATE", "VM86_TSS",
                   "VPT_ALIGN", "CONSOLE_PFN", "CONSOLE_EVTCHN", "ACPI_IOPORTS_LOCATION", "", "", "", "", "", "",
                   "BUFIOREQ_EVTCHN", "PAGING_RING_PFN", "MONITOR_RING_PFN", "SHARING_RING_PFN", "",
                   "TRIPLE_FAULT_REASON", "IOREQ_SERVER_PFN", "NR_IOREQ_SERVER_PAGES", "VM_GENERATION_ID_ADDR",
                   "ALTP2M", "X87_FIP_WIDTH", "VM86_TSS_SIZED", "MCA_CAP"});
}

inline std::int64_t hvm_op(hcall& c) {
  const auto op = c.a.a[0];
  const auto arg = c.a.a[1];
  c.arg("op", sub_name("HVMOP_", op, {"set_param", "get_param", "", "", "", "flush_tlbs", "", "", "", "pagetable_dying",
                                      "get_time", "xentrace", "", "", "", "get_mem_type", "", "", "", "", "", "", "",
                                      "set_evtchn_upcall_vector", "guest_request_vm_event", "altp2m"}));
  switch (op) {
    case static_cast<std::uint64_t>(abi::HVMOP::set_evtchn_upcall_vector): {
      auto r = c.in<abi::xen_hvm_evtchn_upcall_vector>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      c.arg("vcpu", std::to_string(r.value().vcpu));
      c.arg("vector", hex(r.value().vector));
      if (r.value().vector < 0x10) return c.fail(errc::einval, "vector below 0x10");
      if (r.value().vcpu >= c.d.vcpus.size()) return c.fail(errc::enoent, "no such vCPU");
      vcpu& t = *c.d.vcpus[r.value().vcpu];
      {
        std::lock_guard lock(t.mu);
        t.upcall_vector = r.value().vector;
        c.rec.note = t.lapic_irq ? "delivered through the vCPU's local APIC (the guest enables it and EOIs)"
                                 : "injected by xenhv (no in-kernel local APIC)";
      }
      c.d.assert_upcall(t);  // as Xen: raised at once, whether or not an event is pending
      return 0;
    }
    case static_cast<std::uint64_t>(abi::HVMOP::flush_tlbs):
      if (arg != 0) return c.fail(errc::einval, "HVMOP_flush_tlbs takes no argument");
      return c.fail(errc::enosys, "HVMOP_flush_tlbs is not implemented by xenhv");
    case static_cast<std::uint64_t>(abi::HVMOP::guest_request_vm_event):
      // As Xen without a vm_event monitor attached: nothing to tell.
      if (arg != 0) return c.fail(errc::einval, "HVMOP_guest_request_vm_event takes no argument");
      c.rec.note = "no monitor attached";
      return 0;
    case static_cast<std::uint64_t>(abi::HVMOP::get_time): {
      abi::xen_hvm_get_time t{c.d.clock.now()};
      if (!c.out(arg, t)) return c.fail(errc::efault, "bad argument pointer");
      c.rec.note = "now " + std::to_string(t.now);
      return 0;
    }
    case static_cast<std::uint64_t>(abi::HVMOP::pagetable_dying): {
      auto r = c.in<abi::xen_hvm_pagetable_dying>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      c.arg("domid", dom_name(r.value().domid));
      domain* t = find_domain(c, r.value().domid);
      if (t == nullptr) return c.fail(errc::esrch, "no such domain");
      if (t != &c.d) return c.fail(errc::eopnotsupp, "only for the caller itself");
      // Xen acts on the hint only under shadow paging; with hardware paging (like xenhv's) -EINVAL.
      return c.fail(errc::einval, "no shadow page tables to drop");
    }
    case static_cast<std::uint64_t>(abi::HVMOP::get_mem_type): {
      auto r = c.in<abi::xen_hvm_get_mem_type>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      auto m = r.value();
      c.arg("domid", dom_name(m.domid));
      c.arg("pfn", hex(m.pfn));
      domain* t = find_domain(c, m.domid);
      if (t == nullptr) return c.fail(errc::esrch, "no such domain");
      if (t != &c.d) return c.fail(errc::eperm, "another domain's memory types are for its device model");
      {
        std::lock_guard lock(t->mu);
        const bool ram = m.pfn < t->mem.frames() && t->mem.present(m.pfn);
        m.mem_type = static_cast<std::uint16_t>(ram ? abi::HVMMEM::ram_rw : abi::HVMMEM::mmio_dm);
      }
      if (!c.out(arg, m)) return c.fail(errc::efault, "bad argument pointer");
      c.rec.note = m.mem_type == 0 ? "HVMMEM_ram_rw" : "HVMMEM_mmio_dm";
      return 0;
    }
    case static_cast<std::uint64_t>(abi::HVMOP::set_param):
    case static_cast<std::uint64_t>(abi::HVMOP::get_param):
      break;
    default:
      return c.fail(errc::enosys, "HVMOP sub-op not available to a PVH guest on xenhv");
  }
  auto r = c.in<abi::xen_hvm_param>(arg);
  if (!r) return c.fail(errc::efault, "bad argument pointer");
  auto p = r.value();
  c.arg("domid", dom_name(p.domid));
  c.arg("index", param_name(p.index));
  const bool set = op == static_cast<std::uint64_t>(abi::HVMOP::set_param);
  if (set) c.arg("value", hex(p.value));
  // Xen's order: the index range, the domain, then what the caller may do with the index.
  if (p.index >= abi::HVM::NR_PARAMS || p.index >= 64) return c.fail(errc::einval, "index out of range");
  if (p.domid != abi::DOMID::SELF && p.domid != c.d.id) {
    if (find_domain(c, p.domid) == nullptr) return c.fail(errc::esrch, "no such domain");
    return c.fail(errc::eperm, "another domain's parameters are for the toolstack");
  }
  if (param_deprecated(p.index)) return c.fail(errc::einval, "parameter no longer defined");
  if (set) {
    if (!guest_may_set_param(p.index)) return c.fail(errc::eperm, "a guest may not set this parameter on itself");
    switch (p.index) {
      case 0: {  // CALLBACK_IRQ
        const auto type = p.value >> 56;
        if (p.value != 0 && type != 2) c.rec.note = "accepted, but xenhv delivers events only via a vector (type 2)";
        break;
      }
      case 15:  // VM86_TSS: Xen crashes a guest that passes more than 32 bits
        if (p.value != static_cast<std::uint32_t>(p.value)) {
          c.d.request_shutdown(shutdown_kind::crash, 0);
          return c.fail(errc::einval, "VM86_TSS above 4 GiB: domain crashed, as Xen does");
        }
        break;
      case 19:  // ACPI_IOPORTS_LOCATION: no emulated ACPI PM timer to move
        return c.fail(errc::enodev, "no emulated ACPI PM timer");
      case 36:  // X87_FIP_WIDTH
        if (p.value != 0 && p.value != 4 && p.value != 8) return c.fail(errc::einval, "width must be 0, 4 or 8");
        break;
      case 37:  // VM86_TSS_SIZED: Xen crashes a guest whose size (bits 63:32) is below a 32-bit TSS
        if ((p.value >> 32) < 104) {
          c.d.request_shutdown(shutdown_kind::crash, 0);
          return c.fail(errc::einval, "VM86_TSS_SIZED below a TSS: domain crashed, as Xen does");
        }
        break;
      default:
        break;
    }
    std::lock_guard lock(c.d.mu);
    __atomic_store_n(&c.d.hvm_params[p.index], p.value, __ATOMIC_RELEASE);
    return 0;
  }
  if (!guest_may_get_param(p.index)) return c.fail(errc::eperm, "a guest may not read this parameter on itself");
  {
    std::lock_guard lock(c.d.mu);
    p.value = c.d.hvm_params[p.index];
  }
  if (!c.out(arg, p)) return c.fail(errc::efault, "bad argument pointer");
  c.rec.note = "value " + hex(p.value);
  return 0;
}

}  // namespace detail
}  // namespace hv
