/// \file
/// `dispatch()`: the single entry for every trapped hypercall (from the KVM hypercall port or
/// the sim). It records one trace line per call — domain, vCPU, name, decoded arguments, result
/// with its errno name, and for refusals the reason — and returns the value for rax. Hypercalls
/// that Xen does not accept from a PVH guest, or that xenhv does not implement, return
/// `-ENOSYS` with a trace note saying which (`pvh_refusal_reason`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <hv/hypercall/common.hpp>
#include <hv/hypercall/console_io.hpp>
#include <hv/hypercall/event_channel_op.hpp>
#include <hv/hypercall/grant_table_op.hpp>
#include <hv/hypercall/hvm_op.hpp>
#include <hv/hypercall/memory_op.hpp>
#include <hv/hypercall/multicall.hpp>
#include <hv/hypercall/sched_op.hpp>
#include <hv/hypercall/set_timer_op.hpp>
#include <hv/hypercall/toolstack.hpp>
#include <hv/hypercall/vcpu_op.hpp>
#include <hv/hypercall/vm_assist.hpp>
#include <hv/hypercall/xen_version.hpp>

namespace hv {

/// Why a PVH guest of width \p guest64 gets -ENOSYS for hypercall \p nr: Xen's own refusal
/// (from the mode table: not in Xen's PVH dispatch table) or xenhv's (accepted by Xen, not
/// implemented here).
[[nodiscard]] inline std::string pvh_refusal_reason(std::uint32_t nr, bool guest64) {
  const auto w = guest64 ? xenabi::guest_width::x86_64 : xenabi::guest_width::x86_32;
  const auto* e = xenabi::find_hypercall_mode(nr);
  if (e == nullptr) return "no such hypercall in Xen 4.17";
  if (!xenabi::hypercall_accepted(nr, xenabi::guest_mode::pvh, w)) {
    std::string why = std::string("Xen does not accept ") + e->name + " from a PVH guest";
    if (e->note != nullptr && *e->note != '\0') why += std::string(": ") + e->note;
    return why;
  }
  return std::string(e->name) + " is accepted by Xen for PVH but not implemented by xenhv";
}

inline std::int64_t dispatch(vcpu& v, const hypercall_args& a, const guest_view& g, const hypercall_policy& policy) {
  trace_record rec;
  rec.domain = v.dom.id;
  rec.vcpu = v.id;
  rec.nr = a.nr;
  rec.name = hypercall_name(a.nr);
  hcall c{v.dom, v, g, a, policy, rec};
  std::int64_t rc;
  using H = abi::hypercall;
  switch (static_cast<H>(a.nr)) {
    case H::xen_version: rc = detail::xen_version(c); break;
    case H::console_io: rc = detail::console_io(c); break;
    case H::hvm_op: rc = detail::hvm_op(c); break;
    case H::memory_op: rc = detail::memory_op(c); break;
    case H::vcpu_op: rc = detail::vcpu_op(c); break;
    case H::set_timer_op: rc = detail::set_timer_op(c); break;
    case H::sched_op: rc = detail::sched_op(c); break;
    case H::event_channel_op: rc = detail::event_channel_op(c); break;
    case H::grant_table_op: rc = detail::grant_table_op(c); break;
    case H::multicall: rc = detail::multicall(c); break;
    case H::platform_op: rc = detail::privileged_struct_op(c, 136, 0x03000001); break;  // XENPF_INTERFACE_VERSION
    case H::sysctl: rc = detail::privileged_struct_op(c, 136, 0x15); break;             // XEN_SYSCTL_INTERFACE_VERSION
    case H::domctl: rc = detail::privileged_struct_op(c, 144, 0x15); break;             // XEN_DOMCTL_INTERFACE_VERSION
    case H::arch_1: rc = detail::paging_domctl_cont(c); break;
    case H::vm_assist: rc = detail::vm_assist(c); break;
    case H::mmuext_op: rc = detail::mmuext_op(c); break;
    case H::dm_op: rc = detail::dm_op(c); break;
    case H::xenpmu_op:
      c.arg("op", std::to_string(static_cast<std::uint32_t>(a.a[0])));
      rc = c.fail(errc::eopnotsupp, "no virtual PMU (as Xen with vpmu off, its default)");
      break;
    case H::hypfs_op:
      c.arg("cmd", std::to_string(static_cast<std::uint32_t>(a.a[0])));
      rc = c.fail(errc::eperm, "privileged: hypfs is for the control domain");
      break;
    default: {
      for (std::size_t i = 0; i < 3; ++i) c.arg("a" + std::to_string(i + 1), hex(a.a[i]));
      const auto* e = xenabi::find_hypercall_mode(a.nr);
      const auto w = a.guest64 ? xenabi::guest_width::x86_64 : xenabi::guest_width::x86_32;
      if (e != nullptr && xenabi::hypercall_accepted(a.nr, xenabi::guest_mode::pvh, w) && e->note != nullptr &&
          std::string_view(e->note).starts_with("privileged"))
        rc = c.fail(errc::eperm, e->note);  // as Xen for a domain that is not the control domain
      else
        rc = c.fail(errc::enosys, pvh_refusal_reason(a.nr, a.guest64));
      break;
    }
  }
  rec.result = rc;
  v.dom.trace.emit(std::move(rec));
  return rc;
}

}  // namespace hv
